package endpoint_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
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
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

const (
	htKeyID = "testSigningKey0123456789"
	htID    = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"
	htID2   = "DS00Spx1CV902MCtPj5WknGlR102V5HFkDe"
)

// htNow is the fixed clock: not on an hour boundary, so that grain rounding
// shows.
var htNow = time.Unix(1764500000+1234, 0)

func htFixture(t testing.TB, name string) string { return testkeys.PEM(t, name) }

func htPublicKey(t testing.TB) *rsa.PublicKey { return testkeys.Public(t, "rsa2048_public.pem") }

// htEnv is a working environment (the key as Mux's API returns it) plus
// extra; an extra value of "-" removes the variable.
func htEnv(t testing.TB, extra map[string]string) func(string) string {
	env := map[string]string{
		endpoint.EnvSigningKey: htKeyID,
		endpoint.EnvPrivateKey: htFixture(t, "rsa2048_pkcs1.pem.b64"),
	}
	for k, v := range extra {
		if v == "-" {
			delete(env, k)
		} else {
			env[k] = v
		}
	}
	return func(name string) string { return env[name] }
}

// htServer is a handler with its log captured.
type htServer struct {
	h   *endpoint.Handler
	log *bytes.Buffer
}

func newHTServer(t testing.TB, extra map[string]string) htServer {
	t.Helper()
	var buf bytes.Buffer
	h := endpoint.New(htEnv(t, extra), func() time.Time { return htNow }, slog.New(slog.NewJSONHandler(&buf, nil)))
	return htServer{h, &buf}
}

// htReq is one request, as Netlify passes it on.
type htReq struct {
	method  string
	query   string // raw query string, e.g. "playbackId=x&type=gif"
	headers map[string]string
}

func (s htServer) do(t testing.TB, r htReq) events.APIGatewayProxyResponse {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	vals, err := url.ParseQuery(r.query)
	if err != nil {
		t.Fatal(err)
	}
	ev := events.APIGatewayProxyRequest{
		HTTPMethod:                      r.method,
		Path:                            "/.netlify/functions/sign_playback_id",
		Headers:                         map[string]string{},
		QueryStringParameters:           map[string]string{},
		MultiValueQueryStringParameters: map[string][]string{},
	}
	for k, vs := range vals {
		ev.QueryStringParameters[k] = strings.Join(vs, ", ")
		ev.MultiValueQueryStringParameters[k] = vs
	}
	for k, v := range r.headers {
		ev.Headers[k] = v
	}
	resp, err := s.h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("Handle returned an error: %v", err)
	}
	return resp
}

func (s htServer) get(t testing.TB, query string) events.APIGatewayProxyResponse {
	t.Helper()
	return s.do(t, htReq{query: query})
}

// htToken is a decoded token from a response.
type htToken struct {
	raw    string
	header map[string]any
	claims map[string]any
}

func htDecode(t testing.TB, tok string) htToken {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d segments", tok, len(parts))
	}
	d := htToken{raw: tok}
	for i, dst := range []*map[string]any{&d.header, &d.claims} {
		b, err := base64.RawURLEncoding.Strict().DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(htPublicKey(t), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature does not verify with the fixture key: %v", err)
	}
	return d
}

// htLocationToken checks that resp is a 302 to want (a regexp for the URL
// before the token, anchored) and returns its token, decoded.
func htLocationToken(t testing.TB, resp events.APIGatewayProxyResponse, want string) htToken {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d (%s), want 302", resp.StatusCode, resp.Body)
	}
	loc := resp.Headers["Location"]
	re := regexp.MustCompile(`^` + want + `\?token=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$`)
	m := re.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("Location = %q, want %s?token=JWT", loc, want)
	}
	return htDecode(t, m[1])
}

// htClaimsOf returns claims without the four every token has, after checking
// those: sub, aud, kid, and an exp, with kid in the header too and no iat or
// nbf.
func htCheckBase(t testing.TB, tok htToken, aud string, exp int64) map[string]any {
	t.Helper()
	c := tok.claims
	if c["sub"] != htID && c["sub"] != htID2 {
		t.Fatalf("sub = %v", c["sub"])
	}
	if c["aud"] != aud {
		t.Fatalf("aud = %v, want %s", c["aud"], aud)
	}
	if c["kid"] != htKeyID || tok.header["kid"] != htKeyID {
		t.Fatalf("kid: claims %v, header %v, want %s in both", c["kid"], tok.header["kid"], htKeyID)
	}
	if tok.header["alg"] != "RS256" || tok.header["typ"] != "JWT" || len(tok.header) != 3 {
		t.Fatalf("header = %v", tok.header)
	}
	if got, ok := c["exp"].(float64); !ok || int64(got) != exp {
		t.Fatalf("exp = %v, want %d (%v)", c["exp"], exp, time.Unix(exp, 0).UTC())
	}
	rest := map[string]any{}
	for k, v := range c {
		switch k {
		case "sub", "aud", "kid", "exp":
		default:
			rest[k] = v
		}
	}
	return rest
}

// htExp is the exp a token of life `life` issued at htNow has, with grain.
func htExp(life, grain time.Duration) int64 {
	return muxsign.ExpiresAt(htNow, life, grain).Unix()
}

var htDefaultExp = htExp(7*24*time.Hour, time.Hour)

func htErrorMessage(t testing.TB, resp events.APIGatewayProxyResponse) string {
	t.Helper()
	if ct := resp.Headers["Content-Type"]; ct != "application/json; charset=utf-8" {
		t.Fatalf("error Content-Type = %q", ct)
	}
	var body struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	dec := json.NewDecoder(strings.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("error body %q: %v", resp.Body, err)
	}
	if len(body.Errors) != 1 || body.Errors[0].Message == "" {
		t.Fatalf("error body = %s, want one message", resp.Body)
	}
	return body.Errors[0].Message
}

func htWantHeaders(t testing.TB, resp events.APIGatewayProxyResponse, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, ok := resp.Headers[k]
		switch {
		case v == "" && ok:
			t.Fatalf("header %s = %q, want none", k, got)
		case v != "" && got != v:
			t.Fatalf("header %s = %q, want %q", k, got, v)
		}
	}
}

// --- issue 2: statuses, headers, the token ---

