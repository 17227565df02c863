//go:build !lambda.norpc

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/devserver"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
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

	q := map[string]string{"playbackId": pos[0], "type": string(t), "response": "redirect"}
	// A DRM license token has no redirect target: its URLs come in the JSON.
	wantJSON := *asJSON || t == muxsign.DRMLicense
	if wantJSON {
		q["response"] = "json"
	}
	if *expiration != "" {
		q["expiration"] = *expiration
	}
	if *format != "" {
		q["format"] = *format
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
		if _, dup := q[name]; dup {
			return usageError(fs, stderr, "--param %s is given more than once", name)
		}
		q[name] = value
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

	// The request the function would get: the handler applies the same
	// validation, option allowlist and policy as in production.
	multi := make(map[string][]string, len(q))
	for k, v := range q {
		multi[k] = []string{v}
	}
	resp, _ := h.Handle(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod:                      http.MethodGet,
		Path:                            devserver.FunctionsPrefix + functionName,
		Headers:                         map[string]string{},
		QueryStringParameters:           q,
		MultiValueQueryStringParameters: multi,
	})

	switch {
	case resp.StatusCode == http.StatusFound:
		loc := resp.Headers["Location"]
		u, err := url.Parse(loc)
		if err != nil {
			return fmt.Errorf("sign: the function answered an unreadable Location: %w", err)
		}
		tok := u.Query().Get("token")
		if *raw {
			fmt.Fprintln(stdout, tok)
		} else {
			fmt.Fprintln(stdout, loc)
		}
		describeSigned(stderr, tok, cfg)
		return nil
	case resp.StatusCode == http.StatusOK && *asJSON:
		var buf bytes.Buffer
		if err := json.Indent(&buf, []byte(resp.Body), "", "  "); err != nil {
			return fmt.Errorf("sign: the function answered unreadable JSON: %w", err)
		}
		fmt.Fprintln(stdout, buf.String())
		return nil
	case resp.StatusCode == http.StatusOK: // drm_license
		var out endpoint.TokensResponse
		if err := json.Unmarshal([]byte(resp.Body), &out); err != nil || out.URLs.DRM == nil {
			return fmt.Errorf("sign: the function answered no DRM license URLs")
		}
		if *raw {
			fmt.Fprintln(stdout, out.Tokens.DRM)
		} else {
			fmt.Fprintln(stdout, "widevine:  "+out.URLs.DRM.Widevine)
			fmt.Fprintln(stdout, "playready: "+out.URLs.DRM.PlayReady)
			fmt.Fprintln(stdout, "fairplay:  "+out.URLs.DRM.FairPlay)
		}
		describeSigned(stderr, out.Tokens.DRM, cfg)
		return nil
	default:
		var body endpoint.ErrorBody
		msg := resp.Body
		if json.Unmarshal([]byte(resp.Body), &body) == nil && len(body.Errors) > 0 {
			msg = body.Errors[0].Message
		}
		fmt.Fprintf(stderr, "sign: the function would answer %d %s: %s\n", resp.StatusCode, http.StatusText(resp.StatusCode), msg)
		return exitCode(1)
	}
}

// describeSigned notes on stderr what a token unlocks and until when, so
// that stdout holds only the URL.
func describeSigned(w io.Writer, tok string, cfg endpoint.Config) {
	now := time.Now()
	r, err := muxsign.Verify(tok, &cfg.Key.PublicKey, muxsign.Expect{KeyID: cfg.KeyID}, now)
	if err != nil {
		fmt.Fprintf(w, "# warning: the token does not verify: %v\n", err)
		return
	}
	fmt.Fprintf(w, "# %s token for %s, key %s, expires %s (in %s)\n", r.Type, r.PlaybackID, cfg.KeyID,
		r.ExpiresAt.UTC().Format(time.RFC3339), muxsign.HumanDuration(r.ExpiresIn))
}
