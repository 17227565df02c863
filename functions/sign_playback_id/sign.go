//go:build !lambda.norpc

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxverify"
)

// runSign prints the signed URL the function would redirect to.
func runSign(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sign", "sign PLAYBACK_ID [--type T] [--param name=value ...] [--expiration D]", stderr)
	typ := fs.String("type", "video", "what the token unlocks: video, thumbnail, gif, storyboard or drm_license")
	expiration := fs.String("expiration", "", "token life, at most MUX_TOKEN_EXPIRATION (3600, 90m, 12h, 7d); default: that maximum")
	format := fs.String("format", "", "file extension: jpg, png or webp (thumbnail); gif or webp (gif); vtt or json (storyboard)")
	asJSON := fs.Bool("json", false, "print the JSON the function answers for Mux Player instead of a URL")
	raw := fs.Bool("raw", false, "print only the token, not the URL")
	envFile := fs.String("env-file", ".env", "file of KEY=VALUE lines to read, if it exists; the environment wins")
	var params paramList
	fs.Var(&params, "param", "a token option `name=value` (repeatable), such as time=10 or max_resolution=720p")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 {
		return usageError(fs, stderr, "want exactly one playback ID, got %d arguments", len(pos))
	}
	if *raw && *asJSON {
		return usageError(fs, stderr, "--raw and --json do not go together")
	}
	t, err := muxsign.ParseType(*typ)
	if err != nil {
		return usageError(fs, stderr, "--type: %v", err)
	}

	// A DRM license token has no redirect target: its URLs come in the JSON.
	req := endpoint.Request{
		Method:     http.MethodGet,
		PlaybackID: pos[0],
		Type:       t,
		Format:     *format,
		JSON:       *asJSON || t == muxsign.DRMLicense,
	}
	if *expiration != "" {
		d, err := muxsign.ParseDuration(*expiration)
		if err != nil {
			return usageError(fs, stderr, "--expiration: %v", err)
		}
		req.Life = d
	}
	for _, p := range params {
		name, value := p[0], p[1]
		if how, ok := reservedParams[name]; ok {
			return usageError(fs, stderr, "--param %s: use %s", name, how)
		}
		if !muxsign.IsParam(name) {
			return usageError(fs, stderr, "--param %s: not a token option; options for %s: %s",
				name, t, strings.Join(muxsign.ParamNames(t), ", "))
		}
		if _, dup := req.Options[name]; dup {
			return usageError(fs, stderr, "--param %s is given more than once", name)
		}
		if req.Options == nil {
			req.Options = map[string]string{}
		}
		req.Options[name] = value
	}

	getenv, err = withDotenv(getenv, *envFile)
	if err != nil {
		return err
	}
	h := endpoint.New(getenv, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	cfg, err := h.Config()
	if err != nil {
		return configFailure(stderr, "sign", err)
	}

	// The function's own core: the same validation, option allowlist and
	// policy as in production, without a transport in between.
	res := h.Serve(context.Background(), req)
	switch {
	case res.Status == http.StatusFound:
		tok := tokenOf(res.Location)
		if *raw {
			fmt.Fprintln(stdout, tok)
		} else {
			fmt.Fprintln(stdout, res.Location)
		}
		describeSigned(stderr, tok, cfg)
		return nil
	case res.Status == http.StatusOK && *asJSON:
		out, err := json.MarshalIndent(res.Tokens, "", "  ")
		if err != nil {
			return fmt.Errorf("sign: %w", err)
		}
		fmt.Fprintln(stdout, string(out))
		return nil
	case res.Status == http.StatusOK: // drm_license
		if *raw {
			fmt.Fprintln(stdout, res.Tokens.Tokens.DRM)
		} else {
			fmt.Fprintln(stdout, "widevine:  "+res.Tokens.URLs.DRM.Widevine)
			fmt.Fprintln(stdout, "playready: "+res.Tokens.URLs.DRM.PlayReady)
			fmt.Fprintln(stdout, "fairplay:  "+res.Tokens.URLs.DRM.FairPlay)
		}
		describeSigned(stderr, res.Tokens.Tokens.DRM, cfg)
		return nil
	default:
		fmt.Fprintf(stderr, "sign: the function would answer %d %s: %s\n", res.Status, http.StatusText(res.Status), res.Error)
		return exitCode(1)
	}
}

// tokenOf returns the token of a signed Mux URL: everything after its only
// "?token=" (the function builds these URLs itself).
func tokenOf(signedURL string) string {
	_, tok, _ := strings.Cut(signedURL, "?token=")
	return tok
}

// describeSigned notes on stderr what a token unlocks and until when, so
// that stdout holds only the URL.
func describeSigned(w io.Writer, tok string, cfg endpoint.Config) {
	now := time.Now()
	r, err := muxverify.Verify(tok, &cfg.Key.PublicKey, muxverify.Expect{KeyID: cfg.KeyID}, now)
	if err != nil {
		fmt.Fprintf(w, "# warning: the token does not verify: %v\n", err)
		return
	}
	fmt.Fprintf(w, "# %s token for %s, key %s, expires %s (in %s)\n", r.Type, r.PlaybackID, cfg.KeyID,
		r.ExpiresAt.UTC().Format(time.RFC3339), muxverify.HumanDuration(r.ExpiresIn))
}
