package edgecache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind is what an answer is, as far as caching goes.
type Kind uint8

// The kinds of answer.
const (
	// Redirect is the 302 to a signed Mux URL.
	Redirect Kind = iota + 1
	// Tokens is the 200 JSON answer with the tokens for Mux Player.
	Tokens
	// Refused is a 403 by the site's own policy (a playback ID not on the
	// allowed list): the same for everyone who sends the same key.
	Refused
	// BadRequest is any other client error (400, 405).
	BadRequest
	// ViewerAnswer is an answer of viewer sign-in: 401, 403 or 503.
	ViewerAnswer
	// ConfigError is the 500 of a bad configuration.
	ConfigError
	// ServerError is any other 5xx.
	ServerError
	// Preflight is the answer to a CORS preflight.
	Preflight
)

// Answer describes one answer: what the endpoint must pass in.
type Answer struct {
	Method string // the request's method, as received (any case)
	Kind   Kind
	// Negotiated is true when JSON or redirect was chosen from the Accept
	// header because the query has no response parameter.
	Negotiated bool
	// PlaybackID is the requested ID, for the cache tag; "" if none valid.
	PlaybackID string
	// ExpiresAt is the exp of the answer's tokens (Redirect, Tokens), and
	// Life and Grain are the token life and the grain in force for this
	// request: exp = floor((now + Life) / Grain) * Grain.
	ExpiresAt   time.Time
	Life, Grain time.Duration
}

// Header names.
const (
	HeaderNetlifyCDNCacheControl = "Netlify-CDN-Cache-Control"
	HeaderNetlifyVary            = "Netlify-Vary"
	HeaderNetlifyCacheTag        = "Netlify-Cache-Tag"
)

// Cache tags: every cached answer carries TagAll and TagPrefix+playbackID,
// so that one video, or everything, can be purged by hand.
const (
	TagAll    = "mux-sign"
	TagPrefix = "mux-sign-"
)

// Headers returns the headers to set on a in place of the endpoint's own
// (nil when edge caching is off). now must be the clock reading the
// answer's exp was computed from.
func (r Rules) Headers(a Answer, now time.Time) map[string]string {
	if !r.enabled {
		return nil
	}
	h := make(map[string]string, 5)
	r.Apply(h, a, now)
	return h
}

// Apply sets on h (keys as in the endpoint's header map) the headers of
// answer a. With edge caching off it changes nothing. Cache-Control is set
// to private, no-store on every answer, for browsers and other shared caches.
// A cacheable answer loses Vary: Accept, which would split Netlify's cache by
// every Accept string; its mode came from the query, so Accept does not
// change it.
func (r Rules) Apply(h map[string]string, a Answer, now time.Time) {
	if !r.enabled {
		return
	}
	h["Cache-Control"] = "private, no-store"
	h[HeaderNetlifyVary] = r.vary
	ttl := r.ttl(a, now)
	if ttl <= 0 {
		h[HeaderNetlifyCDNCacheControl] = "no-store"
		delete(h, HeaderNetlifyCacheTag)
		return
	}
	h[HeaderNetlifyCDNCacheControl] = "public, durable, max-age=" + strconv.FormatInt(ttl, 10) + ", must-revalidate"
	tags := TagAll
	if a.PlaybackID != "" {
		tags += "," + TagPrefix + a.PlaybackID
	}
	h[HeaderNetlifyCacheTag] = tags
	if r.originList {
		h["Vary"] = "Origin"
	} else {
		delete(h, "Vary")
	}
}

// TTL returns how many whole seconds Netlify's CDN may serve a, 0 when it
// must not be cached.
func (r Rules) TTL(a Answer, now time.Time) int64 {
	if !r.enabled {
		return 0
	}
	return r.ttl(a, now)
}

func (r Rules) ttl(a Answer, now time.Time) int64 {
	if !r.cacheable || !strings.EqualFold(a.Method, http.MethodGet) {
		return 0
	}
	switch a.Kind {
	case Redirect, Tokens:
		if a.Negotiated {
			return 0
		}
		return tokenTTL(a, now)
	case Refused:
		return r.errorTTL
	}
	return 0
}

// tokenTTL is how long an answer with tokens expiring at a.ExpiresAt keeps
// every viewer's promise of at least Life - Grain: until exp + Grain - Life,
// in whole seconds rounded down, and never more than one grain. A grain
// under a second (or none) promises the whole life: nothing can be cached.
func tokenTTL(a Answer, now time.Time) int64 {
	if a.Grain < time.Second || a.Life <= a.Grain || a.ExpiresAt.IsZero() {
		return 0
	}
	d := a.ExpiresAt.Add(a.Grain - a.Life).Sub(now)
	d = min(d, a.Grain)
	if d < time.Second {
		return 0
	}
	return int64(d / time.Second)
}
