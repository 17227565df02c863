package viewer

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// refusal asserts err is an *Error with status and code, and returns it.
func refusal(t *testing.T, vw *Viewer, err error, status int, code string) *Error {
	t.Helper()
	if vw != nil {
		t.Fatalf("got a viewer %q, want a refusal", vw.Subject)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want *Error", err, err)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("refusal %d %q (%s), want %d %q", e.Status, e.Code, e.Error(), status, code)
	}
	return e
}

func TestVerifyJWKS(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t,
		pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey},
		pubJWK{"rsa-ps", "PS256", &k.rsaA.PublicKey},
		pubJWK{"ec-1", "ES256", &k.ec.PublicKey},
		pubJWK{"ed-1", "EdDSA", k.ed.Public()},
	)
	attacker := newKeyServer(t, pubJWK{"rsa-b", "RS256", &k.rsaB.PublicKey})
	rsaPubDER, err := x509.MarshalPKIXPublicKey(&k.rsaA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	good := func(edit func(jwt.MapClaims)) jwt.MapClaims { return claimsFor(ks.URL, edit) }
	rs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", c, nil) }
	valid := rs(good(nil))

	for _, tt := range []struct {
		name   string
		cred   Credentials
		status int    // 0: accepted
		code   string // RFC 6750 code when refused
		desc   string // part of the public description
		source string // when accepted
	}{
		{name: "RS256 bearer", cred: bearerCred(valid), source: SourceBearer},
		{name: "scheme in any case", cred: Credentials{Authorization: "bEaReR   " + valid}, source: SourceBearer},
		{name: "cookie", cred: Credentials{Cookie: "a=b; nf_jwt=" + valid + "; c=d"}, source: SourceCookie},
		{name: "quoted cookie", cred: Credentials{Cookie: `nf_jwt="` + valid + `"`}, source: SourceCookie},
		{name: "PS256", cred: bearerCred(sign(t, jwt.SigningMethodPS256, k.rsaA, "rsa-ps", good(nil), nil)), source: SourceBearer},
		{name: "ES256", cred: bearerCred(sign(t, jwt.SigningMethodES256, k.ec, "ec-1", good(nil), nil)), source: SourceBearer},
		{name: "EdDSA", cred: bearerCred(sign(t, jwt.SigningMethodEdDSA, k.ed, "ed-1", good(nil), nil)), source: SourceBearer},
		{name: "no kid: the keys of the algorithm are tried", cred: bearerCred(sign(t, jwt.SigningMethodRS256, k.rsaA, "", good(nil), nil)), source: SourceBearer},
		{name: "jku, x5u and jwk headers are ignored", cred: bearerCred(sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", good(nil), map[string]any{"jku": attacker.URL + "/jwks.json", "x5u": attacker.URL + "/x5u", "jwk": map[string]any{"kty": "RSA"}})), source: SourceBearer},
		{name: "header wins over a bad cookie", cred: Credentials{Authorization: "Bearer " + valid, Cookie: "nf_jwt=garbage"}, source: SourceBearer},
		{name: "Basic header is not ours: the cookie is read", cred: Credentials{Authorization: "Basic dXNlcjpwYXNz", Cookie: "nf_jwt=" + valid}, source: SourceCookie},

		{name: "no credentials", cred: Credentials{}, status: 401, code: "", desc: "sign in"},
		{name: "other cookies only", cred: Credentials{Cookie: "a=b; nf_jwt2=" + valid}, status: 401, code: ""},
		{name: "emptied cookie", cred: Credentials{Cookie: "nf_jwt="}, status: 401, code: ""},
		{name: "header checked even with a good cookie", cred: Credentials{Authorization: "Bearer " + rs(good(func(c jwt.MapClaims) { c["exp"] = t0.Add(-time.Hour).Unix() })), Cookie: "nf_jwt=" + valid}, status: 401, code: CodeInvalidToken, desc: "expired"},
		{name: "duplicate cookies", cred: Credentials{Cookie: "nf_jwt=" + valid + "; nf_jwt=" + valid}, status: 401, code: CodeInvalidRequest, desc: "more than once"},
		{name: "Bearer without token", cred: Credentials{Authorization: "Bearer"}, status: 401, code: CodeInvalidRequest},
		{name: "Bearer with spaces only", cred: Credentials{Authorization: "Bearer    "}, status: 401, code: CodeInvalidRequest},
		{name: "Bearer with two tokens", cred: Credentials{Authorization: "Bearer " + valid + " " + valid}, status: 401, code: CodeInvalidRequest},
		{name: "Bearer with a comma", cred: Credentials{Authorization: "Bearer a,b"}, status: 401, code: CodeInvalidRequest},
		{name: "oversized bearer", cred: bearerCred(strings.Repeat("a", MaxTokenBytes+1)), status: 401, code: CodeInvalidToken, desc: "too large"},
		{name: "oversized cookie", cred: Credentials{Cookie: "nf_jwt=" + strings.Repeat("a", MaxTokenBytes+1)}, status: 401, code: CodeInvalidToken, desc: "too large"},
		{name: "oversized header", cred: Credentials{Cookie: strings.Repeat("x", maxHeaderBytes+1)}, status: 401, code: CodeInvalidToken, desc: "too large"},
		{name: "cookie with non-token characters", cred: Credentials{Cookie: "nf_jwt=a<b>"}, status: 401, code: CodeInvalidToken},
		{name: "not a JWT", cred: bearerCred("abc.def"), status: 401, code: CodeInvalidToken, desc: "malformed"},
		{name: "alg none", cred: bearerCred(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-a", good(nil), nil)), status: 401, code: CodeInvalidToken, desc: "algorithm"},
		{name: "HS256 signed with the RSA public key (algorithm confusion)", cred: bearerCred(sign(t, jwt.SigningMethodHS256, rsaPubDER, "rsa-a", good(nil), nil)), status: 401, code: CodeInvalidToken, desc: "algorithm"},
		{name: "HS384 not allowed", cred: bearerCred(sign(t, jwt.SigningMethodHS384, []byte(strings.Repeat("k", 48)), "rsa-a", good(nil), nil)), status: 401, code: CodeInvalidToken, desc: "algorithm"},
		{name: "RS384 with the RS256-only key", cred: bearerCred(sign(t, jwt.SigningMethodRS384, k.rsaA, "rsa-a", good(nil), nil)), status: 401, code: CodeInvalidToken, desc: "no key"},
		{name: "ES256 token naming an RSA key", cred: bearerCred(sign(t, jwt.SigningMethodES256, k.ec, "rsa-a", good(nil), nil)), status: 401, code: CodeInvalidToken, desc: "no key"},
		{name: "forged kid", cred: bearerCred(sign(t, jwt.SigningMethodRS256, k.rsaB, "forged", good(nil), nil)), status: 401, code: CodeInvalidToken, desc: "does not publish"},
		{name: "kid used as a path", cred: bearerCred(sign(t, jwt.SigningMethodRS256, k.rsaB, "../../jwks.json", good(nil), nil)), status: 401, code: CodeInvalidToken, desc: "does not publish"},
		{name: "crit header", cred: bearerCred(sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", good(nil), map[string]any{"crit": []any{"exp"}})), status: 401, code: CodeInvalidToken, desc: "malformed"},
		{name: "kid not a string", cred: bearerCred(sign(t, jwt.SigningMethodRS256, k.rsaA, "", good(nil), map[string]any{"kid": 7})), status: 401, code: CodeInvalidToken, desc: "malformed"},
		{name: "known kid, other key's signature", cred: bearerCred(sign(t, jwt.SigningMethodRS256, k.rsaB, "rsa-a", good(nil), nil)), status: 401, code: CodeInvalidToken, desc: "signature"},
		{name: "expired", cred: bearerCred(rs(good(func(c jwt.MapClaims) { c["exp"] = t0.Add(-31 * time.Second).Unix() }))), status: 401, code: CodeInvalidToken, desc: "expired"},
		{name: "not yet valid", cred: bearerCred(rs(good(func(c jwt.MapClaims) { c["nbf"] = t0.Add(31 * time.Second).Unix() }))), status: 401, code: CodeInvalidToken, desc: "not valid yet"},
		{name: "issued in the future", cred: bearerCred(rs(good(func(c jwt.MapClaims) { c["iat"] = t0.Add(time.Hour).Unix() }))), status: 401, code: CodeInvalidToken, desc: "not valid yet"},
		{name: "no exp", cred: bearerCred(rs(good(func(c jwt.MapClaims) { delete(c, "exp") }))), status: 401, code: CodeInvalidToken, desc: "required claim"},
		{name: "wrong issuer", cred: bearerCred(rs(good(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }))), status: 401, code: CodeInvalidToken, desc: "another issuer"},
		{name: "wrong audience", cred: bearerCred(rs(good(func(c jwt.MapClaims) { c["aud"] = "https://other.example" }))), status: 401, code: CodeInvalidToken, desc: "another audience"},
		{name: "no audience", cred: bearerCred(rs(good(func(c jwt.MapClaims) { delete(c, "aud") }))), status: 401, code: CodeInvalidToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := discoveryVerifier(t, ks, nil)
			vw, err := v.Verify(context.Background(), tt.cred, t0)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if vw.Subject != "user-1" || vw.Source != tt.source || !vw.ExpiresAt.Equal(t0.Add(10*time.Minute)) {
					t.Fatalf("viewer %+v", vw)
				}
				return
			}
			e := refusal(t, vw, err, tt.status, tt.code)
			if !strings.Contains(e.Description, tt.desc) {
				t.Errorf("description %q, want it to mention %q", e.Description, tt.desc)
			}
		})
	}
	if n := attacker.jwksHit.Load() + attacker.discoveryHit.Load(); n != 0 {
		t.Errorf("the server named in jku/x5u was contacted %d times", n)
	}
}

func TestSkewBoundary(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, map[string]string{EnvClockSkew: "30s"})
	for _, tt := range []struct {
		name string
		edit func(jwt.MapClaims)
		ok   bool
	}{
		{"expired 29s ago, within the skew", func(c jwt.MapClaims) { c["exp"] = t0.Add(-29 * time.Second).Unix() }, true},
		{"expired 30s ago, at the skew", func(c jwt.MapClaims) { c["exp"] = t0.Add(-30 * time.Second).Unix() }, false},
		{"nbf 29s ahead, within the skew", func(c jwt.MapClaims) { c["nbf"] = t0.Add(29 * time.Second).Unix() }, true},
		{"nbf 31s ahead", func(c jwt.MapClaims) { c["nbf"] = t0.Add(31 * time.Second).Unix() }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, tt.edit), nil)
			vw, err := v.Verify(context.Background(), bearerCred(tok), t0)
			if (err == nil) != tt.ok || (vw != nil) != tt.ok {
				t.Fatalf("Verify = %v, %v; want accepted %v", vw, err, tt.ok)
			}
		})
	}
}