func TestRedirectMethods(t *testing.T) {
	s := newHTServer(t, nil)
	for _, method := range []string{"GET", "HEAD", "POST", "get"} {
		t.Run(method, func(t *testing.T) {
			resp := s.do(t, htReq{method: method, query: "playbackId=" + htID})
			tok := htLocationToken(t, resp, `https://stream\.mux\.com/`+htID+`\.m3u8`)
			if rest := htCheckBase(t, tok, "v", htDefaultExp); len(rest) != 0 {
				t.Fatalf("extra claims %v", rest)
			}
			htWantHeaders(t, resp, map[string]string{
				"Access-Control-Allow-Origin": "*",
				"Cache-Control":               "private, no-store",
			})
			if resp.Body != "" {
				t.Fatalf("%s body = %q, want none", method, resp.Body)
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	s := newHTServer(t, nil)
	resp := s.do(t, htReq{method: "OPTIONS", headers: map[string]string{
		"origin": "https://example.com", "access-control-request-method": "GET"}})
	if resp.StatusCode != http.StatusNoContent || resp.Body != "" {
		t.Fatalf("status %d body %q, want 204 and none", resp.StatusCode, resp.Body)
	}
	htWantHeaders(t, resp, map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
		"Access-Control-Allow-Headers": "Accept, Content-Type",
		"Access-Control-Max-Age":       "7200",
		"Cache-Control":                "private, no-store",
	})
}

func TestMethodNotAllowed(t *testing.T) {
	s := newHTServer(t, nil)
	for _, method := range []string{"PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "FOO", ""} {
		t.Run(method, func(t *testing.T) {
			resp := s.do(t, htReq{method: method, query: "playbackId=" + htID})
			if method == "" { // do() defaults "" to GET; send it as is
				ev := events.APIGatewayProxyRequest{QueryStringParameters: map[string]string{"playbackId": htID}}
				resp, _ = s.h.Handle(context.Background(), ev)
			}
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Fatalf("status = %d, want 405", resp.StatusCode)
			}
			htWantHeaders(t, resp, map[string]string{"Allow": "GET, HEAD, POST, OPTIONS", "Location": ""})
			htErrorMessage(t, resp)
		})
	}
}

func TestBadPlaybackID(t *testing.T) {
	s := newHTServer(t, nil)
	tests := []struct {
		name, query string
		exact       string // the exact message, if the test pins it
	}{
		{"no query", "", "Missing playbackId in query string"},
		{"other params only", "type=video", "Missing playbackId in query string"},
		{"empty", "playbackId=", "Missing playbackId in query string"},
		{"wrong case name", "playbackid=" + htID, "Missing playbackId in query string"},
		{"repeated", "playbackId=abc&playbackId=def", ""},
		{"repeated same", "playbackId=" + htID + "&playbackId=" + htID, ""},
		{"joined", "playbackId=" + url.QueryEscape("abc, def"), ""},
		{"path", "playbackId=" + url.QueryEscape("abc/../def"), ""},
		{"dot", "playbackId=abc.m3u8", ""},
		{"query in ID", "playbackId=" + url.QueryEscape("abc?x=1"), ""},
		{"too long", "playbackId=" + strings.Repeat("a", 129), ""},
		{"unicode", "playbackId=" + url.QueryEscape("abcé"), ""},
		{"newline", "playbackId=" + url.QueryEscape("abc\n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.get(t, tt.query)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
			msg := htErrorMessage(t, resp)
			if tt.exact != "" && msg != tt.exact {
				t.Fatalf("message = %q, want %q", msg, tt.exact)
			}
			if tt.exact == "" && !strings.Contains(msg, "playbackId") {
				t.Fatalf("message %q does not name playbackId", msg)
			}
			htWantHeaders(t, resp, map[string]string{
				"Access-Control-Allow-Origin": "*", "Cache-Control": "private, no-store", "Location": ""})
		})
	}
	t.Run("HEAD has no body", func(t *testing.T) {
		resp := s.do(t, htReq{method: "HEAD"})
		if resp.StatusCode != http.StatusBadRequest || resp.Body != "" {
			t.Fatalf("status %d body %q", resp.StatusCode, resp.Body)
		}
	})
	t.Run("single-value map only, joined", func(t *testing.T) {
		// API Gateway without the multi-value map: a repeated key arrives
		// only joined.
		ev := events.APIGatewayProxyRequest{HTTPMethod: "GET", QueryStringParameters: map[string]string{"playbackId": htID + ", " + htID}}
		resp, _ := s.h.Handle(context.Background(), ev)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status = %d, want 400", resp.StatusCode)
		}
	})
}

func TestExpirationSetting(t *testing.T) {
	tests := []struct {
		value       string
		life, grain time.Duration
	}{
		{"", 7 * 24 * time.Hour, time.Hour},
		{"3600", time.Hour, 6 * time.Minute},
		{"90m", 90 * time.Minute, 9 * time.Minute},
		{"12h", 12 * time.Hour, time.Hour},
		{"7d", 7 * 24 * time.Hour, time.Hour},
		{"1w", 7 * 24 * time.Hour, time.Hour},
		{" 1d ", 24 * time.Hour, time.Hour},
		{"60", time.Minute, 6 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			s := newHTServer(t, map[string]string{endpoint.EnvExpiration: tt.value})
			tok := htLocationToken(t, s.get(t, "playbackId="+htID), `https://stream\.mux\.com/`+htID+`\.m3u8`)
			htCheckBase(t, tok, "v", htExp(tt.life, tt.grain))
		})
	}
	t.Run("grain off", func(t *testing.T) {
		s := newHTServer(t, map[string]string{endpoint.EnvGrain: "0"})
		tok := htLocationToken(t, s.get(t, "playbackId="+htID), `https://stream\.mux\.com/`+htID+`\.m3u8`)
		htCheckBase(t, tok, "v", htNow.Unix()+7*24*3600)
	})
	t.Run("grain 5m", func(t *testing.T) {
		s := newHTServer(t, map[string]string{endpoint.EnvGrain: "5m"})
		tok := htLocationToken(t, s.get(t, "playbackId="+htID), `https://stream\.mux\.com/`+htID+`\.m3u8`)
		htCheckBase(t, tok, "v", htExp(7*24*time.Hour, 5*time.Minute))
	})
}

