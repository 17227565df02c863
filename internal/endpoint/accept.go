package endpoint

import "strings"

// maxAcceptLen bounds the Accept header AcceptsJSON reads; browsers send a
// few hundred bytes at most.
const maxAcceptLen = 2048

// AcceptsJSON reports whether an Accept header (RFC 9110, section 12.5.1)
// asks for JSON: one of its media ranges is application/json or an
// application/*+json type, with a weight above zero. A malformed media range
// (bad token, bad parameter, a weight that is not a qvalue) is skipped, as
// if it were absent; wildcards do not ask for JSON, so */* keeps the
// redirect.
func AcceptsJSON(accept string) bool {
	if accept == "" || len(accept) > maxAcceptLen {
		return false
	}
	for part := range strings.SplitSeq(accept, ",") {
		typ, sub, weight, ok := parseMediaRange(part)
		if !ok || weight == 0 || typ != "application" {
			continue
		}
		if sub == "json" || (len(sub) > len("+json") && strings.HasSuffix(sub, "+json")) {
			return true
		}
	}
	return false
}

// parseMediaRange parses one element of an Accept list:
//
//	media-range = ( "*/*" / ( type "/" "*" ) / ( type "/" subtype ) ) parameters
//	parameters  = *( OWS ";" OWS [ parameter ] )
//	parameter   = name "=" ( token / quoted-string )
//	weight      = OWS ";" OWS "q=" qvalue
//
// It returns the type and subtype in lower case and the weight in
// thousandths (1000 when absent).
func parseMediaRange(s string) (typ, sub string, weight int, ok bool) {
	params := strings.Split(s, ";")
	mt := trimOWS(params[0])
	typ, sub, found := strings.Cut(mt, "/")
	if !found || !isToken(typ) || !isToken(sub) {
		return "", "", 0, false
	}
	weight = 1000
	for _, p := range params[1:] {
		p = trimOWS(p)
		if p == "" {
			continue // parameters = *( OWS ";" OWS [ parameter ] )
		}
		name, value, found := strings.Cut(p, "=")
		if !found || !isToken(name) {
			return "", "", 0, false
		}
		if strings.EqualFold(name, "q") {
			w, ok := parseQValue(value)
			if !ok {
				return "", "", 0, false
			}
			weight = w
			continue
		}
		if !isToken(value) && !isQuotedString(value) {
			return "", "", 0, false
		}
	}
	return strings.ToLower(typ), strings.ToLower(sub), weight, true
}

// parseQValue parses a weight: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ),
// returned in thousandths.
func parseQValue(s string) (int, bool) {
	if s == "" || len(s) > 5 || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	w := int(s[0]-'0') * 1000
	if len(s) == 1 {
		return w, true
	}
	if s[1] != '.' {
		return 0, false
	}
	scale := 100
	for i := 2; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' || (w == 1000 && c != '0') {
			return 0, false
		}
		w += int(c-'0') * scale
		scale /= 10
	}
	return w, true
}

// trimOWS trims optional whitespace: spaces and horizontal tabs.
func trimOWS(s string) string { return strings.Trim(s, " \t") }

// isToken reports whether s is an RFC 9110 token: one or more tchars.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// isQuotedString reports whether s is an RFC 9110 quoted-string.
func isQuotedString(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		switch {
		case c == '\\':
			i++
			if i >= len(s)-1 || (s[i] < ' ' && s[i] != '\t') || s[i] == 0x7f {
				return false
			}
		case c == '"', c < ' ' && c != '\t', c == 0x7f:
			return false
		}
	}
	return true
}
