//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/e2e/standin"
)

// makeStream writes a 4 s 320x240 H.264 HLS stream in 2 s segments and a
// JPEG thumbnail into a new folder, with Debian's ffmpeg.
func makeStream(t *testing.T) string {
	t.Helper()
	ffmpeg := need(t, "E2E_FFMPEG")
	dir := t.TempDir()
	src := []string{ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"}
	runCmd(t, time.Minute, dir, env(nil), append(src,
		"-t", "4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "main", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_filename", "seg%d.ts", standin.PlaylistFile)...)
	runCmd(t, time.Minute, dir, env(nil), append(src, "-frames:v", "1", "-q:v", "3", standin.ThumbnailFile)...)
	for _, f := range []string{standin.PlaylistFile, "seg0.ts", "seg1.ts", standin.ThumbnailFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Fatalf("ffmpeg did not make %s: %v", f, err)
		}
	}
	return dir
}

// serveStandin runs a stand-in for Mux's edge on a free port and returns
// its host:port.
func serveStandin(t *testing.T, s *standin.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", freePorts(t, 1)[0]))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		_ = srv.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the stand-in did not stop")
		}
	})
	return ln.Addr().String()
}

// demoSite copies the site's publish folder (or E2E_PUBLIC_DIR, to try
// another page) into a temp folder and adds hls.js from the npm registry
// at vendor/hls.min.js.
func demoSite(t *testing.T) string {
	t.Helper()
	src := os.Getenv("E2E_PUBLIC_DIR")
	if src == "" {
		src = filepath.Join(repoRoot(t), "public")
	}
	if _, err := os.Stat(filepath.Join(src, "index.html")); err != nil {
		t.Fatalf("the demo page is missing: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "public")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	hls, err := os.ReadFile(filepath.Join(need(t, "E2E_NODE_MODULES"), "hls.js", "dist", "hls.min.js"))
	if err != nil {
		t.Fatalf("hls.js is not installed where run.sh put it: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(dst, "vendor"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "vendor", "hls.min.js"), hls, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// playResult is what play.cjs reports.
type playResult struct {
	Responses []struct {
		URL, Type, From string
		Status          int
	} `json:"responses"`
	Failed []struct {
		URL, Error string
	} `json:"failed"`
	Console       []string `json:"console"`
	PageErrors    []string `json:"pageErrors"`
	WaitError     string   `json:"waitError"`
	State         string   `json:"state"`
	Status        *string  `json:"status"`
	StatusVisible bool     `json:"statusVisible"`
	HLSVersion    string   `json:"hlsVersion"`
	Video         *struct {
		CurrentTime      float64 `json:"currentTime"`
		TotalVideoFrames int     `json:"totalVideoFrames"`
		VideoWidth       int     `json:"videoWidth"`
		VideoHeight      int     `json:"videoHeight"`
		Poster           string  `json:"poster"`
	} `json:"video"`
	LaunchMs int `json:"launchMs"`
	StateMs  int `json:"stateMs"`
	PlayMs   int `json:"playMs"`
	TotalMs  int `json:"totalMs"`
}

// play opens url in headless Chromium through play.cjs.
func play(t *testing.T, url, expect, screenshot string) playResult {
	t.Helper()
	return playWithCookies(t, url, expect, screenshot, nil)
}

// browserCookie is a cookie play.cjs sets in the browser before it opens
// the page (Playwright's addCookies form: name, value and the page's URL).
type browserCookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	URL   string `json:"url"`
}

// playWithCookies is play with cookies set in the browser first.
func playWithCookies(t *testing.T, url, expect, screenshot string, cookies []browserCookie) playResult {
	t.Helper()
	cfg, _ := json.Marshal(map[string]any{
		"url": url, "chromium": need(t, "E2E_CHROMIUM"), "userDataDir": t.TempDir(),
		"expect": expect, "screenshot": screenshot, "stateMs": 20000, "playMs": 20000,
		"cookies": cookies,
	})
	script, err := filepath.Abs(filepath.Join("browser", "play.cjs"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", script, string(cfg))
	cmd.Env = env(nil)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := runBounded(cmd, 90*time.Second); err != nil {
		t.Fatalf("play.cjs: %v\n%s", err, tail(stderr.String(), 30))
	}
	var r playResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("play.cjs output: %v\n%s", err, stdout.String())
	}
	t.Logf("figure: %s: Chromium launch %d ms, page to state %q %d ms, to playback past 1 s %d ms, whole run %d ms",
		expect, r.LaunchMs, r.State, r.StateMs, r.PlayMs, r.TotalMs)
	t.Cleanup(func() {
		if t.Failed() {
			status := "<no #status>"
			if r.Status != nil {
				status = *r.Status
			}
			t.Logf("browser: state %q status %q wait %q\nconsole: %s\npage errors: %v\nfailed requests: %+v\nresponses: %+v",
				r.State, status, r.WaitError, strings.Join(r.Console, "\n  "), r.PageErrors, r.Failed, r.Responses)
		}
	})
	return r
}

// runBounded runs cmd in its own process group, killing the group after
// timeout.
func runBounded(cmd *exec.Cmd, timeout time.Duration) error {
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		killGroup(cmd.Process.Pid)
		<-done
		return fmt.Errorf("did not finish within %s", timeout)
	}
}

// fnServer runs the function's local server on a free port with the given
// key and Mux hosts, and returns its base URL.
func fnServer(t *testing.T, name, bin, public string, key testKey, muxHost string) string {
	t.Helper()
	return fnServerWith(t, name, bin, public, key, muxHost, nil)
}

// fnServerWith is fnServer with more settings, which may depend on the
// server's own base URL (its origin).
func fnServerWith(t *testing.T, name, bin, public string, key testKey, muxHost string, extra func(base string) map[string]string) string {
	t.Helper()
	base := fmt.Sprintf("http://127.0.0.1:%d", freePorts(t, 1)[0])
	e := map[string]string{}
	if extra != nil {
		e = extra(base)
	}
	e["MUX_SIGNING_KEY"], e["MUX_PRIVATE_KEY"] = key.ID, key.Env
	e["MUX_STREAM_HOST"], e["MUX_IMAGE_HOST"] = "http://"+muxHost, "http://"+muxHost
	p := start(t, name, filepath.Dir(bin), env(e), bin, "--addr", strings.TrimPrefix(base, "http://"), "--public", public, "--env-file", "")
	waitHTTP(t, p, base+"/", 30*time.Second)
	t.Cleanup(func() { checkNoSecret(t, name+"'s log", p.log(), secretPieces(key)) })
	return base
}

// buildLocal builds the function as `make dev` runs it (with the local
// server), and returns the binary's path.
func buildLocal(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sign_playback_id")
	runCmd(t, 5*time.Minute, repoRoot(t), env(nil), "go", "build", "-o", bin, "./functions/sign_playback_id")
	return bin
}

func TestBrowser(t *testing.T) {
	stream := makeStream(t)
	public := demoSite(t)
	bin := buildLocal(t)

	keyID := randomKeyID(t)
	key, otherKey := newKey(t, keyID), newKey(t, keyID) // same ID, different key
	edge := &standin.Server{Key: &key.Priv.PublicKey, KeyID: keyID, Dir: stream}
	edgeHost := serveStandin(t, edge)
	// A stand-in whose clock is 8 days ahead: every token of the default
	// 7-day life has expired there.
	later := &standin.Server{Key: &key.Priv.PublicKey, KeyID: keyID, Dir: stream, Now: func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }}
	laterHost := serveStandin(t, later)

	reports := need(t, "E2E_REPORTS")
	if err := os.MkdirAll(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(reports, "playing.png")
	if err := os.Remove(shot); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}

	// The demo page plays with Chromium's own HLS support by default and
	// with hls.js (vendor/hls.min.js) when asked with ?player=hlsjs.
	players := []struct {
		name, query, shot, says string
	}{
		{"native HLS", "", shot, "with the browser's own HLS support"},
		{"hls.js", "&player=hlsjs", filepath.Join(reports, "playing-hlsjs.png"), "with hls.js"},
	}
	for _, pl := range players {
		t.Run("plays through the 302 with a valid token: "+pl.name, func(t *testing.T) {
			seen := len(edge.Requests())
			base := fnServer(t, "function", bin, public, key, edgeHost)
			from := time.Now()
			r := play(t, base+"/?playbackId="+playbackID+pl.query, "playing", pl.shot)
			to := time.Now()
			if r.State != "playing" || r.WaitError != "" {
				t.Fatalf("page state %q (%s), status %v", r.State, r.WaitError, r.Status)
			}
			if r.Video == nil || r.Video.CurrentTime <= 1 || r.Video.TotalVideoFrames <= 0 {
				t.Fatalf("the video did not play: %+v", r.Video)
			}
			t.Logf("figure: %s played to %.2f s, %d frames decoded, %dx%d", pl.name, r.Video.CurrentTime, r.Video.TotalVideoFrames, r.Video.VideoWidth, r.Video.VideoHeight)
			if r.Video.VideoWidth != 320 || r.Video.VideoHeight != 240 {
				t.Errorf("video is %dx%d, want the 320x240 test stream", r.Video.VideoWidth, r.Video.VideoHeight)
			}
			if r.Status == nil || !strings.Contains(*r.Status, pl.says) {
				t.Errorf("#status %v does not say it plays %s", r.Status, pl.says)
			}
			if pl.query != "" && r.HLSVersion != "1.7.4" {
				t.Errorf("hls.js version %q on the page, want 1.7.4 from the npm registry", r.HLSVersion)
			}
			if len(r.PageErrors) > 0 {
				t.Errorf("page errors: %v", r.PageErrors)
			}

			manifest := "http://" + edgeHost + "/" + playbackID + ".m3u8?token="
			thumbnail := "http://" + edgeHost + "/" + playbackID + "/thumbnail.jpg?token="
			var sawManifest, sawPoster bool
			for _, resp := range r.Responses {
				switch {
				case strings.HasPrefix(resp.URL, manifest):
					// Chromium's own HLS player fetches the playlist again
					// at its final URL, without the redirect.
					if resp.Status != http.StatusOK || (resp.From != "" && !strings.HasSuffix(resp.From, functionPath+"?playbackId="+playbackID)) {
						t.Errorf("manifest %d, redirected from %q", resp.Status, resp.From)
						continue
					}
					verifyToken(t, strings.TrimPrefix(resp.URL, manifest), want{key: key, aud: "v", life: defaultLife, grain: defaultGrain, from: from, to: to})
					sawManifest = sawManifest || resp.From != ""
				case strings.HasPrefix(resp.URL, thumbnail):
					if resp.Status != http.StatusOK || !strings.HasSuffix(resp.From, functionPath+"?playbackId="+playbackID+"&type=thumbnail") {
						t.Errorf("poster %d, redirected from %q", resp.Status, resp.From)
						continue
					}
					verifyToken(t, strings.TrimPrefix(resp.URL, thumbnail), want{key: key, aud: "t", life: defaultLife, grain: defaultGrain, from: from, to: to})
					sawPoster = true
				}
			}
			if !sawManifest {
				t.Error("the browser got no manifest through the function's 302")
			}
			if !sawPoster {
				t.Error("the browser got no poster through the function's thumbnail 302")
			}

			var manifests, segments, thumbs int
			for _, req := range edge.Requests()[seen:] {
				if req.Status != http.StatusOK {
					t.Errorf("the stand-in refused %s %s: %d %s", req.Method, req.Path, req.Status, req.Reason)
					continue
				}
				if _, err := edge.Verify(req.Token, playbackID, req.Audience); err != nil {
					t.Errorf("the stand-in served %s with a token that does not verify: %v", req.Path, err)
				}
				switch {
				case req.Path == "/"+playbackID+".m3u8":
					manifests++
				case strings.HasSuffix(req.Path, ".ts"):
					segments++
				case strings.HasSuffix(req.Path, "/thumbnail.jpg"):
					thumbs++
				}
			}
			t.Logf("the stand-in accepted %d manifest, %d segment and %d thumbnail requests", manifests, segments, thumbs)
			if manifests == 0 || segments == 0 || thumbs == 0 {
				t.Error("want each at least once")
			}
			png, err := os.ReadFile(pl.shot)
			if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
				t.Errorf("no PNG screenshot at %s: %v", pl.shot, err)
			} else {
				t.Logf("screenshot of the playing page: %s (%d bytes)", pl.shot, len(png))
			}
		})
	}

	refused := []struct {
		name   string
		key    testKey
		edge   *standin.Server
		host   string
		reason error
	}{
		{"a token signed with a different key", otherKey, edge, edgeHost, standin.ErrSignature},
		{"an expired token", key, later, laterHost, standin.ErrExpired},
	}
	for _, tt := range refused {
		for _, pl := range players {
			t.Run(tt.name+" is refused and the page says so: "+pl.name, func(t *testing.T) {
				seen := len(tt.edge.Requests())
				base := fnServer(t, "function", bin, public, tt.key, tt.host)
				r := play(t, base+"/?playbackId="+playbackID+pl.query, "error", "")
				if r.State != "error" {
					t.Fatalf("page state %q (%s), want error; status %v", r.State, r.WaitError, r.Status)
				}
				if r.Status == nil || *r.Status == "" || !r.StatusVisible {
					t.Fatalf("#status is empty or hidden (%v): the page does not show the error", r.Status)
				}
				t.Logf("page status: %q", *r.Status)
				if r.Video != nil && r.Video.TotalVideoFrames > 0 {
					t.Errorf("the video decoded %d frames with a refused token", r.Video.TotalVideoFrames)
				}
				var refusedManifest bool
				for _, req := range tt.edge.Requests()[seen:] {
					if req.Status == http.StatusOK && req.Audience == "v" {
						t.Errorf("the stand-in accepted %s", req.Path)
					}
					if req.Path == "/"+playbackID+".m3u8" && req.Status == http.StatusForbidden && strings.HasPrefix(req.Reason, tt.reason.Error()) {
						refusedManifest = true
					}
				}
				if !refusedManifest {
					t.Errorf("the stand-in did not refuse the manifest with %q: %+v", tt.reason, tt.edge.Requests()[seen:])
				}
			})
		}
	}
}
