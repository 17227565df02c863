package muxsign

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
)

// DefaultExpiration is the token life every official Mux SDK uses.
const DefaultExpiration = 7 * 24 * time.Hour

// MaxExpiration bounds ParseDuration, to catch unit mistakes.
const MaxExpiration = 10 * 365 * 24 * time.Hour

// ParseDuration parses a token life: whole seconds ("3600") or whole numbers
// with units w, d, h, m and s, alone or combined ("90m", "12h", "7d", "1w",
// "1h30m"). Zero is allowed (callers decide what it means); negative values,
// fractions and values over MaxExpiration are not.
func ParseDuration(s string) (time.Duration, error) {
	// Each part is checked against MaxExpiration before it is multiplied
	// into nanoseconds: 10000000000 s or 15251w overflow int64 and would
	// wrap to a negative duration.
	var d time.Duration
	tooLong := false
	add := func(n int64, unit time.Duration) {
		if tooLong || n > int64((MaxExpiration-d)/unit) {
			tooLong = true
			return
		}
		d += time.Duration(n) * unit
	}
	switch {
	case digits(s) && len(s) <= 12:
		n, _ := strconv.ParseInt(s, 10, 64)
		add(n, time.Second)
	case validDurationParts(s):
		for rest := s; rest != ""; {
			i := strings.IndexFunc(rest, isUnit)
			n, _ := strconv.ParseInt(rest[:i], 10, 64)
			add(n, unitOf(rest[i]))
			rest = rest[i+1:]
		}
	default:
		return 0, fmt.Errorf("%q is not a duration: use seconds (3600) or a number with a unit w, d, h, m or s (90m, 12h, 7d, 1w)", safetext.Printable(s, maxQuotedName))
	}
	if tooLong {
		return 0, fmt.Errorf("%q is longer than the %d-day maximum", safetext.Printable(s, maxQuotedName), MaxExpiration/(24*time.Hour))
	}
	return d, nil
}

// validDurationParts reports whether s is one or more parts, each 1 to 9
// ASCII digits followed by a unit w, d, h, m or s.
func validDurationParts(s string) bool {
	if s == "" {
		return false
	}
	for rest := s; rest != ""; {
		i := strings.IndexFunc(rest, isUnit)
		if i < 0 || !digits(rest[:i]) || i > 9 {
			return false
		}
		rest = rest[i+1:]
	}
	return true
}

func isUnit(r rune) bool { return r < 0x80 && unitOf(byte(r)) != 0 }

// unitOf returns the length of the unit c names, or 0.
func unitOf(c byte) time.Duration {
	switch c {
	case 'w':
		return 7 * 24 * time.Hour
	case 'd':
		return 24 * time.Hour
	case 'h':
		return time.Hour
	case 'm':
		return time.Minute
	case 's':
		return time.Second
	}
	return 0
}

// ExpiresAt returns the expiry of a token with the given life issued at now,
// in whole seconds, rounded down to a multiple of grain so that every token
// issued within one grain for the same claims is the same token. The life left
// is then within (life-grain, life]. A grain of zero or less rounds only to the
// second.
func ExpiresAt(now time.Time, life, grain time.Duration) time.Time {
	exp := now.Add(life).Unix()
	if g := int64(grain / time.Second); g > 0 {
		exp -= exp % g
	}
	return time.Unix(exp, 0)
}