func TestAudience(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	for _, tt := range []struct {
		name, setting string
		aud           any // nil: no aud claim
		ok            bool
	}{
		{"opt-out accepts no aud", "none", nil, true},
		{"opt-out accepts any aud", "NONE", "https://whatever.example", true},
		{"list: second matches", "https://a.example, " + testAudience, testAudience, true},
		{"list: aud array with one match", "https://a.example", []any{"x", "https://a.example"}, true},
		{"list: no match", "https://a.example", []any{"x", "y"}, false},
		{"required: missing aud", testAudience, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := discoveryVerifier(t, ks, map[string]string{EnvAudience: tt.setting})
			tok := sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, func(c jwt.MapClaims) {
				if tt.aud == nil {
					delete(c, "aud")
				} else {
					c["aud"] = tt.aud
				}
			}), nil)
			vw, err := v.Verify(context.Background(), bearerCred(tok), t0)
			if (err == nil) != tt.ok || (vw != nil) != tt.ok {
				t.Fatalf("Verify = %v, %v; want accepted %v", vw, err, tt.ok)
			}
		})
	}
}

func TestHS256(t *testing.T) {
	k := loadKeys(t)
	secret := strings.Repeat("s3cr3t-", 6) // 42 bytes
	const iss = "https://project.supabase.test/auth/v1"
	cfg := mustConfig(t, map[string]string{EnvIssuer: iss, EnvAudience: "authenticated", EnvHS256Secret: secret})
	v := NewVerifier(cfg, nil, quietLog())
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := claimsFor(iss, edit)
		c["aud"] = "authenticated"
		return c
	}
	rsaPubDER, _ := x509.MarshalPKIXPublicKey(&k.rsaA.PublicKey)
	for _, tt := range []struct {
		name string
		tok  string
		desc string // "" accepted
	}{
		{"HS256 with the secret", sign(t, jwt.SigningMethodHS256, []byte(secret), "", claims(nil), nil), ""},
		{"HS256 with another secret", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 40)), "", claims(nil), nil), "signature"},
		{"HS256 with the RSA public key bytes", sign(t, jwt.SigningMethodHS256, rsaPubDER, "", claims(nil), nil), "signature"},
		{"HS512 with the secret", sign(t, jwt.SigningMethodHS512, []byte(secret), "", claims(nil), nil), "algorithm"},
		{"RS256 without any JWKS", sign(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claims(nil), nil), "algorithm"},
		{"none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", claims(nil), nil), "algorithm"},
		{"expired", sign(t, jwt.SigningMethodHS256, []byte(secret), "", claims(func(c jwt.MapClaims) { c["exp"] = t0.Add(-time.Hour).Unix() }), nil), "expired"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vw, err := v.Verify(context.Background(), bearerCred(tt.tok), t0)
			if tt.desc == "" {
				if err != nil || vw.Subject != "user-1" {
					t.Fatalf("Verify = %v, %v", vw, err)
				}
				return
			}
			e := refusal(t, vw, err, 401, CodeInvalidToken)
			if !strings.Contains(e.Description, tt.desc) {
				t.Errorf("description %q, want %q", e.Description, tt.desc)
			}
			if strings.Contains(e.Error(), secret) {
				t.Error("the secret appears in the error")
			}
		})
	}
}
