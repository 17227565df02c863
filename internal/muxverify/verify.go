package muxverify

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
)

// soonWarning is how close to expiry a token draws a warning: a video that
// plays longer than what is left stops when the token expires.
const soonWarning = 10 * time.Minute

// claims every Mux token carries, and those Verify explains elsewhere.
var reservedClaims = []string{"kid", "sub", "aud", "exp", "nbf", "iat"}

// Verify checks token the way Mux does before serving what it unlocks, and
// reports every reason Mux would refuse it: a malformed token, an algorithm
// other than RS256, a signature that does not match pub (signed with another
// key, or altered), expiry, a missing kid or one that is not want.KeyID, and a
// sub or aud that is not the wanted playback ID or type. now is the time of
// the check. A nil pub skips the signature check (Report.SignatureChecked is
// then false): only use that to explain a token, never to accept one.
//
// The report is never nil. The error is a *TokenError when there is any
// problem, nil when Mux would accept the token.
func Verify(token string, pub *rsa.PublicKey, want Expect, now time.Time) (*Report, error) {
	r := &Report{}
	r.check(strings.TrimSpace(token), pub, want, now)
	if len(r.Problems) > 0 {
		return r, &TokenError{Problems: slices.Clone(r.Problems)}
	}
	return r, nil
}

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

func (r *Report) warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

func (r *Report) check(token string, pub *rsa.PublicKey, want Expect, now time.Time) {
	if !r.decode(token) {
		return
	}
	r.checkSignature(token, pub)
	r.checkKeyID(want.KeyID)
	r.checkSubject(want.PlaybackID)
	r.checkAudience(want.Type)
	r.checkTimes(now)
	r.readOptions()
}

// decode checks the token's shape and decodes its header and claims, saying
// precisely what is wrong when it cannot.
func (r *Report) decode(token string) bool {
	if token == "" {
		r.problem("malformed: the token is empty")
		return false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		r.problem("malformed: a token is three base64url parts separated by dots (header.claims.signature); this has %d part(s)", len(parts))
		return false
	}
	names := [3]string{"header", "claims", "signature"}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.DecodeString(p)
		switch {
		case p == "":
			r.problem("malformed: the %s part is empty", names[i])
			return false
		case err != nil && strings.ContainsAny(p, "+/="):
			r.problem("malformed: the %s part is standard base64 (with + / or = padding); a token uses unpadded base64url", names[i])
			return false
		case err != nil && strings.Contains(p, "%"):
			r.problem("malformed: the %s part is URL-escaped; unescape the token first", names[i])
			return false
		case err != nil:
			r.problem("malformed: the %s part is not base64url", names[i])
			return false
		}
		raw[i] = b
	}
	for i, dst := range []*map[string]any{&r.Header, &r.Claims} {
		dec := json.NewDecoder(bytes.NewReader(raw[i]))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
			r.problem("malformed: the %s part is not a JSON object", names[i])
			r.Header, r.Claims = nil, nil
			return false
		}
		*dst = m
	}
	return true
}

// checkSignature checks the algorithm and, for RS256, the signature.
func (r *Report) checkSignature(token string, pub *rsa.PublicKey) {
	alg, _ := r.Header["alg"].(string)
	switch {
	case alg == "":
		r.problem("the header has no alg; Mux accepts only RS256")
		return
	case strings.EqualFold(alg, "none"):
		r.problem("alg is %q: the token is unsigned; Mux accepts only RS256", quote(alg))
		return
	case alg != jwt.SigningMethodRS256.Alg():
		r.problem("alg is %q; Mux accepts only RS256 (RSA signatures with SHA-256)", quote(alg))
		return
	}
	if pub == nil {
		return
	}
	p := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithoutClaimsValidation())
	_, err := p.Parse(token, func(*jwt.Token) (any, error) { return pub, nil })
	r.SignatureChecked = true
	switch {
	case err == nil:
		r.SignatureValid = true
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		r.problem("bad signature: the token was not signed with the configured key (signed with another signing key, or altered after signing)")
	default:
		r.problem("malformed: %v", err)
	}
}

func (r *Report) checkKeyID(want string) {
	header := r.stringField(r.Header, "header", "kid")
	claim := r.stringField(r.Claims, "claims", "kid")
	r.HeaderKeyID, r.ClaimKeyID = quote(header), quote(claim)
	switch {
	case header == "" && claim == "":
		_, inHeader := r.Header["kid"]
		_, inClaims := r.Claims["kid"]
		if inHeader || inClaims {
			return // already reported as not a string
		}
		r.problem("kid is missing from both header and claims: Mux cannot tell which signing key to check it with")
		return
	case header != "" && claim != "" && header != claim:
		r.problem("the header's kid %q and the claims' kid %q differ", quote(header), quote(claim))
	}
	if want == "" {
		return
	}
	for _, kid := range []struct{ where, id string }{{"header", header}, {"claims", claim}} {
		if kid.id != "" && kid.id != want {
			r.problem("kid %q (in the %s) is not the configured signing key ID %q", quote(kid.id), kid.where, quote(want))
		}
	}
}

