package viewer

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestKeysFetchedLazily(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, nil)
	if n := ks.discoveryHit.Load() + ks.jwksHit.Load(); n != 0 {
		t.Fatalf("NewVerifier made %d requests, want none", n)
	}
	// Refusals that need no key fetch nothing either.
	for _, cred := range []Credentials{{}, bearerCred("not.a.jwt"), {Authorization: "Bearer"}} {
		_, _ = v.Verify(context.Background(), cred, t0)
	}
	if n := ks.discoveryHit.Load() + ks.jwksHit.Load(); n != 0 {
		t.Fatalf("refusals before key lookup made %d requests", n)
	}
	tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)
	if _, err := v.Verify(context.Background(), bearerCred(tok), t0); err != nil {
		t.Fatal(err)
	}
	if d, j := ks.discoveryHit.Load(), ks.jwksHit.Load(); d != 1 || j != 1 {
		t.Fatalf("first verification: %d discovery and %d JWKS requests, want 1 and 1", d, j)
	}
}

func TestProviderDown(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	ks.down.Store(true)
	v := discoveryVerifier(t, ks, nil)
	tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)
	ctx := context.Background()

	for i, now := range []time.Time{t0, t0.Add(time.Second), t0.Add(59 * time.Second)} {
		vw, err := v.Verify(ctx, bearerCred(tok), now)
		e := refusal(t, vw, err, 503, "")
		want := RefreshMinInterval - now.Sub(t0)
		if e.RetryAfter != want {
			t.Errorf("call %d: RetryAfter %s, want %s", i, e.RetryAfter, want)
		}
		if e.WWWAuthenticate() != "" {
			t.Errorf("a 503 must not carry WWW-Authenticate")
		}
	}
	if n := ks.discoveryHit.Load(); n != 1 {
		t.Fatalf("%d discovery attempts within one interval, want 1", n)
	}
	// After the interval: one more attempt, still down.
	vw, err := v.Verify(ctx, bearerCred(tok), t0.Add(RefreshMinInterval))
	refusal(t, vw, err, 503, "")
	if n := ks.discoveryHit.Load(); n != 2 {
		t.Fatalf("%d discovery attempts after the interval, want 2", n)
	}
	// Back up: the next allowed attempt succeeds.
	ks.down.Store(false)
	if _, err := v.Verify(ctx, bearerCred(tok), t0.Add(2*RefreshMinInterval)); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestProviderUnreachable(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t)
	url := ks.URL
	ks.Close() // nothing listens there any more
	cfg := mustConfig(t, map[string]string{EnvIssuer: url, EnvAudience: testAudience})
	v := NewVerifier(cfg, nil, quietLog())
	tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(url, nil), nil)
	vw, err := v.Verify(context.Background(), bearerCred(tok), t0)
	e := refusal(t, vw, err, 503, "")
	if e.RetryAfter != RefreshMinInterval {
		t.Errorf("RetryAfter %s", e.RetryAfter)
	}
}

func TestKeysKeptWhenRefreshFails(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, nil)
	tok := func(now time.Time) string {
		return sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = now.Unix(), now.Unix(), now.Add(time.Minute).Unix()
		}), nil)
	}
	if _, err := v.Verify(context.Background(), bearerCred(tok(t0)), t0); err != nil {
		t.Fatal(err)
	}
	ks.down.Store(true)
	later := t0.Add(DefaultRefresh + time.Second) // a periodic refresh is due, and fails
	if _, err := v.Verify(context.Background(), bearerCred(tok(later)), later); err != nil {
		t.Fatalf("keys from the last fetch must stay in use: %v", err)
	}
	if d, j := ks.discoveryHit.Load(), ks.jwksHit.Load(); d != 1 || j != 2 {
		t.Fatalf("%d discovery, %d JWKS requests; want 1 (jwks_uri is kept) and 2 (first fetch, due refresh)", d, j)
	}
}

func TestKeyRotation(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, nil)
	ctx := context.Background()
	tokA := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)
	tokB := sign(t, jwt.SigningMethodRS256, k.rsaB, "rsa-b", claimsFor(ks.URL, nil), nil)
	if _, err := v.Verify(ctx, bearerCred(tokA), t0); err != nil {
		t.Fatal(err)
	}
	ks.setKeys(pubJWK{"rsa-b", "RS256", &k.rsaB.PublicKey}) // the provider rotates
	// Within the interval the new kid is not fetched yet: refused, no request.
	vw, err := v.Verify(ctx, bearerCred(tokB), t0.Add(time.Second))
	refusal(t, vw, err, 401, CodeInvalidToken)
	if n := ks.jwksHit.Load(); n != 1 {
		t.Fatalf("%d JWKS requests within the interval, want 1", n)
	}
	// Once the interval has passed, the unknown kid triggers one refresh.
	vw, err = v.Verify(ctx, bearerCred(tokB), t0.Add(RefreshMinInterval))
	if err != nil || vw.Subject != "user-1" {
		t.Fatalf("after rotation: %v, %v", vw, err)
	}
	if n := ks.jwksHit.Load(); n != 2 {
		t.Fatalf("%d JWKS requests, want 2", n)
	}
	// The old key is gone from the set: a new token signed with it is refused.
	tokA2 := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, func(c jwt.MapClaims) { c["sub"] = "user-2" }), nil)
	vw, err = v.Verify(ctx, bearerCred(tokA2), t0.Add(RefreshMinInterval+time.Second))
	refusal(t, vw, err, 401, CodeInvalidToken)
}

