package endpoint_test

// FuzzHandle drives the whole handler, from the event Netlify sends to the
// response, and hardCheck holds every answer to the function's promises:
// redirects go only to the configured Mux hosts, tokens carry only the
// claims the allowlist permits with the values the query asked for, errors
// are the documented JSON, and no key material ever leaves.

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// hardStatuses are the statuses the README documents.
var hardStatuses = []int{200, 204, 302, 400, 403, 405, 414, 500}

// hardClaimNames are the claims the signer sets; with muxsign's option
// allowlist they are the only claims a token may hold.
var hardClaimNames = []string{"kid", "sub", "aud", "exp", "playback_restriction_id"}

const hardTokenRE = `([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)`
const hardIDRE = `([A-Za-z0-9]{1,128})`

// hardQuery mirrors how the handler reads a parameter from the two maps.
type hardQuery struct {
	single map[string]string
	multi  map[string][]string
}

func (q hardQuery) get(name string) (value string, given, repeated bool) {
	if vs, ok := q.multi[name]; ok && len(vs) > 1 {
		return "", true, true
	}
	if v, ok := q.single[name]; ok {
		return v, true, false
	}
	if vs, ok := q.multi[name]; ok && len(vs) == 1 {
		return vs[0], true, false
	}
	return "", false, false
}

// options returns the query's allowlisted options, as the handler reads them.
func (q hardQuery) options() map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]bool{keysOf(q.single), keysOf2(q.multi)} {
		for name := range m {
			if muxsign.IsParam(name) {
				v, _, _ := q.get(name)
				out[name] = v
			}
		}
	}
	return out
}

