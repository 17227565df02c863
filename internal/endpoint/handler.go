package endpoint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/edgecache"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// TokenSource signs claims: a *muxsign.Signer, or a *muxsign.Cache in front
// of one.
type TokenSource interface {
	Sign(muxsign.Claims) (string, error)
}

// Handler is the function: it turns a Request into a Result. Transports
// adapt to it: Handle for Lambda events, ServeHTTP for the local server,
// and the sign command calls Serve. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	cfgErr  error
	tokens  TokenSource
	viewers *viewer.Verifier // nil unless viewer sign-in is on
	edge    edgecache.Rules  // what Netlify's CDN may cache; zero when off
	now     func() time.Time
	log     *slog.Logger
}

// New returns the Handler for the configuration in getenv. A configuration
// error is logged once, here, with every detail; every request then gets a
// 500 that names the variables to fix, without the diagnosis. The handler
// stays up so that the message reaches whoever is looking. now is the clock
// for token expiry.
func New(getenv func(string) string, now func() time.Time, log *slog.Logger) *Handler {
	cfg, err := LoadConfig(getenv)
	h := &Handler{cfg: cfg, cfgErr: err, now: now, log: log}
	if err != nil {
		log.Error("configuration error: every request will get a 500 until it is fixed", "error", err.Error())
		return h
	}
	signer, err := muxsign.NewSigner(cfg.KeyID, cfg.Key)
	if err != nil { // LoadConfig checked both; kept for safety
		h.cfgErr = &envconf.Error{Problems: []envconf.Problem{{Var: EnvSigningKey, Text: err.Error()}}}
		log.Error("configuration error", "error", h.cfgErr.Error())
		return h
	}
	h.tokens = signer
	if cfg.CacheSize > 0 {
		h.tokens = muxsign.NewCache(signer, cfg.CacheSize)
	}
	if cfg.Viewer.Enabled() {
		h.viewers = viewer.NewVerifier(cfg.Viewer, nil, log) // fetches nothing until a token needs keys
	}
	h.edge = cfg.EdgeRules()
	return h
}

// Config returns the configuration the handler runs with, and the error
// that made it unusable, if any.
func (h *Handler) Config() (Config, error) { return h.cfg, h.cfgErr }

// Result is the function's answer to one request, before a transport writes
// it: the status, the headers to set (Location among them for a redirect),
// and the body. JSON answers also carry their tokens, redirects their URL,
// and errors their public message, so that callers need not parse them back.
type Result struct {
	Status  int
	Headers map[string]string
	Body    string

	Location  string          // a redirect's signed URL
	Tokens    *TokensResponse // a JSON answer's tokens and URLs
	ExpiresAt time.Time       // the exp of the tokens in the answer
	Error     string          // the public message of an error answer

	detail      string         // what the log says of a refusal, beyond Error
	kind        edgecache.Kind // what the answer is, for the edge cache
	life, grain time.Duration  // of the answer's tokens
}

// Allowed methods, as sent in Allow and Access-Control-Allow-Methods.
const allowedMethods = "GET, HEAD, POST, OPTIONS"

// Serve answers r. It never fails: every problem is an HTTP answer. The
// configuration comes first (a broken one answers 500 to everything), then
// the method, then the policy, then signing.
func (h *Handler) Serve(ctx context.Context, r Request) Result {
	now := h.now() // one reading: every token of the answer, and its edge freshness
	res := h.serve(ctx, r, now)
	h.finish(r, &res, now)
	return res
}

// finish adds what every answer gets last: the edge cache's headers, and no
// body for HEAD.
func (h *Handler) finish(r Request, res *Result, now time.Time) {
	id := r.PlaybackID
	if !muxsign.ValidPlaybackID(id) {
		id = ""
	}
	h.edge.Apply(res.Headers, edgecache.Answer{
		Method: r.Method, Kind: res.kind, Negotiated: r.Negotiated, PlaybackID: id,
		ExpiresAt: res.ExpiresAt, Life: res.life, Grain: res.grain,
	}, now)
	if r.Method == http.MethodHead {
		res.Body = ""
	}
}

