package muxsign

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// DefaultExpiration is the token life every official Mux SDK uses.
const DefaultExpiration = 7 * 24 * time.Hour

// MaxExpiration bounds ParseDuration, to catch unit mistakes.
const MaxExpiration = 10 * 365 * 24 * time.Hour

var durationPattern = regexp.MustCompile(`^([0-9]{1,9}[wdhms])+$`)
var durationPart = regexp.MustCompile(`([0-9]{1,9})([wdhms])`)

var units = map[string]time.Duration{
	"w": 7 * 24 * time.Hour,
	"d": 24 * time.Hour,
	"h": time.Hour,
	"m": time.Minute,
	"s": time.Second,
}

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
	case integerSeconds.MatchString(s):
		n, _ := strconv.ParseInt(s, 10, 64)
		add(n, time.Second)
	case durationPattern.MatchString(s):
		for _, m := range durationPart.FindAllStringSubmatch(s, -1) {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			add(n, units[m[2]])
		}
	default:
		return 0, fmt.Errorf("%q is not a duration: use seconds (3600) or a number with a unit w, d, h, m or s (90m, 12h, 7d, 1w)", printable(s))
	}
	if tooLong {
		return 0, fmt.Errorf("%q is longer than the %d-day maximum", printable(s), MaxExpiration/(24*time.Hour))
	}
	return d, nil
}

var integerSeconds = regexp.MustCompile(`^[0-9]{1,12}$`)

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
