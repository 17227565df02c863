package endpoint_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

// hardUnset marks a variable as not set at all.
const hardUnset = "\x00unset"

// TestBrokenConfiguration sets up the function with each kind of broken
// configuration people deploy. Each must answer every request with a 500
// whose message names the variables to fix and where to look, but not the
// diagnosis; keep answering; log the full problem once; and never show key
// material in a response or log line.
func TestBrokenConfiguration(t *testing.T) {
	k := hardKeys(t)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	lines := strings.Split(k.mainPEM, "\n")
	// One base64 character in the middle of the body changed to another
	// base64 character: still base64, no longer the key. The key is a
	// fixture, so this is the same change in every run.
	corrupt := []byte(k.mainPEM)
	mid := len(corrupt) / 2
	for corrupt[mid] == '\n' {
		mid++
	}
	if corrupt[mid] == 'A' {
		corrupt[mid] = 'B'
	} else {
		corrupt[mid] = 'A'
	}
	certTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hard"},
		NotBefore: hardNow, NotAfter: hardNow.Add(time.Hour)}
	certDER, err := x509.CreateCertificate(rand.Reader, certTmpl, certTmpl, &k.main.PublicKey, k.main)
	if err != nil {
		t.Fatal(err)
	}
	encPKCS8 := testkeys.PEM(t, "rsa2048_encrypted_pkcs8.pem")
	encPKCS8Plain := testkeys.PEM(t, "rsa2048_pkcs1.pem")

	const (
		pk  = endpoint.EnvPrivateKey
		kid = endpoint.EnvSigningKey
	)
	cases := []struct {
		name  string
		env   map[string]string
		want  []string // each a part of the message: the variable and the problem
		extra string   // a key whose material must not show, beyond hardKeys
	}{
		{"private key missing", map[string]string{pk: hardUnset}, []string{pk + ": is not set"}, ""},
		{"private key empty", map[string]string{pk: ""}, []string{pk + ": is not set"}, ""},
		{"private key whitespace", map[string]string{pk: " \n\t\r\n "}, []string{pk + ": is not set"}, ""},
		{"private key only quotes", map[string]string{pk: `""`}, []string{pk + ": is empty"}, ""},
		{"key ID missing", map[string]string{kid: hardUnset}, []string{kid + ": is not set"}, ""},
		{"key ID empty", map[string]string{kid: "  "}, []string{kid + ": is not set"}, ""},
		{"key ID with a dash", map[string]string{kid: "abc-123"}, []string{kid + ": must be the signing key's ID"}, ""},
		{"key and ID swapped", map[string]string{kid: k.mainB64, pk: hardKeyID},
			[]string{kid + ": must be the signing key's ID", pk + ": is neither a PEM key nor base64 of one"}, ""},
		{"key in both variables", map[string]string{kid: k.mainPEM},
			[]string{kid + ": must be the signing key's ID"}, ""},
		{"truncated PEM", map[string]string{pk: strings.Join(lines[:12], "\n")}, []string{pk + ": holds a PEM BEGIN line but no complete PEM block"}, ""},
		{"truncated base64 of the PEM", map[string]string{pk: k.mainB64[:len(k.mainB64)/2/4*4]}, []string{pk + ": holds a PEM BEGIN line but no complete PEM block"}, ""},
		{"PEM without its END line", map[string]string{pk: strings.Join(lines[:len(lines)-2], "\n")}, []string{pk + ": holds a PEM BEGIN line but no complete PEM block"}, ""},
		{"corrupted PEM body", map[string]string{pk: string(corrupt)}, []string{pk + ": does not parse as an RSA private key"}, ""},
		{"base64 of garbage", map[string]string{pk: b64("this is not a key, just some text")}, []string{pk + ": is neither a PEM key nor base64 of one"}, ""},
		{"plain garbage", map[string]string{pk: "not a key!"}, []string{pk + ": is neither a PEM key nor base64 of one"}, ""},
		{"base64 of random bytes", map[string]string{pk: base64.StdEncoding.EncodeToString([]byte{0xde, 0xad, 0xbe, 0xef, 0x01})}, []string{pk + ": is neither a PEM key nor base64 of one"}, ""},
		{"double base64", map[string]string{pk: b64(k.mainB64)}, []string{pk + ": is base64 of base64"}, ""},
		{"public key", map[string]string{pk: k.publicPEM}, []string{pk + ": is a public key or certificate"}, ""},
		{"public key, base64", map[string]string{pk: b64(k.publicPEM)}, []string{pk + ": is a public key or certificate"}, ""},
		{"public key, PKCS#1", map[string]string{pk: hardPEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&k.main.PublicKey))}, []string{pk + ": is a public key or certificate"}, ""},
		{"certificate", map[string]string{pk: hardPEM("CERTIFICATE", certDER)}, []string{pk + ": is a public key or certificate"}, ""},
		{"EC key", map[string]string{pk: k.ecPEM}, []string{pk + ": is not an RSA key"}, ""},
		{"EC key, PKCS#8", map[string]string{pk: k.ecPKCS8}, []string{pk + ": is not an RSA key", "ECDSA"}, ""},
		{"Ed25519 key", map[string]string{pk: k.edPEM}, []string{pk + ": is not an RSA key", "Ed25519"}, ""},
		{"Ed25519 key, base64", map[string]string{pk: b64(k.edPEM)}, []string{pk + ": is not an RSA key", "Ed25519"}, ""},
		{"RSA 1024", map[string]string{pk: k.smallPEM}, []string{pk + ": is too small", "1024 bits"}, ""},
		{"RSA 1024, base64", map[string]string{pk: b64(k.smallPEM)}, []string{pk + ": is too small", "1024 bits"}, ""},
		{"encrypted PEM", map[string]string{pk: k.encrypted}, []string{pk + ": is an encrypted PEM"}, ""},
		{"encrypted PKCS#8", map[string]string{pk: encPKCS8}, []string{pk + ": is an encrypted PEM"}, encPKCS8 + encPKCS8Plain},
		{"two PEM blocks", map[string]string{pk: k.mainPEM + k.publicPEM}, []string{pk + ": holds more than one PEM block"}, ""},
		{"two private keys", map[string]string{pk: k.mainPEM + k.mainPKCS8}, []string{pk + ": holds more than one PEM block"}, ""},
		{"expiry not a duration", map[string]string{endpoint.EnvExpiration: "forever"}, []string{endpoint.EnvExpiration + `: "forever" is not a duration`}, ""},
		{"expiry with a fraction", map[string]string{endpoint.EnvExpiration: "1.5d"}, []string{endpoint.EnvExpiration + ": ", "is not a duration"}, ""},
		{"expiry too short", map[string]string{endpoint.EnvExpiration: "30s"}, []string{endpoint.EnvExpiration + ": must be at least one minute"}, ""},
		{"expiry too long", map[string]string{endpoint.EnvExpiration: "3651d"}, []string{endpoint.EnvExpiration + ": ", "longer than the 3650-day maximum"}, ""},
		{"expiry overflowing", map[string]string{endpoint.EnvExpiration: "9999999999"}, []string{endpoint.EnvExpiration + ": ", "longer than the 3650-day maximum"}, ""},
		{"grain not shorter than expiry", map[string]string{endpoint.EnvExpiration: "1h", endpoint.EnvGrain: "2h"}, []string{endpoint.EnvGrain + ": may be at most half of " + endpoint.EnvExpiration}, ""},
		{"grain over half the expiry", map[string]string{endpoint.EnvExpiration: "1h", endpoint.EnvGrain: "59m59s"}, []string{endpoint.EnvGrain + ": may be at most half of " + endpoint.EnvExpiration + " (1800 s)"}, ""},
		{"grain not a duration", map[string]string{endpoint.EnvGrain: "often"}, []string{endpoint.EnvGrain + ": ", "is not a duration"}, ""},
		{"cache size negative", map[string]string{endpoint.EnvCacheSize: "-1"}, []string{endpoint.EnvCacheSize + ": must be a whole number"}, ""},
		{"cache size over the cap", map[string]string{endpoint.EnvCacheSize: "10000000"}, []string{endpoint.EnvCacheSize + ": must be a whole number from 0 (off) to 100000"}, ""},
		{"cache size a word", map[string]string{endpoint.EnvCacheSize: "lots"}, []string{endpoint.EnvCacheSize + ": must be a whole number"}, ""},
		{"restriction ID with symbols", map[string]string{endpoint.EnvRestrictionID: "abc/../x"}, []string{endpoint.EnvRestrictionID + ": must be a Mux playback restriction ID"}, ""},
		{"allowed IDs with a bad entry", map[string]string{endpoint.EnvAllowedPlaybackIDs: hardID + ",not-an-id"}, []string{endpoint.EnvAllowedPlaybackIDs + ": entry 2 is not a playback ID"}, ""},
		{"allowed IDs only separators", map[string]string{endpoint.EnvAllowedPlaybackIDs: " , ,"}, []string{endpoint.EnvAllowedPlaybackIDs + ": must list 1 to"}, ""},
		{"allowed origins wildcard alone", map[string]string{endpoint.EnvAllowedOrigins: "*"}, []string{endpoint.EnvAllowedOrigins + ": entry 1 is not an origin"}, ""},
		{"allowed origin with a path", map[string]string{endpoint.EnvAllowedOrigins: "https://ok.example.com https://example.com/app"}, []string{endpoint.EnvAllowedOrigins + ": entry 2 is not an origin"}, ""},
		{"stream host with a path", map[string]string{endpoint.EnvStreamHost: "evil.example/path"}, []string{endpoint.EnvStreamHost + ": must be a host name"}, ""},
		{"image host over http", map[string]string{endpoint.EnvImageHost: "http://image.example.com"}, []string{endpoint.EnvImageHost + ": http:// is allowed only for localhost"}, ""},
		{"license host with userinfo", map[string]string{endpoint.EnvLicenseHost: "user@license.example.com"}, []string{endpoint.EnvLicenseHost + ": must be a host name"}, ""},
		{"DRM not a boolean", map[string]string{endpoint.EnvDRM: "maybe"}, []string{endpoint.EnvDRM + ": must be true or false"}, ""},
		{"everything wrong at once", map[string]string{kid: hardUnset, pk: k.ecPEM, endpoint.EnvExpiration: "0", endpoint.EnvCacheSize: "x", endpoint.EnvAllowedOrigins: "*"},
			[]string{kid + ": is not set", pk + ": is not an RSA key", endpoint.EnvExpiration + ": must be at least one minute", endpoint.EnvCacheSize + ": ", endpoint.EnvAllowedOrigins + ": "}, ""},
	}
	if len(cases) < 15 {
		t.Fatalf("only %d cases", len(cases))
	}
	requests := []events.APIGatewayProxyRequest{
		hardGet("playbackId", hardID),
		hardWith(hardGet("playbackId", hardID), "accept", "application/json"),
		hardGet("playbackId", "../bad"),
		hardReq("OPTIONS"),
		hardReq("HEAD", "playbackId", hardID),
		hardReq("POST", "playbackId", hardID, "type", "thumbnail"),
		hardReq("DELETE"),
		hardGet("playbackId", hardID),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			extra := map[string]string{}
			for name, v := range c.env {
				extra[name] = v
			}
			base := hardEnv(t, extra)
			getenv := func(name string) string {
				if v := base(name); v != hardUnset {
					return v
				}
				return ""
			}
			rec := &hardRecorder{}
			h := endpoint.New(getenv, hardClock, rec.logger())
			cfg, err := h.Config()
			if err == nil {
				t.Fatal("the configuration was accepted")
			}
			startup := rec.String()
			if !strings.Contains(startup, "configuration error") {
				t.Fatalf("the configuration error was not logged at start: %s", startup)
			}
			// The owner gets the details: the error (which is what the log
			// line holds) names each variable with its problem.
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("configuration error %q, want it to contain %q", err.Error(), w)
				}
				if name, _, ok := strings.Cut(w, ": "); ok && !strings.Contains(startup, name) {
					t.Errorf("start-up log does not name %s: %s", name, startup)
				}
			}
			in := &hardInstance{name: c.name, h: h, cfg: cfg, broken: true, rec: rec}
			var first string
			for i, req := range requests {
				resp := hardDo(in, req)
				if resp.StatusCode != http.StatusInternalServerError {
					t.Fatalf("request %d: status %d, want 500", i, resp.StatusCode)
				}
				if req.HTTPMethod != http.MethodHead {
					msg, err := hardErrorMessage(resp.Body)
					if err != nil {
						t.Fatal(err)
					}
					// The public gets which variables and where to look, not
					// the diagnosis.
					for _, w := range c.want {
						name, diag, isVar := strings.Cut(w, ": ")
						if !isVar {
							name, diag = "", w
						}
						if name != "" && !strings.Contains(msg, name) {
							t.Errorf("message %q does not name %s", msg, name)
						}
						if diag = strings.TrimSpace(diag); diag != "" && strings.Contains(msg, diag) {
							t.Errorf("message %q gives the diagnosis %q to the public", msg, diag)
						}
					}
					if !strings.HasPrefix(msg, "the function is misconfigured: check ") ||
						!strings.Contains(msg, "function log") || !strings.Contains(msg, "sign_playback_id check") {
						t.Errorf("message %q does not say it is a configuration error and where to look", msg)
					}
					if first == "" {
						first = msg
					} else if msg != first {
						t.Errorf("request %d answered %q, the first %q", i, msg, first)
					}
				}
				if c.extra != "" {
					s := newHardSecrets()
					s.addPEM(c.extra)
					if gram, what, ok := s.find(rec.String()); ok {
						t.Fatalf("key material (%s) of the fixture key: %q", what, gram)
					}
				}
				hardCheck(t, in, req, resp) // scans, then clears, the recorder
			}
			if n := strings.Count(startup, "every request will get a 500"); n != 1 {
				t.Errorf("the configuration error was logged %d times at start, want once", n)
			}
		})
	}
}

