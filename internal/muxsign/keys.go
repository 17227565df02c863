package muxsign

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MinKeyBits is the smallest RSA modulus ParsePrivateKey accepts. Mux issues
// 2048-bit keys.
const MinKeyBits = 2048

// MaxKeyBits is the largest RSA modulus ParsePrivateKey accepts: every
// signature with a larger key would cost many times as much, and Mux's keys
// are 2048-bit.
const MaxKeyBits = 4096

// Errors returned by ParsePrivateKey. Their messages describe the problem
// without repeating any of the key material.
var (
	ErrKeyEmpty     error = keyError("is empty")
	ErrKeyEncoding  error = keyError("is neither a PEM key nor base64 of one")
	ErrKeyTruncated error = keyError("holds a PEM BEGIN line but no complete PEM block (truncated, or its line breaks were lost)")
	ErrKeyPublic    error = keyError("is a public key or certificate; it must be the private key Mux returned with the signing key")
	ErrKeyEncrypted error = keyError("is an encrypted PEM; decrypt it first (openssl rsa -in key.pem -out plain.pem)")
	ErrKeyNotRSA    error = keyError("is not an RSA key; Mux URL signing keys are RSA")
	ErrKeyMultiple  error = keyError("holds more than one PEM block; keep only the private key")
	ErrKeyCorrupt   error = keyError("does not parse as an RSA private key (truncated or corrupted)")
	ErrKeyBase64Of  error = keyError("is base64 of base64; decode it once before setting it")
	ErrKeyTooSmall  error = keyError("is too small")
	ErrKeyTooLarge  error = keyError("is too large")
)

// keyError is a fixed key error. Being a string, a value of it is laid out
// by the compiler: the errors above cost package initialisation nothing.
type keyError string

func (e keyError) Error() string { return string(e) }

// ParsePrivateKey parses a Mux URL signing key. It accepts what Mux's API
// returns (base64 of a PKCS#1 PEM), a raw PEM in PKCS#1 or PKCS#8 form, base64
// of either, or base64 of the DER key itself, tolerating surrounding
// whitespace and quotes and newlines written as a literal `\n`. That
// clean-up applies to text only: what base64 decodes to is parsed as DER,
// untouched, when it is binary starting with an ASN.1 SEQUENCE. It rejects
// public keys, encrypted keys, non-RSA keys and RSA keys under MinKeyBits or
// over MaxKeyBits.
//
// Errors never quote the input.
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	text := unescapeNewlines(trimQuotes(strings.TrimSpace(s)))
	if strings.TrimSpace(text) == "" {
		return nil, ErrKeyEmpty
	}
	if strings.Contains(text, "-----BEGIN") {
		return parsePEM([]byte(text))
	}
	decoded, err := decodeBase64([]byte(text))
	if err != nil {
		return nil, ErrKeyEncoding
	}
	return parseDecoded(decoded)
}

// parseDecoded parses what base64 decoded to, deciding by its content before
// touching it. Binary is never treated as text: a DER key is random-looking
// bytes that may start or end with a whitespace byte or hold the bytes `\n`,
// and trimming or unescaping it would corrupt about one key in sixteen. So an
// ASN.1 SEQUENCE (0x30) that is not text is DER, parsed as it is; only text
// (a PEM) gets the clean-up pasted text needs.
func parseDecoded(decoded []byte) (*rsa.PrivateKey, error) {
	if len(decoded) > 0 && decoded[0] == 0x30 && !isText(decoded) {
		return parseDER(decoded)
	}
	text := []byte(unescapeNewlines(strings.TrimSpace(string(decoded))))
	if bytes.Contains(text, []byte("-----BEGIN")) {
		return parsePEM(text)
	}
	if again, err := decodeBase64(text); err == nil && len(again) > 0 &&
		(bytes.Contains(again, []byte("-----BEGIN")) || again[0] == 0x30) {
		return nil, ErrKeyBase64Of
	}
	return nil, ErrKeyEncoding
}

