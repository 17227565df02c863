package viewer

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

func TestConfigOffByDefault(t *testing.T) {
	for _, m := range []map[string]string{
		{},
		{"MUX_TOKEN_ID": "x", EnvIssuer: "  "},
		{EnvNetlifyIdentity: "false"},
		{EnvCapTokenLife: "off"},
	} {
		c, err := LoadConfig(env(m))
		if err != nil || c.Enabled() {
			t.Errorf("LoadConfig(%v) = enabled %v, %v; want off", m, c.Enabled(), err)
		}
	}
}

func TestConfigValid(t *testing.T) {
	secret := strings.Repeat("z", 32)
	for _, tt := range []struct {
		name  string
		env   map[string]string
		check func(Config) bool
	}{
		{"discovery", map[string]string{EnvIssuer: "https://tenant.auth0.com/", EnvAudience: "https://api.example.com"},
			func(c Config) bool {
				return c.usesDiscovery() && c.Issuer == "https://tenant.auth0.com/" && slices.Equal(c.Audiences, []string{"https://api.example.com"}) && c.ClockSkew == DefaultClockSkew
			}},
		{"loopback http", map[string]string{EnvIssuer: "http://127.0.0.1:9999", EnvAudience: "a"}, func(c Config) bool { return c.usesDiscovery() }},
		{"localhost http", map[string]string{EnvIssuer: "http://localhost:3000/oidc", EnvAudience: "a"}, func(c Config) bool { return c.usesDiscovery() }},
		{"direct JWKS", map[string]string{EnvIssuer: "issuer-name", EnvJWKSURL: "https://x.example/jwks.json", EnvAudience: "none"},
			func(c Config) bool { return !c.usesDiscovery() && c.usesJWKS() && c.AudienceOptOut }},
		{"HS256 only", map[string]string{EnvIssuer: "https://p.supabase.co/auth/v1", EnvAudience: "authenticated", EnvHS256Secret: secret},
			func(c Config) bool { return !c.usesJWKS() && string(c.HS256Secret) == secret }},
		{"Netlify only", map[string]string{EnvNetlifyIdentity: "true"}, func(c Config) bool { return c.NetlifyIdentity && !c.verifiesTokens() }},
		{"audience list", map[string]string{EnvIssuer: "https://i.example", EnvAudience: "a, b c"}, func(c Config) bool { return slices.Equal(c.Audiences, []string{"a", "b", "c"}) }},
		{"cookie, skew, cap", map[string]string{EnvIssuer: "https://i.example", EnvAudience: "a", EnvCookie: "__session", EnvClockSkew: "1m", EnvCapTokenLife: "yes"},
			func(c Config) bool { return c.Cookie == "__session" && c.ClockSkew == time.Minute && c.CapTokenLife }},
		{"skew in seconds", map[string]string{EnvIssuer: "https://i.example", EnvAudience: "a", EnvClockSkew: "0"}, func(c Config) bool { return c.ClockSkew == 0 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := mustConfig(t, tt.env)
			if !c.Enabled() || !tt.check(c) {
				t.Fatalf("config %+v", c)
			}
		})
	}
}

func TestConfigProblems(t *testing.T) {
	const iss, aud = "https://i.example", "a"
	secret := "short-secret-of-31-bytes-123456"
	for _, tt := range []struct {
		name string
		env  map[string]string
		vars []string // variables with problems
		text string   // part of the problem text
	}{
		{"audience alone", map[string]string{EnvAudience: aud}, []string{EnvIssuer}, "required"},
		{"issuer without audience", map[string]string{EnvIssuer: iss}, []string{EnvAudience}, "none"},
		{"http issuer", map[string]string{EnvIssuer: "http://auth.example.com", EnvAudience: aud}, []string{EnvIssuer}, "https"},
		{"not a URL", map[string]string{EnvIssuer: "tenant.auth0.com", EnvAudience: aud}, []string{EnvIssuer}, "absolute URL"},
		{"JWKS with query", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvJWKSURL: "https://x.example/jwks?k=v"}, []string{EnvJWKSURL}, "query"},
		{"JWKS with credentials", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvJWKSURL: "https://u:p@x.example/jwks"}, []string{EnvJWKSURL}, "credentials"},
		{"JWKS over http", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvJWKSURL: "http://x.example/jwks"}, []string{EnvJWKSURL}, "https"},
		{"JWKS without issuer", map[string]string{EnvAudience: aud, EnvJWKSURL: "https://x.example/jwks"}, []string{EnvIssuer}, "required"},
		{"HS256 secret too short", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvHS256Secret: secret}, []string{EnvHS256Secret}, "at least 32 bytes"},
		{"HS256 secret too long", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvHS256Secret: strings.Repeat("x", 600)}, []string{EnvHS256Secret}, "at most"},
		{"none with others", map[string]string{EnvIssuer: iss, EnvAudience: "a,none"}, []string{EnvAudience}, "cannot be combined"},
		{"bad boolean", map[string]string{EnvNetlifyIdentity: "maybe"}, []string{EnvIssuer, EnvNetlifyIdentity}, "boolean"},
		{"bad cookie name", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvCookie: "a b;c"}, []string{EnvCookie}, "cookie name"},
		{"cookie with Netlify only", map[string]string{EnvNetlifyIdentity: "true", EnvCookie: "nf_jwt"}, []string{EnvCookie}, "Netlify verifies only"},
		{"skew too large", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvClockSkew: "10m"}, []string{EnvClockSkew}, "between"},
		{"skew negative", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvClockSkew: "-1s"}, []string{EnvClockSkew}, "between"},
		{"skew garbage", map[string]string{EnvIssuer: iss, EnvAudience: aud, EnvClockSkew: "soon"}, []string{EnvClockSkew}, "duration"},
		{"issuer with spaces (no discovery)", map[string]string{EnvIssuer: "my issuer", EnvAudience: aud, EnvHS256Secret: strings.Repeat("x", 32)}, []string{EnvIssuer}, "spaces"},
		{"issuer too long", map[string]string{EnvIssuer: "https://i.example/" + strings.Repeat("p", 600), EnvAudience: aud}, []string{EnvIssuer}, "at most"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(env(tt.env))
			var e *envconf.Error
			if !errors.As(err, &e) {
				t.Fatalf("LoadConfig = %+v, %v; want *envconf.Error", c, err)
			}
			if !c.Enabled() {
				t.Error("a configuration with problems must still report Enabled, so the function fails closed")
			}
			if !slices.Equal(e.Vars(), tt.vars) {
				t.Errorf("problems in %q, want %q (%v)", e.Vars(), tt.vars, err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("%v: want it to mention %q", err, tt.text)
			}
			if strings.Contains(err.Error(), secret) {
				t.Error("the secret appears in the problem text")
			}
		})
	}
}

func TestConfigVars(t *testing.T) {
	got := Config{}.Vars()
	want := []string{EnvIssuer, EnvJWKSURL, EnvAudience, EnvHS256Secret, EnvNetlifyIdentity, EnvCookie, EnvClockSkew, EnvCapTokenLife}
	if !slices.Equal(got, want) {
		t.Fatalf("Vars() = %q", got)
	}
	for _, name := range got {
		if !strings.HasPrefix(name, "MUX_VIEWER_") {
			t.Errorf("%s: not a MUX_VIEWER_ variable", name)
		}
	}
}
