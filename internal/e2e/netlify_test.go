//go:build e2e

package e2e

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// netlifyEnv is the environment the Netlify CLI runs with: no prompts,
// telemetry or update checks (CI=true), its temp files and config in
// folders the test removes, and the function's settings, which the CLI
// passes through to the function's process.
func netlifyEnv(t *testing.T, tmp string, muxEnv map[string]string) []string {
	t.Helper()
	e := map[string]string{
		"CI":              "true",
		"TMPDIR":          tmp,
		"XDG_CONFIG_HOME": filepath.Join(tmp, "config"),
		"NO_COLOR":        "1",
	}
	for k, v := range muxEnv {
		e[k] = v
	}
	return env(e)
}

// netlifyCmd is the command line that runs the pinned Netlify CLI.
func netlifyCmd(t *testing.T, args ...string) []string {
	t.Helper()
	run := filepath.Join(need(t, "E2E_NODE_MODULES"), "netlify-cli", "bin", "run.js")
	if _, err := os.Stat(run); err != nil {
		t.Fatalf("netlify-cli is not installed where run.sh put it: %v", err)
	}
	return append([]string{"node", run}, args...)
}

// checkLeftovers reports what the CLI left in its temp folder (the Go
// binaries it builds and never deletes), removes it, and checks it is gone.
func checkLeftovers(t *testing.T, tmp string) {
	t.Helper()
	var n int
	var size int64
	_ = filepath.Walk(tmp, func(path string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			n++
			size += info.Size()
		}
		return nil
	})
	if err := os.RemoveAll(tmp); err != nil {
		t.Errorf("removing the CLI's temp folder: %v", err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the CLI's temp folder %s is still there", tmp)
	}
	t.Logf("removed %d executables (%.1f MB) the CLI left in its temp folder", n, float64(size)/1e6)
}

