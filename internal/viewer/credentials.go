package viewer

import "strings"

// MaxTokenBytes caps the viewer token: a larger one is refused before any
// parsing (401 invalid_token).
const MaxTokenBytes = 8 << 10

// maxHeaderBytes caps the header values scanned for a token.
const maxHeaderBytes = 32 << 10

// Credentials are the raw inputs Verify reads, as the endpoint received them.
type Credentials struct {
	Authorization  string // raw Authorization header value ("" if none)
	Cookie         string // raw Cookie header value(s), joined with "; " if several
	NetlifyContext string // raw clientContext.custom["netlify"] (base64 JSON) or ""
}

// findToken finds the viewer's token: Authorization: Bearer first (the
// cookie is then not read), else the configured cookie. It returns "" and nil
// when the request carries none, and says where the token came from.
func findToken(cred Credentials, cookieName string) (token, source string, err *Error) {
	if len(cred.Authorization) > maxHeaderBytes || len(cred.Cookie) > maxHeaderBytes {
		return "", "", errToken("the sign-in token is too large", "header over the size cap")
	}
	tok, isBearer, e := bearer(cred.Authorization)
	if e != nil {
		return "", "", e
	}
	if isBearer {
		return tok, SourceBearer, nil
	}
	if cookieName == "" || cred.Cookie == "" {
		return "", "", nil
	}
	tok, e = cookieToken(cred.Cookie, cookieName)
	return tok, SourceCookie, e
}

// bearer reads an Authorization value. Another scheme (e.g. Basic, used by
// Netlify's site password protection) is not an error: it is not ours.
func bearer(h string) (token string, isBearer bool, err *Error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", false, nil
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false, nil
	}
	tok := strings.TrimLeft(rest, " ")
	switch {
	case tok == "":
		return "", true, errRequest("the Authorization header says Bearer but carries no token", "empty bearer token")
	case len(tok) > MaxTokenBytes:
		return "", true, errToken("the sign-in token is too large", "bearer token over the size cap")
	case !isB64Token(tok):
		return "", true, errRequest("the Authorization header must be `Bearer TOKEN` with one token", "bearer token has characters outside b64token")
	}
	return tok, true, nil
}

// cookieToken finds the one cookie called name in a Cookie header value.
func cookieToken(header, name string) (string, *Error) {
	var found string
	n := 0
	for part := range strings.SplitSeq(header, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || strings.TrimSpace(k) != name {
			continue
		}
		n++
		found = strings.TrimSpace(v)
	}
	switch {
	case n == 0:
		return "", nil
	case n > 1:
		return "", errRequest("the request carries the sign-in cookie more than once; sign out and in again", "duplicate token cookie")
	}
	if len(found) >= 2 && found[0] == '"' && found[len(found)-1] == '"' {
		found = found[1 : len(found)-1]
	}
	switch {
	case found == "":
		return "", nil // an emptied cookie (signed out)
	case len(found) > MaxTokenBytes:
		return "", errToken("the sign-in token is too large", "cookie token over the size cap")
	case !isB64Token(found):
		return "", errToken("the sign-in cookie does not hold a token", "cookie value has characters outside b64token")
	}
	return found, nil
}

// isB64Token reports whether s matches RFC 6750's b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
			break
		}
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}
