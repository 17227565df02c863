package muxsign

import (
	"strconv"
	"strings"
)

// Limits from Mux's documentation.
const (
	maxGIFSeconds = 10
	minGIFSeconds = 0.25
	maxGIFPixels  = 640
	maxGIFFPS     = 30
	maxImagePx    = 4096
	maxSeconds    = 1e10 // program times are Unix seconds
)

// A rule is the check an option's value must pass.
type rule struct {
	kind   ruleKind
	lo, hi float64 // bounds of a number
	values string  // the allowed values of an enum, separated by spaces
}

type ruleKind uint8

const (
	integerRule ruleKind = iota + 1 // 1 to 5 digits, from lo to hi
	decimalRule                     // 1 to 10 digits, up to 3 decimals, from lo to hi
	enumRule                        // one of values
	langRule                        // a BCP 47 language tag
)

const resolutions = "270p 360p 480p 540p 720p 1080p 1440p 2160p"

var boolean = rule{kind: enumRule, values: "true false"}

// lookup returns the rule of option name for type t: the allowlist of claims
// a caller may set. A name shared by two types (width, height) may have a
// rule for each. It is a switch, not a map, so that it costs a cold start
// nothing until used.
func lookup(t Type, name string) (rule, bool) {
	only := func(want Type, r rule) (rule, bool) { return r, t == want }
	switch name {
	// thumbnail
	case "time":
		return only(Thumbnail, rule{kind: decimalRule, lo: 0, hi: maxSeconds})
	case "rotate":
		return only(Thumbnail, rule{kind: enumRule, values: "90 180 270"})
	case "fit_mode":
		return only(Thumbnail, rule{kind: enumRule, values: "preserve stretch crop smartcrop pad"})
	case "flip_v", "flip_h":
		return only(Thumbnail, boolean)
	case "width", "height":
		switch t {
		case Thumbnail:
			return rule{kind: integerRule, lo: 1, hi: maxImagePx}, true
		case GIF:
			return rule{kind: integerRule, lo: 1, hi: maxGIFPixels}, true
		}
	// GIF
	case "start", "end":
		return only(GIF, rule{kind: decimalRule, lo: 0, hi: maxSeconds})
	case "fps":
		return only(GIF, rule{kind: integerRule, lo: 1, hi: maxGIFFPS})
	// video playback modifiers
	case "max_resolution", "min_resolution":
		return only(Video, rule{kind: enumRule, values: resolutions})
	case "rendition_order":
		return only(Video, rule{kind: enumRule, values: "desc"})
	case "default_subtitles_lang":
		return only(Video, rule{kind: langRule})
	case "redundant_streams":
		return only(Video, boolean)
	case "asset_start_time", "asset_end_time", "program_start_time", "program_end_time":
		return only(Video, rule{kind: decimalRule, lo: 0, hi: maxSeconds})
	}
	return rule{}, false
}

// check returns "" when v passes r, else the problem.
func (r rule) check(v string) string {
	switch r.kind {
	case integerRule:
		n, err := strconv.Atoi(v)
		if !isInteger(v) || err != nil || float64(n) < r.lo || float64(n) > r.hi {
			return "must be a whole number from " + strconv.Itoa(int(r.lo)) + " to " + strconv.Itoa(int(r.hi))
		}
	case decimalRule:
		f, err := strconv.ParseFloat(v, 64)
		if !isDecimal(v) || err != nil || f < r.lo || f > r.hi {
			return "must be a number of seconds from " + formatG(r.lo) + " to " + formatG(r.hi) + " (up to 3 decimals)"
		}
	case enumRule:
		for want := range strings.SplitSeq(r.values, " ") {
			if v == want {
				return ""
			}
		}
		return "must be one of [" + r.values + "]"
	case langRule:
		if !isLangTag(v) {
			return "must be a BCP 47 language tag such as en or en-US"
		}
	}
	return ""
}

// canonical returns v, which passed r, in canonical form: numbers without
// leading zeros in their whole part nor trailing zeros in their fraction, and
// without a fraction when whole. Other values are returned as they are.
func (r rule) canonical(v string) string {
	if r.kind != integerRule && r.kind != decimalRule {
		return v
	}
	whole, frac, _ := strings.Cut(v, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		return whole + "." + frac
	}
	return whole
}

// formatG writes f as fmt's %g does for the bounds in lookup.
func formatG(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// isInteger reports whether s is 1 to 5 ASCII digits.
func isInteger(s string) bool { return digits(s) && len(s) <= 5 }

// isDecimal reports whether s is 1 to 10 ASCII digits, then optionally a dot
// and 1 to 3 digits.
func isDecimal(s string) bool {
	whole, frac, dotted := strings.Cut(s, ".")
	return digits(whole) && len(whole) <= 10 && (!dotted || digits(frac) && len(frac) <= 3)
}

// isLangTag reports whether s is 2 or 3 ASCII letters followed by up to three
// subtags of 1 to 8 ASCII letters and digits, each after a hyphen.
func isLangTag(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) > 4 || len(parts[0]) < 2 || len(parts[0]) > 3 {
		return false
	}
	for i, p := range parts {
		if len(p) == 0 || len(p) > 8 {
			return false
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
			if !letter && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