func (r *Report) checkSubject(want string) {
	sub := r.stringField(r.Claims, "claims", "sub")
	r.PlaybackID = quote(sub)
	switch {
	case sub == "":
		if _, present := r.Claims["sub"]; !present {
			r.problem("sub is missing: it must be the playback ID the token unlocks")
		}
	case want != "" && sub != want:
		r.problem("sub is %q but the playback ID is %q: a token unlocks only the playback ID in its sub", quote(sub), quote(want))
	}
}

func (r *Report) checkAudience(want muxsign.Type) {
	if v, ok := r.Claims["aud"]; ok {
		if _, isString := v.(string); !isString {
			r.problem("aud is not a single string: Mux expects one letter, v, t, g, s or d")
			return
		}
	}
	aud := r.stringField(r.Claims, "claims", "aud")
	r.Audience = quote(aud)
	if aud == "" {
		if _, present := r.Claims["aud"]; present {
			return
		}
		r.problem("aud is missing: it must say what the token unlocks (v video, t thumbnail, g gif, s storyboard, d drm_license)")
		return
	}
	t, ok := muxsign.TypeForAudience(aud)
	if !ok {
		r.problem("aud %q is not one Mux knows: v video, t thumbnail, g gif, s storyboard, d drm_license", r.Audience)
		return
	}
	r.Type = t
	if want != "" && t != want {
		r.problem("aud is %q (%s) but a %s needs aud %q: Mux accepts a token only for the kind of resource it names", r.Audience, t, want, want.Audience())
	}
}

func (r *Report) checkTimes(now time.Time) {
	exp, ok, present := numericTime(r.Claims["exp"])
	switch {
	case !present:
		r.problem("exp is missing: Mux needs an expiry time")
	case !ok:
		r.problem("exp is not a number of seconds since 1970")
	default:
		r.ExpiresAt = exp
		r.ExpiresIn = exp.Sub(now)
		if !now.Before(exp) {
			r.problem("expired %s ago (exp %s)", HumanDuration(now.Sub(exp)), exp.UTC().Format(time.RFC3339))
		} else if r.ExpiresIn < soonWarning {
			r.warn("expires in %s: playback stops when the token expires, so it must outlast the viewing", HumanDuration(r.ExpiresIn))
		}
	}
	if nbf, ok, present := numericTime(r.Claims["nbf"]); present {
		switch {
		case !ok:
			r.problem("nbf is not a number of seconds since 1970")
		case now.Before(nbf):
			r.problem("not valid yet: nbf is %s from now (%s); is the signing machine's clock right?", HumanDuration(nbf.Sub(now)), nbf.UTC().Format(time.RFC3339))
		}
	}
	if iat, ok, present := numericTime(r.Claims["iat"]); present && ok && iat.After(now.Add(time.Minute)) {
		r.warn("iat is %s in the future; is the signing machine's clock right?", HumanDuration(iat.Sub(now)))
	}
}

// readOptions lists the other claims and warns about those Mux would not read
// for this type.
func (r *Report) readOptions() {
	for name, v := range r.Claims {
		if slices.Contains(reservedClaims, name) {
			continue
		}
		if r.Options == nil {
			r.Options = map[string]string{}
		}
		text := claimText(v)
		r.Options[quote(name)] = text
		switch name {
		case "playback_restriction_id":
			if s, ok := v.(string); !ok || !muxsign.ValidPlaybackID(s) {
				r.warn("playback_restriction_id %s is not a playback restriction ID (ASCII letters and digits)", text)
			}
		case "custom":
			if _, ok := v.(map[string]any); !ok {
				r.warn("custom should be a JSON object of tracking data")
			}
		default:
			if r.Type == "" {
				continue
			}
			if err := muxsign.CheckParam(r.Type, name, strings.Trim(text, `"`)); err != nil {
				r.warn("option %v; Mux may ignore or refuse it", err)
			}
		}
	}
	if typ, ok := r.Header["typ"].(string); ok && typ != "JWT" {
		r.warn("the header's typ is %q; Mux's SDKs send JWT", quote(typ))
	}
}

// stringField returns m[name], or "" when absent. A value that is not a
// non-empty string is a problem.
func (r *Report) stringField(m map[string]any, where, name string) string {
	v, ok := m[name]
	if !ok {
		return ""
	}
	s, isString := v.(string)
	if !isString || s == "" {
		r.problem("%s in the %s is not a non-empty string", name, where)
		return ""
	}
	return s
}

// numericTime reads a NumericDate claim.
func numericTime(v any) (t time.Time, ok, present bool) {
	if v == nil {
		return time.Time{}, false, false
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return time.Time{}, false, true
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.Abs(f) > 1e11 {
		return time.Time{}, false, true
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, true
}

// claimText is a claim's value as short printable text: strings bare,
// anything else as JSON.
func claimText(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return quote(string(b))
}

// maxQuoted is the most bytes of one piece of user input a report quotes:
// long enough for any playback or key ID.
const maxQuoted = 200

// quote makes s safe to put in a report (see safetext.Printable).
func quote(s string) string { return safetext.Printable(s, maxQuoted) }