func TestConfigErrors(t *testing.T) {
	pem := htFixture(t, "rsa2048_pkcs1.pem")
	tests := []struct {
		name     string
		env      map[string]string
		variable string
	}{
		{"no key ID", map[string]string{endpoint.EnvSigningKey: "-"}, endpoint.EnvSigningKey},
		{"bad key ID", map[string]string{endpoint.EnvSigningKey: "a b"}, endpoint.EnvSigningKey},
		{"no key", map[string]string{endpoint.EnvPrivateKey: "-"}, endpoint.EnvPrivateKey},
		{"public key", map[string]string{endpoint.EnvPrivateKey: htFixture(t, "rsa2048_public.pem")}, endpoint.EnvPrivateKey},
		{"small key", map[string]string{endpoint.EnvPrivateKey: htFixture(t, "rsa1024_pkcs1.pem")}, endpoint.EnvPrivateKey},
		{"truncated key", map[string]string{endpoint.EnvPrivateKey: htFixture(t, "truncated.pem")}, endpoint.EnvPrivateKey},
		{"two blocks", map[string]string{endpoint.EnvPrivateKey: htFixture(t, "two_blocks.pem")}, endpoint.EnvPrivateKey},
		{"expiration word", map[string]string{endpoint.EnvExpiration: "forever"}, endpoint.EnvExpiration},
		{"expiration 30 s", map[string]string{endpoint.EnvExpiration: "30"}, endpoint.EnvExpiration},
		{"expiration 0", map[string]string{endpoint.EnvExpiration: "0"}, endpoint.EnvExpiration},
		{"expiration negative", map[string]string{endpoint.EnvExpiration: "-1h"}, endpoint.EnvExpiration},
		{"expiration fraction", map[string]string{endpoint.EnvExpiration: "1.5h"}, endpoint.EnvExpiration},
		{"expiration years", map[string]string{endpoint.EnvExpiration: "11y"}, endpoint.EnvExpiration},
		{"expiration overflow", map[string]string{endpoint.EnvExpiration: "10000000000"}, endpoint.EnvExpiration},
		{"grain longer than expiration", map[string]string{endpoint.EnvExpiration: "1h", endpoint.EnvGrain: "2h"}, endpoint.EnvGrain},
		{"grain overflow", map[string]string{endpoint.EnvGrain: "15251w"}, endpoint.EnvGrain},
		{"cache size", map[string]string{endpoint.EnvCacheSize: "lots"}, endpoint.EnvCacheSize},
		{"restriction ID", map[string]string{endpoint.EnvRestrictionID: "not/an/id"}, endpoint.EnvRestrictionID},
		{"allowed IDs", map[string]string{endpoint.EnvAllowedPlaybackIDs: htID + ",bad/id"}, endpoint.EnvAllowedPlaybackIDs},
		{"allowed origins", map[string]string{endpoint.EnvAllowedOrigins: "https://example.com/path"}, endpoint.EnvAllowedOrigins},
		{"stream host", map[string]string{endpoint.EnvStreamHost: "stream.example.com/x"}, endpoint.EnvStreamHost},
		{"image host http", map[string]string{endpoint.EnvImageHost: "http://image.example.com"}, endpoint.EnvImageHost},
		{"stream host port too high", map[string]string{endpoint.EnvStreamHost: "stream.example.com:99999"}, endpoint.EnvStreamHost},
		{"license host port 0", map[string]string{endpoint.EnvLicenseHost: "http://127.0.0.1:0"}, endpoint.EnvLicenseHost},
		{"DRM", map[string]string{endpoint.EnvDRM: "maybe"}, endpoint.EnvDRM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newHTServer(t, tt.env)
			if _, err := s.h.Config(); err == nil {
				t.Fatal("Config() reports no error")
			}
			startLog := s.log.String()
			if !strings.Contains(startLog, "configuration error") || !strings.Contains(startLog, tt.variable) {
				t.Fatalf("start-up log does not report the problem: %s", startLog)
			}
			// Every request, any method, any number of times: 500 naming the
			// variable, and the instance keeps answering.
			for i, r := range []htReq{
				{query: "playbackId=" + htID},
				{method: "OPTIONS"},
				{method: "POST", query: "playbackId=" + htID},
				{method: "PUT"},
				{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/json"}},
				{query: "playbackId=" + htID},
			} {
				resp := s.do(t, r)
				if resp.StatusCode != http.StatusInternalServerError {
					t.Fatalf("request %d: status = %d, want 500", i, resp.StatusCode)
				}
				msg := htErrorMessage(t, resp)
				if !strings.Contains(msg, tt.variable) {
					t.Fatalf("request %d: message %q does not name %s", i, msg, tt.variable)
				}
				htNoKeyMaterial(t, msg, pem)
			}
			htNoKeyMaterial(t, s.log.String(), pem)
		})
	}
}

// htNoKeyMaterial fails if s holds any line of the fixture key's PEM body or
// a piece of its base64 form.
func htNoKeyMaterial(t testing.TB, s, pemText string) {
	t.Helper()
	for _, line := range strings.Split(pemText, "\n") {
		if len(line) < 16 || strings.HasPrefix(line, "-----") {
			continue
		}
		if strings.Contains(s, line[:16]) {
			t.Fatalf("key material %q... appears in %q", line[:16], s)
		}
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(pemText))
	for i := 40; i+24 <= len(b64); i += 200 {
		if strings.Contains(s, b64[i:i+24]) {
			t.Fatalf("base64 key material appears in %q", s)
		}
	}
}

