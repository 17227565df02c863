//go:build !lambda.norpc

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxverify"
)

// server is `sign_playback_id serve` running in the test.
type server struct {
	base   string // http://127.0.0.1:port
	stdout []string
	stderr *syncBuffer
	stop   func() error
}

var listening = regexp.MustCompile(`^sign_playback_id listening on (http://127\.0\.0\.1:[0-9]+)/\.netlify/functions/sign_playback_id$`)

// startServe runs serve on a free port and reads the URL it prints.
func startServe(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &server{stderr: &syncBuffer{}}
	errc := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"sign_playback_id", "serve", "--addr", "127.0.0.1:0"}, args...), getenvFrom(env), pw, s.stderr)
		pw.Close()
		errc <- err
	}()
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var stopped bool
	var stopErr error
	s.stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			stopErr = <-errc
		}
		return stopErr
	}
	t.Cleanup(func() { _ = s.stop() })

	first, ok := <-lines
	if !ok {
		t.Fatalf("serve ended before listening: %v; stderr: %s", s.stop(), s.stderr.String())
	}
	m := listening.FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("first line %q, want the URL it listens on", first)
	}
	s.base = m[1]
	s.stdout = append(s.stdout, first, <-lines)
	return s
}

var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

func (s *server) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

const fnPath = "/.netlify/functions/sign_playback_id"

// With no key, serve makes a throwaway one, says so loudly, prints a curl
// line, answers as the function, and serves the demo page.
func TestServeWithDevelopmentKey(t *testing.T) {
	s := startServe(t, nil, "--env-file", "", "--public", filepath.Join("..", "..", "public"))

	wantTry := "try: curl -I '" + s.base + fnPath + "?playbackId=" + samplePlaybackID + "'"
	if s.stdout[1] != wantTry {
		t.Errorf("second line = %q, want %q", s.stdout[1], wantTry)
	}

	resp, _ := s.get(t, fnPath+"?playbackId="+testID)
	loc := resp.Header.Get("Location")
	prefix := "https://stream.mux.com/" + testID + ".m3u8?token="
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, prefix) || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("status %d, Location %q, headers %v; want 302 to %s...", resp.StatusCode, loc, resp.Header, prefix)
	}
	// The development key is not known here: check everything but the
	// signature.
	r, err := muxverify.Verify(strings.TrimPrefix(loc, prefix), nil, muxverify.Expect{PlaybackID: testID, Type: muxsign.Video}, time.Now())
	if err != nil || !strings.HasPrefix(r.ClaimKeyID, "devOnlyThrowawayKey") {
		t.Errorf("token: %v; kid %q, want a devOnlyThrowawayKey ID", err, r.ClaimKeyID)
	}

	resp, body := s.get(t, fnPath)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Missing playbackId in query string") {
		t.Errorf("no playbackId: %d %s", resp.StatusCode, body)
	}

	resp, body = s.get(t, "/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="status"`) {
		t.Errorf("GET /: %d, want the demo page; body: %.200s", resp.StatusCode, body)
	}
	for _, asset := range []string{"/app.js", "/style.css"} {
		if resp, _ := s.get(t, asset); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", asset, resp.StatusCode)
		}
	}

	if err := s.stop(); err != nil {
		t.Errorf("serve returned %v after its context ended, want nil", err)
	}
	stderr := s.stderr.String()
	var box []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "*** ") {
			box = append(box, l)
		}
	}
	if len(box) != 4 || !strings.Contains(stderr, "WILL NOT PLAY ON MUX") || !strings.Contains(stderr, "MUX_SIGNING_KEY and MUX_PRIVATE_KEY are not set") {
		t.Errorf("stderr does not warn of the development key:\n%s", stderr)
	}
	for _, l := range box {
		if len(l) != len(box[0]) || !strings.HasSuffix(l, " ***") {
			t.Errorf("warning box is not aligned:\n%s", strings.Join(box, "\n"))
			break
		}
	}
	if !strings.Contains(stderr, `"status":302`) {
		t.Errorf("stderr has no request log line:\n%s", stderr)
	}
}

// serve reads the key from --env-file; then no development key is made.
func TestServeWithDotenvKey(t *testing.T) {
	k := loadTestKeys(t)
	path := filepath.Join(t.TempDir(), "test.env")
	dotenv := "MUX_SIGNING_KEY=" + k.ID + "\nMUX_PRIVATE_KEY=" + k.PKCS1B64 + "\nMUX_TOKEN_EXPIRATION=1h\n"
	if err := os.WriteFile(path, []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, nil, "--env-file", path, "--public", "")

	resp, body := s.get(t, fnPath+"?playbackId="+testID+"&type=thumbnail&time=3")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	_, tok, _ := strings.Cut(resp.Header.Get("Location"), "?token=")
	if r := verifyOutputToken(t, k, tok, testID, muxsign.Thumbnail); r.ExpiresIn > time.Hour || r.Options["time"] != "3" {
		t.Errorf("token life %v, options %v; want at most 1h and time=3", r.ExpiresIn, r.Options)
	}

	resp, body = s.get(t, fnPath+"?playbackId="+testID, "Accept", "application/json")
	var out endpoint.TokensResponse
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil {
		t.Fatalf("JSON: %d %s", resp.StatusCode, body)
	}
	verifyOutputToken(t, k, out.Tokens.Playback, testID, muxsign.Video)

	if resp, _ := s.get(t, "/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / with --public \"\": %d, want 404", resp.StatusCode)
	}
	if err := s.stop(); err != nil {
		t.Error(err)
	}
	if stderr := s.stderr.String(); strings.Contains(stderr, "WARNING") {
		t.Errorf("a development key was made although .env holds one:\n%s", stderr)
	}
	k.assertNoKeyMaterial(t, s.stderr.String(), strings.Join(s.stdout, "\n"))
}

