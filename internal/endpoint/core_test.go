package endpoint_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// TestServeTyped calls the core the way the sign command does: a typed
// Request, no transport. The answer carries its URL, tokens and expiry, so
// nobody parses them back out of headers.
func TestServeTyped(t *testing.T) {
	s := newHTServer(t, nil)
	ctx := context.Background()

	res := s.h.Serve(ctx, endpoint.Request{Method: http.MethodGet, PlaybackID: htID, Type: muxsign.Thumbnail,
		Format: "png", Options: map[string]string{"time": "10"}})
	if res.Status != http.StatusFound || res.Location == "" || res.Headers["Location"] != res.Location {
		t.Fatalf("redirect: %+v", res)
	}
	if !strings.HasPrefix(res.Location, "https://image.mux.com/"+htID+"/thumbnail.png?token=") {
		t.Fatalf("Location %q", res.Location)
	}
	tok := htLocationToken(t, htResponse(res), regexp.QuoteMeta("https://image.mux.com/"+htID+"/thumbnail.png"))
	claims := htCheckBase(t, tok, "t", res.ExpiresAt.Unix())
	if claims["time"] != "10" {
		t.Fatalf("claims %v, want time=10", claims)
	}

	res = s.h.Serve(ctx, endpoint.Request{Method: http.MethodGet, PlaybackID: htID, JSON: true, DRM: true})
	if res.Status != http.StatusOK || res.Tokens == nil || res.Tokens.Tokens.DRM == "" || res.Tokens.URLs.DRM == nil {
		t.Fatalf("JSON: %+v", res)
	}
	if !res.Tokens.ExpiresAt.Equal(res.ExpiresAt) {
		t.Fatalf("Tokens.ExpiresAt %v, Result.ExpiresAt %v", res.Tokens.ExpiresAt, res.ExpiresAt)
	}

	// Serve checks what parsing does not: the configuration and the rules
	// of each type, whatever built the Request.
	for _, tt := range []struct {
		name   string
		req    endpoint.Request
		status int
		msg    string
	}{
		{"bad ID", endpoint.Request{Method: "GET", PlaybackID: "a/b"}, 400, "playbackId must be"},
		{"too long", endpoint.Request{Method: "GET", PlaybackID: htID, Life: 8 * 24 * time.Hour}, 400, "at most the configured"},
		{"too short", endpoint.Request{Method: "GET", PlaybackID: htID, Life: time.Second}, 400, "at least 60 seconds"},
		{"format for JSON", endpoint.Request{Method: "GET", PlaybackID: htID, JSON: true, Format: "png"}, 400, "only to redirects"},
		{"wrong format", endpoint.Request{Method: "GET", PlaybackID: htID, Type: muxsign.GIF, Format: "png"}, 400, "gif, webp"},
		{"option of another type", endpoint.Request{Method: "GET", PlaybackID: htID, Options: map[string]string{"width": "100"}}, 400, "width"},
		{"unknown option", endpoint.Request{Method: "GET", PlaybackID: htID, Options: map[string]string{"evil": "1"}}, 400, "evil"},
		{"drm redirect", endpoint.Request{Method: "GET", PlaybackID: htID, Type: muxsign.DRMLicense}, 400, "no redirect target"},
		{"unknown type", endpoint.Request{Method: "GET", PlaybackID: htID, Type: "x"}, 400, "unknown token type"},
		{"method", endpoint.Request{Method: "PUT", PlaybackID: htID}, 405, "method not allowed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := s.h.Serve(ctx, tt.req)
			if res.Status != tt.status || !strings.Contains(res.Error, tt.msg) || !strings.Contains(res.Body, tt.msg) {
				t.Fatalf("got %d %q, want %d with %q", res.Status, res.Error, tt.status, tt.msg)
			}
		})
	}
}

// htResponse turns a Result into the Lambda response the helpers read.
func htResponse(res endpoint.Result) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: res.Status, Headers: res.Headers, Body: res.Body}
}

// TestAdaptersAgree sends the same requests through the Lambda adapter and
// the HTTP adapter of the local server: the answers are the same.
func TestAdaptersAgree(t *testing.T) {
	s := newHTServer(t, map[string]string{endpoint.EnvAllowedOrigins: "https://app.example.com"})
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []htReq{
		{query: "playbackId=" + htID},
		{query: "playbackId=" + htID + "&type=gif&width=0320&utm_source=x"},
		{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/json", "origin": "https://app.example.com"}},
		{query: "playbackId=" + htID + "&response=json&drm=true"},
		{method: "HEAD", query: "playbackId=" + htID},
		{method: "POST", query: "playbackId=" + htID + "&type=thumbnail"},
		{method: "OPTIONS", headers: map[string]string{"origin": "https://app.example.com"}},
		{method: "OPTIONS", headers: map[string]string{"origin": "https://evil.example.com"}},
		{method: "DELETE"},
		{query: "playbackId=a&playbackId=b"},
		{query: "type=gif"},
		{query: "playbackId=" + htID + "&" + strings.Repeat("x", 9000)},
	} {
		t.Run(tt.method+" "+tt.query[:min(len(tt.query), 60)], func(t *testing.T) {
			want := s.do(t, tt)
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req, err := http.NewRequest(method, srv.URL+"/?"+tt.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want.StatusCode || string(body) != want.Body {
				t.Fatalf("HTTP adapter: %d %q; Lambda adapter: %d %q", resp.StatusCode, body, want.StatusCode, want.Body)
			}
			for k, v := range want.Headers {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s: HTTP adapter %q, Lambda adapter %q", k, got, v)
				}
			}
		})
	}
}

// TestPublicConfigError: the anonymous caller learns which variables to fix
// and where to look; the log has the diagnosis.
func TestPublicConfigError(t *testing.T) {
	s := newHTServer(t, map[string]string{endpoint.EnvSigningKey: "-", endpoint.EnvPrivateKey: htFixture(t, "ec_p256.pem")})
	resp := s.do(t, htReq{query: "playbackId=" + htID})
	msg := htErrorMessage(t, resp)
	want := "the function is misconfigured: check MUX_PRIVATE_KEY, MUX_SIGNING_KEY (details in the function log, or run `sign_playback_id check`)"
	if resp.StatusCode != http.StatusInternalServerError || msg != want {
		t.Fatalf("got %d %q, want 500 %q", resp.StatusCode, msg, want)
	}
	if log := s.log.String(); !strings.Contains(log, "is not an RSA key") || !strings.Contains(log, "MUX_SIGNING_KEY: is not set") {
		t.Fatalf("the log lacks the diagnosis: %s", log)
	}
}