func (h *Handler) serve(ctx context.Context, r Request, now time.Time) Result {
	if h.cfgErr != nil {
		res := h.errorResult(r, http.StatusInternalServerError, publicConfigError(h.cfgErr))
		res.kind = edgecache.ConfigError
		return res
	}
	switch r.Method {
	case http.MethodOptions:
		return h.preflight(r)
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		res := h.errorResult(r, http.StatusMethodNotAllowed, "method not allowed: use GET, HEAD, POST or OPTIONS")
		res.Headers["Allow"] = allowedMethods
		return res
	}
	p, status, msg := h.plan(r)
	if status != 0 {
		res := h.errorResult(r, status, msg)
		if status == http.StatusForbidden { // the site's own playback ID list
			res.kind = edgecache.Refused
		}
		return res
	}
	if refused := h.authorize(ctx, r, &p, now); refused != nil {
		return *refused
	}
	if p.json {
		return h.jsonTokens(r, p, now)
	}
	return h.redirect(r, p, now)
}

// publicConfigError is what an anonymous caller learns of a broken
// configuration: which variables to fix and where the details are, not the
// diagnosis (that goes to the function log and `sign_playback_id check`).
func publicConfigError(err error) string {
	var ce *envconf.Error
	vars := []string{"the MUX_* variables"}
	if errors.As(err, &ce) && len(ce.Problems) > 0 {
		vars = ce.Vars()
	}
	return fmt.Sprintf("the function is misconfigured: check %s (details in the function log, or run `sign_playback_id check`)",
		strings.Join(vars, ", "))
}

// preflight answers a CORS preflight.
func (h *Handler) preflight(r Request) Result {
	headers := h.baseHeaders(r)
	if h.cfg.AllowedOrigins != nil && headers["Access-Control-Allow-Origin"] == "" {
		return h.errorResult(r, http.StatusForbidden, "origin not allowed")
	}
	headers["Access-Control-Allow-Methods"] = allowedMethods
	headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
	if h.viewers != nil {
		headers["Access-Control-Allow-Headers"] = "Accept, Authorization, Content-Type"
	}
	headers["Access-Control-Max-Age"] = "7200"
	return Result{Status: http.StatusNoContent, Headers: headers, kind: edgecache.Preflight}
}

// baseHeaders are sent on every answer: CORS per the origin policy, and
// caching that keeps shared caches from storing a token.
func (h *Handler) baseHeaders(r Request) map[string]string {
	headers := map[string]string{
		"Cache-Control":          "private, no-store",
		"X-Content-Type-Options": "nosniff",
		"Vary":                   "Accept",
	}
	if h.cfg.AllowedOrigins == nil {
		headers["Access-Control-Allow-Origin"] = "*"
		return headers
	}
	headers["Vary"] = "Accept, Origin"
	if h.cfg.AllowedOrigins.Allows(r.Origin) {
		headers["Access-Control-Allow-Origin"] = r.Origin
		if h.viewers != nil {
			// Cookies and Authorization cross origins only to a named
			// origin, never to *.
			headers["Access-Control-Allow-Credentials"] = "true"
		}
	}
	return headers
}

// errorResult is the JSON error every failure answers with:
// {"errors":[{"message":"..."}]}.
func (h *Handler) errorResult(r Request, status int, msg string) Result {
	headers := h.baseHeaders(r)
	headers["Content-Type"] = "application/json; charset=utf-8"
	kind := edgecache.BadRequest
	if status >= http.StatusInternalServerError {
		kind = edgecache.ServerError
	}
	return Result{Status: status, Headers: headers, Body: errorBody(msg), Error: msg, kind: kind}
}

// plan is a request checked against the configuration: everything needed
// to sign it.
type plan struct {
	json   bool
	format string
	life   time.Duration
	drm    bool
	capExp time.Time                          // when not zero, no token outlives it (the viewer's session)
	params map[muxsign.Type]map[string]string // normalised options, by the token they go to
}

const msgIDNotAllowed = "playbackId is not allowed by this site's policy"

