package viewer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// t0 is the tests' clock: every token and every Verify call uses it, so no
// outcome depends on the wall clock.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const testAudience = "https://api.example.test"

// loadKey reads a fixed private key from testdata.
func loadKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return k.(crypto.Signer)
}

// testKeys are the fixed keys, loaded once per test.
type testKeys struct {
	rsaA, rsaB *rsa.PrivateKey
	ec         *ecdsa.PrivateKey
	ed         ed25519.PrivateKey
}

func loadKeys(t testing.TB) testKeys {
	return testKeys{
		rsaA: loadKey(t, "rsa_a.pem").(*rsa.PrivateKey),
		rsaB: loadKey(t, "rsa_b.pem").(*rsa.PrivateKey),
		ec:   loadKey(t, "ec_p256.pem").(*ecdsa.PrivateKey),
		ed:   loadKey(t, "ed25519.pem").(ed25519.PrivateKey),
	}
}

// pubJWK is one key the test server publishes.
type pubJWK struct {
	kid, alg string
	key      crypto.PublicKey
}

// keyServer is a local OpenID provider: discovery and JWKS, with hit counters
// and a switch to fail.
type keyServer struct {
	*httptest.Server
	mu           sync.Mutex
	keys         []pubJWK
	issuer       string // the issuer the discovery document claims; "" = the server URL
	cacheControl string
	rawJWKS      string // served instead of keys when set
	down         atomic.Bool
	discoveryHit atomic.Int64
	jwksHit      atomic.Int64
	// gate, when set, holds every discovery request until it is closed,
	// after saying so on entered.
	gate, entered chan struct{}
}

func newKeyServer(t testing.TB, keys ...pubJWK) *keyServer {
	t.Helper()
	ks := &keyServer{keys: keys}
	ks.Server = httptest.NewServer(http.HandlerFunc(ks.serve))
	t.Cleanup(ks.Close)
	return ks
}

func (ks *keyServer) setKeys(keys ...pubJWK) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.keys = keys
}

func (ks *keyServer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		ks.discoveryHit.Add(1)
		if ks.gate != nil {
			ks.entered <- struct{}{}
			<-ks.gate
		}
		if ks.down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		ks.mu.Lock()
		iss := ks.issuer
		ks.mu.Unlock()
		if iss == "" {
			iss = ks.URL
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": ks.URL + "/jwks.json"})
	case "/jwks.json":
		ks.jwksHit.Add(1)
		if ks.down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		ks.mu.Lock()
		defer ks.mu.Unlock()
		if ks.rawJWKS != "" {
			_, _ = io.WriteString(w, ks.rawJWKS)
			return
		}
		var set jwkset.JWKSMarshal
		for _, k := range ks.keys {
			j, err := jwkset.NewJWKFromKey(k.key, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: jwkset.ALG(k.alg), USE: jwkset.UseSig}})
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			set.Keys = append(set.Keys, j.Marshal())
		}
		if ks.cacheControl != "" {
			w.Header().Set("Cache-Control", ks.cacheControl)
		}
		_ = json.NewEncoder(w).Encode(set)
	default:
		http.NotFound(w, r)
	}
}

// env is a getenv over a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// mustConfig loads a configuration that must be valid.
func mustConfig(t testing.TB, m map[string]string) Config {
	t.Helper()
	c, err := LoadConfig(env(m))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	return c
}

// quietLog discards the verifier's log lines.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// discoveryVerifier verifies tokens from ks through OpenID discovery.
func discoveryVerifier(t testing.TB, ks *keyServer, extra map[string]string) *Verifier {
	t.Helper()
	m := map[string]string{EnvIssuer: ks.URL, EnvAudience: testAudience, EnvCookie: "nf_jwt"}
	for k, v := range extra {
		m[k] = v
	}
	return NewVerifier(mustConfig(t, m), ks.Client(), quietLog())
}

// claimsFor are valid claims for ks at t0, changed by edit.
func claimsFor(iss string, edit func(jwt.MapClaims)) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss": iss, "aud": testAudience, "sub": "user-1", "roles": []any{"member"},
		"iat": t0.Add(-time.Minute).Unix(), "nbf": t0.Add(-time.Minute).Unix(), "exp": t0.Add(10 * time.Minute).Unix(),
	}
	if edit != nil {
		edit(c)
	}
	return c
}

// sign makes a token; kid "" leaves the header without one.
func sign(t testing.TB, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// bearerCred is the credentials of an Authorization: Bearer token.
func bearerCred(tok string) Credentials { return Credentials{Authorization: "Bearer " + tok} }

// jsonRoundTrip gives claims as they come back from a token (numbers as
// float64, arrays as []any).
func jsonRoundTrip(t testing.TB, c jwt.MapClaims) map[string]any {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
