package muxsign

import (
	"fmt"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
)

// Type is the kind of Mux resource a token unlocks. Each type has its own
// audience claim and its own set of options.
type Type string

// The token types Mux signs for.
const (
	Video      Type = "video"       // aud "v": the HLS stream and its captions
	Thumbnail  Type = "thumbnail"   // aud "t": still images
	GIF        Type = "gif"         // aud "g": animated GIF and WebP
	Storyboard Type = "storyboard"  // aud "s": timeline hover previews
	DRMLicense Type = "drm_license" // aud "d": DRM license requests
)

// Types lists every Type in a stable order.
var Types = [...]Type{Video, Thumbnail, GIF, Storyboard, DRMLicense}

// ParseType returns the Type named s ("video", "thumbnail", "gif",
// "storyboard" or "drm_license").
func ParseType(s string) (Type, error) {
	if Type(s).Audience() != "" {
		return Type(s), nil
	}
	return "", fmt.Errorf("unknown token type %q: want video, thumbnail, gif, storyboard or drm_license", safetext.Printable(s, maxQuotedName))
}

// Audience returns the token's "aud" claim for t, or "" for an unknown type.
func (t Type) Audience() string {
	switch t {
	case Video:
		return "v"
	case Thumbnail:
		return "t"
	case GIF:
		return "g"
	case Storyboard:
		return "s"
	case DRMLicense:
		return "d"
	}
	return ""
}

// TypeForAudience returns the Type whose audience is aud.
func TypeForAudience(aud string) (Type, bool) {
	for _, t := range Types {
		if t.Audience() == aud {
			return t, true
		}
	}
	return "", false
}

// MaxPlaybackIDLen is the longest playback ID accepted. Mux's own IDs are 33
// to 49 characters; the limit leaves room without inviting abuse.
const MaxPlaybackIDLen = 128

// ValidPlaybackID reports whether id is 1 to MaxPlaybackIDLen ASCII letters and
// digits, the only characters seen in Mux playback IDs. Anything else could
// change the meaning of the URL the ID is put in.
func ValidPlaybackID(id string) bool { return alphanumeric(id, MaxPlaybackIDLen) }

// alphanumeric reports whether s is 1 to max ASCII letters and digits. It is
// a loop, not a regexp: `^[A-Za-z0-9]{1,128}$` compiles to a program of 128
// copies, which cost every cold start about half a millisecond.
func alphanumeric(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