func keysOf(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func keysOf2(m map[string][]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// hardHeader returns a request header the way the handler reads it (names
// are case-insensitive).
func hardHeader(req events.APIGatewayProxyRequest, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// hardCheck fails t unless resp, the answer of in to req, keeps every
// promise of the function.
func hardCheck(t *testing.T, in *hardInstance, req events.APIGatewayProxyRequest, resp events.APIGatewayProxyResponse) {
	t.Helper()
	method := strings.ToUpper(req.HTTPMethod)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s %s %v %v: status %d, headers %v, body %.300q: %s", in.name, method,
			req.QueryStringParameters, req.MultiValueQueryStringParameters, resp.StatusCode, resp.Headers, resp.Body,
			fmt.Sprintf(format, args...))
	}
	if !slices.Contains(hardStatuses, resp.StatusCode) {
		fail("status is not one the README lists")
	}
	if in.broken != (resp.StatusCode == http.StatusInternalServerError) {
		fail("500 must come from, and only from, a configuration error")
	}
	if strings.Contains(resp.Body, "HANDLE RETURNED AN ERROR") {
		fail("Handle returned an error")
	}
	if strings.Contains(in.rec.String(), `"msg":"panic"`) {
		fail("the handler panicked: %s", in.rec.String())
	}
	for k, v := range resp.Headers {
		if strings.ContainsAny(k+v, "\r\n\x00") {
			fail("header %q holds a control character", k)
		}
	}
	if resp.Headers["Cache-Control"] != "private, no-store" {
		fail("Cache-Control %q, want private, no-store", resp.Headers["Cache-Control"])
	}
	if method == http.MethodHead && resp.Body != "" {
		fail("HEAD answered with a body")
	}
	hardNoKeyMaterial(t, "response and log", in.rec.String())
	in.rec.reset()

	// CORS: * without an origin list; else the origin itself, when listed.
	acao, hasACAO := resp.Headers["Access-Control-Allow-Origin"]
	origin := hardHeader(req, "origin")
	switch {
	case in.cfg.AllowedOrigins == nil:
		if acao != "*" {
			fail("Access-Control-Allow-Origin %q, want *", acao)
		}
	case in.cfg.AllowedOrigins.Allows(origin):
		if acao != origin {
			fail("Access-Control-Allow-Origin %q, want the allowed origin %q", acao, origin)
		}
	case hasACAO:
		fail("Access-Control-Allow-Origin %q for an origin not on the list", acao)
	}
	if in.broken {
		hardCheckError(t, resp, method, fail)
		return
	}

	known := slices.Contains([]string{"GET", "HEAD", "POST", "OPTIONS"}, method)
	if known != (resp.StatusCode != http.StatusMethodNotAllowed) {
		fail("405 must answer exactly the methods other than GET, HEAD, POST and OPTIONS")
	}
	if resp.StatusCode == http.StatusMethodNotAllowed && resp.Headers["Allow"] != "GET, HEAD, POST, OPTIONS" {
		fail("405 without Allow")
	}
	if method != http.MethodOptions && resp.StatusCode == http.StatusNoContent {
		fail("204 answers only a preflight")
	}
	if method == http.MethodOptions {
		want := http.StatusNoContent
		if in.cfg.AllowedOrigins != nil && !in.cfg.AllowedOrigins.Allows(origin) {
			want = http.StatusForbidden
		}
		if resp.StatusCode != want {
			fail("preflight answered %d, want %d under the origin list", resp.StatusCode, want)
		}
	}

	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusRequestURITooLong:
		hardCheckError(t, resp, method, fail)
		return
	case http.StatusNoContent:
		if resp.Body != "" || resp.Headers["Access-Control-Allow-Methods"] == "" {
			fail("a preflight answer has a body or no Access-Control-Allow-Methods")
		}
		return
	}

	// A token was signed (302 or 200): the request must be one policy allows.
	q := hardQuery{req.QueryStringParameters, req.MultiValueQueryStringParameters}
	id, _, repeated := q.get("playbackId")
	if repeated || !muxsign.ValidPlaybackID(id) {
		fail("signed for an invalid or repeated playbackId")
	}
	if in.cfg.AllowedPlaybackIDs != nil && !in.cfg.AllowedPlaybackIDs[id] {
		fail("signed for a playbackId the allowlist does not hold")
	}
	typ := muxsign.Video
	if v, given, rep := q.get("type"); rep {
		fail("signed with a repeated type")
	} else if given {
		typ = muxsign.Type(v)
	}
	if typ.Audience() == "" {
		fail("signed for an unknown type")
	}
	life := in.cfg.Expiration
	if v, given, _ := q.get("expiration"); given {
		d, err := muxsign.ParseDuration(v)
		if err != nil || d < time.Minute || d > in.cfg.Expiration {
			fail("signed with expiration=%q", v)
		}
		life = d
	}
	opts := q.options()
	respParam, _, _ := q.get("response")
	ctx := hardTokenCtx{in: in, id: id, life: life, fail: fail}

	if resp.StatusCode == http.StatusFound {
		if respParam == "json" {
			fail("redirected although response=json")
		}
		loc := resp.Headers["Location"]
		if strings.ContainsAny(loc, "\r\n %") {
			fail("Location %q holds CR, LF, space or %%", loc)
		}
		m := hardLocationRE(in.cfg, typ).FindStringSubmatch(loc)
		if m == nil {
			fail("Location %q is not a %s URL on the configured host", loc, typ)
		}
		if m[1] != id {
			fail("Location is for ID %q, the query asked for %q", m[1], id)
		}
		if err := muxsign.CheckParams(typ, opts); err != nil {
			fail("signed options the allowlist refuses: %v", err)
		}
		ctx.token(m[len(m)-1], typ, opts)
		return
	}

	// 200: the JSON tokens.
	if respParam == "redirect" || typ == muxsign.GIF {
		fail("JSON although a redirect was asked for (or type gif)")
	}
	if resp.Headers["Content-Type"] != "application/json; charset=utf-8" {
		fail("Content-Type %q", resp.Headers["Content-Type"])
	}
	if method == http.MethodHead {
		return
	}
	var body struct {
		PlaybackID string    `json:"playbackId"`
		ExpiresAt  time.Time `json:"expiresAt"`
		Tokens     struct {
			Playback, Thumbnail, Storyboard, DRM string
		} `json:"tokens"`
		URLs struct {
			Playback, Thumbnail, Storyboard string
			DRM                             *struct{ Widevine, PlayReady, FairPlay string }
		} `json:"urls"`
	}
	dec := json.NewDecoder(strings.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		fail("JSON body: %v", err)
	}
	if body.PlaybackID != id {
		fail("playbackId %q, want %q", body.PlaybackID, id)
	}
	split := func(t muxsign.Type) map[string]string {
		out := map[string]string{}
		for name, v := range opts {
			if slices.Contains(muxsign.ParamNames(t), name) && (t == muxsign.Video || !slices.Contains(muxsign.ParamNames(muxsign.Video), name)) {
				out[name] = v
			}
		}
		return out
	}
	for _, tok := range []struct {
		typ      muxsign.Type
		token    string
		url      string
		wantOpts map[string]string
	}{
		{muxsign.Video, body.Tokens.Playback, body.URLs.Playback, split(muxsign.Video)},
		{muxsign.Thumbnail, body.Tokens.Thumbnail, body.URLs.Thumbnail, split(muxsign.Thumbnail)},
		{muxsign.Storyboard, body.Tokens.Storyboard, body.URLs.Storyboard, map[string]string{}},
	} {
		m := hardLocationRE(in.cfg, tok.typ).FindStringSubmatch(tok.url)
		if m == nil || m[1] != id || m[len(m)-1] != tok.token {
			fail("%s URL %q does not carry its token for %s on the configured host", tok.typ, tok.url, id)
		}
		if err := muxsign.CheckParams(tok.typ, tok.wantOpts); err != nil {
			fail("signed %s options the allowlist refuses: %v", tok.typ, err)
		}
		exp := ctx.token(tok.token, tok.typ, tok.wantOpts)
		if tok.typ == muxsign.Video && !exp.Equal(body.ExpiresAt) {
			fail("expiresAt %v, the playback token says %v", body.ExpiresAt, exp)
		}
	}
	drmParam, _, _ := q.get("drm")
	wantDRM := typ == muxsign.DRMLicense || in.cfg.DRM || slices.Contains([]string{"1", "true", "yes", "on"}, strings.ToLower(drmParam))
	if wantDRM != (body.Tokens.DRM != "") || wantDRM != (body.URLs.DRM != nil) {
		fail("DRM token present %v, want %v", body.Tokens.DRM != "", wantDRM)
	}
	if wantDRM {
		ctx.token(body.Tokens.DRM, muxsign.DRMLicense, map[string]string{})
		for sys, u := range map[string]string{"widevine": body.URLs.DRM.Widevine, "playready": body.URLs.DRM.PlayReady, "fairplay": body.URLs.DRM.FairPlay} {
			if u != in.cfg.LicenseBase+"/license/"+sys+"/"+id+"?token="+body.Tokens.DRM {
				fail("DRM %s URL %q", sys, u)
			}
		}
	}
}

