package endpoint_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/golang-jwt/jwt/v5"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
)

// The viewer sign-in and access tests run the function with a stand-in
// identity provider on loopback: OpenID discovery and a JWKS holding the
// fixture key testdata/keys/viewer_idp_rsa2048.pem.

const (
	azAudience = "https://api.example.test"
	azKid      = "idp-key-1"
	azSecret   = "an-hs256-secret-of-more-than-32-bytes!!"
)

// azProvider is an OpenID provider: discovery, keys, and a count of fetches.
type azProvider struct {
	srv   *httptest.Server
	key   *rsa.PrivateKey
	hits  atomic.Int64
	down  atomic.Bool
	issue string
}

func newAZProvider(t *testing.T) *azProvider {
	t.Helper()
	block, _ := pem.Decode([]byte(htFixture(t, "viewer_idp_rsa2048.pem")))
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p := &azProvider{key: key}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		if p.down.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": p.issue, "jwks_uri": p.issue + "/jwks"})
		case "/jwks":
			b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
			_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
				"kty": "RSA", "kid": azKid, "alg": "RS256", "use": "sig",
				"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
			}}})
		default:
			http.NotFound(w, r)
		}
	}))
	p.issue = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// token signs claims with the provider's key; iss, aud and exp default to
// a valid token an hour long (on htNow's clock).
func (p *azProvider) token(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	c := jwt.MapClaims{"iss": p.issue, "aud": azAudience, "sub": "viewer-1", "exp": htNow.Add(time.Hour).Unix()}
	for k, v := range claims {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = azKid
	s, err := tok.SignedString(p.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (p *azProvider) env(extra map[string]string) map[string]string {
	env := map[string]string{
		"MUX_VIEWER_ISSUER":   p.issue,
		"MUX_VIEWER_AUDIENCE": azAudience,
		"MUX_VIEWER_COOKIE":   "nf_jwt",
		"MUX_VIEWER_RULES":    "*:roles=member; " + htID2 + ":public",
		"MUX_ALLOWED_ORIGINS": "https://app.example.com",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func TestViewerSignIn(t *testing.T) {
	p := newAZProvider(t)
	s := newHTServer(t, p.env(nil))
	member := p.token(t, jwt.MapClaims{"roles": []string{"member"}})
	guest := p.token(t, jwt.MapClaims{"roles": []string{"guest"}})
	expired := p.token(t, jwt.MapClaims{"roles": []string{"member"}, "exp": htNow.Add(-time.Hour).Unix()})
	wrongAud := p.token(t, jwt.MapClaims{"roles": []string{"member"}, "aud": "https://other.example"})
	forged := p.token(t, jwt.MapClaims{"roles": []string{"member"}})
	forged = forged[:len(forged)-4] + "AAAA"
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": p.issue, "aud": azAudience, "roles": []string{"member"}, "exp": htNow.Add(time.Hour).Unix()})
	confused, _ := hs.SignedString(x509.MarshalPKCS1PublicKey(&p.key.PublicKey))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": p.issue, "aud": azAudience, "roles": []string{"member"}, "exp": htNow.Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)

	origin := "https://app.example.com"
	for _, tt := range []struct {
		name    string
		method  string
		query   string
		headers map[string]string
		status  int
		www     string // WWW-Authenticate prefix, "" for none
	}{
		{"member by bearer", "GET", "playbackId=" + htID, map[string]string{"authorization": "Bearer " + member}, 302, ""},
		{"member by cookie", "GET", "playbackId=" + htID, map[string]string{"cookie": "theme=dark; nf_jwt=" + member, "origin": origin}, 302, ""},
		{"member, HEAD", "HEAD", "playbackId=" + htID, map[string]string{"authorization": "Bearer " + member}, 302, ""},
		{"member, POST, JSON", "POST", "playbackId=" + htID + "&response=json", map[string]string{"authorization": "Bearer " + member}, 200, ""},
		{"signed out", "GET", "playbackId=" + htID, nil, 401, "Bearer"},
		{"signed out, HEAD", "HEAD", "playbackId=" + htID, nil, 401, "Bearer"},
		{"signed out, public video", "GET", "playbackId=" + htID2, nil, 302, ""},
		{"guest", "GET", "playbackId=" + htID, map[string]string{"authorization": "Bearer " + guest}, 403, `Bearer error="insufficient_scope"`},
		{"guest, public video", "GET", "playbackId=" + htID2, map[string]string{"authorization": "Bearer " + guest}, 302, ""},
		{"expired", "GET", "playbackId=" + htID, map[string]string{"authorization": "Bearer " + expired}, 401, `Bearer error="invalid_token"`},
		{"wrong audience", "GET", "playbackId=" + htID, map[string]string{"authorization": "Bearer " + wrongAud}, 401, `Bearer error="invalid_token"`},
		{"forged signature", "GET", "playbackId=" + htID, map[string]string{"authorization": "Bearer " + forged}, 401, `Bearer error="invalid_token"`},
		{"algorithm confusion", "GET", "playbackId=" + htID, map[string]string{"authorization": "Bearer " + confused}, 401, `Bearer error="invalid_token"`},
		{"alg none", "GET", "playbackId=" + htID, map[string]string{"authorization": "Bearer " + none}, 401, `Bearer error="invalid_token"`},
		{"duplicate cookies", "GET", "playbackId=" + htID, map[string]string{"cookie": "nf_jwt=" + member + "; nf_jwt=" + guest}, 401, `Bearer error="invalid_request"`},
		{"token in the query", "GET", "playbackId=" + htID + "&access_token=" + member, nil, 400, ""},
		{"preflight needs no sign-in", "OPTIONS", "", map[string]string{"origin": origin}, 204, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, htReq{method: tt.method, query: tt.query, headers: tt.headers})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, resp.Body, tt.status)
			}
			if got := resp.Headers["WWW-Authenticate"]; !strings.HasPrefix(got, tt.www) || (tt.www == "") != (got == "") {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.www)
			}
			if tt.status >= 400 && tt.method != "HEAD" {
				msg := htErrorMessage(t, resp)
				if strings.Contains(msg, htID2) || strings.Contains(msg, "member") {
					t.Errorf("message %q reveals a rule or another video", msg)
				}
			}
			if resp.StatusCode == 302 && !strings.Contains(resp.Headers["Location"], "?token=") {
				t.Errorf("302 without a token: %v", resp.Headers)
			}
			if tt.status == 204 && !strings.Contains(resp.Headers["Access-Control-Allow-Headers"], "Authorization") {
				t.Errorf("preflight allows headers %q, want Authorization among them", resp.Headers["Access-Control-Allow-Headers"])
			}
			if o := tt.headers["origin"]; o != "" && resp.Headers["Access-Control-Allow-Credentials"] != "true" {
				t.Errorf("a listed origin gets no Access-Control-Allow-Credentials: %v", resp.Headers)
			}
		})
	}
	if got := s.do(t, htReq{query: "playbackId=" + htID, headers: map[string]string{"origin": "https://evil.example.com", "authorization": "Bearer " + member}}); got.Headers["Access-Control-Allow-Credentials"] != "" {
		t.Errorf("an unlisted origin got credentials: %v", got.Headers)
	}
	if n := p.hits.Load(); n != 2 {
		t.Errorf("the provider was asked %d times, want 2 (discovery and keys, once)", n)
	}
}

