package access

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxRequirements is the most requirements one grant (or
// MUX_VIEWER_REQUIRE) may list.
const maxRequirements = 8

// requirement: the claim at path contains at least one of values.
type requirement struct {
	path   claimPath
	values []string
	text   string // path=v1|v2, for messages
}

// holds reports whether claims satisfy r. nil claims (anonymous) never do.
func (r *requirement) holds(claims map[string]any) bool {
	v, ok := r.path.lookup(claims)
	if !ok {
		return false
	}
	for _, want := range r.values {
		if contains(v, want) {
			return true
		}
	}
	return false
}

// miss says, for the log, why claims do not satisfy r; it names the claim
// and its type, never the viewer's values.
func (r *requirement) miss(claims map[string]any) string {
	if claims == nil {
		return "no signed-in viewer for " + r.text
	}
	v, ok := r.path.lookup(claims)
	if !ok {
		return "claim " + r.path.text + " is missing (needed: " + r.text + ")"
	}
	switch v.(type) {
	case string, []any, []string:
		return "claim " + r.path.text + " (" + kindOf(v) + ") holds none of " + strings.Join(r.values, "|")
	}
	return "claim " + r.path.text + " is " + kindOf(v) + ", not a string or an array of strings (needed: " + r.text + ")"
}

// isValueStop reports whether r cannot be part of a value.
func isValueStop(r rune) bool {
	switch r {
	case '|', ',', ';', '=', '[', ']', '"', '\'', '\\':
		return true
	}
	return r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r)
}

// parseRequirements reads `path=v1|v2, path=v3` (all must hold). Spaces are
// allowed around ',' and '|' and '='.
func parseRequirements(s string) ([]requirement, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("no requirement given: write CLAIM=VALUE, such as roles=member")
	}
	var reqs []requirement
	for {
		r, rest, err := parseRequirement(s)
		if err != nil {
			return nil, err
		}
		for _, prev := range reqs {
			if prev.path.text == r.path.text {
				return nil, fmt.Errorf("the claim %s is named twice: list its values once, separated by |", r.path.text)
			}
		}
		reqs = append(reqs, r)
		if len(reqs) > maxRequirements {
			return nil, fmt.Errorf("more than %d requirements in one list", maxRequirements)
		}
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return reqs, nil
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("unexpected %q after %s: separate requirements with commas", clip(rest), r.text)
		}
		s = strings.TrimLeft(rest[1:], " \t")
		if s == "" {
			return nil, fmt.Errorf("a requirement list ends with a comma")
		}
	}
}

// parseRequirement reads one `path=v1|v2` at the start of s.
func parseRequirement(s string) (requirement, string, error) {
	p, rest, err := parsePath(s)
	if err != nil {
		return requirement{}, s, err
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" || rest[0] != '=' {
		if rest == "" {
			return requirement{}, s, fmt.Errorf("%q has no value: write CLAIM=VALUE, such as %s=member", clip(p.text), p.text)
		}
		return requirement{}, s, fmt.Errorf("unexpected %q after the claim %s: write CLAIM=VALUE", clip(rest), p.text)
	}
	rest = strings.TrimLeft(rest[1:], " \t")
	var values []string
	for {
		n := 0
		for n < len(rest) {
			r, size := utf8.DecodeRuneInString(rest[n:])
			if isValueStop(r) {
				break
			}
			n += size
		}
		if n == 0 {
			if rest == "" {
				return requirement{}, s, fmt.Errorf("the claim %s has an empty value", p.text)
			}
			return requirement{}, s, fmt.Errorf("the value for %s is empty or starts with a character values cannot hold: %q", p.text, clip(rest))
		}
		v := rest[:n]
		if len(v) > maxClaimValueLen {
			return requirement{}, s, fmt.Errorf("a value for %s is longer than %d bytes", p.text, maxClaimValueLen)
		}
		for _, prev := range values {
			if prev == v {
				return requirement{}, s, fmt.Errorf("the value %q is listed twice for %s", clip(v), p.text)
			}
		}
		values = append(values, v)
		if len(values) > maxValuesPerClaim {
			return requirement{}, s, fmt.Errorf("more than %d values for %s", maxValuesPerClaim, p.text)
		}
		rest = strings.TrimLeft(rest[n:], " \t")
		if rest == "" || rest[0] != '|' {
			break
		}
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	if rest != "" && rest[0] != ',' {
		return requirement{}, s, fmt.Errorf("unexpected %q after %s=%s: values cannot hold spaces, quotes, brackets, = or ;", clip(rest), p.text, strings.Join(values, "|"))
	}
	r := requirement{path: p, values: values, text: p.text + "=" + strings.Join(values, "|")}
	return r, rest, nil
}
