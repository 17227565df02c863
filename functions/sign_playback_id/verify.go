//go:build !lambda.norpc

package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxverify"
)

// runVerify explains what Mux would say of a token.
func runVerify(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", "verify TOKEN|SIGNED_URL [--playback-id ID] [--type T]", stderr)
	id := fs.String("playback-id", "", "the playback ID the token must unlock (default: from the URL, if one is given)")
	typ := fs.String("type", "", "what the token must unlock: video, thumbnail, gif, storyboard or drm_license (default: from the URL)")
	envFile := fs.String("env-file", ".env", "file of KEY=VALUE lines to read, if it exists; the environment wins")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 {
		return usageError(fs, stderr, "want exactly one token or signed URL, got %d arguments", len(pos))
	}
	want := muxverify.Expect{PlaybackID: *id}
	if *typ != "" {
		t, err := muxsign.ParseType(*typ)
		if err != nil {
			return usageError(fs, stderr, "--type: %v", err)
		}
		want.Type = t
	}
	tok, fromURL, err := tokenFromArg(pos[0])
	if err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	var from []string
	if fromURL.PlaybackID != "" && want.PlaybackID == "" {
		want.PlaybackID = fromURL.PlaybackID
		from = append(from, "playback ID")
	}
	if fromURL.Type != "" && want.Type == "" {
		want.Type = fromURL.Type
		from = append(from, "type")
	}

	getenv, err = withDotenv(getenv, *envFile)
	if err != nil {
		return err
	}
	cfg, err := endpoint.LoadConfig(getenv)
	if cfg.Key == nil || cfg.KeyID == "" {
		return configFailure(stderr, "verify", keyProblems(err))
	}
	want.KeyID = cfg.KeyID

	r, verr := muxverify.Verify(tok, &cfg.Key.PublicKey, want, time.Now())
	if verr != nil {
		fmt.Fprintln(stdout, "invalid: Mux would refuse this token (HTTP 403):")
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "  - %s\n", p)
		}
	} else {
		fmt.Fprintln(stdout, "valid: Mux would accept this token")
	}
	printReport(stdout, r, want, from)
	if verr != nil {
		return exitCode(1)
	}
	return nil
}

// keyProblems keeps the problems of the key variables: the only ones verify
// needs.
func keyProblems(err error) error {
	var ce *endpoint.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	keep := &endpoint.ConfigError{}
	for _, p := range ce.Problems {
		if p.Var == endpoint.EnvSigningKey || p.Var == endpoint.EnvPrivateKey {
			keep.Problems = append(keep.Problems, p)
		}
	}
	return keep
}

// printReport writes what a token says, as far as it could be read.
func printReport(w io.Writer, r *muxverify.Report, want muxverify.Expect, from []string) {
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-10s %s\n", label+":", fmt.Sprintf(format, args...))
	}
	if r.Claims == nil {
		return
	}
	if r.Type != "" {
		line("unlocks", "%s (aud %q) of playback ID %s", r.Type, r.Audience, orNone(r.PlaybackID))
	} else {
		line("unlocks", "aud %s of playback ID %s", orNone(r.Audience), orNone(r.PlaybackID))
	}
	var kids []string
	if r.HeaderKeyID != "" {
		kids = append(kids, r.HeaderKeyID+" (header)")
	}
	if r.ClaimKeyID != "" && r.ClaimKeyID != r.HeaderKeyID {
		kids = append(kids, r.ClaimKeyID+" (claims)")
	} else if r.ClaimKeyID != "" {
		kids[0] = r.HeaderKeyID + " (header and claims)"
	}
	line("key ID", "%s; configured: %s", orNone(strings.Join(kids, ", ")), want.KeyID)
	switch {
	case r.SignatureValid:
		line("signature", "matches the configured key")
	case r.SignatureChecked:
		line("signature", "does NOT match the configured key")
	default:
		line("signature", "not checked")
	}
	switch {
	case r.ExpiresAt.IsZero():
	case r.ExpiresIn > 0:
		line("expires", "%s (in %s)", r.ExpiresAt.UTC().Format(time.RFC3339), muxverify.HumanDuration(r.ExpiresIn))
	default:
		line("expired", "%s (%s ago)", r.ExpiresAt.UTC().Format(time.RFC3339), muxverify.HumanDuration(r.ExpiresIn))
	}
	if len(r.Options) > 0 {
		names := make([]string, 0, len(r.Options))
		for k := range r.Options {
			names = append(names, k)
		}
		slices.Sort(names)
		for i, k := range names {
			names[i] = k + "=" + r.Options[k]
		}
		line("options", "%s", strings.Join(names, ", "))
	}
	for _, warning := range r.Warnings {
		line("warning", "%s", warning)
	}
	if len(from) > 0 {
		line("checked", "against the URL's %s", strings.Join(from, " and "))
	}
	var unchecked []string
	if want.PlaybackID == "" {
		unchecked = append(unchecked, "the playback ID (pass --playback-id ID)")
	}
	if want.Type == "" {
		unchecked = append(unchecked, "the type (pass --type T)")
	}
	if len(unchecked) > 0 {
		line("unchecked", "%s", strings.Join(unchecked, " and "))
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// urlTarget is what a signed Mux URL's path says the token is for.
type urlTarget struct {
	PlaybackID string
	Type       muxsign.Type
}

var urlPaths = []struct {
	re  *regexp.Regexp
	typ muxsign.Type
}{
	{regexp.MustCompile(`^/([A-Za-z0-9]+)\.m3u8$`), muxsign.Video},
	{regexp.MustCompile(`^/([A-Za-z0-9]+)/thumbnail\.[a-z]+$`), muxsign.Thumbnail},
	{regexp.MustCompile(`^/([A-Za-z0-9]+)/animated\.[a-z]+$`), muxsign.GIF},
	{regexp.MustCompile(`^/([A-Za-z0-9]+)/storyboard\.[a-z]+$`), muxsign.Storyboard},
	{regexp.MustCompile(`^/license/[a-z]+/([A-Za-z0-9]+)$`), muxsign.DRMLicense},
}

// tokenFromArg returns the token in arg: arg itself, or the token parameter
// of a signed URL, with the playback ID and type its path names.
func tokenFromArg(arg string) (string, urlTarget, error) {
	arg = strings.TrimSpace(arg)
	if !strings.Contains(arg, "://") && !strings.Contains(arg, "?") {
		return arg, urlTarget{}, nil
	}
	u, err := url.Parse(arg)
	if err != nil {
		return "", urlTarget{}, errors.New("the argument looks like a URL but does not parse as one")
	}
	tok := u.Query().Get("token")
	if tok == "" {
		return "", urlTarget{}, errors.New("the URL has no token= parameter")
	}
	for _, p := range urlPaths {
		if m := p.re.FindStringSubmatch(u.Path); m != nil {
			return tok, urlTarget{PlaybackID: m[1], Type: p.typ}, nil
		}
	}
	return tok, urlTarget{}, nil
}