func TestViewerProviderDown(t *testing.T) {
	p := newAZProvider(t)
	p.down.Store(true)
	s := newHTServer(t, p.env(nil))
	for range 5 {
		resp := s.do(t, htReq{query: "playbackId=" + htID, headers: map[string]string{"authorization": "Bearer " + p.token(t, jwt.MapClaims{"roles": []string{"member"}})}})
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["Retry-After"] == "" || resp.Headers["Location"] != "" {
			t.Fatalf("provider down: %d %v", resp.StatusCode, resp.Headers)
		}
	}
	if n := p.hits.Load(); n > 2 {
		t.Errorf("the provider was asked %d times for 5 requests, want at most one try per interval", n)
	}
}

func TestViewerNetlifyIdentity(t *testing.T) {
	s := newHTServer(t, map[string]string{"MUX_VIEWER_NETLIFY_IDENTITY": "true", "MUX_VIEWER_REQUIRE": "app_metadata.roles=member"})
	ctxFor := func(user map[string]any) context.Context {
		b, _ := json.Marshal(map[string]any{"identity": map[string]any{"url": "https://site.example/.netlify/identity"}, "user": user})
		lc := &lambdacontext.LambdaContext{ClientContext: lambdacontext.ClientContext{Custom: map[string]string{"netlify": base64.StdEncoding.EncodeToString(b)}}}
		return lambdacontext.NewContext(context.Background(), lc)
	}
	ev := events.APIGatewayProxyRequest{HTTPMethod: "GET", QueryStringParameters: map[string]string{"playbackId": htID}}
	for _, tt := range []struct {
		name   string
		ctx    context.Context
		status int
	}{
		{"member", ctxFor(map[string]any{"sub": "u1", "exp": htNow.Add(time.Hour).Unix(), "app_metadata": map[string]any{"roles": []string{"member"}}}), 302},
		{"no role", ctxFor(map[string]any{"sub": "u2", "exp": htNow.Add(time.Hour).Unix()}), 403},
		{"expired", ctxFor(map[string]any{"sub": "u3", "exp": htNow.Add(-time.Hour).Unix(), "app_metadata": map[string]any{"roles": []string{"member"}}}), 401},
		{"no user", context.Background(), 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := s.h.Handle(tt.ctx, ev)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, resp.Body, tt.status)
			}
		})
	}
}

