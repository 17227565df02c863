package muxsign_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

func TestParsePrivateKeyAccepts(t *testing.T) {
	pkcs1 := testkeys.PEM(t, "rsa2048_pkcs1.pem")
	pkcs8 := testkeys.PEM(t, "rsa2048_pkcs8.pem")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	escaped := strings.ReplaceAll(strings.TrimSpace(pkcs1), "\n", `\n`)
	crlf := strings.ReplaceAll(pkcs1, "\n", "\r\n")
	// base64 wrapped at 76 columns, as `base64` without -w0 writes it.
	var wrapped strings.Builder
	for s := b64(pkcs1); len(s) > 0; {
		n := min(76, len(s))
		wrapped.WriteString(s[:n] + "\n")
		s = s[n:]
	}

	tests := []struct {
		name, in string
	}{
		{"base64 PKCS#1 PEM as Mux returns it", testkeys.PEM(t, "rsa2048_pkcs1.pem.b64")},
		{"raw PKCS#1 PEM", pkcs1},
		{"raw PKCS#8 PEM", pkcs8},
		{"base64 PKCS#8 PEM", testkeys.PEM(t, "rsa2048_pkcs8.pem.b64")},
		{"base64 of DER PKCS#1", testkeys.PEM(t, "rsa2048_pkcs1.der.b64")},
		{"base64 wrapped at 76 columns", wrapped.String()},
		{"URL-safe base64 without padding", base64.RawURLEncoding.EncodeToString([]byte(pkcs1))},
		{"surrounding whitespace", "\n\t  " + pkcs1 + "  \n\n"},
		{"surrounding whitespace around base64", "  " + b64(pkcs1) + "\n"},
		{"double quotes", `"` + pkcs1 + `"`},
		{"single quotes", `'` + pkcs1 + `'`},
		{"quotes and whitespace around base64", ` "` + b64(pkcs1) + `" `},
		{"literal \\n escapes", escaped},
		{"literal \\n escapes, quoted", `"` + escaped + `\n"`},
		{"literal \\r\\n escapes", strings.ReplaceAll(strings.TrimSpace(pkcs1), "\n", `\r\n`)},
		{"CRLF line ends", crlf},
		{"line breaks replaced by spaces", strings.ReplaceAll(strings.TrimSpace(pkcs1), "\n", " ")},
		{"PKCS#8 on one line, no spaces", strings.Replace(strings.Replace(strings.ReplaceAll(strings.TrimSpace(pkcs8), "\n", ""), "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY----- ", 1), "-----END", " -----END", 1)},
		{"base64 of a CRLF PEM", b64(crlf)},
		{"literal \\n escapes inside base64", b64(escaped)},
		{"PKCS#8 with literal \\n escapes", strings.ReplaceAll(pkcs8, "\n", `\n`)},
	}
	want := testkeys.Public(t, "rsa2048_public.pem")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := muxsign.ParsePrivateKey(tt.in)
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if !k.PublicKey.Equal(want) {
				t.Fatal("parsed key is not the fixture key")
			}
			if k.N.BitLen() != 2048 {
				t.Fatalf("bits = %d", k.N.BitLen())
			}
		})
	}
}

