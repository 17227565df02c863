package viewer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Explain says in plain words what a token holds and why it is accepted or
// refused at now, for a CLI (`sign_playback_id viewer TOKEN`). It shows the
// token's claims, never the token or a key. It uses (and may fetch) the
// provider's keys like Verify, but not the token cache.
func (v *Verifier) Explain(ctx context.Context, token string, now time.Time) []string {
	token = strings.TrimSpace(token)
	if scheme, rest, ok := strings.Cut(token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	}
	switch {
	case token == "":
		return []string{"no token given", "REFUSED"}
	case len(token) > MaxTokenBytes:
		return []string{fmt.Sprintf("the token is %d bytes; at most %d are accepted", len(token), MaxTokenBytes), "REFUSED"}
	}
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if !v.cfg.verifiesTokens() {
		say("this configuration checks no token itself: only the user Netlify verified (MUX_VIEWER_NETLIFY_IDENTITY) is accepted, and Netlify does that before the function runs")
	}

	claims := jwt.MapClaims{}
	t, _, err := jwt.NewParser().ParseUnverified(token, claims)
	if err != nil && (t == nil || errors.Is(err, jwt.ErrTokenMalformed)) {
		say("malformed: not a JWT (%v)", err)
		return append(out, "REFUSED")
	}
	alg, _ := t.Header["alg"].(string)
	kid, _ := t.Header["kid"].(string)
	say("header: alg %q, kid %q", clip(alg), clip(kid))
	for _, h := range []string{"jku", "x5u", "jwk", "x5c"} {
		if _, ok := t.Header[h]; ok {
			say("header %s: ignored (keys come only from the configured provider)", h)
		}
	}
	iss, _ := claims.GetIssuer()
	aud, _ := claims.GetAudience()
	sub, _ := claims.GetSubject()
	say("claims: iss %q, aud %q, sub %q", clip(iss), aud, clip(sub))

	ok := v.explainSignature(ctx, token, now, alg, kid, say)
	if !v.explainClaims(claims, now, say) {
		ok = false
	}
	if !ok {
		return append(out, "REFUSED")
	}
	exp, _ := claims.GetExpirationTime()
	say("ACCEPTED: subject %q until %s", clip(sub), exp.UTC().Format(time.RFC3339))
	return out
}

// explainSignature checks the algorithm, key and signature (not the claims).
func (v *Verifier) explainSignature(ctx context.Context, token string, now time.Time, alg, kid string, say func(string, ...any)) bool {
	p := jwt.NewParser(jwt.WithValidMethods(v.methods), jwt.WithoutClaimsValidation(), jwt.WithTimeFunc(func() time.Time { return now }))
	_, err := p.Parse(token, v.keyfunc(ctx, now))
	if err == nil {
		say("signature: good (%s, key id %q)", alg, clip(kid))
		return true
	}
	var ue *unavailableError
	var uk *unknownKidError
	var nk *noKeyError
	switch {
	case errors.As(err, &ue):
		say("keys: the provider's keys could not be fetched (%v); the function answers 503, retry in %s", ue.err, ue.retry.Round(time.Second))
	case errors.Is(err, errAlg) || !containsString(v.methods, alg):
		say("algorithm %q is not allowed here; allowed: %s", clip(alg), strings.Join(v.methods, ", "))
	case errors.As(err, &uk):
		say("unknown key id %q: the provider publishes %s (a key rotated away, or a token from another provider or tenant)", clip(uk.kid), v.publishedKids())
	case errors.As(err, &nk):
		say("no published key fits algorithm %s: the provider publishes %s", nk.alg, v.publishedKids())
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		say("bad signature: the token was not signed by the configured provider's key or secret (or was altered)")
	default:
		say("signature: cannot be checked: %v", err)
	}
	return false
}

