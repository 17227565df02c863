package main

import (
	"crypto/rsa"
	"encoding/json"
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxverify"
)

// checker checks every answer a viewer was served: the status the function
// owes, CORS, and every token: RS256 against the key, the right kid, sub,
// aud and options, and at least the life promised.
type checker struct {
	keyID string
	pub   *rsa.PublicKey
	seen  map[string]*tokenFacts // verified once each: signing is deterministic
}

type tokenFacts struct {
	ok      bool // signature and kid good, at the time first seen
	problem string
	sub     string
	typ     muxsign.Type
	exp     time.Time
	options map[string]string
}

func newChecker(keyID string, pub *rsa.PublicKey) *checker {
	return &checker{keyID: keyID, pub: pub, seen: map[string]*tokenFacts{}}
}

func (c *checker) check(res *result, v *view, want expected, resp events.APIGatewayProxyResponse, hit bool, promise time.Duration, errorsCacheable bool) {
	where := "function"
	if hit {
		where = "edge"
	}
	if resp.StatusCode != want.status {
		res.fail("%s served %d, want %d, for %s", where, resp.StatusCode, want.status, v.rawQuery())
		return
	}
	if got := header(resp.Headers, "Access-Control-Allow-Origin"); got != want.acao {
		res.fail("%s served Access-Control-Allow-Origin %q to origin %q, want %q", where, got, v.origin, want.acao)
	}
	if hit && resp.StatusCode >= 400 && !(resp.StatusCode == 403 && errorsCacheable) {
		res.fail("edge served a cached %d for %s: errors of that kind must never be cached", resp.StatusCode, v.rawQuery())
	}
	switch resp.StatusCode {
	case 302:
		c.checkRedirect(res, v, header(resp.Headers, "Location"), promise, where)
	case 200:
		c.checkJSON(res, v, resp.Body, promise, where)
	}
}

func (c *checker) checkRedirect(res *result, v *view, location string, promise time.Duration, where string) {
	u, err := url.Parse(location)
	if err != nil {
		res.fail("%s served an unparsable Location", where)
		return
	}
	format := v.format
	if format == "" {
		format = map[muxsign.Type]string{muxsign.Video: "m3u8", muxsign.Thumbnail: "jpg", muxsign.GIF: "gif", muxsign.Storyboard: "vtt"}[v.typ]
	}
	wantPath := map[muxsign.Type]string{
		muxsign.Video:      "/" + v.id + ".m3u8",
		muxsign.Thumbnail:  "/" + v.id + "/thumbnail." + format,
		muxsign.GIF:        "/" + v.id + "/animated." + format,
		muxsign.Storyboard: "/" + v.id + "/storyboard." + format,
	}[v.typ]
	if u.Path != wantPath {
		res.fail("%s redirected %s to %s, want path %s", where, v.rawQuery(), u.Path, wantPath)
	}
	c.checkToken(res, v, u.Query().Get("token"), v.typ, v.opts[v.typ], promise, where)
}

func (c *checker) checkJSON(res *result, v *view, body string, promise time.Duration, where string) {
	var out endpoint.TokensResponse
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		res.fail("%s served a JSON answer that does not decode: %v", where, err)
		return
	}
	if out.PlaybackID != v.id {
		res.fail("%s served tokens for %s to a request for %s", where, out.PlaybackID, v.id)
	}
	c.checkToken(res, v, out.Tokens.Playback, muxsign.Video, v.opts[muxsign.Video], promise, where)
	c.checkToken(res, v, out.Tokens.Thumbnail, muxsign.Thumbnail, v.opts[muxsign.Thumbnail], promise, where)
	c.checkToken(res, v, out.Tokens.Storyboard, muxsign.Storyboard, nil, promise, where)
	if v.drm != (out.Tokens.DRM != "") {
		res.fail("%s served DRM token %t to a request with drm %t", where, out.Tokens.DRM != "", v.drm)
	} else if v.drm {
		c.checkToken(res, v, out.Tokens.DRM, muxsign.DRMLicense, nil, promise, where)
	}
}

func (c *checker) checkToken(res *result, v *view, token string, typ muxsign.Type, opts map[string]string, promise time.Duration, where string) {
	f := c.seen[token]
	if f == nil {
		f = c.verify(token, v.at)
		c.seen[token] = f
	}
	switch {
	case !f.ok:
		res.fail("%s served a token that does not verify: %s", where, f.problem)
		return
	case f.sub != v.id || f.typ != typ:
		res.fail("%s served a %s token for %s to a request for a %s token for %s", where, f.typ, f.sub, typ, v.id)
		return
	case !maps.Equal(f.options, opts) && !(len(f.options) == 0 && len(opts) == 0):
		res.fail("%s served a %s token with options %v to a request for %v (%s)", where, typ, f.options, opts, v.rawQuery())
	}
	left := f.exp.Sub(v.at)
	res.minLife = min(res.minLife, left)
	if left < promise {
		res.fail("%s served a %s token for %s with %v left, less than the %v promised", where, typ, v.id, left, promise)
	}
}

// verify checks a token once with the kept verifier: RS256 against the
// public key and the key ID. sub, aud, options and life are compared per
// view by the caller.
func (c *checker) verify(token string, now time.Time) *tokenFacts {
	r, err := muxverify.Verify(token, c.pub, muxverify.Expect{KeyID: c.keyID}, now)
	f := &tokenFacts{ok: err == nil && r.SignatureChecked && r.SignatureValid}
	if !f.ok {
		if err != nil {
			f.problem = err.Error()
		} else {
			f.problem = "signature not checked"
		}
		return f
	}
	f.sub, f.typ, f.exp = r.PlaybackID, r.Type, r.ExpiresAt
	f.options = map[string]string{}
	for k, val := range r.Options {
		if !strings.HasPrefix(k, "playback_restriction") {
			f.options[k] = val
		}
	}
	return f
}
