//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// edgeEnv turns edge caching on with the default 7-day tokens on a 1-hour
// grain.
var edgeEnv = map[string]string{"MUX_EDGE_CACHE": "true"}

var maxAge = regexp.MustCompile(`^public, durable, max-age=([0-9]+), must-revalidate$`)

// checkEdgeHeaders checks the headers of one answer as Netlify's CDN would
// read them: cacheable means Netlify-CDN-Cache-Control allows at most the
// rest of the current grain (exp + grain - life), keyed on the parameters
// the function reads and tagged for purging; otherwise no-store. Browsers
// always get private, no-store.
func checkEdgeHeaders(t *testing.T, h map[string]string, cacheable bool, issued time.Time) {
	t.Helper()
	get := func(name string) string {
		for k, v := range h {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return ""
	}
	if got := get("Cache-Control"); got != "private, no-store" {
		t.Errorf("Cache-Control %q, want private, no-store", got)
	}
	vary := get("Netlify-Vary")
	if !strings.HasPrefix(vary, "query=") || !strings.Contains(vary, "playbackId") || !strings.Contains(vary, "response") || strings.Contains(vary, "utm") {
		t.Errorf("Netlify-Vary %q, want the parameters the function reads and no others", vary)
	}
	cdn := get("Netlify-CDN-Cache-Control")
	if !cacheable {
		if cdn != "no-store" {
			t.Errorf("Netlify-CDN-Cache-Control %q, want no-store", cdn)
		}
		return
	}
	m := maxAge.FindStringSubmatch(cdn)
	if m == nil {
		t.Fatalf("Netlify-CDN-Cache-Control %q, want public, durable, max-age=N, must-revalidate", cdn)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	// The grain is one hour: the answer may live until the next whole hour
	// after issued (+ 7 days, a whole number of hours).
	left := 3600 - issued.Unix()%3600
	if n < 1 || n > left+1 {
		t.Errorf("max-age %d, want 1 to %d (the rest of the grain)", n, left)
	}
	if tags := get("Netlify-Cache-Tag"); !strings.Contains(tags, "mux-sign-"+playbackID) {
		t.Errorf("Netlify-Cache-Tag %q, want the playback ID's tag", tags)
	}
}

// TestEdgeLambda: under the Lambda emulator, the Netlify build with
// MUX_EDGE_CACHE=true sends the edge headers on the real event path.
func TestEdgeLambda(t *testing.T) {
	key := newKey(t, randomKeyID(t))
	e := map[string]string{"MUX_SIGNING_KEY": key.ID, "MUX_PRIVATE_KEY": key.Env}
	for k, v := range edgeEnv {
		e[k] = v
	}
	r := startRIE(t, buildLikeNetlify(t), e)
	for _, tt := range []struct {
		name      string
		method    string
		query     []string
		headers   map[string]string
		status    int
		cacheable bool
	}{
		{"redirect named in the query", "GET", []string{"playbackId", playbackID, "response", "redirect", "utm_source", "x"}, nil, 302, true},
		{"JSON named in the query", "GET", []string{"playbackId", playbackID, "response", "json"}, nil, 200, true},
		{"mode from Accept", "GET", []string{"playbackId", playbackID}, map[string]string{"accept": "application/json"}, 200, false},
		{"HEAD", "HEAD", []string{"playbackId", playbackID, "response", "redirect"}, nil, 302, false},
		{"bad request", "GET", []string{"playbackId", playbackID, "response", "redirect", "type", "audio"}, nil, 400, false},
		{"preflight", "OPTIONS", nil, map[string]string{"origin": "https://www.example.com"}, 204, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			issued := time.Now()
			resp := r.invoke(t, event(tt.method, q(tt.query...), tt.headers))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, resp.Body, tt.status)
			}
			checkEdgeHeaders(t, resp.Headers, tt.cacheable, issued)
		})
	}
}

// TestEdgeNetlifyDev: the headers come through `netlify dev` (which does
// not emulate the CDN: it only passes them on).
func TestEdgeNetlifyDev(t *testing.T) {
	key := newKey(t, randomKeyID(t))
	ports := freePorts(t, 3)
	base, _ := serveWithCLIEnv(t, "netlify-dev", key, edgeEnv, "dev", "--offline", "--internal-disable-edge-functions",
		"--no-open", "--skip-gitignore", "--functions-port", fmt.Sprint(ports[1]), "--staticServerPort", fmt.Sprint(ports[2]),
		"--port", fmt.Sprint(ports[0]))
	for _, tt := range []struct {
		name      string
		query     string
		status    int
		cacheable bool
	}{
		{"redirect named in the query", "playbackId=" + playbackID + "&response=redirect&utm_campaign=y", 302, true},
		{"mode from Accept", "playbackId=" + playbackID, 302, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			issued := time.Now()
			resp, body := do(t, "GET", base+functionPath+"?"+tt.query, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			h := map[string]string{}
			for k := range resp.Header {
				h[k] = resp.Header.Get(k)
			}
			checkEdgeHeaders(t, h, tt.cacheable, issued)
		})
	}
	if resp, _ := do(t, "GET", base+functionPath+"?playbackId="+playbackID+"&response=redirect", nil); resp.StatusCode != http.StatusFound {
		t.Fatalf("a second request: %d", resp.StatusCode)
	}
}
