package viewer_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// How the endpoint uses the package: load the configuration once, make one
// Verifier per process, and turn a refusal into the HTTP answer.
func Example() {
	getenv := func(name string) string {
		return map[string]string{
			"MUX_VIEWER_ISSUER":   "https://tenant.example.com/",
			"MUX_VIEWER_AUDIENCE": "https://api.example.com",
			"MUX_VIEWER_COOKIE":   "nf_jwt",
		}[name]
	}
	cfg, err := viewer.LoadConfig(getenv)
	if err != nil || !cfg.Enabled() {
		fmt.Println("config:", err)
		return
	}
	v := viewer.NewVerifier(cfg, nil, nil) // no network until a token needs keys

	// A request without credentials (no Authorization, no nf_jwt cookie).
	_, err = v.Verify(context.Background(), viewer.Credentials{Cookie: "theme=dark"}, time.Now())
	var e *viewer.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.WWWAuthenticate())
		fmt.Println(e.Description)
		// 503: also set Retry-After from e.RetryAfter.
	}
	// Output:
	// 401 Bearer
	// sign in to watch this video
}
