//go:build !lambda.norpc

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/access"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxverify"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// Check levels, most severe last.
const (
	levelOK   = "ok"
	levelNote = "note"
	levelWarn = "WARN"
	levelFail = "FAIL"
)

// AWS Lambda's limit on all of a function's environment variables together,
// and where check starts to warn.
const (
	envSizeLimit = 4096
	envSizeWarn  = 3584
)

type checkLine struct{ level, subject, text string }

// runCheck validates the whole configuration and prints a report.
func runCheck(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "check [--env-file FILE] [--fetch]", stderr)
	envFile := fs.String("env-file", ".env", "file of KEY=VALUE lines to read, if it exists; the environment wins")
	fetch := fs.Bool("fetch", false, "under viewer sign-in, fetch the provider's discovery document and keys and say what was found")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 0 {
		return usageError(fs, stderr, "takes no arguments")
	}
	var lines []checkLine
	add := func(level, subject, format string, args ...any) {
		lines = append(lines, checkLine{level, subject, fmt.Sprintf(format, args...)})
	}

	file, err := readDotenv(*envFile)
	switch {
	case err != nil:
		add(levelFail, *envFile, "%v", err)
	case file == nil && *envFile != "":
		add(levelNote, *envFile, "no such file: reading the environment only")
	case file != nil:
		add(levelOK, *envFile, "read %d variable(s); the environment wins over them", len(file))
		getenv = overlayEnv(getenv, file)
	}

	cfg, cfgErr := endpoint.LoadConfig(getenv)
	problems := map[string][]string{}
	var ce *endpoint.ConfigError
	if errors.As(cfgErr, &ce) {
		for _, p := range ce.Problems {
			problems[p.Var] = append(problems[p.Var], p.Text)
		}
	}
	checked := map[string]bool{}
	check := func(name string, ok func()) {
		checked[name] = true
		if ps := problems[name]; len(ps) > 0 {
			for _, p := range ps {
				add(levelFail, name, "%s", p)
			}
			return
		}
		ok()
	}
	set := func(name string) bool { return strings.TrimSpace(getenv(name)) != "" }
	noKey := !set(endpoint.EnvSigningKey) && !set(endpoint.EnvPrivateKey)

	check(endpoint.EnvSigningKey, func() { add(levelOK, endpoint.EnvSigningKey, "key ID %s", cfg.KeyID) })
	check(endpoint.EnvPrivateKey, func() {
		add(levelOK, endpoint.EnvPrivateKey, "%s, RSA %d bits", muxsign.DescribeKeyForm(getenv(endpoint.EnvPrivateKey)), cfg.Key.N.BitLen())
	})
	if noKey {
		add(levelNote, "dev server", "with no key, `serve` signs with a throwaway development key whose tokens do not play on Mux")
	}
	if cfg.Key != nil && cfg.KeyID != "" {
		if err := selfTest(cfg); err != nil {
			add(levelFail, "self-test", "%v", err)
		} else {
			add(levelOK, "self-test", "a token signed with the key verifies with its public half")
		}
	}

	check(endpoint.EnvExpiration, func() {
		what := "default"
		if set(endpoint.EnvExpiration) {
			what = "set"
		}
		level := levelOK
		if cfg.Expiration < time.Hour {
			level = levelWarn
		}
		add(level, endpoint.EnvExpiration, "tokens last at most %s (%d s, %s); a request may ask for less with ?expiration=",
			muxverify.HumanDuration(cfg.Expiration), int64(cfg.Expiration/time.Second), what)
		if level == levelWarn {
			add(levelWarn, endpoint.EnvExpiration, "playback stops when the token expires: tokens must outlast the longest viewing")
		}
	})
	check(endpoint.EnvGrain, func() {
		if cfg.Grain == 0 {
			add(levelOK, endpoint.EnvGrain, "off: each token's exp is the request time plus its life")
			return
		}
		add(levelOK, endpoint.EnvGrain, "exp is rounded down to a %s grid, so a token lasts between %s and %s",
			muxverify.HumanDuration(cfg.Grain), muxverify.HumanDuration(cfg.Expiration-cfg.Grain), muxverify.HumanDuration(cfg.Expiration))
		if cfg.Grain > cfg.Expiration/10 {
			add(levelWarn, endpoint.EnvGrain, "over a tenth of %s: some tokens get only %s of life; the default grain is a tenth (at most 1 h)",
				endpoint.EnvExpiration, muxverify.HumanDuration(cfg.Expiration-cfg.Grain))
		}
	})
	check(endpoint.EnvCacheSize, func() {
		if cfg.CacheSize == 0 {
			add(levelOK, endpoint.EnvCacheSize, "off: every request signs")
		} else {
			add(levelOK, endpoint.EnvCacheSize, "each instance keeps up to %d tokens", cfg.CacheSize)
		}
	})

	check(endpoint.EnvRestrictionID, func() {
		if cfg.PlaybackRestrictionID == "" {
			add(levelNote, endpoint.EnvRestrictionID, "not set: Mux does not check the viewer's Referer or user agent")
		} else {
			add(levelOK, endpoint.EnvRestrictionID, "every token carries playback_restriction_id %s", cfg.PlaybackRestrictionID)
		}
	})
	check(endpoint.EnvAllowedPlaybackIDs, func() {
		if cfg.AllowedPlaybackIDs == nil {
			add(levelNote, endpoint.EnvAllowedPlaybackIDs, "not set: the function signs any playback ID it is asked for")
		} else {
			add(levelOK, endpoint.EnvAllowedPlaybackIDs, "only %d playback ID(s) are signed; others get 403", len(cfg.AllowedPlaybackIDs))
		}
	})
	check(endpoint.EnvAllowedOrigins, func() {
		if cfg.AllowedOrigins == nil {
			add(levelNote, endpoint.EnvAllowedOrigins, "not set: Access-Control-Allow-Origin: * lets any site's pages call the function")
		} else {
			add(levelOK, endpoint.EnvAllowedOrigins, "CORS allows only the listed origins")
		}
	})
	for _, host := range []struct{ name, base, def string }{
		{endpoint.EnvStreamHost, cfg.StreamBase, "https://stream.mux.com"},
		{endpoint.EnvImageHost, cfg.ImageBase, "https://image.mux.com"},
		{endpoint.EnvLicenseHost, cfg.LicenseBase, "https://license.mux.com"},
	} {
		check(host.name, func() {
			switch {
			case host.base == host.def:
				add(levelOK, host.name, "%s (default)", host.base)
			case strings.HasPrefix(host.base, "http://"):
				add(levelWarn, host.name, "%s: a local stand-in for Mux, not for production", host.base)
			default:
				add(levelOK, host.name, "%s (custom domain)", host.base)
			}
		})
	}
	check(endpoint.EnvDRM, func() {
		if cfg.DRM {
			add(levelOK, endpoint.EnvDRM, "on: JSON answers carry a DRM license token")
		} else {
			add(levelOK, endpoint.EnvDRM, "off: JSON answers carry a DRM license token only when asked (?drm=true)")
		}
	})
	checkWhoMayWatch(cfg, problems, checked, *fetch, add)
	if len(problems) == 0 {
		add(levelOK, "edge cache", "%s", cfg.EdgeRules().Describe())
	}
	checkEnvSize(getenv, file, add)

	width := 0
	for _, l := range lines {
		width = max(width, len(l.subject))
	}
	fmt.Fprintln(stdout, "Configuration of sign_playback_id (environment, then .env):")
	counts := map[string]int{}
	for _, l := range lines {
		counts[l.level]++
		fmt.Fprintf(stdout, "  %-4s  %-*s  %s\n", l.level, width, l.subject, l.text)
	}
	fmt.Fprintln(stdout)
	switch {
	case counts[levelFail] > 0:
		fmt.Fprintf(stdout, "%d problem(s), %d warning(s): the function answers every request with 500 until the problems are fixed.\n",
			counts[levelFail], counts[levelWarn])
		return exitCode(1)
	case counts[levelWarn] > 0:
		fmt.Fprintf(stdout, "usable, with %d warning(s).\n", counts[levelWarn])
	default:
		fmt.Fprintln(stdout, "all good.")
	}
	return nil
}

