package devserver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/devserver"
)

// TestServer serves a function and the static files behind New, over HTTP.
func TestServer(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>demo</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	var seenPath, seenQuery string
	fn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seenPath, seenQuery = r.URL.Path, r.URL.RawQuery
		http.Redirect(w, r, "https://stream.mux.com/x.m3u8?token=t", http.StatusFound)
	})
	srv := httptest.NewServer(devserver.New(map[string]http.Handler{"sign_playback_id": fn}, dir))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}

	for _, path := range []string{"/.netlify/functions/sign_playback_id", "/.netlify/functions/sign_playback_id/sub"} {
		resp, _ := get(path + "?playbackId=abc&a=1&a=2")
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://stream.mux.com/x.m3u8?token=t" {
			t.Fatalf("%s: %d %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
		if seenPath != path || seenQuery != "playbackId=abc&a=1&a=2" {
			t.Fatalf("the function saw %q ? %q", seenPath, seenQuery)
		}
	}
	if resp, body := get("/"); resp.StatusCode != 200 || body != "<p>demo</p>" {
		t.Fatalf("static: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get("/.netlify/functions/unknown"); resp.StatusCode != 404 {
		t.Fatalf("unknown function: status %d, want 404", resp.StatusCode)
	}
}

// TestNoStaticFiles serves only functions when there is no public folder.
func TestNoStaticFiles(t *testing.T) {
	srv := httptest.NewServer(devserver.New(map[string]http.Handler{}, ""))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/index.html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("status %d, want 404", resp.StatusCode)
	}
}