func TestParsePrivateKeyRejects(t *testing.T) {
	pkcs1 := testkeys.PEM(t, "rsa2048_pkcs1.pem")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", muxsign.ErrKeyEmpty},
		{"whitespace only", " \n\t ", muxsign.ErrKeyEmpty},
		{"empty quotes", `""`, muxsign.ErrKeyEmpty},
		{"quoted whitespace", `'  '`, muxsign.ErrKeyEmpty},
		{"neither base64 nor PEM", "this is not a key!", muxsign.ErrKeyEncoding},
		{"a key ID pasted as the key", "sharedTestKeyId00aBcDeFgHiJkLmNoPqRsTuVwXyZ012!", muxsign.ErrKeyEncoding},
		{"base64 of garbage", b64("hello, this is not a PEM at all"), muxsign.ErrKeyEncoding},
		{"base64 of random DER-looking bytes", b64("\x30\x82\x01\x00garbage"), muxsign.ErrKeyCorrupt},
		{"double base64", testkeys.PEM(t, "rsa2048_pkcs1.pem.b64.b64"), muxsign.ErrKeyBase64Of},
		{"SPKI public key", testkeys.PEM(t, "rsa2048_public.pem"), muxsign.ErrKeyPublic},
		{"PKCS#1 public key", testkeys.PEM(t, "rsa2048_public_pkcs1.pem"), muxsign.ErrKeyPublic},
		{"base64 of a public key", b64(testkeys.PEM(t, "rsa2048_public.pem")), muxsign.ErrKeyPublic},
		{"encrypted PKCS#1 PEM", testkeys.PEM(t, "rsa2048_encrypted_pkcs1.pem"), muxsign.ErrKeyEncrypted},
		{"encrypted PKCS#8 PEM", testkeys.PEM(t, "rsa2048_encrypted_pkcs8.pem"), muxsign.ErrKeyEncrypted},
		{"EC P-256 SEC 1", testkeys.PEM(t, "ec_p256.pem"), muxsign.ErrKeyNotRSA},
		{"EC P-256 PKCS#8", testkeys.PEM(t, "ec_p256_pkcs8.pem"), muxsign.ErrKeyNotRSA},
		{"Ed25519", testkeys.PEM(t, "ed25519.pem"), muxsign.ErrKeyNotRSA},
		{"base64 of Ed25519", b64(testkeys.PEM(t, "ed25519.pem")), muxsign.ErrKeyNotRSA},
		{"RSA-1024", testkeys.PEM(t, "rsa1024_pkcs1.pem"), muxsign.ErrKeyTooSmall},
		{"RSA-5120", testkeys.PEM(t, "rsa5120_pkcs1.pem"), muxsign.ErrKeyTooLarge},
		{"truncated PEM", testkeys.PEM(t, "truncated.pem"), muxsign.ErrKeyTruncated},
		{"line breaks replaced by spaces, END line cut", strings.ReplaceAll(strings.TrimSpace(pkcs1), "\n", " ")[:len(strings.TrimSpace(pkcs1))-10], muxsign.ErrKeyTruncated},
		{"two PEM blocks", testkeys.PEM(t, "two_blocks.pem"), muxsign.ErrKeyMultiple},
		{"corrupted body", corruptPEMBody(pkcs1), muxsign.ErrKeyCorrupt},
		{"unknown PEM block", "-----BEGIN SOMETHING-----\nAAAA\n-----END SOMETHING-----\n", muxsign.ErrKeyCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := muxsign.ParsePrivateKey(tt.in)
			if k != nil {
				t.Fatal("returned a key")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

// corruptPEMBody flips one base64 character in the middle of the key,
// keeping the PEM well formed.
func corruptPEMBody(p string) string {
	lines := strings.Split(p, "\n")
	mid := lines[len(lines)/2]
	c := byte('A')
	if mid[10] == 'A' {
		c = 'B'
	}
	lines[len(lines)/2] = mid[:10] + string(c) + mid[11:]
	return strings.Join(lines, "\n")
}

// TestParsePrivateKeyErrorsNeverQuoteTheKey feeds every rejected form and
// checks that no line of the PEM body (nor its base64) is in the message.
func TestParsePrivateKeyErrorsNeverQuoteTheKey(t *testing.T) {
	files := []string{
		"rsa2048_public.pem", "rsa2048_public_pkcs1.pem", "rsa2048_encrypted_pkcs1.pem",
		"rsa2048_encrypted_pkcs8.pem", "ec_p256.pem", "ec_p256_pkcs8.pem", "ed25519.pem",
		"rsa1024_pkcs1.pem", "truncated.pem", "two_blocks.pem", "rsa2048_pkcs1.pem.b64.b64",
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			in := testkeys.PEM(t, f)
			inputs := map[string]string{
				"as is":    in,
				"escaped":  strings.ReplaceAll(in, "\n", `\n`),
				"base64":   base64.StdEncoding.EncodeToString([]byte(in)),
				"spaces":   strings.ReplaceAll(in, "\n", " "),
				"corrupt":  corruptPEMBody(testkeys.PEM(t, "rsa2048_pkcs1.pem")),
				"prefixed": "garbage " + in,
			}
			for form, s := range inputs {
				_, err := muxsign.ParsePrivateKey(s)
				if err == nil {
					t.Fatalf("%s: accepted", form)
				}
				msg := err.Error()
				for _, line := range strings.Split(in+"\n"+s, "\n") {
					line = strings.TrimSpace(line)
					if len(line) < 8 || strings.HasPrefix(line, "-----") {
						continue
					}
					if strings.Contains(msg, line) || strings.Contains(msg, line[:8]) {
						t.Fatalf("%s: error %q quotes key material %q", form, msg, line[:8])
					}
				}
			}
		})
	}
}

func TestDescribeKeyForm(t *testing.T) {
	pkcs1 := testkeys.PEM(t, "rsa2048_pkcs1.pem")
	pkcs8 := testkeys.PEM(t, "rsa2048_pkcs8.pem")
	tests := []struct{ in, want string }{
		{testkeys.PEM(t, "rsa2048_pkcs1.pem.b64"), "base64 of a PKCS#1 PEM (as Mux's API returns it)"},
		{testkeys.PEM(t, "rsa2048_pkcs8.pem.b64"), "base64 of a PKCS#8 PEM"},
		{testkeys.PEM(t, "rsa2048_pkcs1.der.b64"), "base64 of a DER key"},
		{pkcs1, "raw PKCS#1 PEM"},
		{pkcs8, "raw PKCS#8 PEM"},
		{`"` + strings.ReplaceAll(strings.TrimSpace(pkcs1), "\n", `\n`) + `"`, `raw PKCS#1 PEM, in quotes, with literal \n line breaks`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := muxsign.DescribeKeyForm(tt.in)
			if got != tt.want {
				t.Fatalf("DescribeKeyForm = %q, want %q", got, tt.want)
			}
			if _, err := muxsign.ParsePrivateKey(tt.in); err != nil {
				t.Fatalf("the fixture does not parse: %v", err)
			}
		})
	}
}
