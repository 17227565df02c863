//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestViewerNetlifyDev: the function under `netlify dev` (a fresh process of
// it per request, so every request fetches discovery and keys again)
// verifies the provider's tokens from the nf_jwt cookie and the
// Authorization header as they come through the CLI's proxy.
func TestViewerNetlifyDev(t *testing.T) {
	key := newKey(t, randomKeyID(t))
	ports := freePorts(t, 4)
	issuer := fmt.Sprintf("http://127.0.0.1:%d", ports[3])
	op := startProvider(t, "oidc-provider", ports[3], issuer)
	member, guest := op.token(t, "member"), op.token(t, "guest")
	site := fmt.Sprintf("http://127.0.0.1:%d", ports[0])

	base, _ := serveWithCLIEnv(t, "netlify-dev", key, viewerEnv(issuer, site), "dev", "--offline", "--internal-disable-edge-functions",
		"--no-open", "--skip-gitignore", "--functions-port", fmt.Sprint(ports[1]), "--staticServerPort", fmt.Sprint(ports[2]),
		"--port", fmt.Sprint(ports[0]))
	fn := base + functionPath + "?playbackId=" + playbackID

	cases := []struct {
		name    string
		headers map[string]string
		want    viewerAnswer
	}{
		{"member by the nf_jwt cookie: 302", map[string]string{"Cookie": "theme=dark; nf_jwt=" + member}, viewerAnswer{status: 302}},
		{"member by the cookie from the site's origin: 302 with credentials", map[string]string{"Cookie": "nf_jwt=" + member, "Origin": site}, viewerAnswer{status: 302}},
		{"member by Authorization: Bearer: 302", map[string]string{"Authorization": "Bearer " + member}, viewerAnswer{status: 302}},
		{"no token: 401 Bearer", nil, viewerAnswer{status: 401, www: "Bearer", msg: "Sign in to watch this video."}},
		{"guest by the nf_jwt cookie: 403", map[string]string{"Cookie": "nf_jwt=" + guest}, viewerAnswer{status: 403, www: `Bearer error="insufficient_scope"`, msg: "Your account is not entitled to watch this video."}},
		{"guest by Authorization: Bearer: 403", map[string]string{"Authorization": "Bearer " + guest}, viewerAnswer{status: 403, www: `Bearer error="insufficient_scope"`, msg: "Your account is not entitled to watch this video."}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			from := time.Now()
			resp, body := do(t, "GET", fn, tt.headers)
			to := time.Now()
			if resp.StatusCode != http.StatusFound {
				t.Logf("answer: %d WWW-Authenticate %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
			}
			got := map[string]string{}
			for k := range resp.Header {
				got[k] = resp.Header.Get(k)
			}
			w := tt.want
			if tt.headers["Origin"] != "" {
				// checkViewerAnswer knows viewerOrigin; here the site is the origin.
				if got["Access-Control-Allow-Origin"] != site || got["Access-Control-Allow-Credentials"] != "true" {
					t.Errorf("Access-Control-Allow-Origin %q, -Credentials %q; want %s and true", got["Access-Control-Allow-Origin"], got["Access-Control-Allow-Credentials"], site)
				}
				delete(got, "Access-Control-Allow-Origin")
				delete(got, "Access-Control-Allow-Credentials")
			}
			checkViewerAnswer(t, got, resp.StatusCode, body, w, key, from, to, []string{member, guest})
		})
	}

	t.Run("the function fetched the provider's keys through discovery", func(t *testing.T) {
		d, j := op.served()
		t.Logf("figure: the provider served discovery %d times and its JWKS %d times for %d requests with a token", d, j, len(cases)-1)
		if d == 0 || j == 0 {
			t.Errorf("the provider served discovery %d and JWKS %d times, want both", d, j)
		}
	})
}