func TestRefreshRateLimitedUnderKidFlood(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, nil)
	ctx := context.Background()
	flood := func(start time.Time, n int) {
		for i := range n {
			kid := fmt.Sprintf("random-%d-%d", start.Unix(), i)
			tok := sign(t, jwt.SigningMethodRS256, k.rsaB, kid, claimsFor(ks.URL, nil), nil)
			now := start.Add(time.Duration(i) * 50 * time.Millisecond) // 200 tokens over 10s
			vw, err := v.Verify(ctx, bearerCred(tok), now)
			refusal(t, vw, err, 401, CodeInvalidToken)
		}
	}
	flood(t0, 200)
	if d, j := ks.discoveryHit.Load(), ks.jwksHit.Load(); d != 1 || j != 1 {
		t.Fatalf("200 random kids in 10s: %d discovery, %d JWKS requests; want 1 and 1", d, j)
	}
	flood(t0.Add(RefreshMinInterval), 200)
	if j := ks.jwksHit.Load(); j != 2 {
		t.Fatalf("after one more interval: %d JWKS requests, want 2", j)
	}
	// The real key still works throughout.
	tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)
	if _, err := v.Verify(ctx, bearerCred(tok), t0.Add(RefreshMinInterval+time.Second)); err != nil {
		t.Fatal(err)
	}
}

func TestCacheControlRefresh(t *testing.T) {
	k := loadKeys(t)
	for _, tt := range []struct {
		cacheControl string
		due          time.Duration
	}{
		{"", DefaultRefresh},
		{"public, max-age=600", 10 * time.Minute},
		{"max-age=5", RefreshMinInterval},
		{"no-store", DefaultRefresh},
		{"max-age=9999999", maxRefresh},
	} {
		t.Run(tt.cacheControl, func(t *testing.T) {
			ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
			ks.cacheControl = tt.cacheControl
			v := discoveryVerifier(t, ks, nil)
			tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, func(c jwt.MapClaims) { c["exp"] = t0.Add(48 * time.Hour).Unix() }), nil)
			check := func(at time.Duration, wantHits int64) {
				t.Helper()
				if _, err := v.Verify(context.Background(), bearerCred(tok), t0.Add(at)); err != nil {
					t.Fatal(err)
				}
				if n := ks.jwksHit.Load(); n != wantHits {
					t.Fatalf("at +%s: %d JWKS requests, want %d", at, n, wantHits)
				}
			}
			v.cache = tokenCache{} // fresh each time, so that keys are looked up
			check(0, 1)
			v.cache = tokenCache{}
			check(tt.due-time.Second, 1)
			v.cache = tokenCache{}
			check(tt.due, 2)
		})
	}
}

func TestDiscoveryIssuerMismatch(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	ks.issuer = "https://evil.example"
	v := discoveryVerifier(t, ks, nil)
	tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)
	vw, err := v.Verify(context.Background(), bearerCred(tok), t0)
	e := refusal(t, vw, err, 503, "")
	if !strings.Contains(e.Detail, "https://evil.example") || ks.jwksHit.Load() != 0 {
		t.Fatalf("detail %q, %d JWKS requests; want the mismatch named and no JWKS fetch", e.Detail, ks.jwksHit.Load())
	}
	lines, err := v.Probe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not the configured") {
		t.Fatalf("Probe = %q, %v; want the issuer mismatch", lines, err)
	}
}

func TestDirectJWKSURL(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"ec-1", "", &k.ec.PublicKey}) // no alg: any fitting algorithm
	cfg := mustConfig(t, map[string]string{EnvIssuer: "https://issuer.example/", EnvJWKSURL: ks.URL + "/jwks.json", EnvAudience: testAudience})
	v := NewVerifier(cfg, ks.Client(), quietLog())
	tok := sign(t, jwt.SigningMethodES256, k.ec, "ec-1", claimsFor("https://issuer.example/", nil), nil)
	if _, err := v.Verify(context.Background(), bearerCred(tok), t0); err != nil {
		t.Fatal(err)
	}
	// The same token relabelled ES384: a P-256 key never verifies ES384.
	_, rest, _ := strings.Cut(tok, ".")
	tok384 := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES384","kid":"ec-1","typ":"JWT"}`)) + "." + rest
	vw, err := v.Verify(context.Background(), bearerCred(tok384), t0)
	if e := refusal(t, vw, err, 401, CodeInvalidToken); !strings.Contains(e.Description, "no key") {
		t.Errorf("description %q", e.Description)
	}
	if ks.discoveryHit.Load() != 0 || ks.jwksHit.Load() != 1 {
		t.Fatalf("%d discovery, %d JWKS requests; want 0 and 1", ks.discoveryHit.Load(), ks.jwksHit.Load())
	}
}

