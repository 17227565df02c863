package viewer

import (
	"context"
	"crypto/x509"
	"reflect"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerify feeds arbitrary credentials to Verify. It must never panic,
// always answer a viewer or an *Error (401 or 503), and accept only claims
// that the test key really signed.
func FuzzVerify(f *testing.F) {
	k := loadKeys(f)
	ks := newKeyServer(f, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey}, pubJWK{"ec-1", "ES256", &k.ec.PublicKey})
	secret := []byte("fuzz-secret-fuzz-secret-fuzz-secret!")
	v := NewVerifier(mustConfig(f, map[string]string{
		EnvIssuer: "https://issuer.example", EnvJWKSURL: ks.URL + "/jwks.json", EnvAudience: testAudience,
		EnvHS256Secret: string(secret), EnvCookie: "nf_jwt",
	}), ks.Client(), quietLog())

	signed := []jwt.MapClaims{
		claimsFor("https://issuer.example", nil),
		claimsFor("https://issuer.example", func(c jwt.MapClaims) { c["sub"] = "user-2"; c["aud"] = []any{"x", testAudience} }),
		claimsFor("https://issuer.example", func(c jwt.MapClaims) { c["sub"] = "user-3" }),
	}
	rs := sign(f, jwt.SigningMethodRS256, k.rsaA, "rsa-a", signed[0], nil)
	es := sign(f, jwt.SigningMethodES256, k.ec, "ec-1", signed[1], nil)
	hs := sign(f, jwt.SigningMethodHS256, secret, "", signed[2], nil)
	expired := sign(f, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor("https://issuer.example", func(c jwt.MapClaims) { c["exp"] = t0.Add(-time.Hour).Unix() }), nil)
	// Unsigned or wrongly signed tokens carry claims no test key signed.
	forged := claimsFor("https://issuer.example", func(c jwt.MapClaims) { c["sub"] = "forged" })
	none := sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-a", forged, nil)
	rsaPubDER, err := x509.MarshalPKIXPublicKey(&k.rsaA.PublicKey)
	if err != nil {
		f.Fatal(err)
	}
	confused := sign(f, jwt.SigningMethodHS256, rsaPubDER, "rsa-a", forged, nil)
	otherKey := sign(f, jwt.SigningMethodRS256, k.rsaB, "rsa-a", forged, nil)
	for _, seed := range [][3]string{
		{"Bearer " + rs, "", ""},
		{"", "nf_jwt=" + es, ""},
		{"bearer " + hs, "nf_jwt=" + rs, ""},
		{"Bearer " + expired, "", ""},
		{"Bearer " + none, "", ""},
		{"Bearer " + confused, "nf_jwt=" + otherKey, ""},
		{"", "nf_jwt=" + otherKey, ""},
		{"Basic abc", "nf_jwt=" + hs + "; nf_jwt=" + rs, ""},
		{"Bearer a.b.c", "nf_jwt=\"x\"", "eyJ1c2VyIjp7fX0="},
		{"", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	// Fetch the keys once up front, so that iterations do not depend on order.
	if _, err := v.Verify(context.Background(), bearerCred(rs), t0); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, authorization, cookie, netlify string) {
		vw, err := v.Verify(context.Background(), Credentials{Authorization: authorization, Cookie: cookie, NetlifyContext: netlify}, t0)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || vw != nil || (e.Status != 401 && e.Status != 503) {
				t.Fatalf("Verify = %v, %#v", vw, err)
			}
			return
		}
		for _, c := range signed {
			if reflect.DeepEqual(normalizeNumbers(map[string]any(c)), vw.Claims) || reflect.DeepEqual(jsonRoundTrip(t, c), vw.Claims) {
				return
			}
		}
		t.Fatalf("accepted claims the test keys never signed: %v", vw.Claims)
	})
}