// explainClaims checks iss, aud, exp, nbf and iat one by one, so that every
// problem is listed.
func (v *Verifier) explainClaims(claims jwt.MapClaims, now time.Time, say func(string, ...any)) bool {
	ok := true
	skew := v.cfg.ClockSkew
	if iss, _ := claims.GetIssuer(); iss != v.cfg.Issuer {
		say("wrong issuer: the token says %q, the function expects %q (MUX_VIEWER_ISSUER)", clip(iss), v.cfg.Issuer)
		ok = false
	}
	if v.cfg.AudienceOptOut {
		say("audience: not checked (MUX_VIEWER_AUDIENCE=none)")
	} else {
		aud, _ := claims.GetAudience()
		match := false
		for _, a := range aud {
			match = match || containsString(v.cfg.Audiences, a)
		}
		if !match {
			say("wrong audience: the token is for %q, the function expects any of %q (MUX_VIEWER_AUDIENCE)", []string(aud), v.cfg.Audiences)
			ok = false
		}
	}
	exp, err := claims.GetExpirationTime()
	switch {
	case err != nil || exp == nil:
		say("no valid exp: a token without an expiry is never accepted")
		ok = false
	case !now.Before(exp.Add(skew)):
		say("expired at %s, %s ago (clock skew allowed: %s)", exp.UTC().Format(time.RFC3339), now.Sub(exp.Time).Round(time.Second), skew)
		ok = false
	default:
		say("expires at %s, in %s", exp.UTC().Format(time.RFC3339), exp.Sub(now).Round(time.Second))
	}
	if nbf, err := claims.GetNotBefore(); err != nil {
		say("nbf is not a number")
		ok = false
	} else if nbf != nil && now.Add(skew).Before(nbf.Time) {
		say("not valid yet: valid from %s, in %s (clock skew allowed: %s)", nbf.UTC().Format(time.RFC3339), nbf.Sub(now).Round(time.Second), skew)
		ok = false
	}
	if iat, err := claims.GetIssuedAt(); err != nil {
		say("iat is not a number")
		ok = false
	} else if iat != nil && now.Add(skew).Before(iat.Time) {
		say("issued in the future: iat %s (check the clocks)", iat.UTC().Format(time.RFC3339))
		ok = false
	}
	return ok
}

// publishedKids lists the key ids currently known, for messages.
func (v *Verifier) publishedKids() string {
	if v.keys == nil {
		return "no keys"
	}
	v.keys.mu.Lock()
	defer v.keys.mu.Unlock()
	if len(v.keys.keys) == 0 {
		return "no keys"
	}
	ids := make([]string, 0, len(v.keys.keys))
	for _, k := range v.keys.keys {
		ids = append(ids, fmt.Sprintf("%q", clip(k.kid)))
	}
	return strings.Join(ids, ", ")
}

// Probe fetches the discovery document and the keys now (ignoring the rate
// limit and the cache) and says what it found, for `check --fetch`. The error
// says what failed; the lines say what worked up to then.
func (v *Verifier) Probe(ctx context.Context) ([]string, error) {
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if !v.cfg.Enabled() {
		return []string{"viewer sign-in: off (no MUX_VIEWER_* variable set)"}, nil
	}
	if v.cfg.NetlifyIdentity {
		say("Netlify Identity: the user Netlify verified (Authorization: Bearer) is trusted; under `netlify dev` that user is NOT verified")
	}
	if len(v.cfg.HS256Secret) > 0 {
		say("HS256 shared secret: %d bytes", len(v.cfg.HS256Secret))
	}
	if !v.cfg.usesJWKS() {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*FetchTimeout)
	defer cancel()
	url := v.cfg.JWKSURL
	if url == "" {
		var err error
		url, err = discover(ctx, v.client, v.cfg.Issuer)
		if err != nil {
			return out, fmt.Errorf("%s: %w", discoveryURL(v.cfg.Issuer), err)
		}
		say("discovery %s: issuer %q, jwks_uri %s", discoveryURL(v.cfg.Issuer), v.cfg.Issuer, url)
	}
	keys, age, err := fetchJWKS(ctx, v.client, url)
	if err != nil {
		return out, err
	}
	refresh := "every " + DefaultRefresh.String()
	if age > 0 {
		refresh = "per Cache-Control max-age " + age.String()
	}
	say("keys %s: %d usable (refreshed %s)", url, len(keys), refresh)
	for _, k := range keys {
		alg := k.alg
		if alg == "" {
			alg = "any fitting algorithm"
		}
		say("  kid %q: %s, %s", clip(k.kid), keyType(k.key), alg)
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
