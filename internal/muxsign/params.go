package muxsign

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
)

// ParamError reports an option that is unknown, does not apply to a token
// type, or has a bad value.
type ParamError struct {
	Name    string // the option, as given (made printable)
	Problem string
}

func (e *ParamError) Error() string { return e.Name + ": " + e.Problem }

// maxQuotedName is the most bytes of an unknown option name or type an error
// repeats.
const maxQuotedName = 40

// paramNames is every option of any type, sorted. Nothing outside lookup
// ever reaches a token.
var paramNames = [...]string{
	"asset_end_time", "asset_start_time", "default_subtitles_lang", "end", "fit_mode", "flip_h",
	"flip_v", "fps", "height", "max_resolution", "min_resolution", "program_end_time",
	"program_start_time", "redundant_streams", "rendition_order", "rotate", "start", "time", "width",
}

// IsParam reports whether name is an option of any token type.
func IsParam(name string) bool {
	return slices.Contains(paramNames[:], name)
}

// ParamAppliesTo reports whether name is an option of tokens of type t.
func ParamAppliesTo(t Type, name string) bool {
	_, ok := lookup(t, name)
	return ok
}

// ParamNames returns the options that apply to t, sorted.
func ParamNames(t Type) []string {
	var names []string
	for _, name := range paramNames {
		if ParamAppliesTo(t, name) {
			names = append(names, name)
		}
	}
	return names
}

// CheckParam checks one option for a token of type t: the name must be on the
// allowlist for t and the value must pass its check.
func CheckParam(t Type, name, value string) error {
	_, err := checkParam(t, name, value)
	return err
}

// CanonicalParam checks one option for a token of type t, as CheckParam does,
// and returns its value in canonical form: a number without leading zeros in
// its whole part nor trailing zeros in its fraction, and without a fraction
// when it is whole ("0640" is "640", "010.500" is "10.5", "1.0" is "1"). Other
// values are returned as they are. Two spellings of the same number thus give
// the same claims, the same token and the same cache entry.
func CanonicalParam(t Type, name, value string) (string, error) {
	c, err := checkParam(t, name, value)
	if err != nil {
		return "", err
	}
	return c.canonical(value), nil
}

// checkParam returns the rule for option name of type t after checking value
// against it.
func checkParam(t Type, name, value string) (rule, error) {
	if !IsParam(name) {
		return rule{}, &ParamError{safetext.Printable(name, maxQuotedName), "is not an option Mux reads from a token"}
	}
	c, ok := lookup(t, name)
	if !ok {
		return rule{}, &ParamError{name, fmt.Sprintf("does not apply to type %s (it applies to %s)", safetext.Printable(string(t), maxQuotedName), typesOf(name))}
	}
	if problem := c.check(value); problem != "" {
		return rule{}, &ParamError{name, problem}
	}
	return c, nil
}

func typesOf(name string) string {
	var s string
	for _, t := range Types {
		if ParamAppliesTo(t, name) {
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
// it starts. When they pass, it rewrites every value in params to its
// canonical form (see CanonicalParam); on error params is left as it was.
func CheckParams(t Type, params map[string]string) error {
	canon, err := canonicalParams(t, params)
	if err != nil {
		return err
	}
	for name, v := range canon {
		if params[name] != v {
			params[name] = v
		}
	}
	return nil
}

// canonicalParams checks params as CheckParams does and returns them in
// canonical form: params itself when every value already is, else a copy.
// It never writes to params, which callers may share between goroutines.
func canonicalParams(t Type, params map[string]string) (map[string]string, error) {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names) // report the same error for the same input
	for _, name := range names {
		if err := CheckParam(t, name, params[name]); err != nil {
			return nil, err
		}
	}
	if err := checkJoint(t, params); err != nil {
		return nil, err
	}
	return canonicalValues(t, params), nil
}

// canonicalValues returns params with every valid numeric option in canonical
// form: params itself when nothing changes (no allocation), else a copy.
// Values that fail their check are left for the check to refuse.
func canonicalValues(t Type, params map[string]string) map[string]string {
	out, copied := params, false
	for name, v := range params {
		c, ok := lookup(t, name)
		if !ok || c.check(v) != "" {
			continue
		}
		if cv := c.canonical(v); cv != v {
			if !copied {
				out, copied = maps.Clone(params), true
			}
			out[name] = cv
		}
	}
	return out
}

// checkJoint checks the rules that join options. Times have at most 3
// decimals (checked before), so they compare exactly as whole milliseconds;
// float subtraction would not (16.004 - 6.004 > 10, 0.35 - 0.1 < 0.25).
func checkJoint(t Type, params map[string]string) error {
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
	for _, pair := range [...][2]string{{"asset_start_time", "asset_end_time"}, {"program_start_time", "program_end_time"}} {
		start, okStart := num(pair[0])
		end, okEnd := num(pair[1])
		if okStart && okEnd && end <= start {
			return &ParamError{pair[1], "must be after " + pair[0]}
		}
	}
	return nil
}
