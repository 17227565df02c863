//go:build !lambda.norpc

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/access"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// runViewer explains what the function would make of a viewer's sign-in
// token: whether it verifies (and if not, why: expired, issuer, audience,
// unknown key...), and whether the access rules let that viewer watch a
// playback ID from a country.
func runViewer(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("viewer", "viewer TOKEN [--playback-id ID] [--country CC]", stderr)
	id := fs.String("playback-id", "", "a playback ID to check the access rules for")
	country := fs.String("country", "", "the viewer's country, ISO 3166-1 alpha-2 (e.g. US), for country rules")
	envFile := fs.String("env-file", ".env", "file of KEY=VALUE lines to read, if it exists; the environment wins")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 {
		return usageError(fs, stderr, "want exactly one token (the viewer's sign-in JWT), got %d arguments", len(pos))
	}
	tok := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(pos[0]), "Bearer "))
	if *id != "" && !muxsign.ValidPlaybackID(*id) {
		return usageError(fs, stderr, "--playback-id must be 1 to %d ASCII letters and digits", muxsign.MaxPlaybackIDLen)
	}
	cc := strings.ToUpper(strings.TrimSpace(*country))

	getenv, err = withDotenv(getenv, *envFile)
	if err != nil {
		return err
	}
	cfg, err := endpoint.LoadConfig(getenv)
	if err != nil && cfg.Viewer.Enabled() {
		return configFailure(stderr, "viewer", err)
	}
	if !cfg.Viewer.Enabled() {
		fmt.Fprintln(stdout, "viewer sign-in is off (no MUX_VIEWER_* variable set): the function does not read viewer tokens")
		return exitCode(1)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	now := time.Now()
	v := viewer.NewVerifier(cfg.Viewer, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	who, verr := v.Verify(ctx, viewer.Credentials{Authorization: "Bearer " + tok}, now)
	if verr != nil {
		fmt.Fprintln(stdout, "refused: the function would answer this token with 401 (or 503 if the provider is down):")
	} else {
		fmt.Fprintf(stdout, "valid: signed-in viewer %q until %s\n", who.Subject, who.ExpiresAt.UTC().Format(time.RFC3339))
	}
	for _, line := range v.Explain(ctx, tok, now) {
		fmt.Fprintf(stdout, "  %s\n", line)
	}
	if verr != nil {
		return exitCode(1)
	}
	if *id == "" {
		return nil
	}
	d := cfg.Access.Decide(who.Claims, *id, cc)
	where := ""
	if cc != "" {
		where = " from " + cc
	}
	if d.Allowed {
		fmt.Fprintf(stdout, "allowed: this viewer may watch %s%s\n", *id, where)
		return nil
	}
	fmt.Fprintf(stdout, "refused (%d): %s\n  %s\n", d.Status(), d.Reason, d.Detail)
	if d.Code == access.CodeCountry && cc == "" {
		fmt.Fprintln(stdout, "  (no --country given: the country counts as unknown)")
	}
	return exitCode(1)
}
