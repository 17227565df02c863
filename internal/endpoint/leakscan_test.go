package endpoint_test

// Shared by the hardening tests (hostile_test.go, configerrors_test.go,
// fuzz_test.go): the test keys, handler set-ups, a recorder of every
// response and log line, and the scan that proves none of them holds key
// material.

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"log/slog"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

// hardKeySet holds every key the hardening tests put in the environment, in
// the forms they are pasted in. Generated once per test binary.
type hardKeySet struct {
	main      *rsa.PrivateKey // the working 2048-bit key
	mainPEM   string          // PKCS#1 PEM
	mainPKCS8 string          // PKCS#8 PEM
	mainB64   string          // base64 of the PKCS#1 PEM: what Mux's API returns
	small     *rsa.PrivateKey // 1024 bits: too small
	smallPEM  string
	publicPEM string // the public half of main
	ecPEM     string // SEC 1 "EC PRIVATE KEY"
	ecPKCS8   string
	edPEM     string // Ed25519, PKCS#8
	encrypted string // main, as an encrypted (legacy Proc-Type) PEM
	secrets   hardSecrets
}

const (
	hardKeyID         = "hardTestKeyId01"
	hardID            = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w" // from Mux's docs
	hardID2           = "a4nOgmxGWg6gULfcBbAa00gXyfcwPnAFldF8RdsNyk8M"
	hardRestrictionID = "hardRestriction01"
)

// hardNow is the fixed clock every hardening handler runs on.
var hardNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func hardClock() time.Time { return hardNow }

func hardPEM(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func hardMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// hardKeys returns the keys of the hard tests, loaded once from the
// fixtures in testdata/keys: the same in every run, so that no outcome
// depends on a draw.
func hardKeys(t testing.TB) *hardKeySet {
	t.Helper()
	hardKeysOnce.Do(func() { hardKeysSet = loadHardKeys(t) })
	return hardKeysSet
}

var (
	hardKeysOnce sync.Once
	hardKeysSet  *hardKeySet
)

func loadHardKeys(t testing.TB) *hardKeySet {
	hardRead := func(name string) string { return testkeys.PEM(t, name) }
	k := &hardKeySet{}
	k.main = hardParseRSA(hardRead("rsa2048_pkcs1.pem"))
	k.mainPEM = hardPEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.main))
	k.mainPKCS8 = hardPEM("PRIVATE KEY", hardMust(x509.MarshalPKCS8PrivateKey(k.main)))
	k.mainB64 = base64.StdEncoding.EncodeToString([]byte(k.mainPEM))
	k.small = hardParseRSA(hardRead("rsa1024_pkcs1.pem"))
	k.smallPEM = hardPEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.small))
	k.publicPEM = hardPEM("PUBLIC KEY", hardMust(x509.MarshalPKIXPublicKey(&k.main.PublicKey)))
	k.ecPEM = hardRead("ec_p256.pem")
	k.ecPKCS8 = hardRead("ec_p256_pkcs8.pem")
	k.edPEM = hardRead("ed25519.pem")
	k.encrypted = hardRead("rsa2048_encrypted_pkcs1.pem") // the main key, password "throwaway"

	// Key-independent text (ASN.1 framing, the base64 of "-----BEGIN RSA
	// PRIVATE KEY-----") is the same in every key: learn it from control
	// keys that are never used, and leave it out of the scan.
	control := newHardSecrets()
	control.addRSA(hardParseRSA(hardRead("control_rsa2048_pkcs1.pem")))
	control.addRSA(hardParseRSA(hardRead("control_rsa1024_pkcs1.pem")))
	ec2 := hardMust(x509.ParseECPrivateKey(hardBlock(hardRead("control_ec_p256.pem"))))
	control.addPEM(hardPEM("EC PRIVATE KEY", hardMust(x509.MarshalECPrivateKey(ec2))))
	control.addPEM(hardPEM("PRIVATE KEY", hardMust(x509.MarshalPKCS8PrivateKey(ec2))))
	control.addPEM(hardRead("control_ed25519.pem"))

	s := newHardSecrets()
	s.addRSA(k.main)
	s.addRSA(k.small)
	for _, p := range []string{k.ecPEM, k.ecPKCS8, k.edPEM, k.encrypted} {
		s.addPEM(p)
	}
	for g := range control.grams {
		delete(s.grams, g)
	}
	k.secrets = s
	return k
}

// hardBlock returns the DER of a PEM's only block.
func hardBlock(p string) []byte {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		panic("no PEM block")
	}
	return block.Bytes
}

