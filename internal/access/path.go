package access

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
)

// Limits on claim paths.
const (
	maxPathSegments   = 8
	maxSegmentLen     = 256
	maxClaimValueLen  = 128
	maxValuesPerClaim = 32
)

// claimPath names a claim on the viewer's token: the keys to follow from
// the top of the claims, one per nesting level.
//
// Syntax (documented in doc.go):
//
//	roles                          top-level claim "roles"
//	app_metadata.roles             claim "roles" inside object "app_metadata"
//	https://example.com/roles      a path that starts with http:// or https://
//	                               is ONE top-level claim name, dots and all
//	                               (Auth0's namespaced claims)
//	[https://example.com/app].roles  brackets quote one key verbatim, so a
//	                               key with dots can be followed by more keys
//	cognito:groups                 colons and slashes are ordinary characters
type claimPath struct {
	keys []string
	text string // as written, for messages
}

func (p claimPath) String() string { return p.text }

// isPathStop reports whether r ends a bare key: it is one of the characters
// the variables' syntax uses, or a space or control character.
func isPathStop(r rune) bool {
	switch r {
	case '.', '[', ']', '=', '|', ',', ';', '"', '\'', '\\':
		return true
	}
	return r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r)
}

// parsePath reads a claim path at the start of s and returns it with the
// rest of s (from the first character that cannot belong to the path:
// usually '='). An error says what is wrong, in words for the site owner.
func parsePath(s string) (claimPath, string, error) {
	var keys []string
	i := 0
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		// A namespaced claim: one key up to the first stop character
		// other than '.'.
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if r != '.' && isPathStop(r) {
				break
			}
			j += n
		}
		key := s[i:j]
		if strings.HasSuffix(key, ".") {
			return claimPath{}, s, fmt.Errorf("the claim name %q ends with a dot", clip(key))
		}
		keys = append(keys, key)
		i = j
		if i < len(s) && s[i] == '.' {
			return claimPath{}, s, fmt.Errorf("a claim name starting with http:// or https:// is taken whole; to reach a key inside it, write it in brackets: [%s].key", clip(key))
		}
	} else {
		key, n, err := readKey(s[i:])
		if err != nil {
			return claimPath{}, s, err
		}
		keys = append(keys, key)
		i += n
	}
	for i < len(s) && s[i] == '.' {
		i++
		key, n, err := readKey(s[i:])
		if err != nil {
			return claimPath{}, s, err
		}
		keys = append(keys, key)
		i += n
	}
	if i < len(s) && s[i] == '[' {
		return claimPath{}, s, fmt.Errorf("put a dot before a bracketed key: a.[b]")
	}
	if len(keys) > maxPathSegments {
		return claimPath{}, s, fmt.Errorf("the claim path %q has more than %d keys", clip(s[:i]), maxPathSegments)
	}
	for _, k := range keys {
		if len(k) > maxSegmentLen {
			return claimPath{}, s, fmt.Errorf("a key of the claim path %q is longer than %d bytes", clip(s[:i]), maxSegmentLen)
		}
	}
	return claimPath{keys: keys, text: s[:i]}, s[i:], nil
}

// readKey reads one key: bare or in brackets. n is the length consumed.
func readKey(s string) (key string, n int, err error) {
	if s == "" {
		return "", 0, fmt.Errorf("a claim path is missing a key (empty, or ends with a dot)")
	}
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, fmt.Errorf("a bracket in the claim path is not closed: %q", clip(s))
		}
		key = s[1:end]
		if key == "" {
			return "", 0, fmt.Errorf("a bracketed key is empty: []")
		}
		if !utf8.ValidString(key) {
			return "", 0, fmt.Errorf("a bracketed key is not valid UTF-8")
		}
		for _, r := range key {
			if r != ' ' && !unicode.IsPrint(r) || r == '[' {
				return "", 0, fmt.Errorf("the bracketed key %q holds an unprintable character or a second [", clip(key))
			}
		}
		return key, end + 1, nil
	}
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if isPathStop(r) {
			break
		}
		n += size
	}
	if n == 0 {
		return "", 0, fmt.Errorf("a claim path is missing a key before %q", clip(s))
	}
	return s[:n], n, nil
}

// lookup follows p in claims. ok is false when a key is missing or a step
// on the way is not an object.
func (p claimPath) lookup(claims map[string]any) (v any, ok bool) {
	if claims == nil || len(p.keys) == 0 {
		return nil, false
	}
	var cur any = claims
	for _, k := range p.keys {
		m, isMap := cur.(map[string]any)
		if !isMap {
			return nil, false
		}
		cur, ok = m[k]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// contains reports whether a claim value contains want: the value is the
// string want, or an array holding the string want, or a string of words
// separated by spaces (the OAuth 2.0 `scope` form, RFC 6749 section 3.3)
// one of which is want. Numbers, booleans, objects and non-string array
// elements never contain anything.
func contains(v any, want string) bool {
	switch x := v.(type) {
	case string:
		return hasWord(x, want)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s == want {
				return true
			}
		}
	case []string:
		for _, s := range x {
			if s == want {
				return true
			}
		}
	}
	return false
}

// hasWord reports whether want is s or one of the words of s separated by
// single or repeated spaces (U+0020 only, as RFC 6749 scopes are).
func hasWord(s, want string) bool {
	if want == "" {
		return false
	}
	if s == want {
		return true
	}
	for len(s) > 0 {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return s == want
		}
		if s[:i] == want {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// kindOf names the JSON type of a claim value, for log details (never the
// value itself).
func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if strings.IndexByte(x, ' ') >= 0 {
			return "a space-separated string"
		}
		return "a string"
	case []any:
		return fmt.Sprintf("an array of %d", len(x))
	case []string:
		return fmt.Sprintf("an array of %d", len(x))
	case map[string]any:
		return "an object"
	case bool:
		return "a boolean"
	case float64, float32, int, int64, int32, uint, uint64, uint32:
		return "a number"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// clip shortens configuration text quoted in an error message and makes it
// printable, so that a message stays one short line.
func clip(s string) string { return safetext.Printable(s, 48) }
