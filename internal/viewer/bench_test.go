package viewer

import (
	"context"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerify: keys already fetched, token not cached (RS256 2048 and
// ES256 verification, iss/aud/exp/nbf/iat checks).
func BenchmarkVerify(b *testing.B) {
	k := loadKeys(b)
	ks := newKeyServer(b, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey}, pubJWK{"ec-1", "ES256", &k.ec.PublicKey})
	v := discoveryVerifier(b, ks, nil)
	for _, bb := range []struct {
		name string
		tok  string
	}{
		{"RS256", sign(b, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)},
		{"ES256", sign(b, jwt.SigningMethodES256, k.ec, "ec-1", claimsFor(ks.URL, nil), nil)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			cred := bearerCred(bb.tok)
			ctx := context.Background()
			if _, err := v.Verify(ctx, cred, t0); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				v.cache.m = nil // every iteration verifies the signature
				if _, err := v.Verify(ctx, cred, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyCached: the same token again, answered from the token cache.
func BenchmarkVerifyCached(b *testing.B) {
	k := loadKeys(b)
	ks := newKeyServer(b, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(b, ks, nil)
	cred := Credentials{Cookie: "theme=dark; nf_jwt=" + sign(b, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsFor(ks.URL, nil), nil)}
	ctx := context.Background()
	if _, err := v.Verify(ctx, cred, t0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, cred, t0); err != nil {
			b.Fatal(err)
		}
	}
}