// hardParseRSA parses a PKCS#1 PEM fixture (small keys too, which
// ParsePrivateKey refuses).
func hardParseRSA(p string) *rsa.PrivateKey {
	return hardMust(x509.ParsePKCS1PrivateKey(hardBlock(p)))
}

// hardGram is the length of the runs of key text the scan looks for: any 20
// characters in a row of any form of a key. A PEM line is 64 characters, so
// any line, or a third of one, is caught.
const hardGram = 20

// hardSecrets is every run of hardGram characters of every form of the test
// keys, with the form it comes from.
type hardSecrets struct{ grams map[string]string }

func newHardSecrets() hardSecrets { return hardSecrets{grams: map[string]string{}} }

func (s hardSecrets) add(what, text string) {
	for i := 0; i+hardGram <= len(text); i++ {
		if _, ok := s.grams[text[i:i+hardGram]]; !ok {
			s.grams[text[i:i+hardGram]] = what
		}
	}
}

// addPEM adds each body line of a PEM, the PEM in base64 (what Mux returns)
// and the base64 body as one string.
func (s hardSecrets) addPEM(p string) {
	var body strings.Builder
	for _, line := range strings.Split(p, "\n") {
		if line == "" || strings.HasPrefix(line, "-----") || strings.Contains(line, ":") {
			continue
		}
		s.add("PEM line", line)
		body.WriteString(line)
	}
	s.add("PEM body", body.String())
	s.add("base64 of the PEM", base64.StdEncoding.EncodeToString([]byte(p)))
	s.add("base64url of the PEM", base64.RawURLEncoding.EncodeToString([]byte(p)))
}

// addRSA adds the key's PEMs and each of its big numbers in hex, decimal,
// base64 and base64url.
func (s hardSecrets) addRSA(k *rsa.PrivateKey) {
	s.addPEM(hardPEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k)))
	s.addPEM(hardPEM("PRIVATE KEY", hardMust(x509.MarshalPKCS8PrivateKey(k))))
	der := x509.MarshalPKCS1PrivateKey(k)
	s.add("base64 of the DER key", base64.StdEncoding.EncodeToString(der))
	nums := map[string]*big.Int{"modulus": k.N, "private exponent": k.D, "prime p": k.Primes[0], "prime q": k.Primes[1]}
	for name, n := range nums {
		b := n.Bytes()
		s.add(name+" in hex", hex.EncodeToString(b))
		s.add(name+" in HEX", strings.ToUpper(hex.EncodeToString(b)))
		s.add(name+" in decimal", n.String())
		s.add(name+" in base64", base64.StdEncoding.EncodeToString(b))
		s.add(name+" in base64url", base64.RawURLEncoding.EncodeToString(b))
	}
}

// find returns the first run of key text in out, and the form it is from.
func (s hardSecrets) find(out string) (string, string, bool) {
	for i := 0; i+hardGram <= len(out); i++ {
		if what, ok := s.grams[out[i:i+hardGram]]; ok {
			return out[i : i+hardGram], what, true
		}
	}
	return "", "", false
}

// hardNoKeyMaterial fails t if out holds any run of key text.
func hardNoKeyMaterial(t testing.TB, where, out string) {
	t.Helper()
	if gram, what, ok := hardKeys(t).secrets.find(out); ok {
		t.Fatalf("%s holds key material (%s): %q", where, what, gram)
	}
}

// hardRecorder captures every log line a handler writes and every response
// it returns, for the key-material scan.
type hardRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *hardRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func (r *hardRecorder) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(r, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// record appends a response: status, every header and the body.
func (r *hardRecorder) record(resp events.APIGatewayProxyResponse) {
	var b strings.Builder
	b.WriteString("response ")
	b.WriteString(strconv.Itoa(resp.StatusCode))
	keys := make([]string, 0, len(resp.Headers))
	for k := range resp.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("\n" + k + ": " + resp.Headers[k])
	}
	for k, vs := range resp.MultiValueHeaders {
		b.WriteString("\n" + k + ": " + strings.Join(vs, ", "))
	}
	b.WriteString("\n\n" + resp.Body + "\n")
	_, _ = r.Write([]byte(b.String()))
}