// isText reports whether b is all printable ASCII and whitespace, as a PEM
// or base64 is and a DER key (whose second byte alone is 0x82 for any RSA
// key) is not.
func isText(b []byte) bool {
	for _, c := range b {
		if (c < ' ' || c > '~') && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

func parsePEM(data []byte) (*rsa.PrivateKey, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		block, rest = rewrapPEM(data)
	}
	if block == nil {
		return nil, ErrKeyTruncated
	}
	if bytes.Contains(rest, []byte("-----BEGIN")) {
		return nil, ErrKeyMultiple
	}
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, ErrKeyEncrypted
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, ErrKeyCorrupt
		}
		return checkKey(k)
	case "PRIVATE KEY":
		return parsePKCS8(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, ErrKeyEncrypted
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, ErrKeyPublic
	case "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
		return nil, fmt.Errorf("%w (PEM block %q)", ErrKeyNotRSA, block.Type)
	default:
		return nil, fmt.Errorf("%w (unexpected PEM block %s)", ErrKeyCorrupt, safeLabel(block.Type))
	}
}

func parseDER(der []byte) (*rsa.PrivateKey, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return checkKey(k)
	}
	if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return nil, ErrKeyPublic
	}
	if _, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return nil, ErrKeyPublic
	}
	return parsePKCS8(der)
}

func parsePKCS8(der []byte) (*rsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, ErrKeyCorrupt
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return checkKey(k)
	case *ecdsa.PrivateKey:
		return nil, fmt.Errorf("%w (it is an ECDSA key)", ErrKeyNotRSA)
	case ed25519.PrivateKey:
		return nil, fmt.Errorf("%w (it is an Ed25519 key)", ErrKeyNotRSA)
	default:
		return nil, fmt.Errorf("%w (it is a %T)", ErrKeyNotRSA, k)
	}
}

func checkKey(k *rsa.PrivateKey) (*rsa.PrivateKey, error) {
	if bits := k.N.BitLen(); bits < MinKeyBits {
		return nil, fmt.Errorf("%w: RSA key of %d bits, at least %d required", ErrKeyTooSmall, bits, MinKeyBits)
	} else if bits > MaxKeyBits {
		return nil, fmt.Errorf("%w: RSA key of %d bits, at most %d allowed (Mux signing keys are 2048-bit)", ErrKeyTooLarge, bits, MaxKeyBits)
	}
	if err := k.Validate(); err != nil {
		return nil, ErrKeyCorrupt
	}
	k.Precompute()
	return k, nil
}

// rewrapPEM restores a single PEM block whose line breaks became spaces, as
// happens when a key is pasted into a one-line field: "-----BEGIN label-----",
// base64 and whitespace, "-----END label-----", with the same label of 1 to
// 40 capitals, digits and spaces, and whitespace around. It returns nil when
// data is not one whole such block (for instance when it is truncated).
func rewrapPEM(data []byte) (*pem.Block, []byte) {
	s := bytes.Trim(data, pemSpace)
	label, s, ok := pemBoundary(s, "-----BEGIN ")
	if !ok {
		return nil, nil
	}
	end := bytes.IndexByte(s, '-')
	if end <= 0 || bytes.ContainsFunc(s[:end], func(r rune) bool { return !isBase64OrSpace(r) }) {
		return nil, nil
	}
	body := s[:end]
	endLabel, rest, ok := pemBoundary(s[end:], "-----END ")
	if !ok || len(rest) > 0 || !bytes.Equal(label, endLabel) {
		return nil, nil
	}
	body = bytes.Join(bytes.Fields(body), nil)
	der := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
	n, err := base64.StdEncoding.Decode(der, body)
	if err != nil {
		return nil, nil
	}
	return &pem.Block{Type: string(label), Bytes: der[:n]}, nil
}

