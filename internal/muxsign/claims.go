package muxsign

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
)

// Claims describes one token: what it unlocks, until when, and the options
// Mux reads from it. The claim names kid, sub, aud and exp are set by the
// Signer; options come only from the allowlist in CheckParam.
type Claims struct {
	PlaybackID string            // sub
	Type       Type              // aud, through Type.Audience
	ExpiresAt  time.Time         // exp, in whole Unix seconds
	Params     map[string]string // options for Type, checked by CheckParams; numbers are signed in canonical form

	// PlaybackRestrictionID, when set, makes Mux check the viewer's Referer
	// and user agent against that restriction.
	PlaybackRestrictionID string
	// Custom is tracking data Mux attaches to views; it is nested under
	// "custom". Never put personal data here.
	Custom map[string]any
}

// Validate reports the first thing about c that would make a token Mux
// refuses or that the allowlist forbids. It does not change c.
func (c Claims) Validate() error {
	_, err := c.canonical()
	return err
}

// canonical validates c and returns it with its options in canonical form
// (see CanonicalParam). c.Params is never written to: when a value changes,
// the result holds a copy.
func (c Claims) canonical() (Claims, error) {
	if !ValidPlaybackID(c.PlaybackID) {
		return c, errors.New("playback ID must be 1 to 128 ASCII letters and digits")
	}
	if c.Type.Audience() == "" {
		return c, fmt.Errorf("unknown token type %q", safetext.Printable(string(c.Type), maxQuotedName))
	}
	if c.ExpiresAt.IsZero() {
		return c, errors.New("expiry is not set")
	}
	if c.PlaybackRestrictionID != "" && !ValidPlaybackID(c.PlaybackRestrictionID) {
		return c, errors.New("playback restriction ID must be ASCII letters and digits")
	}
	params, err := canonicalParams(c.Type, c.Params)
	if err != nil {
		return c, err
	}
	c.Params = params
	return c, nil
}

// jwtClaims returns the claim set for c as signed under keyID.
func (c Claims) jwtClaims(keyID string) jwt.MapClaims {
	m := make(jwt.MapClaims, 4+len(c.Params)+2)
	for k, v := range c.Params {
		m[k] = v
	}
	if c.PlaybackRestrictionID != "" {
		m["playback_restriction_id"] = c.PlaybackRestrictionID
	}
	if c.Custom != nil {
		m["custom"] = maps.Clone(c.Custom)
	}
	m["kid"] = keyID
	m["sub"] = c.PlaybackID
	m["aud"] = c.Type.Audience()
	m["exp"] = c.ExpiresAt.Unix()
	return m
}