func TestRequestLog(t *testing.T) {
	s := newHTServer(t, map[string]string{endpoint.EnvPrivateKey: htFixture(t, "rsa2048_pkcs1.pem")})
	reqs := []struct {
		r      htReq
		status int
		id     string
	}{
		{htReq{query: "playbackId=" + htID}, 302, htID},
		{htReq{method: "HEAD", query: "playbackId=" + htID + "&type=thumbnail"}, 302, htID},
		{htReq{query: ""}, 400, ""},
		{htReq{query: "playbackId=" + url.QueryEscape("evil\nline\x00")}, 400, "evil?line?"},
		{htReq{method: "DELETE", query: "playbackId=" + htID}, 405, ""},
		{htReq{method: "OPTIONS"}, 204, ""},
		{htReq{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/json"}}, 200, htID},
	}
	var tokens []string
	for _, rr := range reqs {
		s.log.Reset()
		resp := s.do(t, rr.r)
		if resp.StatusCode != rr.status {
			t.Fatalf("%+v: status %d, want %d", rr.r, resp.StatusCode, rr.status)
		}
		tokens = append(tokens, resp.Headers["Location"], resp.Body)
		lines := strings.Split(strings.TrimSpace(s.log.String()), "\n")
		if len(lines) != 1 {
			t.Fatalf("%+v: %d log lines, want 1:\n%s", rr.r, len(lines), s.log)
		}
		var entry map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, lines[0])
		}
		method := strings.ToUpper(rr.r.method)
		if method == "" {
			method = "GET"
		}
		if entry["method"] != method || entry["status"] != float64(rr.status) {
			t.Fatalf("log line %s: want method %s status %d", lines[0], method, rr.status)
		}
		if id, _ := entry["playbackId"].(string); id != rr.id {
			t.Fatalf("log playbackId = %q, want %q", id, rr.id)
		}
		if d, ok := entry["durationMs"].(float64); !ok || d < 0 {
			t.Fatalf("log durationMs = %v", entry["durationMs"])
		}
		if rr.status >= 400 {
			if e, _ := entry["error"].(string); e == "" {
				t.Fatalf("log line of a %d has no error: %s", rr.status, lines[0])
			}
		}
		htNoKeyMaterial(t, lines[0], htFixture(t, "rsa2048_pkcs1.pem"))
		for _, tok := range regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`).FindAllString(strings.Join(tokens, " "), -1) {
			if strings.Contains(lines[0], tok[len(tok)-20:]) {
				t.Fatalf("a token appears in the log: %s", lines[0])
			}
		}
	}
}

func TestPanicBecomes500(t *testing.T) {
	var buf bytes.Buffer
	calls := 0
	clock := func() time.Time {
		calls++
		if calls == 1 {
			panic("clock broke")
		}
		return htNow
	}
	h := endpoint.New(htEnv(t, nil), clock, slog.New(slog.NewJSONHandler(&buf, nil)))
	ev := events.APIGatewayProxyRequest{HTTPMethod: "GET", QueryStringParameters: map[string]string{"playbackId": htID}}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil || resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("panic: status %d, err %v; want 500, nil", resp.StatusCode, err)
	}
	if msg := htErrorMessage(t, resp); strings.Contains(msg, "clock broke") {
		t.Fatalf("panic value leaked to the client: %q", msg)
	}
	if !strings.Contains(buf.String(), `"status":500`) {
		t.Fatalf("no request log line with status 500: %s", buf.String())
	}
	resp, _ = h.Handle(context.Background(), ev)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("after the panic: status %d, want 302", resp.StatusCode)
	}
}

// --- issue 3: types, options, JSON, policy ---

func TestTypeRedirects(t *testing.T) {
	s := newHTServer(t, nil)
	img := `https://image\.mux\.com/` + htID
	tests := []struct {
		query, url, aud string
	}{
		{"", `https://stream\.mux\.com/` + htID + `\.m3u8`, "v"},
		{"&type=video", `https://stream\.mux\.com/` + htID + `\.m3u8`, "v"},
		{"&type=video&format=m3u8", `https://stream\.mux\.com/` + htID + `\.m3u8`, "v"},
		{"&type=thumbnail", img + `/thumbnail\.jpg`, "t"},
		{"&type=thumbnail&format=jpg", img + `/thumbnail\.jpg`, "t"},
		{"&type=thumbnail&format=png", img + `/thumbnail\.png`, "t"},
		{"&type=thumbnail&format=webp", img + `/thumbnail\.webp`, "t"},
		{"&type=gif", img + `/animated\.gif`, "g"},
		{"&type=gif&format=webp", img + `/animated\.webp`, "g"},
		{"&type=storyboard", img + `/storyboard\.vtt`, "s"},
		{"&type=storyboard&format=json", img + `/storyboard\.json`, "s"},
		{"&type=storyboard&format=vtt&response=redirect", img + `/storyboard\.vtt`, "s"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			tok := htLocationToken(t, s.get(t, "playbackId="+htID+tt.query), tt.url)
			if rest := htCheckBase(t, tok, tt.aud, htDefaultExp); len(rest) != 0 {
				t.Fatalf("extra claims %v", rest)
			}
		})
	}
}

func TestBadTypeOrFormat(t *testing.T) {
	s := newHTServer(t, nil)
	tests := []struct {
		query, wantInMsg string
	}{
		{"&type=drm_license", "drm_license"},
		{"&type=drm_license&response=redirect", "drm_license"},
		{"&type=image", "type"},
		{"&type=", "type"},
		{"&type=Video", "type"},
		{"&type=video&type=gif", "type"},
		{"&format=mp4", "format"},
		{"&type=thumbnail&format=gif", "format"},
		{"&type=gif&format=jpg", "format"},
		{"&type=storyboard&format=jpg", "format"},
		{"&type=thumbnail&format=", "format"},
		{"&response=xml", "response"},
		{"&response=", "response"},
		{"&response=json&format=jpg", "format"},
		{"&response=json&type=gif", "gif"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := s.get(t, "playbackId="+htID+tt.query)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
			if msg := htErrorMessage(t, resp); !strings.Contains(msg, tt.wantInMsg) {
				t.Fatalf("message %q does not mention %q", msg, tt.wantInMsg)
			}
		})
	}
}