// pemSpace is the whitespace rewrapPEM tolerates.
const pemSpace = " \t\n\f\r"

// pemBoundary reads prefix, a label of 1 to 40 capitals, digits and spaces,
// and "-----" from the start of s, and returns the label and what follows.
func pemBoundary(s []byte, prefix string) (label, rest []byte, ok bool) {
	s, ok = bytes.CutPrefix(s, []byte(prefix))
	if !ok {
		return nil, nil, false
	}
	n := 0
	for n < len(s) && n <= 40 && ('A' <= s[n] && s[n] <= 'Z' || '0' <= s[n] && s[n] <= '9' || s[n] == ' ') {
		n++
	}
	if n == 0 || n > 40 {
		return nil, nil, false
	}
	rest, ok = bytes.CutPrefix(s[n:], []byte("-----"))
	return s[:n], rest, ok
}

func isBase64OrSpace(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' ||
		r == '+' || r == '/' || r == '=' || strings.ContainsRune(pemSpace, r)
}

// decodeBase64 decodes standard or URL-safe base64, padded or not, ignoring
// whitespace anywhere in the input.
func decodeBase64(data []byte) ([]byte, error) {
	compact := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, data)
	s := strings.TrimRight(string(compact), "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// unescapeNewlines turns the two-character sequences `\n` and `\r` that
// dashboards and .env files leave in pasted PEMs into real line breaks.
func unescapeNewlines(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\r`, "").Replace(s)
}

func trimQuotes(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// knownLabels are PEM types that may be named in an error message. Any other
// label is not repeated: it is user input, and a mangled paste can put key
// material on the BEGIN line.
var knownLabels = []string{
	"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST", "X509 CRL", "PKCS7", "CMS",
	"DH PARAMETERS", "EC PARAMETERS", "PGP PRIVATE KEY BLOCK", "PGP PUBLIC KEY BLOCK",
	"SSH2 ENCRYPTED PRIVATE KEY", "PUTTY-USER-KEY-FILE-2", "TRUSTED CERTIFICATE",
}

// safeLabel names a PEM type for an error message: quoted when it is a
// well-known label, else only as "type".
func safeLabel(s string) string {
	for _, l := range knownLabels {
		if s == l {
			return strconv.Quote(s)
		}
	}
	return "type"
}

// DescribeKeyForm says how a key is written, such as "base64 of a PKCS#1 PEM
// (as Mux's API returns it), with literal \n line breaks", naming none of its
// content but the PEM label. It is meant for keys ParsePrivateKey accepts.
func DescribeKeyForm(s string) string {
	s = strings.TrimSpace(s)
	var extras []string
	if unquoted := trimQuotes(s); unquoted != s {
		extras = append(extras, "in quotes")
		s = unquoted
	}
	if strings.Contains(s, `\n`) {
		extras = append(extras, `with literal \n line breaks`)
	}
	form := "key"
	if strings.Contains(s, "-----BEGIN") {
		form = "raw " + pemKind(s)
	} else if decoded, err := decodeBase64([]byte(s)); err == nil {
		switch text := string(decoded); {
		case strings.Contains(text, "-----BEGIN") && pemKind(text) == "PKCS#1 PEM":
			form = "base64 of a PKCS#1 PEM (as Mux's API returns it)"
		case strings.Contains(text, "-----BEGIN"):
			form = "base64 of a " + pemKind(text)
		default:
			form = "base64 of a DER key"
		}
	}
	if len(extras) > 0 {
		form += ", " + strings.Join(extras, ", ")
	}
	return form
}

// pemKind names the form of the first PEM block in text.
func pemKind(text string) string {
	switch {
	case strings.Contains(text, "-----BEGIN RSA PRIVATE KEY-----"):
		return "PKCS#1 PEM"
	case strings.Contains(text, "-----BEGIN PRIVATE KEY-----"):
		return "PKCS#8 PEM"
	}
	return "PEM"
}
