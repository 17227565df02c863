package edgecache

import (
	"slices"
	"strings"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// Site is what the configuration says about the cache key: the facts that
// are the same for every request, passed once.
type Site struct {
	// Params are the query parameters the endpoint reads besides the token
	// options of muxsign (those are always added): playbackId, type, format,
	// response, expiration, drm, and any parameter whose mere presence
	// changes the answer (the refused query-string token names of viewer
	// sign-in). A parameter read but missing here would let the edge serve
	// one request's answer to another.
	Params []string
	// OriginList is true when an origin list is set: the answer then echoes
	// the request's Origin in Access-Control-Allow-Origin.
	OriginList bool
	// Countries are the ISO 3166-1 alpha-2 codes named by country rules, nil
	// when there are none. The key then holds the viewer's country when it
	// is one of them; every other country shares one entry.
	Countries []string
	// CountryFromClient is true when the country the rules read is one a
	// client can set itself rather than Netlify's own geolocation: the edge
	// keys on Netlify's geolocation, so an answer won with a forged country
	// would be served to everyone of the real one. Nothing is cached then.
	CountryFromClient bool
	// ViewerSignIn is true when the viewer's credentials are checked: then
	// no answer is cached.
	ViewerSignIn bool
}

// Rules are a Policy applied to a Site: ready to compute the headers of
// each answer. The zero value caches nothing and adds no header.
type Rules struct {
	enabled    bool
	cacheable  bool   // false: every answer gets Netlify-CDN-Cache-Control: no-store
	why        string // why nothing is cacheable, for Describe
	errorTTL   int64  // seconds
	originList bool
	vary       string // Netlify-Vary, the same on every answer
}

// For applies p to s. Facts it cannot key on safely (a country code that is
// not two letters) turn caching off for every answer, rather than risk a key
// that misses what the answer depends on.
func (p Policy) For(s Site) Rules {
	r := Rules{enabled: p.Enabled, cacheable: p.Enabled, errorTTL: int64(p.ErrorTTL.Seconds()), originList: s.OriginList}
	if !p.Enabled {
		return r
	}
	params := QueryParams(s.Params...)
	var b strings.Builder
	b.WriteString("query=")
	b.WriteString(strings.Join(params, "|"))
	if s.OriginList {
		b.WriteString(",header=Origin")
	}
	if s.Countries != nil {
		codes := make([]string, 0, len(s.Countries))
		for _, c := range s.Countries {
			if !isCountryCode(c) {
				r.cacheable, r.why = false, "a country rule names "+strings.ToUpper(c)+", not a two-letter code"
				continue
			}
			codes = append(codes, strings.ToLower(c))
		}
		slices.Sort(codes)
		codes = slices.Compact(codes)
		if len(codes) > 0 {
			b.WriteString(",country=")
			b.WriteString(strings.Join(codes, "|"))
		}
	}
	r.vary = b.String()
	if s.Countries != nil && s.CountryFromClient {
		r.cacheable, r.why = false, "the country rules read a country the client can set"
	}
	if s.ViewerSignIn {
		r.cacheable, r.why = false, "viewer sign-in is on: answers depend on the viewer"
	}
	return r
}

// QueryParams returns every query parameter name the function reads: the
// endpoint's own names and every token option of muxsign, sorted, each once.
func QueryParams(endpointParams ...string) []string {
	names := slices.Clone(endpointParams)
	for _, t := range muxsign.Types {
		names = append(names, muxsign.ParamNames(t)...)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Enabled reports whether the policy turned edge caching on.
func (r Rules) Enabled() bool { return r.enabled }

// Describe says in one line what the rules do, for logs and the check
// command.
func (r Rules) Describe() string {
	switch {
	case !r.enabled:
		return "edge caching off"
	case !r.cacheable:
		return "edge caching on, but nothing is cached: " + r.why
	}
	return "edge caching on; key: " + r.vary
}

// NetlifyVary returns the Netlify-Vary header every answer carries, "" when
// edge caching is off.
func (r Rules) NetlifyVary() string { return r.vary }

func isCountryCode(c string) bool {
	return len(c) == 2 && isLetter(c[0]) && isLetter(c[1])
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
