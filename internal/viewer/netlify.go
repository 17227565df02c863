package viewer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// maxNetlifyContext caps the raw custom["netlify"] value.
const maxNetlifyContext = 16 << 10

// netlifyContext is the decoded clientContext.custom["netlify"]: see the
// package documentation for how Netlify fills it.
type netlifyContext struct {
	Identity json.RawMessage `json:"identity"`
	User     map[string]any  `json:"user"`
}

// decodeNetlifyContext decodes the base64 JSON Netlify passes, strictly.
func decodeNetlifyContext(raw string) (*netlifyContext, error) {
	if len(raw) > maxNetlifyContext {
		return nil, fmt.Errorf("netlify context is %d bytes, over the %d cap", len(raw), maxNetlifyContext)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(raw)
	if err != nil {
		return nil, errors.New("netlify context is not base64")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var nc netlifyContext
	if err := dec.Decode(&nc); err != nil {
		return nil, errors.New("netlify context is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("netlify context has data after the JSON object")
	}
	return &nc, nil
}

// netlifyViewer turns the user Netlify verified into a Viewer, checking its
// exp (required) with the clock skew.
func netlifyViewer(user map[string]any, now time.Time, skew time.Duration) (*Viewer, *Error) {
	exp, ok := numericDate(user["exp"])
	if !ok {
		return nil, errToken("the sign-in token has no valid expiry", "netlify user: exp missing or not a number")
	}
	if !now.Before(exp.Add(skew)) {
		return nil, errToken("the sign-in token has expired; sign in again", "netlify user: expired at "+exp.UTC().Format(time.RFC3339))
	}
	sub, _ := user["sub"].(string)
	return &Viewer{Subject: sub, Claims: normalizeNumbers(user), ExpiresAt: exp, Source: SourceNetlify}, nil
}

// numericDate reads a JWT NumericDate (seconds since the epoch).
func numericDate(v any) (time.Time, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return time.Time{}, false
		}
	case float64:
		f = n
	default:
		return time.Time{}, false
	}
	if f <= 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}

// normalizeNumbers turns json.Number values into float64, as the JWT path
// gives them, so claims look alike whatever their source.
func normalizeNumbers(m map[string]any) map[string]any {
	for k, v := range m {
		m[k] = normalizeValue(v)
	}
	return m
}

func normalizeValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case map[string]any:
		return normalizeNumbers(x)
	case []any:
		for i := range x {
			x[i] = normalizeValue(x[i])
		}
	}
	return v
}
