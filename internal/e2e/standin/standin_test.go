package standin

import (
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testID    = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"
	testKeyID = "standinTestKey01"
)

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t *testing.T, key any, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyAndServe(t *testing.T) {
	key, other := newKey(t), newKey(t)
	now := time.Unix(1_800_000_000, 0)
	srv := &Server{Key: &key.PublicKey, KeyID: testKeyID, Dir: "testdata/stream", Now: func() time.Time { return now }}
	claims := func(aud string, mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": testID, "aud": aud, "exp": now.Add(time.Hour).Unix(), "kid": testKeyID}
		if mod != nil {
			mod(c)
		}
		return c
	}
	good := sign(t, key, jwt.SigningMethodRS256, claims("v", nil))
	tests := []struct {
		name   string
		path   string
		token  string
		status int
		reason error
	}{
		{"manifest with a good token", "/" + testID + ".m3u8", good, 200, nil},
		{"segment with a good token", "/" + testID + "/seg1.ts", good, 200, nil},
		{"thumbnail with a t token", "/" + testID + "/thumbnail.jpg", sign(t, key, jwt.SigningMethodRS256, claims("t", nil)), 200, nil},
		{"kid only in the header", "/" + testID + ".m3u8", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims("v", func(c jwt.MapClaims) { delete(c, "kid") }))
			tok.Header["kid"] = testKeyID
			s, err := tok.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}(), 200, nil},
		{"no token", "/" + testID + ".m3u8", "", 403, ErrNoToken},
		{"thumbnail with a v token", "/" + testID + "/thumbnail.jpg", good, 403, ErrAudience},
		{"manifest with a t token", "/" + testID + ".m3u8", sign(t, key, jwt.SigningMethodRS256, claims("t", nil)), 403, ErrAudience},
		{"another playback ID", "/abc123.m3u8", good, 403, ErrSubject},
		{"expired", "/" + testID + ".m3u8", sign(t, key, jwt.SigningMethodRS256, claims("v", func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() })), 403, ErrExpired},
		{"no exp", "/" + testID + ".m3u8", sign(t, key, jwt.SigningMethodRS256, claims("v", func(c jwt.MapClaims) { delete(c, "exp") })), 403, ErrMalformed},
		{"signed by another key", "/" + testID + ".m3u8", sign(t, other, jwt.SigningMethodRS256, claims("v", nil)), 403, ErrSignature},
		{"another kid", "/" + testID + ".m3u8", sign(t, key, jwt.SigningMethodRS256, claims("v", func(c jwt.MapClaims) { c["kid"] = "someOtherKey" })), 403, ErrKeyID},
		{"HS256 instead of RS256", "/" + testID + ".m3u8", sign(t, []byte("secret"), jwt.SigningMethodHS256, claims("v", nil)), 403, ErrSignature},
		{"garbage", "/" + testID + ".m3u8", "not.a.jwt", 403, ErrMalformed},
		{"unknown path", "/" + testID + "/storyboard.vtt", good, 404, nil},
		{"segment outside the pattern", "/" + testID + "/..%2Findex.m3u8", good, 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path+"?token="+tt.token, nil)
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %q", w.Code, tt.status, w.Body.String())
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin %q, want *", got)
			}
			seen := srv.Requests()
			last := seen[len(seen)-1]
			if last.Status != tt.status {
				t.Errorf("recorded status %d, want %d", last.Status, tt.status)
			}
			if tt.reason != nil && !strings.HasPrefix(last.Reason, tt.reason.Error()) {
				t.Errorf("recorded reason %q, want %q", last.Reason, tt.reason)
			}
			if tt.reason == nil && tt.status == 200 && last.Reason != "" {
				t.Errorf("recorded reason %q for an accepted token", last.Reason)
			}
		})
	}
}

func TestPlaylistCarriesTheToken(t *testing.T) {
	key := newKey(t)
	srv := &Server{Key: &key.PublicKey, KeyID: testKeyID, Dir: "testdata/stream"}
	tok := sign(t, key, jwt.SigningMethodRS256, jwt.MapClaims{"sub": testID, "aud": "v", "exp": time.Now().Add(time.Hour).Unix(), "kid": testKeyID})
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/"+testID+".m3u8?token="+tok, nil))
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	body, _ := io.ReadAll(w.Body)
	want := "/" + testID + "/seg0.ts?token=" + tok + "\n"
	if !strings.Contains(string(body), want) {
		t.Fatalf("playlist does not carry the token to segment 0:\n%s", body)
	}
	if strings.Count(string(body), "?token="+tok) != 2 {
		t.Fatalf("want the token on both segments:\n%s", body)
	}
	if got := w.Header().Get("Content-Type"); got != "application/vnd.apple.mpegurl" {
		t.Errorf("Content-Type %q", got)
	}
}

func TestRewritePlaylist(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"segments", "#EXTM3U\n#EXTINF:2,\na.ts\n", "#EXTM3U\n#EXTINF:2,\n/id/a.ts?token=T\n"},
		{"blank lines and CRLF", "#EXTM3U\r\n\r\nb.ts\r\n", "#EXTM3U\n\n/id/b.ts?token=T\n"},
		{"tags only", "#EXTM3U\n#EXT-X-ENDLIST\n", "#EXTM3U\n#EXT-X-ENDLIST\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(RewritePlaylist([]byte(tt.in), "/id/", "T")); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