// checkServedFunction runs the article's checks against a running CLI.
func checkServedFunction(t *testing.T, base string, key testKey) {
	stream := "https://stream.mux.com/" + playbackID + ".m3u8"
	fn := base + functionPath

	t.Run("HEAD (curl -I): 302 with a verified token", func(t *testing.T) {
		from := time.Now()
		resp, body := do(t, "HEAD", fn+"?playbackId="+playbackID, nil)
		to := time.Now()
		if resp.StatusCode != http.StatusFound || body != "" {
			t.Fatalf("status %d body %q, want 302 and no body", resp.StatusCode, body)
		}
		for k, v := range baseHeaders() {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
		tok := tokenFrom(t, resp.Header.Get("Location"), stream)
		verifyToken(t, tok, want{key: key, aud: "v", life: defaultLife, grain: defaultGrain, from: from, to: to})
	})

	t.Run("GET thumbnail: 302 with a verified token", func(t *testing.T) {
		from := time.Now()
		resp, _ := do(t, "GET", fn+"?playbackId="+playbackID+"&type=thumbnail&width=320&ignored=1", nil)
		to := time.Now()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("status %d, want 302", resp.StatusCode)
		}
		tok := tokenFrom(t, resp.Header.Get("Location"), "https://image.mux.com/"+playbackID+"/thumbnail.jpg")
		verifyToken(t, tok, want{key: key, aud: "t", life: defaultLife, grain: defaultGrain, from: from, to: to, params: map[string]string{"width": "320"}})
	})

	t.Run("preflight", func(t *testing.T) {
		resp, body := do(t, "OPTIONS", fn+"?playbackId="+playbackID, map[string]string{
			"Origin": "https://www.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "accept",
		})
		if resp.StatusCode != http.StatusNoContent || body != "" {
			t.Fatalf("status %d body %q, want 204 and no body", resp.StatusCode, body)
		}
		for k, v := range with(baseHeaders(), "Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS",
			"Access-Control-Allow-Headers", "Accept, Content-Type", "Access-Control-Max-Age", "7200") {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
	})

	t.Run("JSON", func(t *testing.T) {
		from := time.Now()
		resp, body := do(t, "GET", fn+"?playbackId="+playbackID, map[string]string{"Accept": "application/json"})
		to := time.Now()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		checkTokensJSON(t, body, key, from, to, "https://stream.mux.com", "https://image.mux.com", false)
	})

	t.Run("repeated parameter reaches the function as a repeat", func(t *testing.T) {
		resp, body := do(t, "GET", fn+"?playbackId="+playbackID+"&playbackId=abc", nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400: %s", resp.StatusCode, body)
		}
		if msg := errorMessage(t, body); msg != "parameter playbackId is given more than once" {
			t.Errorf("message %q", msg)
		}
	})

	t.Run("missing ID", func(t *testing.T) {
		resp, body := do(t, "GET", fn, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400: %s", resp.StatusCode, body)
		}
		if msg := errorMessage(t, body); msg != "Missing playbackId in query string" {
			t.Errorf("message %q", msg)
		}
	})
}

// serveWithCLI runs one long-lived Netlify CLI command in the project's
// folder and returns its base URL once the function answers.
func serveWithCLI(t *testing.T, name string, key testKey, args ...string) (string, string) {
	t.Helper()
	return serveWithCLIEnv(t, name, key, nil, args...)
}

// serveWithCLIEnv is serveWithCLI with more MUX_* settings for the function.
func serveWithCLIEnv(t *testing.T, name string, key testKey, muxEnv map[string]string, args ...string) (string, string) {
	t.Helper()
	root := repoRoot(t)
	tmp := t.TempDir()
	e := map[string]string{"MUX_SIGNING_KEY": key.ID, "MUX_PRIVATE_KEY": key.Env}
	for k, v := range muxEnv {
		e[k] = v
	}
	p := start(t, name, root, netlifyEnv(t, tmp, e), netlifyCmd(t, args...)...)
	base := "http://127.0.0.1:" + args[len(args)-1]
	began := time.Now()
	// The first request waits for the CLI to build the Go function.
	waitHTTP(t, p, base+functionPath, 3*time.Minute)
	t.Logf("figure: %s answered the function after %.1f s", name, time.Since(began).Seconds())
	t.Cleanup(func() {
		p.stop(t)
		checkNoSecret(t, name+"'s log", p.log(), secretPieces(key))
		checkLeftovers(t, tmp)
	})
	return base, root
}

func TestNetlifyFunctionsServe(t *testing.T) {
	key := newKey(t, randomKeyID(t))
	port := fmt.Sprint(freePorts(t, 1)[0])
	base, _ := serveWithCLI(t, "netlify-functions-serve", key, "functions:serve", "--offline", "--port", port)
	checkServedFunction(t, base, key)
}

func TestNetlifyDev(t *testing.T) {
	key := newKey(t, randomKeyID(t))
	ports := freePorts(t, 3)
	base, root := serveWithCLI(t, "netlify-dev", key, "dev", "--offline", "--internal-disable-edge-functions",
		"--no-open", "--skip-gitignore", "--functions-port", fmt.Sprint(ports[1]), "--staticServerPort", fmt.Sprint(ports[2]),
		"--port", fmt.Sprint(ports[0]))
	checkServedFunction(t, base, key)
	t.Run("demo page at /", func(t *testing.T) {
		page, err := os.ReadFile(filepath.Join(root, "public", "index.html"))
		if err != nil {
			t.Fatalf("the demo page is missing: %v", err)
		}
		resp, body := do(t, "GET", base+"/", nil)
		if resp.StatusCode != http.StatusOK || body != string(page) {
			t.Fatalf("GET / = %d, %d bytes; want 200 and public/index.html (%d bytes)", resp.StatusCode, len(body), len(page))
		}
	})
}

func TestNetlifyBuild(t *testing.T) {
	root := repoRoot(t)
	out := filepath.Join(root, ".netlify", "functions")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	began := time.Now()
	log := runCmd(t, 5*time.Minute, root, netlifyEnv(t, tmp, nil), netlifyCmd(t, "build", "--offline")...)
	t.Logf("figure: netlify build --offline took %.1f s", time.Since(began).Seconds())
	if !strings.Contains(log, "sign_playback_id") {
		t.Errorf("the build log does not mention sign_playback_id:\n%s", tail(log, 30))
	}
	t.Cleanup(func() { checkLeftovers(t, tmp) })

	var bootstrap string
	extracted := t.TempDir() // outlives the subtest that fills it
	t.Run("zip holds a static linux/amd64 bootstrap", func(t *testing.T) {
		zr, err := zip.OpenReader(filepath.Join(out, "sign_playback_id.zip"))
		if err != nil {
			t.Fatalf("Netlify's bundler made no sign_playback_id.zip: %v\n%s", err, tail(log, 30))
		}
		defer zr.Close()
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			if f.Name != "bootstrap" {
				continue
			}
			if f.Mode()&0o111 == 0 {
				t.Errorf("bootstrap is not executable in the zip (mode %v)", f.Mode())
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			bootstrap = filepath.Join(extracted, "bootstrap")
			w, err := os.OpenFile(bootstrap, os.O_CREATE|os.O_WRONLY, 0o755)
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.Copy(w, rc)
			rc.Close()
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("zip entries: %v", names)
		if bootstrap == "" {
			t.Fatalf("the zip holds no bootstrap: %v", names)
		}
		checkStaticELF(t, bootstrap)
	})

	t.Run("manifest names the Go function", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(out, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Functions []struct {
				Name, Runtime, Path string
			} `json:"functions"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Functions) != 1 || m.Functions[0].Name != "sign_playback_id" || m.Functions[0].Runtime != "go" {
			t.Errorf("manifest functions %+v, want exactly sign_playback_id with runtime go", m.Functions)
		}
	})

	t.Run("demo page is in the publish folder", func(t *testing.T) {
		resolved, err := os.ReadFile(filepath.Join(root, ".netlify", "netlify.toml"))
		if err != nil {
			t.Fatalf("the build wrote no resolved config: %v", err)
		}
		m := regexp.MustCompile(`(?m)^publish = "([^"]+)"$`).FindStringSubmatch(string(resolved))
		if m == nil {
			t.Fatalf("the resolved config has no publish folder:\n%s", resolved)
		}
		if m[1] != filepath.Join(root, "public") {
			t.Errorf("publish folder %s, want %s", m[1], filepath.Join(root, "public"))
		}
		if st, err := os.Stat(filepath.Join(m[1], "index.html")); err != nil || st.Size() == 0 {
			t.Errorf("no demo page in the publish folder: %v", err)
		}
	})

	t.Run("the bundled bootstrap answers under aws-lambda-rie", func(t *testing.T) {
		if bootstrap == "" {
			t.Fatal("no bootstrap extracted")
		}
		key := newKey(t, randomKeyID(t))
		r := startRIE(t, bootstrap, map[string]string{"MUX_SIGNING_KEY": key.ID, "MUX_PRIVATE_KEY": key.Env})
		from := time.Now()
		resp := r.invoke(t, event("HEAD", q("playbackId", playbackID), nil))
		to := time.Now()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("status %d, want 302: %s", resp.StatusCode, resp.Body)
		}
		tok := tokenFrom(t, resp.Headers["Location"], "https://stream.mux.com/"+playbackID+".m3u8")
		verifyToken(t, tok, want{key: key, aud: "v", life: defaultLife, grain: defaultGrain, from: from, to: to})
	})
}