func TestOptionsInClaims(t *testing.T) {
	s := newHTServer(t, nil)
	tests := []struct {
		query string
		aud   string
		want  map[string]any // extra claims; nil with bad != ""
		bad   string         // the parameter a 400 names
	}{
		{"type=thumbnail&time=10", "t", map[string]any{"time": "10"}, ""},
		{"type=thumbnail&time=12.5&width=640&height=360&rotate=90&fit_mode=smartcrop&flip_v=true&flip_h=false", "t",
			map[string]any{"time": "12.5", "width": "640", "height": "360", "rotate": "90", "fit_mode": "smartcrop", "flip_v": "true", "flip_h": "false"}, ""},
		{"type=thumbnail&width=4096", "t", map[string]any{"width": "4096"}, ""},
		{"type=thumbnail&rotate=45", "", nil, "rotate"},
		{"type=thumbnail&fit_mode=fill", "", nil, "fit_mode"},
		{"type=thumbnail&flip_v=1", "", nil, "flip_v"},
		{"type=thumbnail&time=-1", "", nil, "time"},
		{"type=thumbnail&width=0", "", nil, "width"},
		{"type=thumbnail&fps=10", "", nil, "fps"},
		{"type=thumbnail&start=1", "", nil, "start"},
		{"type=gif&start=2&end=6", "g", map[string]any{"start": "2", "end": "6"}, ""},
		{"type=gif&start=0&end=10", "g", map[string]any{"start": "0", "end": "10"}, ""},
		{"type=gif&start=1&end=1.25", "g", map[string]any{"start": "1", "end": "1.25"}, ""},
		{"type=gif&start=0.1&end=0.35", "g", map[string]any{"start": "0.1", "end": "0.35"}, ""},
		{"type=gif&width=640&height=640&fps=30", "g", map[string]any{"width": "640", "height": "640", "fps": "30"}, ""},
		{"type=gif&start=0&end=10.5", "", nil, "end"},
		{"type=gif&start=1&end=1.2", "", nil, "end"},
		{"type=gif&start=5&end=2", "", nil, "end"},
		{"type=gif&width=641", "", nil, "width"},
		{"type=gif&height=1000", "", nil, "height"},
		{"type=gif&fps=31", "", nil, "fps"},
		{"type=gif&time=3", "", nil, "time"},
		{"type=gif&rotate=90", "", nil, "rotate"},
		{"max_resolution=720p&min_resolution=480p&rendition_order=desc&default_subtitles_lang=en-US&redundant_streams=true", "v",
			map[string]any{"max_resolution": "720p", "min_resolution": "480p", "rendition_order": "desc", "default_subtitles_lang": "en-US", "redundant_streams": "true"}, ""},
		{"asset_start_time=10&asset_end_time=20", "v", map[string]any{"asset_start_time": "10", "asset_end_time": "20"}, ""},
		{"program_start_time=1764500000&program_end_time=1764503600", "v", map[string]any{"program_start_time": "1764500000", "program_end_time": "1764503600"}, ""},
		{"asset_start_time=20&asset_end_time=10", "", nil, "asset_end_time"},
		{"max_resolution=4k", "", nil, "max_resolution"},
		{"time=10", "", nil, "time"},
		{"width=640", "", nil, "width"},
		{"type=storyboard&width=100", "", nil, "width"},
		{"type=storyboard&time=1", "", nil, "time"},
		{"type=thumbnail&time=1&time=2", "", nil, "time"},
		{"type=thumbnail&max_resolution=720p", "", nil, "max_resolution"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := s.get(t, "playbackId="+htID+"&"+tt.query)
			if tt.bad != "" {
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status = %d, want 400", resp.StatusCode)
				}
				if msg := htErrorMessage(t, resp); !strings.Contains(msg, tt.bad) {
					t.Fatalf("message %q does not name %s", msg, tt.bad)
				}
				return
			}
			loc := resp.Headers["Location"]
			u, err := url.Parse(loc)
			if err != nil || len(u.Query()) != 1 || u.Query().Get("token") == "" {
				t.Fatalf("Location %q carries more than the token", loc)
			}
			tok := htDecode(t, u.Query().Get("token"))
			rest := htCheckBase(t, tok, tt.aud, htDefaultExp)
			if fmt.Sprint(rest) != fmt.Sprint(tt.want) {
				t.Fatalf("extra claims = %v, want %v", rest, tt.want)
			}
		})
	}
}

func TestUnknownParamsNeverReachClaims(t *testing.T) {
	s := newHTServer(t, map[string]string{endpoint.EnvRestrictionID: "restrictionABC"})
	q := "playbackId=" + htID + "&sub=" + htID2 + "&aud=t&exp=9999999999&kid=attackerKey&iat=1&nbf=1" +
		"&custom=x&custom.session_id=x&playback_restriction_id=other&token=abc&foo=bar&Time=10&TYPE=gif"
	for _, typ := range []string{"video", "thumbnail", "storyboard", "gif"} {
		t.Run(typ, func(t *testing.T) {
			resp := s.get(t, q+"&type="+typ)
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
			}
			u, _ := url.Parse(resp.Headers["Location"])
			tok := htDecode(t, u.Query().Get("token"))
			aud := map[string]string{"video": "v", "thumbnail": "t", "storyboard": "s", "gif": "g"}[typ]
			rest := htCheckBase(t, tok, aud, htDefaultExp)
			if want := map[string]any{"playback_restriction_id": "restrictionABC"}; fmt.Sprint(rest) != fmt.Sprint(want) {
				t.Fatalf("claims beyond sub/aud/exp/kid = %v, want %v", rest, want)
			}
			if tok.claims["sub"] != htID {
				t.Fatalf("sub = %v", tok.claims["sub"])
			}
		})
	}
}

// htTokensResponse decodes a JSON answer strictly: no field beyond the
// documented shape.
func htTokensResponse(t testing.TB, resp events.APIGatewayProxyResponse) (endpoint.TokensResponse, map[string]any) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d (%s), want 200", resp.StatusCode, resp.Body)
	}
	htWantHeaders(t, resp, map[string]string{
		"Content-Type": "application/json; charset=utf-8", "Cache-Control": "private, no-store", "Location": ""})
	var out endpoint.TokensResponse
	dec := json.NewDecoder(strings.NewReader(resp.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("body %s: %v", resp.Body, err)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &raw); err != nil {
		t.Fatal(err)
	}
	return out, raw
}