// checkEnvSize adds up the environment as AWS Lambda counts it against its
// 4 KB limit: the name and value of each variable. It counts the variables
// the function reads and those in the .env file; any other variable given
// the Functions scope on Netlify counts too.
func checkEnvSize(getenv func(string) string, file map[string]string, add func(level, subject, format string, args ...any)) {
	names := slices.Concat([]string{
		endpoint.EnvSigningKey, endpoint.EnvPrivateKey, endpoint.EnvExpiration, endpoint.EnvGrain,
		endpoint.EnvCacheSize, endpoint.EnvRestrictionID, endpoint.EnvAllowedPlaybackIDs,
		endpoint.EnvAllowedOrigins, endpoint.EnvStreamHost, endpoint.EnvImageHost,
		endpoint.EnvLicenseHost, endpoint.EnvDRM,
	}, viewer.Config{}.Vars(), access.Names())
	for name := range file {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	total, biggest, biggestName := 0, 0, ""
	for _, name := range names {
		v := getenv(name)
		if v == "" {
			continue
		}
		n := len(name) + len(v)
		total += n
		if n > biggest {
			biggest, biggestName = n, name
		}
	}
	const subject = "environment size"
	msg := fmt.Sprintf("%d of AWS Lambda's %d bytes for all variables together (names and values)", total, envSizeLimit)
	if total > 0 {
		msg = fmt.Sprintf("%s; the largest: %s, %d", msg, biggestName, biggest)
	}
	switch {
	case total > envSizeLimit:
		add(levelFail, subject, "%s: the deploy will fail", msg)
	case total > envSizeWarn:
		add(levelWarn, subject, "%s: little room left", msg)
	default:
		add(levelOK, subject, "%s", msg)
	}
	if total > envSizeWarn && biggestName == endpoint.EnvPrivateKey && !strings.Contains(getenv(endpoint.EnvPrivateKey), "-----BEGIN") {
		add(levelNote, subject, "a raw PEM is about a quarter smaller than base64 of it, and %s accepts both", endpoint.EnvPrivateKey)
	}
	add(levelNote, subject, "counted: the variables above and those in .env; other variables with the Functions scope on Netlify count too")
}

// selfTest signs a token with the configured key and verifies it.
func selfTest(cfg endpoint.Config) error {
	signer, err := muxsign.NewSigner(cfg.KeyID, cfg.Key)
	if err != nil {
		return err
	}
	now := time.Now()
	tok, err := signer.Sign(muxsign.Claims{PlaybackID: samplePlaybackID, Type: muxsign.Video, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		return err
	}
	_, err = muxverify.Verify(tok, &cfg.Key.PublicKey, muxverify.Expect{KeyID: cfg.KeyID, PlaybackID: samplePlaybackID, Type: muxsign.Video}, now)
	return err
}

// checkWhoMayWatch reports viewer sign-in and the access rules: their
// problems, what they mean, and with fetch, what the provider publishes.
func checkWhoMayWatch(cfg endpoint.Config, problems map[string][]string, checked map[string]bool, fetch bool,
	add func(level, subject, format string, args ...any)) {
	var rest []string
	for name := range problems {
		if !checked[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		for _, p := range problems[name] {
			add(levelFail, name, "%s", p)
		}
	}
	const subject = "who may watch"
	if !cfg.Viewer.Enabled() {
		add(levelNote, subject, "viewer sign-in is off: anyone who can reach the function gets tokens for every playback ID the settings allow")
	}
	if len(rest) > 0 {
		return
	}
	if cfg.Viewer.Enabled() {
		var from []string
		switch {
		case cfg.Viewer.JWKSURL != "":
			from = append(from, "tokens signed with the keys at "+cfg.Viewer.JWKSURL)
		case len(cfg.Viewer.HS256Secret) > 0:
			from = append(from, "HS256 tokens signed with the shared secret")
		case cfg.Viewer.Issuer != "":
			from = append(from, "tokens from "+cfg.Viewer.Issuer+" (OpenID discovery)")
		}
		if cfg.Viewer.NetlifyIdentity {
			from = append(from, "Netlify Identity users Netlify verified (under `netlify dev` NOT verified)")
		}
		add(levelOK, subject, "viewer sign-in: %s", strings.Join(from, "; "))
		where := "Authorization: Bearer"
		if cfg.Viewer.Cookie != "" {
			where += " or the cookie " + cfg.Viewer.Cookie
		}
		switch aud := strings.Join(cfg.Viewer.Audiences, ", "); {
		case cfg.Viewer.AudienceOptOut:
			add(levelOK, subject, "token from %s; audience not checked (%s); clock skew %s", where, viewer.AudienceNone, cfg.Viewer.ClockSkew)
		case aud != "":
			add(levelOK, subject, "token from %s; audience %s; clock skew %s", where, aud, cfg.Viewer.ClockSkew)
		default: // only Netlify's verified user: no token is read here
			add(levelOK, subject, "the viewer comes from Netlify's client context (Authorization: Bearer, verified by Netlify)")
		}
		if cfg.Viewer.CapTokenLife {
			add(levelWarn, subject, "%s: tokens end with the viewer's session, and playback stops then", viewer.EnvCapTokenLife)
		}
	}
	for _, line := range cfg.Access.Describe() {
		add(levelOK, subject, "%s", line)
	}
	if !fetch || !cfg.Viewer.Enabled() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	lines, err := viewer.NewVerifier(cfg.Viewer, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).Probe(ctx)
	for _, l := range lines {
		add(levelOK, "provider", "%s", l)
	}
	if err != nil {
		add(levelFail, "provider", "%v", err)
	}
}