func (r *hardRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

func (r *hardRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf.Reset()
}

// hardSetups are the configurations the hostile and fuzz tests run against.
// Each is a complete environment on top of a working key.
var hardSetups = []struct {
	name string
	env  map[string]string
}{
	{"default", nil},
	{"policy", map[string]string{
		endpoint.EnvAllowedPlaybackIDs: hardID + ", " + hardID2,
		endpoint.EnvAllowedOrigins:     "https://app.example.com https://*.example.org",
		endpoint.EnvRestrictionID:      hardRestrictionID,
		endpoint.EnvDRM:                "true",
	}},
	{"hosts", map[string]string{
		endpoint.EnvStreamHost:  "stream.example.net",
		endpoint.EnvImageHost:   "https://img.example.net:8443/",
		endpoint.EnvLicenseHost: "http://127.0.0.1:9999",
		endpoint.EnvExpiration:  "12h",
	}},
	{"nocache", map[string]string{
		endpoint.EnvCacheSize:  "0",
		endpoint.EnvGrain:      "0",
		endpoint.EnvExpiration: "3600",
	}},
	{"broken", map[string]string{
		endpoint.EnvPrivateKey: "", // replaced by the public key below
	}},
}

// hardInstance is one handler under test with what it was built from.
type hardInstance struct {
	name   string
	h      *endpoint.Handler
	cfg    endpoint.Config
	broken bool
	rec    *hardRecorder
}

// hardEnv returns getenv for a working key plus extra (where "" unsets).
func hardEnv(t testing.TB, extra map[string]string) func(string) string {
	k := hardKeys(t)
	env := map[string]string{endpoint.EnvSigningKey: hardKeyID, endpoint.EnvPrivateKey: k.mainB64}
	for name, v := range extra {
		env[name] = v
	}
	return func(name string) string { return env[name] }
}

// hardInstances builds one handler per set-up, each logging to its own
// recorder.
func hardInstances(t testing.TB) []*hardInstance {
	t.Helper()
	var out []*hardInstance
	for _, s := range hardSetups {
		env := s.env
		if s.name == "broken" {
			env = map[string]string{endpoint.EnvPrivateKey: hardKeys(t).publicPEM}
		}
		rec := &hardRecorder{}
		h := endpoint.New(hardEnv(t, env), hardClock, rec.logger())
		cfg, err := h.Config()
		if (err != nil) != (s.name == "broken") {
			t.Fatalf("set-up %s: configuration error %v", s.name, err)
		}
		out = append(out, &hardInstance{name: s.name, h: h, cfg: cfg, broken: err != nil, rec: rec})
	}
	return out
}

// hardDo sends req to in, records the response and returns it.
func hardDo(in *hardInstance, req events.APIGatewayProxyRequest) events.APIGatewayProxyResponse {
	resp, err := in.h.Handle(context.Background(), req)
	if err != nil {
		// Handle documents that it never returns an error; record it so the
		// caller's checks see it.
		resp.Body += "\nHANDLE RETURNED AN ERROR: " + err.Error()
	}
	in.rec.record(resp)
	return resp
}

// TestKeyScanFindsPlantedKeyMaterial proves the scan the hardening tests
// rely on can fail: each form of each key, planted in otherwise harmless
// output, is found; the same output without it is clean.
func TestKeyScanFindsPlantedKeyMaterial(t *testing.T) {
	k := hardKeys(t)
	pemLine := func(p string, n int) string { return strings.Split(p, "\n")[n] }
	clean := `{"time":"2026-11-30T12:00:00Z","level":"INFO","msg":"request","status":302}` + "\nLocation: https://stream.mux.com/" + hardID + ".m3u8?token=eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n"
	if gram, what, ok := k.secrets.find(clean); ok {
		t.Fatalf("clean output flagged (%s): %q", what, gram)
	}
	n := k.main.N.Bytes()
	for _, c := range []struct{ name, planted string }{
		{"PKCS#1 PEM line 2", pemLine(k.mainPEM, 2)},
		{"PKCS#1 PEM last full line", pemLine(k.mainPEM, 20)},
		{"PKCS#8 PEM line 5", pemLine(k.mainPKCS8, 5)},
		{"base64 of the PEM, middle", k.mainB64[800:860]},
		{"modulus, hex", hex.EncodeToString(n)[100:140]},
		{"modulus, HEX", strings.ToUpper(hex.EncodeToString(n))},
		{"modulus, decimal", k.main.N.String()[200:240]},
		{"modulus, base64", base64.StdEncoding.EncodeToString(n)[50:90]},
		{"modulus, base64url", base64.RawURLEncoding.EncodeToString(n)[10:50]},
		{"private exponent, decimal", k.main.D.String()[:40]},
		{"1024-bit key PEM line", pemLine(k.smallPEM, 3)},
		{"EC key PEM line", pemLine(k.ecPEM, 2)},
		{"Ed25519 key PEM line", pemLine(k.edPEM, 1)},
		{"encrypted PEM line", pemLine(k.encrypted, 5)},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := clean + `{"msg":"x","error":"` + c.planted + `"}`
			if _, _, ok := k.secrets.find(out); !ok {
				t.Fatalf("planted %q not found", c.planted)
			}
		})
	}
}
