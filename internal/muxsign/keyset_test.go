package muxsign_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

// keyForms are the ways a key may be written that ParsePrivateKey accepts,
// each made from a key's PKCS#1 and PKCS#8 DER.
var keyForms = []struct {
	name string
	form func(pkcs1, pkcs8 []byte) string
}{
	{"base64 PKCS#1 PEM as Mux returns it", func(p1, _ []byte) string { return b64std(pemOf("RSA PRIVATE KEY", p1)) }},
	{"raw PKCS#1 PEM", func(p1, _ []byte) string { return pemOf("RSA PRIVATE KEY", p1) }},
	{"raw PKCS#8 PEM", func(_, p8 []byte) string { return pemOf("PRIVATE KEY", p8) }},
	{"base64 PKCS#8 PEM", func(_, p8 []byte) string { return b64std(pemOf("PRIVATE KEY", p8)) }},
	{"base64 DER PKCS#1", func(p1, _ []byte) string { return base64.StdEncoding.EncodeToString(p1) }},
	{"base64 DER PKCS#8", func(_, p8 []byte) string { return base64.StdEncoding.EncodeToString(p8) }},
	{"URL-safe unpadded base64 DER PKCS#1", func(p1, _ []byte) string { return base64.RawURLEncoding.EncodeToString(p1) }},
	{"base64 DER PKCS#1 wrapped at 76 columns", func(p1, _ []byte) string { return wrap76(base64.StdEncoding.EncodeToString(p1)) }},
	{"quoted PKCS#1 PEM", func(p1, _ []byte) string { return `"` + pemOf("RSA PRIVATE KEY", p1) + `"` }},
	{"quoted base64 DER PKCS#8", func(_, p8 []byte) string { return `'` + base64.StdEncoding.EncodeToString(p8) + `'` }},
	{"PKCS#1 PEM with literal \\n", func(p1, _ []byte) string { return escapeNewlines(pemOf("RSA PRIVATE KEY", p1)) }},
	{"PKCS#8 PEM with literal \\n, quoted", func(_, p8 []byte) string { return `"` + escapeNewlines(pemOf("PRIVATE KEY", p8)) + `"` }},
	{"PKCS#1 PEM with CRLF", func(p1, _ []byte) string { return strings.ReplaceAll(pemOf("RSA PRIVATE KEY", p1), "\n", "\r\n") }},
	{"PKCS#8 PEM on one line with spaces", func(_, p8 []byte) string { return oneLine(pemOf("PRIVATE KEY", p8)) }},
	{"PKCS#1 PEM in surrounding whitespace", func(p1, _ []byte) string { return "\n\t " + pemOf("RSA PRIVATE KEY", p1) + " \n\n" }},
	{"base64 DER PKCS#1 in surrounding whitespace", func(p1, _ []byte) string { return "  " + base64.StdEncoding.EncodeToString(p1) + "\r\n" }},
	{"base64 PKCS#1 PEM in surrounding whitespace", func(p1, _ []byte) string { return "\t" + b64std(pemOf("RSA PRIVATE KEY", p1)) + "\n" }},
}

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func b64std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func escapeNewlines(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", `\n`) }

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", " ") }

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		n := min(76, len(s))
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	return b.String()
}

// TestParsePrivateKeyEveryKeyEveryForm parses each of the 300 committed
// RSA-2048 keys in every accepted form. The set holds keys whose DER starts
// or ends with whitespace bytes or holds the bytes `\n` or `\r`: decoded
// binary that text clean-up would change, which once made about one valid
// key in sixteen fail as "truncated or corrupted".
func TestParsePrivateKeyEveryKeyEveryForm(t *testing.T) {
	keys := testkeys.Set(t)
	ders := testkeys.SetDER(t)
	failed := make([]int, len(keyForms))
	for i, k := range keys {
		p8, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		for f, form := range keyForms {
			got, err := muxsign.ParsePrivateKey(form.form(ders[i], p8))
			if err != nil || !got.Equal(k) {
				failed[f]++
				if failed[f] <= 3 {
					t.Errorf("%s: key %d (line %d of %s): %v", form.name, i, i+1, testkeys.SetFile, err)
				}
			}
		}
	}
	for f, n := range failed {
		if n > 0 {
			t.Errorf("%s: %d of %d keys refused", keyForms[f].name, n, len(keys))
		}
	}
}

// The set is only a test of binary handling if it holds keys that text
// clean-up would change; the generator made sure of it, and this keeps it so.
func TestKeySetHoldsTextLikeDER(t *testing.T) {
	var trailing, escape int
	for _, der := range testkeys.SetDER(t) {
		if strings.TrimSpace(string(der)) != string(der) {
			trailing++
		}
		if strings.Contains(string(der), `\n`) || strings.Contains(string(der), `\r`) {
			escape++
		}
	}
	if trailing < 5 || escape < 5 {
		t.Errorf("the key set holds %d keys with DER ending in whitespace and %d with \\n or \\r bytes; want at least 5 of each", trailing, escape)
	}
}