// hardCheckError checks the documented error shape {"errors":[{"message":s}]}.
func hardCheckError(t *testing.T, resp events.APIGatewayProxyResponse, method string, fail func(string, ...any)) {
	t.Helper()
	if resp.Headers["Content-Type"] != "application/json; charset=utf-8" {
		fail("error Content-Type %q", resp.Headers["Content-Type"])
	}
	if _, ok := resp.Headers["Location"]; ok {
		fail("an error with a Location")
	}
	if method == http.MethodHead {
		return
	}
	msg, err := hardErrorMessage(resp.Body)
	if err != nil {
		fail("error body: %v", err)
	}
	if msg == "" || len(msg) > 2000 {
		fail("error message empty or huge (%d bytes)", len(msg))
	}
}

// hardErrorMessage decodes an error body strictly and returns its message.
func hardErrorMessage(body string) (string, error) {
	var eb struct {
		Errors []struct {
			Message *string `json:"message"`
		} `json:"errors"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&eb); err != nil {
		return "", err
	}
	if dec.More() {
		return "", fmt.Errorf("text after the JSON value")
	}
	if len(eb.Errors) != 1 || eb.Errors[0].Message == nil {
		return "", fmt.Errorf("want exactly one error with a message, got %s", body)
	}
	return *eb.Errors[0].Message, nil
}

// hardLocationRE matches the signed URL of a token of type t on the
// configured hosts; group 1 is the ID, the last group the token.
func hardLocationRE(cfg endpoint.Config, t muxsign.Type) *regexp.Regexp {
	q := regexp.QuoteMeta
	switch t {
	case muxsign.Video:
		return regexp.MustCompile(`^` + q(cfg.StreamBase) + `/` + hardIDRE + `\.m3u8\?token=` + hardTokenRE + `$`)
	case muxsign.Thumbnail:
		return regexp.MustCompile(`^` + q(cfg.ImageBase) + `/` + hardIDRE + `/thumbnail\.(jpg|png|webp)\?token=` + hardTokenRE + `$`)
	case muxsign.GIF:
		return regexp.MustCompile(`^` + q(cfg.ImageBase) + `/` + hardIDRE + `/animated\.(gif|webp)\?token=` + hardTokenRE + `$`)
	case muxsign.Storyboard:
		return regexp.MustCompile(`^` + q(cfg.ImageBase) + `/` + hardIDRE + `/storyboard\.(vtt|json)\?token=` + hardTokenRE + `$`)
	}
	return regexp.MustCompile(`^$.`) // drm_license has no redirect
}

// hardTokenCtx checks tokens against what one request asked for.
type hardTokenCtx struct {
	in   *hardInstance
	id   string
	life time.Duration
	fail func(string, ...any)
}

// token verifies tok's signature and claims and returns its expiry.
func (c hardTokenCtx) token(tok string, typ muxsign.Type, wantOpts map[string]string) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		c.fail("token %q does not have three parts", tok)
	}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil {
			c.fail("token part %d is not base64url: %v", i, err)
		}
		raw[i] = b
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&c.in.cfg.Key.PublicKey, crypto.SHA256, digest[:], raw[2]); err != nil {
		c.fail("token signature does not verify: %v", err)
	}
	var header map[string]any
	if err := json.Unmarshal(raw[0], &header); err != nil || header["alg"] != "RS256" || header["kid"] != hardKeyID {
		c.fail("JOSE header %s", raw[0])
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw[1]))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		c.fail("claims: %v", err)
	}
	for name := range claims {
		if !slices.Contains(hardClaimNames, name) && !muxsign.IsParam(name) {
			c.fail("claim %q is neither one the signer sets nor on the option allowlist", name)
		}
	}
	if claims["kid"] != hardKeyID || claims["sub"] != c.id || claims["aud"] != typ.Audience() {
		c.fail("claims kid/sub/aud %v/%v/%v, want %s/%s/%s", claims["kid"], claims["sub"], claims["aud"], hardKeyID, c.id, typ.Audience())
	}
	if want := c.in.cfg.PlaybackRestrictionID; claims["playback_restriction_id"] != nil || want != "" {
		if claims["playback_restriction_id"] != want {
			c.fail("playback_restriction_id %v, want %q", claims["playback_restriction_id"], want)
		}
	}
	n, ok := claims["exp"].(json.Number)
	secs, err := n.Int64()
	if !ok || err != nil {
		c.fail("exp %v is not whole seconds", claims["exp"])
	}
	exp := time.Unix(secs, 0)
	if !exp.After(hardNow) || exp.After(hardNow.Add(c.life)) {
		c.fail("exp %v not within (now, now+%v]", exp, c.life)
	}
	got := map[string]string{}
	for name, v := range claims {
		if muxsign.IsParam(name) {
			s, ok := v.(string)
			if !ok {
				c.fail("option claim %s is a %T, want a string", name, v)
			}
			got[name] = s
		}
	}
	if len(got) != len(wantOpts) {
		c.fail("%s token options %v, want the query's %v", typ, got, wantOpts)
	}
	for name, v := range wantOpts {
		if got[name] != v {
			c.fail("%s token option %s=%q, the query gave %q", typ, name, got[name], v)
		}
	}
	return exp
}

// hardEvent builds the event for a fuzzed request. rawQuery is split on &
// and =, each part unescaped where it can be; mode picks which of the two
// query maps Netlify fills: both (as Netlify does), one of them, or none.
func hardEvent(method, rawQuery string, mode uint8, origin, accept, body string, b64 bool) events.APIGatewayProxyRequest {
	req := events.APIGatewayProxyRequest{
		HTTPMethod:      method,
		Headers:         map[string]string{},
		Body:            body,
		IsBase64Encoded: b64,
	}
	if origin != "" {
		req.Headers["origin"] = origin
	}
	if accept != "" {
		req.Headers["accept"] = accept
	}
	single := map[string]string{}
	multi := map[string][]string{}
	if rawQuery != "" {
		for _, pair := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(pair, "=")
			if u, err := url.QueryUnescape(k); err == nil {
				k = u
			}
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
			multi[k] = append(multi[k], v)
		}
	}
	for k, vs := range multi {
		single[k] = strings.Join(vs, ", ")
	}
	switch mode % 4 {
	case 0:
		req.QueryStringParameters, req.MultiValueQueryStringParameters = single, multi
	case 1:
		req.QueryStringParameters = single
	case 2:
		req.MultiValueQueryStringParameters = multi
	}
	return req
}

func FuzzHandle(f *testing.F) {
	type seed struct {
		method, query string
		mode          uint8
		origin        string
		accept        string
		body          string
		b64           bool
		setup         uint8
	}
	seeds := []seed{
		{"GET", "playbackId=" + hardID, 0, "", "", "", true, 0},
		{"HEAD", "playbackId=" + hardID + "&type=thumbnail&width=640&time=12.5&format=webp", 0, "", "", "", true, 0},
		{"POST", "playbackId=" + hardID + "&type=gif&start=1&end=3&fps=15", 1, "", "", "cGxheWJhY2tJZD14", true, 0},
		{"GET", "playbackId=" + hardID + "&type=storyboard&format=json", 2, "", "", "", false, 0},
		{"GET", "playbackId=" + hardID + "&max_resolution=720p&asset_start_time=10&asset_end_time=20", 0, "", "application/json", "", true, 0},
		{"GET", "playbackId=" + hardID + "&response=json&drm=true&width=320", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "&type=drm_license&response=json", 0, "", "", "", true, 1},
		{"OPTIONS", "", 3, "https://app.example.com", "", "", true, 1},
		{"OPTIONS", "", 3, "https://evil.example.com", "", "", true, 1},
		{"GET", "playbackId=" + hardID2 + "&expiration=90m", 0, "https://a.example.org", "", "", true, 1},
		{"GET", "playbackId=notAllowed123", 0, "", "", "", true, 1},
		{"GET", "playbackId=" + hardID + "&type=thumbnail&format=png", 0, "", "", "", true, 2},
		{"GET", "playbackId=" + hardID + "&response=json&drm=1", 0, "", "", "", true, 2},
		{"GET", "playbackId=" + hardID + "&expiration=30m", 0, "", "", "", true, 3},
		{"GET", "playbackId=" + hardID, 0, "", "", "", true, 4},
		{"DELETE", "playbackId=" + hardID, 0, "", "", "", true, 0},
		{"get", "playbackId=" + hardID, 0, "", "", "", true, 0},
		{"GET", "playbackId=abc%0d%0aLocation:%20https://evil", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "%2F..%2F..%2Fevil.com", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "&playbackId=" + hardID2, 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "&sub=other&aud=t&exp=9999999999&kid=evil&custom=%7B%7D&playback_restriction_id=x", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "&type=thumbnail&width=99999&rotate=45", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "&type=gif&start=0&end=11", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "&Width=10&width%5B%5D=10&PLAYBACKID=x", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "&expiration=9999999999", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID + "&format=m3u8%3Fx%3D1", 0, "", "", "", true, 0},
		{"GET", "playbackId=" + hardID, 0, "null", "application/json;q=0, text/html", "", true, 1},
		{"GET", "playbackId=\xff\xfe", 0, "", "", "", true, 0},
		{"GET", "playbackId=%D0%B0bc", 0, "", "", "", true, 0},
		{"GET", "", 3, "", "", "", true, 0},
	}
	for _, s := range seeds {
		f.Add(s.method, s.query, s.mode, s.origin, s.accept, s.body, s.b64, s.setup)
	}
	instances := hardInstances(f)
	f.Fuzz(func(t *testing.T, method, rawQuery string, mode uint8, origin, accept, body string, b64 bool, setup uint8) {
		in := instances[int(setup)%len(instances)]
		in.rec.reset()
		req := hardEvent(method, rawQuery, mode, origin, accept, body, b64)
		hardCheck(t, in, req, hardDo(in, req))
	})
}

// hardEnvNames are the variables the function reads.
var hardEnvNames = []string{
	endpoint.EnvSigningKey, endpoint.EnvPrivateKey, endpoint.EnvExpiration, endpoint.EnvGrain,
	endpoint.EnvCacheSize, endpoint.EnvRestrictionID, endpoint.EnvAllowedPlaybackIDs,
	endpoint.EnvAllowedOrigins, endpoint.EnvStreamHost, endpoint.EnvImageHost, endpoint.EnvLicenseHost,
	endpoint.EnvDRM,
}

// hardLoopbackBase is the only kind of http:// base a host setting may give.
var hardLoopbackBase = regexp.MustCompile(`^http://(localhost|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})(:[0-9]{1,5})?$`)

// FuzzLoadConfig reads fuzzed environments: every problem must name its
// variable, be one printable line and hold no key material; an accepted
// configuration must be one the handler can run safely with.
func FuzzLoadConfig(f *testing.F) {
	f.Add(hardKeyID, uint8(0), "", "", "", "", "", "", "", "")
	f.Add("abc-123", uint8(1), "30s", "1h", "-1", "a/b", hardID+",x-y", "*", "http://evil.example", "maybe")
	f.Add(hardKeyID, uint8(2), "7d", "1h", "0", hardRestrictionID, hardID, "https://*.example.com", "127.0.0.1:8443", "true")
	f.Add("", uint8(3), "9999999999", "0", "10000000", "", " , ", "https://a.example.com/", "stream.example.com:99999", "0")
	f.Add(hardKeyID, uint8(4), "1h", "1h", "1", "", "", "https://a.example.com https://b.example.com:8443", "https://img.example.com/", "no")
	k := hardKeys(f)
	keys := []string{k.mainB64, k.publicPEM, k.mainPEM, k.ecPEM, k.smallPEM, k.encrypted, k.mainPEM + k.mainPKCS8, "", "garbage", k.mainB64[:100]}
	f.Fuzz(func(t *testing.T, keyID string, key uint8, exp, grain, cache, restriction, ids, origins, host, drm string) {
		env := map[string]string{
			endpoint.EnvSigningKey: keyID, endpoint.EnvPrivateKey: keys[int(key)%len(keys)],
			endpoint.EnvExpiration: exp, endpoint.EnvGrain: grain, endpoint.EnvCacheSize: cache,
			endpoint.EnvRestrictionID: restriction, endpoint.EnvAllowedPlaybackIDs: ids,
			endpoint.EnvAllowedOrigins: origins, endpoint.EnvStreamHost: host, endpoint.EnvDRM: drm,
		}
		cfg, err := endpoint.LoadConfig(func(name string) string { return env[name] })
		if err != nil {
			var ce *endpoint.ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error %v is not a ConfigError with problems", err)
			}
			for _, p := range ce.Problems {
				if !slices.Contains(hardEnvNames, p.Var) || p.Text == "" {
					t.Fatalf("problem %q does not name the variable it is about", p)
				}
				if strings.ContainsAny(p.String(), "\r\n\x00") {
					t.Fatalf("problem %q is not one line", p)
				}
			}
			hardNoKeyMaterial(t, "configuration error", err.Error())
			return
		}
		if cfg.Key == nil || !muxsign.ValidKeyID(cfg.KeyID) || cfg.Key.N.BitLen() < muxsign.MinKeyBits {
			t.Fatal("accepted without a usable key and key ID")
		}
		if cfg.Expiration < time.Minute || cfg.Expiration > muxsign.MaxExpiration || cfg.Grain < 0 || cfg.Grain >= cfg.Expiration {
			t.Fatalf("accepted expiration %v with grain %v", cfg.Expiration, cfg.Grain)
		}
		if cfg.CacheSize < 0 {
			t.Fatalf("accepted cache size %d", cfg.CacheSize)
		}
		if cfg.PlaybackRestrictionID != "" && !muxsign.ValidPlaybackID(cfg.PlaybackRestrictionID) {
			t.Fatalf("accepted restriction ID %q", cfg.PlaybackRestrictionID)
		}
		for id := range cfg.AllowedPlaybackIDs {
			if !muxsign.ValidPlaybackID(id) {
				t.Fatalf("accepted allowlist entry %q", id)
			}
		}
		for _, base := range []string{cfg.StreamBase, cfg.ImageBase, cfg.LicenseBase} {
			u, err := url.Parse(base)
			if err != nil || u.Path != "" || u.RawQuery != "" || u.User != nil || u.Fragment != "" ||
				!(u.Scheme == "https" || hardLoopbackBase.MatchString(base)) || strings.ContainsAny(base, "\r\n %@\\") {
				t.Fatalf("accepted host base %q", base)
			}
		}
	})
}
