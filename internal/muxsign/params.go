package muxsign

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
)

// ParamError reports an option that is unknown, does not apply to a token
// type, or has a bad value.
type ParamError struct {
	Name    string // the option, as given (made printable)
	Problem string
}

func (e *ParamError) Error() string { return e.Name + ": " + e.Problem }

// An option is one claim a caller may add to a token: the types it belongs
// to, and the check its value must pass.
type option struct {
	types []Type
	check func(string) string // "" when the value is good, else the problem
}

var (
	decimalPattern = regexp.MustCompile(`^[0-9]{1,10}(\.[0-9]{1,3})?$`)
	integerPattern = regexp.MustCompile(`^[0-9]{1,5}$`)
	langPattern    = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$`)
)

func decimal(min, max float64) func(string) string {
	return func(v string) string {
		f, err := strconv.ParseFloat(v, 64)
		if !decimalPattern.MatchString(v) || err != nil || f < min || f > max {
			return fmt.Sprintf("must be a number of seconds from %g to %g (up to 3 decimals)", min, max)
		}
		return ""
	}
}

func integer(min, max int) func(string) string {
	return func(v string) string {
		n, err := strconv.Atoi(v)
		if !integerPattern.MatchString(v) || err != nil || n < min || n > max {
			return fmt.Sprintf("must be a whole number from %d to %d", min, max)
		}
		return ""
	}
}

func oneOf(values ...string) func(string) string {
	return func(v string) string {
		if !slices.Contains(values, v) {
			return fmt.Sprintf("must be one of %v", values)
		}
		return ""
	}
}

func pattern(re *regexp.Regexp, what string) func(string) string {
	return func(v string) string {
		if !re.MatchString(v) {
			return "must be " + what
		}
		return ""
	}
}

var boolean = oneOf("true", "false")

// Limits from Mux's documentation.
const (
	maxGIFSeconds = 10
	minGIFSeconds = 0.25
	maxGIFPixels  = 640
	maxGIFFPS     = 30
	maxImagePx    = 4096
	maxSeconds    = 1e10 // program times are Unix seconds
)

// options is the allowlist of claims a caller may set, with the token types
// each belongs to. A name shared by two types (width, height) has one entry
// per type in checks. Nothing outside this table ever reaches a token.
var options = map[string][]option{
	// thumbnail
	"time":     {{[]Type{Thumbnail}, decimal(0, maxSeconds)}},
	"rotate":   {{[]Type{Thumbnail}, oneOf("90", "180", "270")}},
	"fit_mode": {{[]Type{Thumbnail}, oneOf("preserve", "stretch", "crop", "smartcrop", "pad")}},
	"flip_v":   {{[]Type{Thumbnail}, boolean}},
	"flip_h":   {{[]Type{Thumbnail}, boolean}},
	"width": {
		{[]Type{Thumbnail}, integer(1, maxImagePx)},
		{[]Type{GIF}, integer(1, maxGIFPixels)},
	},
	"height": {
		{[]Type{Thumbnail}, integer(1, maxImagePx)},
		{[]Type{GIF}, integer(1, maxGIFPixels)},
	},
	// GIF
	"start": {{[]Type{GIF}, decimal(0, maxSeconds)}},
	"end":   {{[]Type{GIF}, decimal(0, maxSeconds)}},
	"fps":   {{[]Type{GIF}, integer(1, maxGIFFPS)}},
	// video playback modifiers
	"max_resolution":         {{[]Type{Video}, oneOf("270p", "360p", "480p", "540p", "720p", "1080p", "1440p", "2160p")}},
	"min_resolution":         {{[]Type{Video}, oneOf("270p", "360p", "480p", "540p", "720p", "1080p", "1440p", "2160p")}},
	"rendition_order":        {{[]Type{Video}, oneOf("desc")}},
	"default_subtitles_lang": {{[]Type{Video}, pattern(langPattern, "a BCP 47 language tag such as en or en-US")}},
	"redundant_streams":      {{[]Type{Video}, boolean}},
	"asset_start_time":       {{[]Type{Video}, decimal(0, maxSeconds)}},
	"asset_end_time":         {{[]Type{Video}, decimal(0, maxSeconds)}},
	"program_start_time":     {{[]Type{Video}, decimal(0, maxSeconds)}},
	"program_end_time":       {{[]Type{Video}, decimal(0, maxSeconds)}},
}

// IsParam reports whether name is an option of any token type.
func IsParam(name string) bool {
	_, ok := options[name]
	return ok
}

// ParamAppliesTo reports whether name is an option of tokens of type t.
func ParamAppliesTo(t Type, name string) bool {
	_, ok := optionFor(t, name)
	return ok
}

// optionFor returns the entry of the allowlist for option name of type t.
func optionFor(t Type, name string) (option, bool) {
	for _, o := range options[name] {
		if slices.Contains(o.types, t) {
			return o, true
		}
	}
	return option{}, false
}

// ParamNames returns the options that apply to t, sorted.
func ParamNames(t Type) []string {
	var names []string
	for name := range options {
		if ParamAppliesTo(t, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// CheckParam checks one option for a token of type t: the name must be on the
// allowlist for t and the value must pass its check.
func CheckParam(t Type, name, value string) error {
	if !IsParam(name) {
		return &ParamError{printable(name), "is not an option Mux reads from a token"}
	}
	if o, ok := optionFor(t, name); ok {
		if problem := o.check(value); problem != "" {
			return &ParamError{name, problem}
		}
		return nil
	}
	return &ParamError{name, fmt.Sprintf("does not apply to type %s (it applies to %s)", printable(string(t)), typesOf(name))}
}

func typesOf(name string) string {
	var s string
	for _, o := range options[name] {
		for _, t := range o.types {
			if s != "" {
				s += ", "
			}
			s += string(t)
		}
	}
	return s
}

// CheckParams checks every option in params for a token of type t, and the
// rules that join them: a GIF lasts 0.25 to 10 seconds, and a clip ends after
// it starts.
func CheckParams(t Type, params map[string]string) error {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names) // report the same error for the same input
	for _, name := range names {
		if err := CheckParam(t, name, params[name]); err != nil {
			return err
		}
	}
	// Times have at most 3 decimals (checked above), so they compare exactly
	// as whole milliseconds; float subtraction would not (16.004 - 6.004 >
	// 10, 0.35 - 0.1 < 0.25).
	num := func(name string) (int64, bool) {
		v, ok := params[name]
		if !ok {
			return 0, false
		}
		f, _ := strconv.ParseFloat(v, 64)
		return int64(math.Round(f * 1000)), true
	}
	if t == GIF {
		start, _ := num("start")
		if end, ok := num("end"); ok {
			if d := end - start; d < minGIFSeconds*1000 || d > maxGIFSeconds*1000 {
				return &ParamError{"end", fmt.Sprintf("a GIF must last %g to %g seconds (end - start = %g)", minGIFSeconds, float64(maxGIFSeconds), float64(d)/1000)}
			}
		}
	}
	for _, pair := range [][2]string{{"asset_start_time", "asset_end_time"}, {"program_start_time", "program_end_time"}} {
		start, okStart := num(pair[0])
		end, okEnd := num(pair[1])
		if okStart && okEnd && end <= start {
			return &ParamError{pair[1], "must be after " + pair[0]}
		}
	}
	return nil
}