// idRefused reports whether the site's own list of playback IDs refuses id.
// It is the first rule after the ID's syntax: a refused ID gets its 403
// whatever else is wrong with the request.
func (h *Handler) idRefused(id string) bool {
	return h.cfg.AllowedPlaybackIDs != nil && !h.cfg.AllowedPlaybackIDs[id]
}

// formatsOf lists the extensions a redirect of type t may ask for; the
// first is the default.
func formatsOf(t muxsign.Type) []string {
	switch t {
	case muxsign.Video:
		return []string{"m3u8"}
	case muxsign.Thumbnail:
		return []string{"jpg", "png", "webp"}
	case muxsign.GIF:
		return []string{"gif", "webp"}
	case muxsign.Storyboard:
		return []string{"vtt", "json"}
	}
	return nil
}

// plan checks r against the configuration and the rules of each token type.
// On failure it returns the status and message.
func (h *Handler) plan(r Request) (plan, int, string) {
	p := plan{json: r.JSON, life: h.cfg.Expiration, drm: r.DRM}
	bad := func(format string, args ...any) (plan, int, string) {
		return p, http.StatusBadRequest, fmt.Sprintf(format, args...)
	}
	if !muxsign.ValidPlaybackID(r.PlaybackID) {
		return bad("playbackId must be 1 to %d ASCII letters and digits", muxsign.MaxPlaybackIDLen)
	}
	if h.idRefused(r.PlaybackID) {
		return p, http.StatusForbidden, msgIDNotAllowed
	}
	typ := r.Type
	if typ == "" {
		typ = muxsign.Video
	}
	if typ.Audience() == "" {
		return bad("type: unknown token type")
	}
	if r.Life != 0 {
		switch {
		case r.Life < time.Minute:
			return bad("expiration must be at least 60 seconds")
		case r.Life > h.cfg.Expiration:
			return bad("expiration may be at most the configured %d seconds", int64(h.cfg.Expiration/time.Second))
		}
		p.life = r.Life
	}

	formats := formatsOf(typ)
	switch {
	case r.Format != "" && r.JSON:
		return bad("format applies only to redirects, not to JSON responses")
	case r.Format != "" && len(formats) == 0:
		return bad("format does not apply to type %s", typ)
	case r.Format != "" && !slices.Contains(formats, r.Format):
		return bad("format must be one of %s for type %s", strings.Join(formats, ", "), typ)
	case r.Format != "":
		p.format = r.Format
	case len(formats) > 0:
		p.format = formats[0]
	}

	if r.JSON {
		switch typ {
		case muxsign.GIF:
			return bad("type gif is available only as a redirect, not as JSON")
		case muxsign.DRMLicense:
			p.drm = true
		}
		p.drm = p.drm || h.cfg.DRM
	} else if typ == muxsign.DRMLicense {
		return bad("type drm_license has no redirect target: ask for JSON with response=json or Accept: application/json")
	}

	p.params = map[muxsign.Type]map[string]string{}
	for _, name := range sortedKeys(r.Options) {
		t := typ
		if r.JSON {
			t = jsonTokenFor(name)
			if t == "" {
				if muxsign.IsParam(name) {
					return bad("invalid parameter %s: applies only to gif redirects, not to JSON responses", name)
				}
				return bad("invalid parameter %s: not a token option", name)
			}
		}
		if p.params[t] == nil {
			p.params[t] = map[string]string{}
		}
		p.params[t][name] = r.Options[name]
	}
	for _, t := range muxsign.Types {
		if err := muxsign.CheckParams(t, p.params[t]); err != nil {
			return bad("invalid parameter %v", err)
		}
	}
	return p, 0, ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonTokenFor returns the token of a JSON response an option goes to: the
// playback token for video options, the thumbnail token for image options.
func jsonTokenFor(name string) muxsign.Type {
	for _, t := range []muxsign.Type{muxsign.Video, muxsign.Thumbnail} {
		if muxsign.ParamAppliesTo(t, name) {
			return t
		}
	}
	return ""
}
