package endpoint

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// benchViewer is a handler under viewer sign-in (OpenID discovery on a
// loopback stand-in provider, roles=member required) and a member's RS256
// token, as a Bearer header.
func benchViewer(b *testing.B) (*Handler, events.APIGatewayProxyRequest) {
	b.Helper()
	key := testkeys.RSA(b, "viewer_idp_rsa2048.pem")
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b64 := func(p []byte) string { return base64.RawURLEncoding.EncodeToString(p) }
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "jwks_uri": issuer + "/jwks"})
		case "/jwks":
			_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256",
				"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
		}
	}))
	b.Cleanup(srv.Close)
	issuer = srv.URL
	h := benchHandler(b, map[string]string{
		viewer.EnvIssuer: issuer, viewer.EnvAudience: "https://api.example.test", "MUX_VIEWER_REQUIRE": "roles=member",
	})
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": issuer, "aud": "https://api.example.test", "sub": "v1",
		"roles": []string{"member"}, "exp": time.Unix(1764500000, 0).Add(time.Hour).Unix()})
	tok.Header["kid"] = "k1"
	signed, err := tok.SignedString(key)
	if err != nil {
		b.Fatal(err)
	}
	ev := benchEvent(map[string]string{"playbackId": benchPlaybackID})
	ev.Headers["authorization"] = "Bearer " + signed
	benchHandle(b, h, ev, http.StatusFound) // keys fetched, Mux token cached
	return h, ev
}

// BenchmarkHandleViewer is a request under viewer sign-in whose Mux token is
// cached: with the viewer's token verified on every request (RS256 against
// the provider's cached keys, iss, aud, exp, the role), and with the
// viewer's token cached too.
func BenchmarkHandleViewer(b *testing.B) {
	b.Run("viewer verified, Mux token cached", func(b *testing.B) {
		h, ev := benchViewer(b)
		cfg := h.cfg.Viewer
		cfg.NoTokenCache = true
		h.viewers = viewer.NewVerifier(cfg, nil, h.log)
		benchHandle(b, h, ev, http.StatusFound) // fetch the keys once
		b.ReportAllocs()
		for b.Loop() {
			benchHandle(b, h, ev, http.StatusFound)
		}
	})
	b.Run("viewer and Mux token cached", func(b *testing.B) {
		h, ev := benchViewer(b)
		b.ReportAllocs()
		for b.Loop() {
			benchHandle(b, h, ev, http.StatusFound)
		}
	})
}
