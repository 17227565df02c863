package viewer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestExplain(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, nil)
	rs := func(kid string, key any, edit func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodRS256, key, kid, claimsFor(ks.URL, edit), nil)
	}
	for _, tt := range []struct {
		name  string
		token string
		want  []string // each must appear in some line
	}{
		{"accepted", "Bearer " + rs("rsa-a", k.rsaA, nil), []string{"signature: good", "expires at 2026-01-02T03:14:05Z, in 10m0s", "ACCEPTED: subject \"user-1\""}},
		{"expired", rs("rsa-a", k.rsaA, func(c jwt.MapClaims) { c["exp"] = t0.Add(-2 * time.Hour).Unix() }), []string{"expired at 2026-01-02T01:04:05Z, 2h0m0s ago (clock skew allowed: 30s)", "REFUSED"}},
		{"not yet valid", rs("rsa-a", k.rsaA, func(c jwt.MapClaims) { c["nbf"] = t0.Add(time.Hour).Unix() }), []string{"not valid yet: valid from 2026-01-02T04:04:05Z, in 1h0m0s", "REFUSED"}},
		{"wrong issuer and audience together", rs("rsa-a", k.rsaA, func(c jwt.MapClaims) { c["iss"] = "https://other.example"; c["aud"] = "x" }),
			[]string{`wrong issuer: the token says "https://other.example", the function expects "` + ks.URL + `"`, `wrong audience: the token is for ["x"]`, "REFUSED"}},
		{"unknown key id", rs("gone", k.rsaB, nil), []string{`unknown key id "gone": the provider publishes "rsa-a"`, "REFUSED"}},
		{"bad signature", rs("rsa-a", k.rsaB, nil), []string{"bad signature", "REFUSED"}},
		{"algorithm", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), "rsa-a", claimsFor(ks.URL, nil), map[string]any{"jku": "https://evil.example"}),
			[]string{`algorithm "HS256" is not allowed here; allowed: RS256`, "header jku: ignored", "REFUSED"}},
		{"malformed", "abc", []string{"malformed", "REFUSED"}},
		{"empty", "", []string{"no token given"}},
		{"oversized", strings.Repeat("a", MaxTokenBytes+1), []string{"at most 8192"}},
		{"no exp", rs("rsa-a", k.rsaA, func(c jwt.MapClaims) { delete(c, "exp") }), []string{"no valid exp", "REFUSED"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lines := v.Explain(context.Background(), tt.token, t0)
			all := strings.Join(lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("missing %q in:\n%s", w, all)
				}
			}
			if tt.token != "" && strings.Contains(all, strings.TrimPrefix(tt.token, "Bearer ")) {
				t.Error("Explain repeats the token")
			}
		})
	}
}

func TestExplainProviderDown(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	ks.down.Store(true)
	v := discoveryVerifier(t, ks, nil)
	lines := v.Explain(context.Background(), sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil), t0)
	all := strings.Join(lines, "\n")
	if !strings.Contains(all, "could not be fetched") || !strings.Contains(all, "503") || !strings.HasSuffix(all, "REFUSED") {
		t.Fatalf("got:\n%s", all)
	}
}

func TestProbe(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey}, pubJWK{"ec-1", "ES256", &k.ec.PublicKey}, pubJWK{"ed-1", "", k.ed.Public()})
	ks.cacheControl = "max-age=900"
	v := discoveryVerifier(t, ks, map[string]string{EnvNetlifyIdentity: "true"})
	lines, err := v.Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(lines, "\n")
	for _, w := range []string{
		"Netlify Identity", "NOT verified",
		"discovery " + ks.URL + "/.well-known/openid-configuration: issuer \"" + ks.URL + "\", jwks_uri " + ks.URL + "/jwks.json",
		"3 usable (refreshed per Cache-Control max-age 15m0s)",
		`kid "rsa-a": RSA, RS256`, `kid "ec-1": EC P-256, ES256`, `kid "ed-1": Ed25519, EdDSA`,
	} {
		if !strings.Contains(all, w) {
			t.Errorf("missing %q in:\n%s", w, all)
		}
	}
	ks.down.Store(true)
	if _, err := v.Probe(context.Background()); err == nil || !strings.Contains(err.Error(), "status 500") {
		t.Fatalf("Probe with the provider down: %v", err)
	}
	hs := NewVerifier(mustConfig(t, map[string]string{EnvIssuer: "https://i.example", EnvAudience: "a", EnvHS256Secret: strings.Repeat("q", 40)}), nil, quietLog())
	lines, err = hs.Probe(context.Background())
	if err != nil || len(lines) != 1 || lines[0] != "HS256 shared secret: 40 bytes" {
		t.Fatalf("HS256 Probe = %q, %v", lines, err)
	}
}

func TestWWWAuthenticate(t *testing.T) {
	for _, tt := range []struct {
		err  *Error
		want string
	}{
		{errNoCredentials(), "Bearer"},
		{errRequest("two \"cookies\"\n", "d"), `Bearer error="invalid_request", error_description="two 'cookies''"`},
		{errToken("the sign-in token has expired; sign in again", "d"), `Bearer error="invalid_token", error_description="the sign-in token has expired; sign in again"`},
		{errUnavailable(1500*time.Millisecond, "d"), ""},
	} {
		if got := tt.err.WWWAuthenticate(); got != tt.want {
			t.Errorf("WWWAuthenticate() = %q, want %q", got, tt.want)
		}
	}
	if e := errUnavailable(1500*time.Millisecond, "d"); e.RetryAfter != 2*time.Second || e.Status != 503 {
		t.Errorf("RetryAfter %s, status %d; want 2s (rounded up), 503", e.RetryAfter, e.Status)
	}
}

func TestTokenCache(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, nil)
	ctx := context.Background()
	tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)
	if _, err := v.Verify(ctx, bearerCred(tok), t0); err != nil {
		t.Fatal(err)
	}
	ks.down.Store(true) // a cache hit needs no keys
	ks.setKeys()
	vw, err := v.Verify(ctx, Credentials{Cookie: "nf_jwt=" + tok}, t0.Add(time.Minute))
	if err != nil || vw.Source != SourceCookie || vw.Subject != "user-1" {
		t.Fatalf("cache hit: %+v, %v", vw, err)
	}
	for key := range v.cache.m {
		if string(key[:]) == tok || len(key) != 32 {
			t.Fatal("the cache must be keyed by the token's hash")
		}
	}
	// Past its exp (and the skew) the entry is gone and the token is checked
	// again, and refused.
	vw, err = v.Verify(ctx, bearerCred(tok), t0.Add(10*time.Minute+DefaultClockSkew))
	if vw != nil || err == nil {
		t.Fatal("an expired cached token was accepted")
	}
	// The cache stays bounded.
	var c tokenCache
	for i := range maxCachedTokens + 10 {
		c.put(tokenKey(strings.Repeat("t", i+1)), &Viewer{ExpiresAt: t0.Add(time.Hour)}, t0)
	}
	if len(c.m) > maxCachedTokens {
		t.Fatalf("cache holds %d entries, cap %d", len(c.m), maxCachedTokens)
	}
}
