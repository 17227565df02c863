package endpoint

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// Query parameters the function reads besides the token options of
// muxsign.CheckParam. Everything else is ignored and never reaches a token.
const (
	paramPlaybackID = "playbackId"
	paramType       = "type"
	paramFormat     = "format"     // file extension of image redirects
	paramResponse   = "response"   // "json" or "redirect"
	paramExpiration = "expiration" // a shorter token life than the configured one
	paramDRM        = "drm"        // add a DRM license token to JSON
)

// formats lists, per type, the extensions a redirect may ask for; the first
// is the default.
var formats = map[muxsign.Type][]string{
	muxsign.Video:      {"m3u8"},
	muxsign.Thumbnail:  {"jpg", "png", "webp"},
	muxsign.GIF:        {"gif", "webp"},
	muxsign.Storyboard: {"vtt", "json"},
}

// signRequest is a request that passed validation.
type signRequest struct {
	id     string
	typ    muxsign.Type
	json   bool
	format string
	life   time.Duration
	drm    bool
	params map[muxsign.Type]map[string]string // options, by the token they go to
}

// query reads parameters from both of the maps Netlify and API Gateway fill.
type query struct {
	single map[string]string
	multi  map[string][]string
}

func newQuery(req events.APIGatewayProxyRequest) query {
	return query{single: req.QueryStringParameters, multi: req.MultiValueQueryStringParameters}
}

// get returns the value of name and whether it was given. A parameter given
// more than once is an error: which value wins would be a guess.
func (q query) get(name string) (string, bool, error) {
	if vs, ok := q.multi[name]; ok && len(vs) > 1 {
		return "", true, fmt.Errorf("parameter %s is given more than once", name)
	}
	if v, ok := q.single[name]; ok {
		return v, true, nil
	}
	if vs, ok := q.multi[name]; ok && len(vs) == 1 {
		return vs[0], true, nil
	}
	return "", false, nil
}

// names returns every parameter name, sorted.
func (q query) names() []string {
	seen := make(map[string]bool, len(q.single)+len(q.multi))
	for k := range q.single {
		seen[k] = true
	}
	for k := range q.multi {
		seen[k] = true
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// parse validates the request. On failure it returns the status and message.
func (h *Handler) parse(rc *reqCtx, q query) (signRequest, int, string) {
	r := signRequest{typ: muxsign.Video, life: h.cfg.Expiration}
	bad := func(format string, args ...any) (signRequest, int, string) {
		return r, http.StatusBadRequest, fmt.Sprintf(format, args...)
	}

	id, given, err := q.get(paramPlaybackID)
	rc.playbackID = id
	switch {
	case err != nil:
		return bad("%v", err)
	case !given || id == "":
		return bad("Missing playbackId in query string")
	case !muxsign.ValidPlaybackID(id):
		return bad("playbackId must be 1 to %d ASCII letters and digits", muxsign.MaxPlaybackIDLen)
	case h.cfg.AllowedPlaybackIDs != nil && !h.cfg.AllowedPlaybackIDs[id]:
		return r, http.StatusForbidden, "playbackId is not allowed by this site's policy"
	}
	r.id = id

	if v, given, err := q.get(paramType); err != nil {
		return bad("%v", err)
	} else if given {
		t, err := muxsign.ParseType(v)
		if err != nil {
			return bad("type: %v", err)
		}
		r.typ = t
	}
	rc.tokenType = r.typ

	if v, given, err := q.get(paramResponse); err != nil {
		return bad("%v", err)
	} else if given && v != "json" && v != "redirect" {
		return bad("response must be json or redirect")
	} else {
		r.json = v == "json" || (!given && acceptsJSON(rc.headers["accept"]))
	}

	if v, given, err := q.get(paramExpiration); err != nil {
		return bad("%v", err)
	} else if given {
		d, err := muxsign.ParseDuration(v)
		switch {
		case err != nil:
			return bad("expiration: %v", err)
		case d < time.Minute:
			return bad("expiration must be at least 60 seconds")
		case d > h.cfg.Expiration:
			return bad("expiration may be at most the configured %d seconds", int64(h.cfg.Expiration/time.Second))
		}
		r.life = d
	}

	if v, given, err := q.get(paramDRM); err != nil {
		return bad("%v", err)
	} else if given {
		b, err := parseBool(v)
		if err != nil {
			return bad("drm must be true or false")
		}
		r.drm = b
	}

	if v, given, err := q.get(paramFormat); err != nil {
		return bad("%v", err)
	} else if given {
		if r.json {
			return bad("format applies only to redirects, not to JSON responses")
		}
		if !slices.Contains(formats[r.typ], v) {
			if len(formats[r.typ]) == 0 {
				return bad("format does not apply to type %s", r.typ)
			}
			return bad("format must be one of %s for type %s", strings.Join(formats[r.typ], ", "), r.typ)
		}
		r.format = v
	} else if fs := formats[r.typ]; len(fs) > 0 {
		r.format = fs[0]
	}

	if r.json {
		switch r.typ {
		case muxsign.GIF:
			return bad("type gif is available only as a redirect, not as JSON")
		case muxsign.DRMLicense:
			r.drm = true
		}
		r.drm = r.drm || h.cfg.DRM
	} else if r.typ == muxsign.DRMLicense {
		return bad("type drm_license has no redirect target: ask for JSON with response=json or Accept: application/json")
	}

	r.params = map[muxsign.Type]map[string]string{}
	for _, name := range q.names() {
		if !muxsign.IsParam(name) {
			continue // not an option: never reaches a token
		}
		v, _, err := q.get(name)
		if err != nil {
			return bad("%v", err)
		}
		t := r.typ
		if r.json {
			t = jsonTokenFor(name)
			if t == "" {
				return bad("invalid parameter %s: applies only to gif redirects, not to JSON responses", name)
			}
		}
		if r.params[t] == nil {
			r.params[t] = map[string]string{}
		}
		r.params[t][name] = v
	}
	for t, p := range r.params {
		if err := muxsign.CheckParams(t, p); err != nil {
			return bad("invalid parameter %v", err)
		}
	}
	return r, 0, ""
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

// acceptsJSON reports whether an Accept header asks for JSON: one of its
// media ranges is application/json (or a +json type) with a non-zero q.
func acceptsJSON(accept string) bool {
	if accept == "" || len(accept) > 2048 {
		return false
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok && (q == "0" || strings.Trim(q, "0.") == "") {
			continue
		}
		if mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
			return true
		}
	}
	return false
}
