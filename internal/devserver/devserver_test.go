package devserver_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/devserver"
)

func TestEvent(t *testing.T) {
	r := httptest.NewRequest("POST", "http://localhost:8888/.netlify/functions/sign_playback_id?playbackId=abc&x=1&x=2&e=&sp=a%20b", strings.NewReader("hello"))
	r.Header.Set("Accept", "application/json")
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	r.Header.Set("Origin", "https://www.example.com")
	r.RemoteAddr = "127.0.0.1:54321"
	ev, err := devserver.Event(r)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"method", ev.HTTPMethod, "POST"},
		{"path", ev.Path, "/.netlify/functions/sign_playback_id"},
		{"accept lower-cased", ev.Headers["accept"], "application/json"},
		{"origin lower-cased", ev.Headers["origin"], "https://www.example.com"},
		{"no canonical-case key", ev.Headers["Accept"], ""},
		{"repeated header joined", ev.Headers["x-multi"], "a, b"},
		{"repeated header kept apart", strings.Join(ev.MultiValueHeaders["x-multi"], "|"), "a|b"},
		{"host", ev.Headers["host"], "localhost:8888"},
		{"single param", ev.QueryStringParameters["playbackId"], "abc"},
		{"repeated param joined", ev.QueryStringParameters["x"], "1, 2"},
		{"repeated param kept apart", strings.Join(ev.MultiValueQueryStringParameters["x"], "|"), "1|2"},
		{"empty param", ev.QueryStringParameters["e"], ""},
		{"decoded param", ev.QueryStringParameters["sp"], "a b"},
		{"body base64", ev.Body, base64.StdEncoding.EncodeToString([]byte("hello"))},
		{"isBase64Encoded", ev.IsBase64Encoded, true},
		{"source IP", ev.RequestContext.Identity.SourceIP, "127.0.0.1"},
		{"context method", ev.RequestContext.HTTPMethod, "POST"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("%s = %#v, want %#v", c.name, c.got, c.want)
			}
		})
	}
	t.Run("empty param present", func(t *testing.T) {
		if _, ok := ev.QueryStringParameters["e"]; !ok {
			t.Fatal("e= is missing from the map")
		}
	})
}

func TestEventEmptyBodyAndIPv6(t *testing.T) {
	r := httptest.NewRequest("HEAD", "http://[::1]:8888/.netlify/functions/f", nil)
	r.RemoteAddr = "[::1]:54321"
	ev, err := devserver.Event(r)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Body != "" || !ev.IsBase64Encoded {
		t.Fatalf("empty body: Body %q isBase64Encoded %v; Netlify sends \"\" and true", ev.Body, ev.IsBase64Encoded)
	}
	if ev.HTTPMethod != "HEAD" {
		t.Fatalf("method %q", ev.HTTPMethod)
	}
	if ip := ev.RequestContext.Identity.SourceIP; ip != "::1" {
		t.Fatalf("SourceIP = %q, want ::1", ip)
	}
	if len(ev.QueryStringParameters) != 0 {
		t.Fatalf("query = %v", ev.QueryStringParameters)
	}
}

func TestEventBodyTooLarge(t *testing.T) {
	r := httptest.NewRequest("POST", "/.netlify/functions/f", io.LimitReader(zeros{}, 6<<20+1))
	if _, err := devserver.Event(r); err == nil {
		t.Fatal("a body over 6 MB was accepted")
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestWriteResponse(t *testing.T) {
	tests := []struct {
		name     string
		resp     events.APIGatewayProxyResponse
		status   int
		headers  map[string][]string
		body     string
		noHeader string
	}{
		{"redirect", events.APIGatewayProxyResponse{StatusCode: 302, Headers: map[string]string{"Location": "https://x/y?token=a.b.c", "Cache-Control": "private, no-store"}},
			302, map[string][]string{"Location": {"https://x/y?token=a.b.c"}, "Cache-Control": {"private, no-store"}}, "", ""},
		{"zero status is 200", events.APIGatewayProxyResponse{Body: "ok"}, 200, nil, "ok", ""},
		{"json", events.APIGatewayProxyResponse{StatusCode: 400, Headers: map[string]string{"content-type": "application/json"}, Body: `{"errors":[]}`},
			400, map[string][]string{"Content-Type": {"application/json"}}, `{"errors":[]}`, ""},
		{"base64 body", events.APIGatewayProxyResponse{StatusCode: 200, Body: base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff}), IsBase64Encoded: true},
			200, nil, "\x00\x01\x02\xff", ""},
		{"multi-value headers win", events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Vary": "Accept"}, MultiValueHeaders: map[string][]string{"Vary": {"Accept", "Origin"}, "Set-Cookie": {"a=1", "b=2"}}},
			200, map[string][]string{"Vary": {"Accept", "Origin"}, "Set-Cookie": {"a=1", "b=2"}}, "", ""},
		{"invalid UTF-8 text body", events.APIGatewayProxyResponse{StatusCode: 200, Body: "a\xffb"}, 200, nil, "a\uFFFDb", ""},
		{"204", events.APIGatewayProxyResponse{StatusCode: 204, Headers: map[string]string{"Access-Control-Allow-Origin": "*"}},
			204, map[string][]string{"Access-Control-Allow-Origin": {"*"}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			devserver.WriteResponse(w, tt.resp)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			for k, want := range tt.headers {
				if got := w.Result().Header.Values(k); !slices.Equal(got, want) {
					t.Fatalf("header %s = %q, want %q", k, got, want)
				}
			}
			if got := w.Body.String(); got != tt.body {
				t.Fatalf("body %q, want %q", got, tt.body)
			}
		})
	}
}

// TestServer runs a function and the static files behind New, over HTTP.
func TestServer(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>demo</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	var seen events.APIGatewayProxyRequest
	fn := func(_ context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		seen = ev
		return events.APIGatewayProxyResponse{StatusCode: 302, Headers: map[string]string{"Location": "https://stream.mux.com/x.m3u8?token=t"}}, nil
	}
	failing := func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{}, io.ErrUnexpectedEOF
	}
	srv := httptest.NewServer(devserver.New(map[string]devserver.Func{"sign_playback_id": fn, "broken": failing}, dir))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := client.Get(srv.URL + "/.netlify/functions/sign_playback_id?playbackId=abc&a=1&a=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://stream.mux.com/x.m3u8?token=t" {
		t.Fatalf("function: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if seen.QueryStringParameters["a"] != "1, 2" || seen.Headers["user-agent"] == "" {
		t.Fatalf("event: %+v", seen)
	}

	resp, err = client.Get(srv.URL + "/.netlify/functions/broken")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("failing function: status %d, want 502", resp.StatusCode)
	}

	resp, err = client.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "<p>demo</p>" {
		t.Fatalf("static: %d %q", resp.StatusCode, body)
	}

	resp, err = client.Get(srv.URL + "/.netlify/functions/unknown")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("unknown function: status %d, want 404", resp.StatusCode)
	}
}
