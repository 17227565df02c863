package muxverify

import (
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// Expect is what a token is checked against. Empty fields are not checked.
type Expect struct {
	KeyID      string       // the ID of the signing key the token must name (kid)
	PlaybackID string       // the playback ID it must unlock (sub)
	Type       muxsign.Type // the kind of resource it must unlock (aud)
}

// Report is what Verify found in a token: what it unlocks and until when, and
// every reason Mux would refuse it. All strings in it are safe to print: user
// input is shortened and made printable, and it never holds key material.
type Report struct {
	// Header and Claims are the decoded JOSE header and claim set, nil when
	// the token is malformed.
	Header map[string]any
	Claims map[string]any

	HeaderKeyID string       // kid in the header, "" if absent
	ClaimKeyID  string       // kid in the claims, "" if absent
	PlaybackID  string       // sub
	Audience    string       // aud
	Type        muxsign.Type // the type aud names, "" if none
	ExpiresAt   time.Time    // exp, zero if absent or not a number
	// ExpiresIn is exp minus the time of the check: negative once expired.
	ExpiresIn time.Duration
	// Options are the other claims (token options, playback_restriction_id,
	// custom data), as printable text, by name.
	Options map[string]string

	// SignatureChecked is true when the signature was checked against the
	// key, and SignatureValid when it matched.
	SignatureChecked, SignatureValid bool

	// Problems are the reasons Mux would answer 403, in plain words.
	Problems []string
	// Warnings are things that do not make Mux refuse the token but are
	// probably not what was meant (an option Mux ignores, a token about to
	// expire).
	Warnings []string
}

// Valid reports whether Verify found no reason for Mux to refuse the token.
func (r *Report) Valid() bool { return len(r.Problems) == 0 }

// TokenError is the error Verify returns for a token Mux would refuse. It
// lists every reason found.
type TokenError struct {
	Problems []string
}

func (e *TokenError) Error() string { return "token rejected: " + strings.Join(e.Problems, "; ") }
