package endpoint

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// Request is one request to the function, parsed: what every transport (the
// Lambda event, the local server, the sign command) hands to Handler.Serve.
// Parsing checks syntax only; Serve applies the configuration and policy.
type Request struct {
	Method     string       // GET, HEAD, POST or OPTIONS (upper case)
	PlaybackID string       // the playback ID to sign for
	Type       muxsign.Type // what a redirect unlocks; "" means video
	Format     string       // file extension of a redirect target; "" for the type's default
	JSON       bool         // answer Mux Player's JSON tokens instead of a redirect
	// Negotiated is true when JSON or redirect was chosen from the Accept
	// header, the query naming no response mode.
	Negotiated bool
	// Life is the token life asked for; zero means the configured maximum.
	Life time.Duration
	DRM  bool // add a DRM license token to a JSON answer
	// Options are token options by name (the allowlist of muxsign); Serve
	// routes each to the token it belongs to and normalises its value.
	Options map[string]string
	// Origin is the Origin header as sent, for CORS.
	Origin string
	// Viewer is what the request carries to prove who the viewer is; read
	// only under viewer sign-in.
	Viewer viewer.Credentials
	// Country is the viewer's country (ISO 3166-1 alpha-2, upper case) as
	// Netlify's edge reports it, "" when unknown; read only by country rules.
	Country string
}

// Query parameters the function reads besides the token options of
// muxsign. Nothing else in a query is looked at.
const (
	ParamPlaybackID = "playbackId"
	ParamType       = "type"
	ParamFormat     = "format"     // file extension of image redirects
	ParamResponse   = "response"   // "json" or "redirect"
	ParamExpiration = "expiration" // a shorter token life than the configured one
	ParamDRM        = "drm"        // add a DRM license token to JSON
)

// Bounds on a query, checked before any other work: the function reads a
// dozen parameters at most, so a query past these is abuse or a mistake.
const (
	MaxQueryParams = 100
	MaxQueryBytes  = 8 << 10
)

// Query gives a request's query parameters to Parse.
type Query interface {
	// Len returns how many parameters the query holds, counting a repeated
	// name once per value, and their total size in bytes. It may stop
	// counting past MaxQueryParams or MaxQueryBytes.
	Len() (params, bytes int)
	// Values returns the values given for name, in order (nil when absent).
	Values(name string) []string
}

// RequestError is a request the function refuses before signing: the status
// (400, 414) and the message the caller gets.
type RequestError struct {
	Status  int
	Message string
}

func (e *RequestError) Error() string { return e.Message }

func badRequest(format string, args ...any) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// endpointParams are the names the function reads besides token options.
var endpointParams = [...]string{ParamPlaybackID, ParamType, ParamFormat, ParamResponse, ParamExpiration, ParamDRM}

// queryNames lists every name ParseQuery reads, the endpoint's own first,
// built on first use.
var queryNames = sync.OnceValue(func() []string {
	names := endpointParams[:]
	seen := map[string]bool{}
	for _, t := range muxsign.Types {
		for _, n := range muxsign.ParamNames(t) {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names
})

// ParseQuery reads the parameters of a GET, HEAD or POST into r: only the
// names the function knows are looked up, each at most once. The Accept
// header decides JSON when response= is absent. It checks syntax (a
// repeated parameter, a missing or malformed playback ID, an unknown type,
// an unreadable duration); Serve checks the rest.
func ParseQuery(r *Request, q Query, accept string) *RequestError {
	if n, size := q.Len(); n > MaxQueryParams || size > MaxQueryBytes {
		return &RequestError{Status: http.StatusRequestURITooLong, Message: fmt.Sprintf(
			"query too large: at most %d parameters and %d bytes", MaxQueryParams, MaxQueryBytes)}
	}
	get := func(name string) (string, bool, *RequestError) {
		vs := q.Values(name)
		switch len(vs) {
		case 0:
			return "", false, nil
		case 1:
			return vs[0], true, nil
		}
		return "", true, badRequest("parameter %s is given more than once", name)
	}

	id, given, err := get(ParamPlaybackID)
	r.PlaybackID = id
	switch {
	case err != nil:
		return err
	case !given || id == "":
		return badRequest("Missing playbackId in query string")
	case !muxsign.ValidPlaybackID(id):
		return badRequest("playbackId must be 1 to %d ASCII letters and digits", muxsign.MaxPlaybackIDLen)
	}

	r.Type = muxsign.Video
	if v, given, err := get(ParamType); err != nil {
		return err
	} else if given {
		t, perr := muxsign.ParseType(v)
		if perr != nil {
			return badRequest("type: %v", perr)
		}
		r.Type = t
	}

	if v, given, err := get(ParamResponse); err != nil {
		return err
	} else if given && v != "json" && v != "redirect" {
		return badRequest("response must be json or redirect")
	} else {
		r.JSON = v == "json" || (!given && AcceptsJSON(accept))
		r.Negotiated = !given
	}

	if v, given, err := get(ParamExpiration); err != nil {
		return err
	} else if given {
		d, perr := muxsign.ParseDuration(v)
		if perr != nil {
			return badRequest("expiration: %v", perr)
		}
		if d < time.Minute {
			return badRequest("expiration must be at least 60 seconds")
		}
		r.Life = d
	}

	if v, given, err := get(ParamDRM); err != nil {
		return err
	} else if given {
		b, perr := envconf.ParseBool(v)
		if perr != nil {
			return badRequest("drm must be true or false")
		}
		r.DRM = b
	}

	if v, given, err := get(ParamFormat); err != nil {
		return err
	} else if given {
		if v == "" {
			return badRequest("format must not be empty")
		}
		r.Format = v
	}

	for _, name := range queryNames()[len(endpointParams):] {
		v, given, err := get(name)
		if err != nil {
			return err
		}
		if given {
			if r.Options == nil {
				r.Options = map[string]string{}
			}
			r.Options[name] = v
		}
	}
	return nil
}