func TestConcurrentUnknownKidsFetchOnce(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, nil)
	toks := make([]string, 32)
	for i := range toks {
		toks[i] = sign(t, jwt.SigningMethodRS256, k.rsaB, fmt.Sprintf("kid-%d", i), claimsFor(ks.URL, nil), nil)
	}
	var wg sync.WaitGroup
	for _, tok := range toks {
		wg.Go(func() {
			vw, err := v.Verify(context.Background(), bearerCred(tok), t0)
			if vw != nil || err == nil {
				t.Error("a token with an unknown kid was accepted")
			}
		})
	}
	wg.Wait()
	if d, j := ks.discoveryHit.Load(), ks.jwksHit.Load(); d != 1 || j != 1 {
		t.Fatalf("32 concurrent unknown kids: %d discovery, %d JWKS requests; want 1 and 1", d, j)
	}
}

func TestFetchFailureLoggedOncePerAttempt(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	ks.down.Store(true)
	var buf bytes.Buffer
	cfg := mustConfig(t, map[string]string{EnvIssuer: ks.URL, EnvAudience: testAudience})
	v := NewVerifier(cfg, ks.Client(), slog.New(slog.NewTextHandler(&buf, nil)))
	tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)
	for i := range 100 {
		_, _ = v.Verify(context.Background(), bearerCred(tok), t0.Add(time.Duration(i)*time.Second)) // 100s: two intervals
	}
	lines := strings.Count(buf.String(), "\n")
	if lines != 2 {
		t.Fatalf("%d log lines for 100 requests over 100s, want 2 (one per attempt):\n%s", lines, buf.String())
	}
	if strings.Contains(buf.String(), tok) {
		t.Fatal("the token appears in the log")
	}
}

func TestJWKSFiltering(t *testing.T) {
	k := loadKeys(t)
	raw, err := os.ReadFile(filepath.Join("testdata", "jwks_mixed.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := base64.RawURLEncoding.EncodeToString(k.rsaA.N.Bytes())
	ks := newKeyServer(t)
	ks.rawJWKS = strings.ReplaceAll(string(raw), "REPLACED", n)
	v := discoveryVerifier(t, ks, nil)
	lines, err := v.Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if all := strings.Join(lines, "\n"); !strings.Contains(all, "1 usable") || !strings.Contains(all, `kid "rsa-a": RSA, RS256`) {
		t.Fatalf("Probe:\n%s", all)
	}
	// An HS256 token keyed with the published symmetric key: HS256 is not
	// allowed without MUX_VIEWER_HS256_SECRET, and oct keys are never used.
	hs := sign(t, jwt.SigningMethodHS256, []byte("secret-secret-secret-secret-secret"), "rsa-a", claimsFor(ks.URL, nil), nil)
	vw, err := v.Verify(context.Background(), bearerCred(hs), t0)
	refusal(t, vw, err, 401, CodeInvalidToken)
	rs := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)
	if _, err := v.Verify(context.Background(), bearerCred(rs), t0); err != nil {
		t.Fatal(err)
	}

	// A set with no usable key at all is a fetch failure: 503.
	ks2 := newKeyServer(t)
	ks2.rawJWKS = `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`
	vw, err = discoveryVerifier(t, ks2, nil).Verify(context.Background(), bearerCred(rs), t0)
	if e := refusal(t, vw, err, 503, ""); !strings.Contains(e.Detail, "no usable signing key") {
		t.Fatalf("detail %q", e.Detail)
	}
}

// TestConcurrentFirstFetch: requests that arrive while the first key fetch
// is under way wait for it and get its keys, not a 503 (a page asks for
// its poster and its video at once).
func TestConcurrentFirstFetch(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	ks.gate, ks.entered = make(chan struct{}), make(chan struct{}, 1)
	v := discoveryVerifier(t, ks, nil)
	cred := bearerCred(sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil))

	const n = 4
	errs := make(chan error, n)
	verify := func() {
		_, err := v.Verify(context.Background(), cred, t0)
		errs <- err
	}
	go verify()
	<-ks.entered // the first fetch is under way
	for range n - 1 {
		go verify()
	}
	time.Sleep(50 * time.Millisecond) // let them reach the fetch (if they come later, they find the keys)
	close(ks.gate)
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("a request during the first fetch: %v", err)
		}
	}
	if d, j := ks.discoveryHit.Load(), ks.jwksHit.Load(); d != 1 || j != 1 {
		t.Errorf("discovery fetched %d times, keys %d times; want once each", d, j)
	}
}