func htKeys(m any) []string {
	mm, _ := m.(map[string]any)
	keys := make([]string, 0, len(mm))
	for k := range mm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestJSONResponse(t *testing.T) {
	s := newHTServer(t, nil)
	tests := []struct {
		name string
		r    htReq
	}{
		{"Accept", htReq{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/json"}}},
		{"Accept list", htReq{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/json, text/plain, */*"}}},
		{"Accept +json", htReq{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/vnd.api+json"}}},
		{"Accept capitalized header", htReq{query: "playbackId=" + htID, headers: map[string]string{"Accept": "application/json"}}},
		{"response=json", htReq{query: "playbackId=" + htID + "&response=json"}},
		{"response=json and a browser Accept", htReq{query: "playbackId=" + htID + "&response=json", headers: map[string]string{"accept": "text/html,*/*;q=0.8"}}},
		{"POST", htReq{method: "POST", query: "playbackId=" + htID + "&response=json"}},
		{"type thumbnail is still all tokens", htReq{query: "playbackId=" + htID + "&response=json&type=thumbnail"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.do(t, tt.r)
			out, raw := htTokensResponse(t, resp)
			htWantHeaders(t, resp, map[string]string{"Access-Control-Allow-Origin": "*"})
			if !strings.Contains(resp.Headers["Vary"], "Accept") {
				t.Fatalf("Vary = %q, want Accept in it", resp.Headers["Vary"])
			}
			if got := htKeys(raw); !slices.Equal(got, []string{"expiresAt", "playbackId", "tokens", "urls"}) {
				t.Fatalf("top-level keys = %v", got)
			}
			if got := htKeys(raw["tokens"]); !slices.Equal(got, []string{"playback", "storyboard", "thumbnail"}) {
				t.Fatalf("tokens keys = %v", got)
			}
			if got := htKeys(raw["urls"]); !slices.Equal(got, []string{"playback", "storyboard", "thumbnail"}) {
				t.Fatalf("urls keys = %v", got)
			}
			if out.PlaybackID != htID {
				t.Fatalf("playbackId = %q", out.PlaybackID)
			}
			if want := time.Unix(htDefaultExp, 0).UTC().Format(time.RFC3339); raw["expiresAt"] != want {
				t.Fatalf("expiresAt = %v, want %s", raw["expiresAt"], want)
			}
			for _, c := range []struct{ tok, url, aud, base string }{
				{out.Tokens.Playback, out.URLs.Playback, "v", "https://stream.mux.com/" + htID + ".m3u8?token="},
				{out.Tokens.Thumbnail, out.URLs.Thumbnail, "t", "https://image.mux.com/" + htID + "/thumbnail.jpg?token="},
				{out.Tokens.Storyboard, out.URLs.Storyboard, "s", "https://image.mux.com/" + htID + "/storyboard.vtt?token="},
			} {
				if rest := htCheckBase(t, htDecode(t, c.tok), c.aud, htDefaultExp); len(rest) != 0 {
					t.Fatalf("%s token has extra claims %v", c.aud, rest)
				}
				if c.url != c.base+c.tok {
					t.Fatalf("url %q, want %s<token>", c.url, c.base)
				}
			}
			if out.Tokens.DRM != "" || out.URLs.DRM != nil {
				t.Fatal("drm present without being asked for")
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	s := newHTServer(t, nil)
	for _, r := range []htReq{
		{query: "playbackId=" + htID, headers: map[string]string{"accept": "*/*"}},
		{query: "playbackId=" + htID, headers: map[string]string{"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}},
		{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/json;q=0"}},
		{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/json;q=0.0, */*"}},
		{query: "playbackId=" + htID, headers: map[string]string{"accept": "application/jsonx"}},
		{query: "playbackId=" + htID + "&response=redirect", headers: map[string]string{"accept": "application/json"}},
	} {
		t.Run(r.headers["accept"]+" "+r.query, func(t *testing.T) {
			if resp := s.do(t, r); resp.StatusCode != http.StatusFound {
				t.Fatalf("status = %d, want 302", resp.StatusCode)
			}
		})
	}
}

func TestJSONOptionsAndDRM(t *testing.T) {
	t.Run("image options go to the thumbnail token, video options to playback", func(t *testing.T) {
		s := newHTServer(t, nil)
		out, _ := htTokensResponse(t, s.get(t, "playbackId="+htID+"&response=json&time=10&width=320&max_resolution=720p"))
		if rest := htCheckBase(t, htDecode(t, out.Tokens.Playback), "v", htDefaultExp); fmt.Sprint(rest) != "map[max_resolution:720p]" {
			t.Fatalf("playback claims %v", rest)
		}
		if rest := htCheckBase(t, htDecode(t, out.Tokens.Thumbnail), "t", htDefaultExp); fmt.Sprint(rest) != "map[time:10 width:320]" {
			t.Fatalf("thumbnail claims %v", rest)
		}
		if rest := htCheckBase(t, htDecode(t, out.Tokens.Storyboard), "s", htDefaultExp); len(rest) != 0 {
			t.Fatalf("storyboard claims %v", rest)
		}
	})
	t.Run("gif options are refused in JSON", func(t *testing.T) {
		s := newHTServer(t, nil)
		resp := s.get(t, "playbackId="+htID+"&response=json&fps=10")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(htErrorMessage(t, resp), "fps") {
			t.Fatalf("status %d %s", resp.StatusCode, resp.Body)
		}
	})
	for _, tt := range []struct {
		name, query string
		env         map[string]string
		drm         bool
	}{
		{"drm=true", "&response=json&drm=true", nil, true},
		{"drm=1", "&response=json&drm=1", nil, true},
		{"drm=false", "&response=json&drm=false", nil, false},
		{"type=drm_license", "&response=json&type=drm_license", nil, true},
		{"MUX_DRM=true", "&response=json", map[string]string{endpoint.EnvDRM: "true"}, true},
		{"MUX_DRM=true wins over drm=false", "&response=json&drm=false", map[string]string{endpoint.EnvDRM: "true"}, true},
		{"MUX_DRM=false", "&response=json", map[string]string{endpoint.EnvDRM: "false"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newHTServer(t, tt.env)
			out, raw := htTokensResponse(t, s.get(t, "playbackId="+htID+tt.query))
			if !tt.drm {
				if out.Tokens.DRM != "" || out.URLs.DRM != nil {
					t.Fatal("drm present")
				}
				return
			}
			if got := htKeys(raw["tokens"]); !slices.Equal(got, []string{"drm", "playback", "storyboard", "thumbnail"}) {
				t.Fatalf("tokens keys = %v", got)
			}
			if rest := htCheckBase(t, htDecode(t, out.Tokens.DRM), "d", htDefaultExp); len(rest) != 0 {
				t.Fatalf("drm claims %v", rest)
			}
			d := out.URLs.DRM
			if d == nil {
				t.Fatal("no drm urls")
			}
			for sys, u := range map[string]string{"widevine": d.Widevine, "playready": d.PlayReady, "fairplay": d.FairPlay} {
				if want := "https://license.mux.com/license/" + sys + "/" + htID + "?token=" + out.Tokens.DRM; u != want {
					t.Fatalf("%s url = %q, want %q", sys, u, want)
				}
			}
		})
	}
	t.Run("bad drm value", func(t *testing.T) {
		s := newHTServer(t, nil)
		resp := s.get(t, "playbackId="+htID+"&response=json&drm=maybe")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(htErrorMessage(t, resp), "drm") {
			t.Fatalf("status %d %s", resp.StatusCode, resp.Body)
		}
	})
}

func TestRestrictionOnEveryToken(t *testing.T) {
	const restriction = "JL88SKXSf00WZMsZEhBkQH01A2I4f3U6T8X1D1Jr1PUy4"
	s := newHTServer(t, map[string]string{endpoint.EnvRestrictionID: restriction, endpoint.EnvDRM: "true"})
	want := map[string]any{"playback_restriction_id": restriction}
	for _, q := range []string{"", "&type=thumbnail", "&type=gif", "&type=storyboard", "&playback_restriction_id=", "&playback_restriction_id=other"} {
		t.Run("redirect"+q, func(t *testing.T) {
			u, _ := url.Parse(s.get(t, "playbackId="+htID+q).Headers["Location"])
			tok := htDecode(t, u.Query().Get("token"))
			if got := htCheckBase(t, tok, tok.claims["aud"].(string), htDefaultExp); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("claims %v", got)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		out, _ := htTokensResponse(t, s.get(t, "playbackId="+htID+"&response=json&playback_restriction_id=other"))
		for aud, tok := range map[string]string{"v": out.Tokens.Playback, "t": out.Tokens.Thumbnail, "s": out.Tokens.Storyboard, "d": out.Tokens.DRM} {
			if got := htCheckBase(t, htDecode(t, tok), aud, htDefaultExp); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s token claims %v", aud, got)
			}
		}
	})
}

func TestPlaybackIDAllowlist(t *testing.T) {
	for _, list := range []string{htID, htID + "," + htID2, " " + htID + "  " + htID2 + "\n", htID2 + ", " + htID} {
		t.Run(list, func(t *testing.T) {
			s := newHTServer(t, map[string]string{endpoint.EnvAllowedPlaybackIDs: list})
			if resp := s.get(t, "playbackId="+htID); resp.StatusCode != http.StatusFound {
				t.Fatalf("listed ID: status %d", resp.StatusCode)
			}
			other := "abcdefghijklmnopqrstuvwxyz0123456789"
			for _, q := range []string{"playbackId=" + other, "playbackId=" + other + "&response=json", "playbackId=" + strings.ToLower(htID)} {
				resp := s.get(t, q)
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("%s: status %d, want 403", q, resp.StatusCode)
				}
				htErrorMessage(t, resp)
			}
			// Malformed IDs are still 400, missing ones still the original message.
			if resp := s.get(t, "playbackId=a/b"); resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("malformed ID: status %d, want 400", resp.StatusCode)
			}
			if resp := s.get(t, ""); htErrorMessage(t, resp) != "Missing playbackId in query string" {
				t.Fatal("missing ID message changed")
			}
		})
	}
}

func TestOriginAllowlist(t *testing.T) {
	s := newHTServer(t, map[string]string{endpoint.EnvAllowedOrigins: "https://www.example.com, https://*.example.org http://localhost:8888"})
	tests := []struct {
		origin  string
		allowed bool
	}{
		{"https://www.example.com", true},
		{"https://a.example.org", true},
		{"https://a.b.example.org", true},
		{"http://localhost:8888", true},
		{"https://example.com", false},
		{"https://example.org", false},
		{"http://www.example.com", false},
		{"http://a.example.org", false},
		{"https://www.example.com:8443", false},
		{"https://a.example.org:8443", false},
		{"https://a.example.org.evil.com", false},
		{"https://evilexample.org", false},
		{"https://www.example.com.evil.com", false},
		{"http://localhost:8889", false},
		{"null", false},
		{"", false},
		{"https://WWW.EXAMPLE.COM", false},
		{"https://www.example.com/", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			h := map[string]string{}
			if tt.origin != "" {
				h["origin"] = tt.origin
			}
			resp := s.do(t, htReq{query: "playbackId=" + htID, headers: h})
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("GET status %d, want 302 (CORS decides what the page may read)", resp.StatusCode)
			}
			want := ""
			if tt.allowed {
				want = tt.origin
			}
			if got := resp.Headers["Access-Control-Allow-Origin"]; got != want {
				t.Fatalf("ACAO = %q, want %q", got, want)
			}
			if v := resp.Headers["Vary"]; !strings.Contains(v, "Origin") {
				t.Fatalf("Vary = %q, want Origin in it", v)
			}
			pre := s.do(t, htReq{method: "OPTIONS", headers: h})
			if tt.allowed {
				if pre.StatusCode != http.StatusNoContent || pre.Headers["Access-Control-Allow-Origin"] != tt.origin {
					t.Fatalf("preflight: status %d ACAO %q", pre.StatusCode, pre.Headers["Access-Control-Allow-Origin"])
				}
			} else {
				if pre.StatusCode != http.StatusForbidden {
					t.Fatalf("preflight: status %d, want 403", pre.StatusCode)
				}
				if _, ok := pre.Headers["Access-Control-Allow-Origin"]; ok {
					t.Fatal("refused preflight carries ACAO")
				}
			}
		})
	}
	t.Run("capitalized header name", func(t *testing.T) {
		resp := s.do(t, htReq{query: "playbackId=" + htID, headers: map[string]string{"Origin": "https://www.example.com"}})
		if resp.Headers["Access-Control-Allow-Origin"] != "https://www.example.com" {
			t.Fatalf("ACAO = %q", resp.Headers["Access-Control-Allow-Origin"])
		}
	})
	t.Run("errors carry CORS too", func(t *testing.T) {
		resp := s.do(t, htReq{query: "", headers: map[string]string{"origin": "https://a.example.org"}})
		if resp.StatusCode != http.StatusBadRequest || resp.Headers["Access-Control-Allow-Origin"] != "https://a.example.org" {
			t.Fatalf("status %d ACAO %q", resp.StatusCode, resp.Headers["Access-Control-Allow-Origin"])
		}
	})
	t.Run("JSON carries CORS too", func(t *testing.T) {
		resp := s.do(t, htReq{query: "playbackId=" + htID + "&response=json", headers: map[string]string{"origin": "https://a.example.org"}})
		htTokensResponse(t, resp)
		if resp.Headers["Access-Control-Allow-Origin"] != "https://a.example.org" {
			t.Fatalf("ACAO %q", resp.Headers["Access-Control-Allow-Origin"])
		}
	})
}

func TestRequestExpiration(t *testing.T) {
	tests := []struct {
		configured, asked string
		life, grain       time.Duration // zero life: want 400
	}{
		{"", "3600", time.Hour, 6 * time.Minute},
		{"", "1h", time.Hour, 6 * time.Minute},
		{"", "60", time.Minute, 6 * time.Second},
		{"", "1d", 24 * time.Hour, time.Hour},
		{"", "7d", 7 * 24 * time.Hour, time.Hour},
		{"", "604800", 7 * 24 * time.Hour, time.Hour},
		{"", "604801", 0, 0},
		{"", "8d", 0, 0},
		{"", "59", 0, 0},
		{"", "0", 0, 0},
		{"", "-60", 0, 0},
		{"", "1.5h", 0, 0},
		{"", "soon", 0, 0},
		{"", "", 0, 0},
		{"", "10000000000", 0, 0},
		{"2h", "1h", time.Hour, 6 * time.Minute},
		{"2h", "2h", 2 * time.Hour, 12 * time.Minute},
		{"2h", "3h", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.configured+"/"+tt.asked, func(t *testing.T) {
			s := newHTServer(t, map[string]string{endpoint.EnvExpiration: tt.configured})
			resp := s.get(t, "playbackId="+htID+"&expiration="+url.QueryEscape(tt.asked))
			if tt.life == 0 {
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status = %d, want 400", resp.StatusCode)
				}
				if msg := htErrorMessage(t, resp); !strings.Contains(msg, "expiration") {
					t.Fatalf("message %q does not name expiration", msg)
				}
				return
			}
			tok := htLocationToken(t, resp, `https://stream\.mux\.com/`+htID+`\.m3u8`)
			htCheckBase(t, tok, "v", htExp(tt.life, tt.grain))
		})
	}
	t.Run("JSON expiresAt follows", func(t *testing.T) {
		s := newHTServer(t, nil)
		out, _ := htTokensResponse(t, s.get(t, "playbackId="+htID+"&response=json&expiration=1h"))
		if want := htExp(time.Hour, 6*time.Minute); out.ExpiresAt.Unix() != want {
			t.Fatalf("expiresAt %v, want %v", out.ExpiresAt, time.Unix(want, 0))
		}
	})
}

func TestCustomHosts(t *testing.T) {
	tests := []struct {
		name             string
		env              map[string]string
		stream, image, l string
	}{
		{"bare hosts", map[string]string{endpoint.EnvStreamHost: "stream.example.com", endpoint.EnvImageHost: "images.example.com:8443", endpoint.EnvLicenseHost: "license.example.com"},
			"https://stream.example.com", "https://images.example.com:8443", "https://license.example.com"},
		{"https and trailing slash, upper case", map[string]string{endpoint.EnvStreamHost: "https://Stream.Example.com/", endpoint.EnvImageHost: "https://img.example.com"},
			"https://stream.example.com", "https://img.example.com", "https://license.mux.com"},
		{"loopback stand-ins", map[string]string{endpoint.EnvStreamHost: "http://127.0.0.1:9000", endpoint.EnvImageHost: "http://localhost:9001", endpoint.EnvLicenseHost: "http://127.0.0.2:9002"},
			"http://127.0.0.1:9000", "http://localhost:9001", "http://127.0.0.2:9002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env[endpoint.EnvDRM] = "true"
			s := newHTServer(t, tt.env)
			htLocationToken(t, s.get(t, "playbackId="+htID), regexp.QuoteMeta(tt.stream+"/"+htID+".m3u8"))
			htLocationToken(t, s.get(t, "playbackId="+htID+"&type=thumbnail&format=png"), regexp.QuoteMeta(tt.image+"/"+htID+"/thumbnail.png"))
			htLocationToken(t, s.get(t, "playbackId="+htID+"&type=gif"), regexp.QuoteMeta(tt.image+"/"+htID+"/animated.gif"))
			htLocationToken(t, s.get(t, "playbackId="+htID+"&type=storyboard"), regexp.QuoteMeta(tt.image+"/"+htID+"/storyboard.vtt"))
			out, _ := htTokensResponse(t, s.get(t, "playbackId="+htID+"&response=json"))
			for got, prefix := range map[string]string{
				out.URLs.Playback: tt.stream + "/", out.URLs.Thumbnail: tt.image + "/", out.URLs.Storyboard: tt.image + "/",
				out.URLs.DRM.Widevine: tt.l + "/license/widevine/",
			} {
				if !strings.HasPrefix(got, prefix) {
					t.Fatalf("url %q, want prefix %q", got, prefix)
				}
			}
		})
	}
}

// TestSameTokenWithinGrain: two requests in one grain get the same URL (so
// browsers and CDNs can reuse what they fetched).
func TestSameTokenWithinGrain(t *testing.T) {
	now := htNow
	h := endpoint.New(htEnv(t, nil), func() time.Time { return now }, slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)))
	ev := events.APIGatewayProxyRequest{HTTPMethod: "GET", QueryStringParameters: map[string]string{"playbackId": htID}}
	first, _ := h.Handle(context.Background(), ev)
	now = now.Add(10 * time.Minute)
	second, _ := h.Handle(context.Background(), ev)
	if first.Headers["Location"] != second.Headers["Location"] {
		t.Fatal("two requests within one hour grain got different URLs")
	}
	now = now.Add(time.Hour)
	third, _ := h.Handle(context.Background(), ev)
	if third.Headers["Location"] == first.Headers["Location"] {
		t.Fatal("a request an hour later got the same URL")
	}
}

// TestLogLinesAreJSON checks the whole log of a mixed run parses line by
// line.
func TestLogLinesAreJSON(t *testing.T) {
	s := newHTServer(t, nil)
	for _, q := range []string{"playbackId=" + htID, "", "playbackId=x&type=bad"} {
		s.get(t, q)
	}
	sc := bufio.NewScanner(s.log)
	n := 0
	for sc.Scan() {
		n++
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("line %d is not JSON: %s", n, sc.Text())
		}
	}
	if n != 3 {
		t.Fatalf("%d log lines for 3 requests", n)
	}
}
