package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/devserver"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// The debugging subcommands use the function's own configuration (the
// environment, then .env) and its own handler, so that what they print is
// what the deployed function would do. Unlike serve, they never make a
// development key: with no key they say what is missing.

// parseInterspersed parses flags that may come before or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagError is the result of a command line the flag package refused: it
// has printed the problem and the usage. Asking for help is not an error.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return exitCode(2)
}

// paramList collects repeated --param k=v flags in order.
type paramList [][2]string

func (p *paramList) String() string { return "" }

func (p *paramList) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return errors.New("want name=value")
	}
	*p = append(*p, [2]string{k, val})
	return nil
}

// reservedParams are query parameters the function reads itself; sign has
// flags for them.
var reservedParams = map[string]string{
	"playbackId": "the ID argument", "type": "--type", "format": "--format",
	"response": "--json", "expiration": "--expiration", "drm": "--type drm_license",
}

// usageError prints a problem with the command line and the flags.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return exitCode(2)
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: sign_playback_id %s\n\nFlags (before or after the arguments):\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// configFailure prints the configuration problems that stop a command.
func configFailure(stderr io.Writer, cmd string, err error) error {
	fmt.Fprintf(stderr, "%s: the configuration is not usable:\n", cmd)
	var ce *endpoint.ConfigError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintf(stderr, "  - %s\n", p)
		}
	} else {
		fmt.Fprintf(stderr, "  - %v\n", err)
	}
	fmt.Fprintln(stderr, "Set the variables in the environment or in .env; `sign_playback_id check` reports on all of them.")
	return exitCode(1)
}

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
	want := muxsign.Expect{PlaybackID: *id}
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

	r, verr := muxsign.Verify(tok, &cfg.Key.PublicKey, want, time.Now())
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
	var keep []string
	for _, p := range ce.Problems {
		if strings.HasPrefix(p, endpoint.EnvSigningKey+":") || strings.HasPrefix(p, endpoint.EnvPrivateKey+":") {
			keep = append(keep, p)
		}
	}
	return &endpoint.ConfigError{Problems: keep}
}

// printReport writes what a token says, as far as it could be read.
func printReport(w io.Writer, r *muxsign.Report, want muxsign.Expect, from []string) {
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
		line("expires", "%s (in %s)", r.ExpiresAt.UTC().Format(time.RFC3339), muxsign.HumanDuration(r.ExpiresIn))
	default:
		line("expired", "%s (%s ago)", r.ExpiresAt.UTC().Format(time.RFC3339), muxsign.HumanDuration(r.ExpiresIn))
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
	fs := newFlagSet("check", "check [--env-file FILE]", stderr)
	envFile := fs.String("env-file", ".env", "file of KEY=VALUE lines to read, if it exists; the environment wins")
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
			name, msg, _ := strings.Cut(p, ": ")
			problems[name] = append(problems[name], msg)
		}
	}
	check := func(name string, ok func()) {
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
		add(levelOK, endpoint.EnvPrivateKey, "%s, RSA %d bits", describeKeyForm(getenv(endpoint.EnvPrivateKey)), cfg.Key.N.BitLen())
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
			muxsign.HumanDuration(cfg.Expiration), int64(cfg.Expiration/time.Second), what)
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
			muxsign.HumanDuration(cfg.Grain), muxsign.HumanDuration(cfg.Expiration-cfg.Grain), muxsign.HumanDuration(cfg.Expiration))
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
	names := []string{
		endpoint.EnvSigningKey, endpoint.EnvPrivateKey, endpoint.EnvExpiration, endpoint.EnvGrain,
		endpoint.EnvCacheSize, endpoint.EnvRestrictionID, endpoint.EnvAllowedPlaybackIDs,
		endpoint.EnvAllowedOrigins, endpoint.EnvStreamHost, endpoint.EnvImageHost,
		endpoint.EnvLicenseHost, endpoint.EnvDRM,
	}
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
	_, err = muxsign.Verify(tok, &cfg.Key.PublicKey, muxsign.Expect{KeyID: cfg.KeyID, PlaybackID: samplePlaybackID, Type: muxsign.Video}, now)
	return err
}

var pemLabel = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]{1,40})-----`)

// describeKeyForm says how a key that parsed was written: never any of its
// content beyond the PEM label.
func describeKeyForm(raw string) string {
	s := strings.TrimSpace(raw)
	var extras []string
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		extras = append(extras, "in quotes")
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if strings.Contains(s, `\n`) {
		extras = append(extras, `with literal \n line breaks`)
	}
	pemKind := func(text string) string {
		m := pemLabel.FindStringSubmatch(text)
		switch {
		case m == nil:
			return "PEM"
		case m[1] == "RSA PRIVATE KEY":
			return "PKCS#1 PEM"
		case m[1] == "PRIVATE KEY":
			return "PKCS#8 PEM"
		}
		return "PEM"
	}
	var form string
	if strings.Contains(s, "-----BEGIN") {
		form = "raw " + pemKind(s)
	} else {
		compact := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, s)
		compact = strings.TrimRight(compact, "=")
		enc := base64.RawStdEncoding
		if strings.ContainsAny(compact, "-_") {
			enc = base64.RawURLEncoding
		}
		decoded, err := enc.DecodeString(compact)
		switch {
		case err == nil && strings.Contains(string(decoded), "-----BEGIN"):
			form = "base64 of a " + pemKind(string(decoded))
			if pemKind(string(decoded)) == "PKCS#1 PEM" {
				form += " (as Mux's API returns it)"
			}
		case err == nil:
			form = "base64 of a DER key"
		default:
			form = "key"
		}
	}
	if len(extras) > 0 {
		form += ", " + strings.Join(extras, ", ")
	}
	return form
}

// readDotenv reads a .env file; a missing file gives nil and no error.
func readDotenv(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	file, err := devserver.ParseDotenv(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if file == nil {
		file = map[string]string{}
	}
	return file, nil
}

// overlayEnv returns getenv backed by file where the environment has no
// value.
func overlayEnv(getenv func(string) string, file map[string]string) func(string) string {
	return func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return file[name]
	}
}