// TestWorkingKeyForms is the control for TestBrokenConfiguration: the same
// harness accepts each form of a good key people paste, so the failures
// above are the configuration's, not the harness's.
func TestWorkingKeyForms(t *testing.T) {
	k := hardKeys(t)
	for name, v := range map[string]string{
		"base64 of the PKCS#1 PEM (what Mux returns)": k.mainB64,
		"PKCS#1 PEM":                    k.mainPEM,
		"PKCS#8 PEM":                    k.mainPKCS8,
		"PEM with literal \\n":          strings.ReplaceAll(k.mainPEM, "\n", `\n`),
		"PEM with CRLF":                 strings.ReplaceAll(k.mainPEM, "\n", "\r\n"),
		"quoted base64 with whitespace": "\"  " + k.mainB64 + "\n\"",
		"base64 of the DER":             base64.StdEncoding.EncodeToString(pemDER(t, k.mainPEM)),
	} {
		t.Run(name, func(t *testing.T) {
			rec := &hardRecorder{}
			h := endpoint.New(hardEnv(t, map[string]string{endpoint.EnvPrivateKey: v}), hardClock, rec.logger())
			cfg, err := h.Config()
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			in := &hardInstance{name: name, h: h, cfg: cfg, rec: rec}
			req := hardGet("playbackId", hardID, "type", "thumbnail")
			resp := hardDo(in, req)
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
			}
			hardCheck(t, in, req, resp)
		})
	}
}

func pemDER(t *testing.T, p string) []byte {
	t.Helper()
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		t.Fatal("no PEM block")
	}
	return block.Bytes
}