func TestViewerCapTokenLife(t *testing.T) {
	for _, capLife := range []string{"false", "true"} {
		s := newHTServer(t, map[string]string{"MUX_VIEWER_HS256_SECRET": azSecret, "MUX_VIEWER_ISSUER": "https://idp.example.test",
			"MUX_VIEWER_AUDIENCE": azAudience, "MUX_VIEWER_CAP_TOKEN_LIFE": capLife})
		viewerExp := htNow.Add(10 * time.Minute).Unix()
		tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "https://idp.example.test", "aud": azAudience, "exp": viewerExp}).SignedString([]byte(azSecret))
		resp := s.do(t, htReq{query: "playbackId=" + htID, headers: map[string]string{"authorization": "Bearer " + tok}})
		exp := int64(htLocationToken(t, resp, `https://stream\.mux\.com/`+htID+`\.m3u8`).claims["exp"].(float64))
		if capped := exp == viewerExp; capped != (capLife == "true") {
			t.Errorf("MUX_VIEWER_CAP_TOKEN_LIFE=%s: exp %d, viewer's %d", capLife, exp, viewerExp)
		}
	}
}

func TestCountryRules(t *testing.T) {
	s := newHTServer(t, map[string]string{"MUX_COUNTRY_ALLOW": "US,CA"})
	geo := func(code string) string {
		return base64.StdEncoding.EncodeToString([]byte(`{"country":{"code":"` + code + `"}}`))
	}
	for _, tt := range []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"allowed", map[string]string{"x-nf-geo": geo("US")}, 302},
		{"lower case", map[string]string{"x-nf-geo": geo("ca")}, 302},
		{"not allowed", map[string]string{"x-nf-geo": geo("DE")}, 403},
		{"unknown", nil, 403},
		{"garbage", map[string]string{"x-nf-geo": "!!"}, 403},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, htReq{query: "playbackId=" + htID, headers: tt.headers})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, resp.Body, tt.status)
			}
			if tt.status == 403 && resp.Headers["WWW-Authenticate"] != "" {
				t.Errorf("a country refusal asks to sign in: %v", resp.Headers)
			}
		})
	}
}

func TestWhoMayWatchConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"rules without sign-in", map[string]string{"MUX_VIEWER_RULES": "*:roles=member"}, "MUX_VIEWER_ISSUER: is not set"},
		{"cookie without origins", map[string]string{"MUX_VIEWER_HS256_SECRET": azSecret, "MUX_VIEWER_ISSUER": "https://idp.example.test",
			"MUX_VIEWER_AUDIENCE": azAudience, "MUX_VIEWER_COOKIE": "nf_jwt"}, "MUX_VIEWER_COOKIE: needs MUX_ALLOWED_ORIGINS"},
		{"short secret", map[string]string{"MUX_VIEWER_HS256_SECRET": "short", "MUX_VIEWER_ISSUER": "https://idp.example.test", "MUX_VIEWER_AUDIENCE": azAudience}, "MUX_VIEWER_HS256_SECRET: is 5 bytes"},
		{"bad country", map[string]string{"MUX_COUNTRY_ALLOW": "US,UK"}, "MUX_COUNTRY_ALLOW"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := endpoint.LoadConfig(htEnv(t, tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadConfig = %v, want a problem containing %q", err, tt.want)
			}
		})
	}
}
