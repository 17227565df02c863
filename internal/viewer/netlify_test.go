package viewer

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func netlifyFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString([]byte(strings.TrimSpace(string(b))))
}

func TestNetlifyIdentity(t *testing.T) {
	k := loadKeys(t)
	v := NewVerifier(mustConfig(t, map[string]string{EnvNetlifyIdentity: "true"}), nil, quietLog())
	ctx := context.Background()
	valid := netlifyFixture(t, "netlify_context.json")
	anyToken := sign(t, jwt.SigningMethodRS256, k.rsaA, "", claimsFor("https://x.example", nil), nil)
	for _, tt := range []struct {
		name string
		cred Credentials
		code string // "-": accepted
		desc string
	}{
		{"verified user", Credentials{NetlifyContext: valid, Authorization: "Bearer " + anyToken}, "-", ""},
		{"garbage", Credentials{NetlifyContext: "%%%not base64%%%"}, CodeInvalidToken, "could not be read"},
		{"base64 of garbage", Credentials{NetlifyContext: base64.StdEncoding.EncodeToString([]byte("{not json"))}, CodeInvalidToken, "could not be read"},
		{"trailing data", Credentials{NetlifyContext: base64.StdEncoding.EncodeToString([]byte(`{"user":{"exp":1767326645}} {}`))}, CodeInvalidToken, "could not be read"},
		{"unpadded base64", Credentials{NetlifyContext: strings.TrimRight(valid, "=") + "!"}, CodeInvalidToken, "could not be read"},
		{"oversized", Credentials{NetlifyContext: strings.Repeat("A", maxNetlifyContext+4)}, CodeInvalidToken, "could not be read"},
		{"expired user", Credentials{NetlifyContext: netlifyFixture(t, "netlify_context_expired.json")}, CodeInvalidToken, "expired"},
		{"user without exp", Credentials{NetlifyContext: base64.StdEncoding.EncodeToString([]byte(`{"user":{"sub":"x"}}`))}, CodeInvalidToken, "expiry"},
		{"user with a string exp", Credentials{NetlifyContext: base64.StdEncoding.EncodeToString([]byte(`{"user":{"sub":"x","exp":"1767326645"}}`))}, CodeInvalidToken, "expiry"},
		{"no user, bearer token Netlify did not accept", Credentials{NetlifyContext: netlifyFixture(t, "netlify_context_nouser.json"), Authorization: "Bearer " + anyToken}, CodeInvalidToken, "Netlify Identity did not accept"},
		{"no context, bearer token", bearerCred(anyToken), CodeInvalidToken, "Netlify Identity did not accept"},
		{"nothing", Credentials{}, "", "sign in"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vw, err := v.Verify(ctx, tt.cred, t0)
			if tt.code == "-" {
				if err != nil {
					t.Fatal(err)
				}
				if vw.Source != SourceNetlify || vw.Subject != "6b1f0c52-7a6e-4d4c-9a63-1f2d3e4c5b6a" || !vw.ExpiresAt.Equal(t0.Add(time.Hour)) {
					t.Fatalf("viewer %+v", vw)
				}
				roles := vw.Claims["app_metadata"].(map[string]any)["roles"].([]any)
				if len(roles) != 1 || roles[0] != "member" {
					t.Fatalf("roles %v", roles)
				}
				if _, ok := vw.Claims["exp"].(float64); !ok {
					t.Fatalf("exp is %T, want float64 like the JWT path", vw.Claims["exp"])
				}
				return
			}
			e := refusal(t, vw, err, 401, tt.code)
			if !strings.Contains(e.Description, tt.desc) {
				t.Errorf("description %q, want %q", e.Description, tt.desc)
			}
		})
	}
}

func TestNetlifyContextIgnoredWhenOff(t *testing.T) {
	k := loadKeys(t)
	ks := newKeyServer(t, pubJWK{"rsa-a", "RS256", &k.rsaA.PublicKey})
	v := discoveryVerifier(t, ks, nil) // MUX_VIEWER_NETLIFY_IDENTITY unset
	vw, err := v.Verify(context.Background(), Credentials{NetlifyContext: netlifyFixture(t, "netlify_context.json")}, t0)
	refusal(t, vw, err, 401, "")
	if ks.jwksHit.Load() != 0 {
		t.Fatal("fetched keys for a request without a token")
	}
}