// A broken configuration keeps the server up, answering 500s that name the
// variable; one key variable set means no development key.
func TestServeWithConfigurationError(t *testing.T) {
	k := loadTestKeys(t)
	s := startServe(t, map[string]string{"MUX_SIGNING_KEY": k.ID, "MUX_PRIVATE_KEY": "not a key"}, "--env-file", "", "--public", "")
	resp, body := s.get(t, fnPath+"?playbackId="+testID)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "MUX_PRIVATE_KEY") {
		t.Errorf("status %d, body %s; want a 500 naming MUX_PRIVATE_KEY", resp.StatusCode, body)
	}
	if err := s.stop(); err != nil {
		t.Error(err)
	}
	if strings.Contains(s.stderr.String(), "throwaway") {
		t.Error("a development key was made although MUX_SIGNING_KEY is set")
	}
}

func TestServeListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out, errOut syncBuffer
	err = run(context.Background(), []string{"x", "serve", "--env-file", "", "--addr", ln.Addr().String()}, getenvFrom(nil), &out, &errOut)
	var opErr *net.OpError
	if !errors.As(err, &opErr) || !strings.HasPrefix(err.Error(), "listen:") {
		t.Errorf("err = %v, want a listen error", err)
	}
}

// PORT sets the port of the default address, localhost.
func TestServeReadsPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve still listens first, then ends at once
	var out, errOut syncBuffer
	err = run(ctx, []string{"x", "--env-file", "", "--public", ""}, getenvFrom(map[string]string{"PORT": port}), &out, &errOut)
	if err != nil {
		t.Fatalf("serve: %v; stderr: %s", err, errOut.String())
	}
	// The default address is printed as localhost, the URL the README gives.
	if want := "listening on http://localhost:" + port + "/"; !strings.Contains(out.String(), want) {
		t.Errorf("stdout = %q, want it to contain %q", out.String(), want)
	}
}

// PORT in .env counts too: .env is read before the address is chosen.
func TestServeReadsPortFromDotenv(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	path := filepath.Join(t.TempDir(), "port.env")
	if err := os.WriteFile(path, []byte("PORT="+port+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut syncBuffer
	if err := run(ctx, []string{"x", "--env-file", path, "--public", ""}, getenvFrom(nil), &out, &errOut); err != nil {
		t.Fatalf("serve: %v; stderr: %s", err, errOut.String())
	}
	if want := "listening on http://localhost:" + port + "/"; !strings.Contains(out.String(), want) {
		t.Errorf("stdout = %q, want it to contain %q", out.String(), want)
	}
}

// MUX_DEV_COUNTRY makes every request come from one country, whatever the
// client sends, so that country rules can be tried locally.
func TestServeDevCountry(t *testing.T) {
	k := loadTestKeys(t)
	env := map[string]string{"MUX_SIGNING_KEY": k.ID, "MUX_PRIVATE_KEY": k.PKCS1B64, "MUX_COUNTRY_ALLOW": "FR"}
	forged := base64.StdEncoding.EncodeToString([]byte(`{"country":{"code":"FR"}}`))
	for _, tt := range []struct {
		dev  string
		want int
	}{
		{"FR", http.StatusFound},
		{"de", http.StatusForbidden},
		{"", http.StatusForbidden}, // no simulated country: the client's own header is the only one
	} {
		t.Run(tt.dev, func(t *testing.T) {
			e := maps.Clone(env)
			e["MUX_DEV_COUNTRY"] = tt.dev
			s := startServe(t, e, "--env-file", "", "--public", "")
			header := []string{"x-nf-geo", forged}
			if tt.dev == "" {
				header = nil
			}
			resp, body := s.get(t, fnPath+"?playbackId="+testID, header...)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.want)
			}
		})
	}
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"sign_playback_id", "serve", "--addr", "127.0.0.1:0", "--env-file", ""},
		getenvFrom(map[string]string{"MUX_DEV_COUNTRY": "Narnia"}), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "MUX_DEV_COUNTRY") {
		t.Fatalf("a bad MUX_DEV_COUNTRY: %v, want an error naming it", err)
	}
}
