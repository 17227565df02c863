package muxsign

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims describes one token: what it unlocks, until when, and the options
// Mux reads from it. The claim names kid, sub, aud and exp are set by the
// Signer; options come only from the allowlist in CheckParam.
type Claims struct {
	PlaybackID string            // sub
	Type       Type              // aud, through Type.Audience
	ExpiresAt  time.Time         // exp, in whole Unix seconds
	Params     map[string]string // options for Type, checked by CheckParams

	// PlaybackRestrictionID, when set, makes Mux check the viewer's Referer
	// and user agent against that restriction.
	PlaybackRestrictionID string
	// Custom is tracking data Mux attaches to views; it is nested under
	// "custom". Never put personal data here.
	Custom map[string]any
}

// Validate reports the first thing about c that would make a token Mux
// refuses or that the allowlist forbids.
func (c Claims) Validate() error {
	if !ValidPlaybackID(c.PlaybackID) {
		return errors.New("playback ID must be 1 to 128 ASCII letters and digits")
	}
	if c.Type.Audience() == "" {
		return fmt.Errorf("unknown token type %q", printable(string(c.Type)))
	}
	if c.ExpiresAt.IsZero() {
		return errors.New("expiry is not set")
	}
	if c.PlaybackRestrictionID != "" && !ValidPlaybackID(c.PlaybackRestrictionID) {
		return errors.New("playback restriction ID must be ASCII letters and digits")
	}
	return CheckParams(c.Type, c.Params)
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
