package viewer

import (
	"strings"
	"time"
)

// RFC 6750 error codes.
const (
	CodeInvalidRequest = "invalid_request"
	CodeInvalidToken   = "invalid_token"
)

// Error is why Verify found no viewer. Status is 401 (no or bad credentials)
// or 503 (the provider's keys could not be fetched: fail closed).
type Error struct {
	Status      int           // 401 or 503
	Code        string        // RFC 6750: "" (no credentials), invalid_request or invalid_token
	Description string        // public and helpful; never a secret, a token or a key id
	Detail      string        // for the log: more precise, still no token or key material
	RetryAfter  time.Duration // 503: when to try again
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return "viewer: " + e.Description + " (" + e.Detail + ")"
	}
	return "viewer: " + e.Description
}

// WWWAuthenticate is the WWW-Authenticate header value for a 401 (RFC 6750
// section 3), or "" for other statuses.
func (e *Error) WWWAuthenticate() string {
	if e.Status != 401 {
		return ""
	}
	if e.Code == "" {
		return "Bearer"
	}
	v := `Bearer error="` + e.Code + `"`
	if e.Description != "" {
		v += `, error_description="` + quoteSafe(e.Description) + `"`
	}
	return v
}

// quoteSafe keeps only the characters RFC 6750 allows in error_description
// (%x20-21 / %x23-5B / %x5D-7E).
func quoteSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '\''
		}
		return r
	}, s)
}

func errNoCredentials() *Error {
	return &Error{Status: 401, Description: "sign in to watch this video"}
}

func errRequest(desc, detail string) *Error {
	return &Error{Status: 401, Code: CodeInvalidRequest, Description: desc, Detail: detail}
}

func errToken(desc, detail string) *Error {
	return &Error{Status: 401, Code: CodeInvalidToken, Description: desc, Detail: detail}
}

func errUnavailable(retry time.Duration, detail string) *Error {
	if retry < time.Second {
		retry = time.Second
	}
	return &Error{Status: 503, Description: "the sign-in provider's keys could not be fetched; try again shortly", Detail: detail, RetryAfter: (retry + time.Second - 1).Truncate(time.Second)}
}
