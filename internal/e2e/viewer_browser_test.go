//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/e2e/standin"
)

// TestViewerBrowser: in Chromium, the demo page served by the function's
// own server plays for a viewer whose nf_jwt cookie holds a member token
// from the provider, and tells a signed-out viewer and a guest why not.
func TestViewerBrowser(t *testing.T) {
	stream := makeStream(t)
	public := demoSite(t)
	bin := buildLocal(t)

	key := newKey(t, randomKeyID(t))
	edge := &standin.Server{Key: &key.Priv.PublicKey, KeyID: key.ID, Dir: stream}
	edgeHost := serveStandin(t, edge)
	port := freePorts(t, 1)[0]
	issuer := fmt.Sprintf("http://127.0.0.1:%d", port)
	op := startProvider(t, "oidc-provider", port, issuer)
	member, guest := op.token(t, "member"), op.token(t, "guest")
	// The demo page and the function on one origin, the site's.
	base := fnServerWith(t, "function", bin, public, key, edgeHost, func(site string) map[string]string { return viewerEnv(issuer, site) })
	// No warm-up: the page asks for the poster and the video at once, and
	// both must wait for the one fetch of the provider's keys.
	reports := need(t, "E2E_REPORTS")

	players := []struct{ name, query, says string }{
		{"native HLS", "", "with the browser's own HLS support"},
		{"hls.js", "&player=hlsjs", "with hls.js"},
	}
	for _, pl := range players {
		t.Run("signed in as a member (nf_jwt cookie): plays: "+pl.name, func(t *testing.T) {
			seen := len(edge.Requests())
			shot := filepath.Join(reports, "viewer-playing-"+strings.NewReplacer(" ", "-", ".", "").Replace(strings.ToLower(pl.name))+".png")
			from := time.Now()
			r := playWithCookies(t, base+"/?playbackId="+playbackID+pl.query, "playing", shot, []browserCookie{{Name: "nf_jwt", Value: member, URL: base}})
			to := time.Now()
			if r.State != "playing" || r.WaitError != "" {
				t.Fatalf("page state %q (%s), status %v", r.State, r.WaitError, r.Status)
			}
			if r.Video == nil || r.Video.CurrentTime <= 1 || r.Video.TotalVideoFrames <= 0 {
				t.Fatalf("the video did not play: %+v", r.Video)
			}
			t.Logf("figure: signed in, %s played to %.2f s, %d frames decoded", pl.name, r.Video.CurrentTime, r.Video.TotalVideoFrames)
			if r.Status == nil || !strings.Contains(*r.Status, pl.says) {
				t.Errorf("#status %v does not say it plays %s", r.Status, pl.says)
			}
			if len(r.PageErrors) > 0 {
				t.Errorf("page errors: %v", r.PageErrors)
			}
			var redirected bool
			manifest := "http://" + edgeHost + "/" + playbackID + ".m3u8?token="
			for _, resp := range r.Responses {
				if strings.HasPrefix(resp.URL, manifest) && strings.HasSuffix(resp.From, functionPath+"?playbackId="+playbackID) {
					redirected = true
					verifyToken(t, strings.TrimPrefix(resp.URL, manifest), want{key: key, aud: "v", life: defaultLife, grain: defaultGrain, from: from, to: to})
				}
				if strings.Contains(resp.URL, functionPath) && resp.Status != http.StatusFound {
					t.Errorf("the function answered %s with %d", resp.URL, resp.Status)
				}
			}
			if !redirected {
				t.Error("the browser got no manifest through the function's 302")
			}
			var segments int
			for _, req := range edge.Requests()[seen:] {
				if req.Status != http.StatusOK {
					t.Errorf("the stand-in refused %s: %d %s", req.Path, req.Status, req.Reason)
				}
				if strings.HasSuffix(req.Path, ".ts") {
					segments++
				}
			}
			if segments == 0 {
				t.Error("the stand-in served no segment")
			}
		})
	}

	refused := []struct {
		name    string
		cookies []browserCookie
		status  int
		lead    string // public/app.js's words for the status
	}{
		{"signed out: asked to sign in", nil, http.StatusUnauthorized, "Sign in to watch."},
		{"signed in without the role: not available", []browserCookie{{Name: "nf_jwt", Value: guest, URL: base}}, http.StatusForbidden, "This video is not available to you."},
	}
	for _, tt := range refused {
		for _, pl := range players {
			t.Run(tt.name+": "+pl.name, func(t *testing.T) {
				seen := len(edge.Requests())
				r := playWithCookies(t, base+"/?playbackId="+playbackID+pl.query, "error", "", tt.cookies)
				if r.State != "error" {
					t.Fatalf("page state %q (%s), want error; status %v", r.State, r.WaitError, r.Status)
				}
				if r.Status == nil || !r.StatusVisible || !strings.HasPrefix(*r.Status, tt.lead) {
					t.Fatalf("#status %v (visible %v), want it to start with %q", r.Status, r.StatusVisible, tt.lead)
				}
				t.Logf("page status: %q", *r.Status)
				if want := fmt.Sprintf("The function answers %d", tt.status); !strings.Contains(*r.Status, want) {
					t.Errorf("#status does not say %q", want)
				}
				if r.Video != nil && r.Video.TotalVideoFrames > 0 {
					t.Errorf("the video decoded %d frames", r.Video.TotalVideoFrames)
				}
				var fnAnswers int
				for _, resp := range r.Responses {
					if strings.Contains(resp.URL, functionPath) {
						fnAnswers++
						if resp.Status != tt.status {
							t.Errorf("the function answered %s with %d, want %d", resp.URL, resp.Status, tt.status)
						}
					}
				}
				if fnAnswers == 0 {
					t.Error("the page never reached the function")
				}
				if n := len(edge.Requests()) - seen; n != 0 {
					t.Errorf("the stand-in got %d requests: no token should have been signed", n)
				}
			})
		}
	}
}
