//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const viewerOrigin = "https://www.example.com"

// cookieEvent is event() with the cookies as Netlify passes them: one
// Cookie header per entry in multiValueHeaders, joined with ", " in the
// single-value map.
func cookieEvent(method string, cookies []string, headers map[string]string) map[string]any {
	ev := event(method, q("playbackId", playbackID), headers)
	ev["headers"].(map[string]string)["cookie"] = strings.Join(cookies, ", ")
	ev["multiValueHeaders"].(map[string][]string)["cookie"] = cookies
	return ev
}

// viewerAnswer is what one case expects of the function.
type viewerAnswer struct {
	status int
	www    string // WWW-Authenticate: exact, or a prefix when it holds '"'
	msg    string // a prefix of the JSON error message
	origin bool   // Access-Control-Allow-Origin: the origin, with credentials
}

func checkViewerAnswer(t *testing.T, got map[string]string, status int, body string, w viewerAnswer, key testKey, from, to time.Time, tokens []string) {
	t.Helper()
	if status != w.status {
		t.Fatalf("status %d, want %d; body %s", status, w.status, body)
	}
	h := http.Header{}
	for k, v := range got {
		h.Set(k, v)
	}
	for _, tok := range tokens {
		sig := tok[strings.LastIndexByte(tok, '.')+1:]
		for k, v := range got {
			if strings.Contains(v, sig) {
				t.Errorf("header %s repeats the viewer's token", k)
			}
		}
		if strings.Contains(body, sig) {
			t.Error("the body repeats the viewer's token")
		}
	}
	if w.origin {
		if h.Get("Access-Control-Allow-Origin") != viewerOrigin || h.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("Access-Control-Allow-Origin %q, -Credentials %q; want %s and true", h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"), viewerOrigin)
		}
	} else if h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("CORS headers for a request without Origin: %q, %q", h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"))
	}
	if v := h.Get("Vary"); v != "Accept, Origin" {
		t.Errorf("Vary %q, want Accept, Origin", v)
	}
	if v := h.Get("Cache-Control"); v != "private, no-store" {
		t.Errorf("Cache-Control %q", v)
	}
	www := h.Get("WWW-Authenticate")
	switch {
	case strings.Contains(w.www, `"`) && !strings.HasPrefix(www, w.www):
		t.Errorf("WWW-Authenticate %q, want it to start with %s", www, w.www)
	case !strings.Contains(w.www, `"`) && www != w.www:
		t.Errorf("WWW-Authenticate %q, want %q", www, w.www)
	}
	if w.status == http.StatusFound {
		if body != "" {
			t.Errorf("body %q, want none", body)
		}
		tok := tokenFrom(t, h.Get("Location"), "https://stream.mux.com/"+playbackID+".m3u8")
		verifyToken(t, tok, want{key: key, aud: "v", life: defaultLife, grain: defaultGrain, from: from, to: to})
		return
	}
	if h.Get("Location") != "" {
		t.Errorf("a %d with a Location: %s", status, h.Get("Location"))
	}
	if h.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
	if w.status == http.StatusServiceUnavailable {
		n, err := strconv.Atoi(h.Get("Retry-After"))
		if err != nil || n < 1 || n > 60 {
			t.Errorf("Retry-After %q, want 1-60 seconds", h.Get("Retry-After"))
		}
	}
	if body == "" && w.msg != "" {
		return // HEAD
	}
	if msg := errorMessage(t, body); !strings.HasPrefix(msg, w.msg) {
		t.Errorf("message %q, want it to start with %q", msg, w.msg)
	}
}

func TestViewerLambda(t *testing.T) {
	bootstrap := buildLikeNetlify(t)
	key := newKey(t, randomKeyID(t))
	ports := freePorts(t, 2)
	issuer := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	op := startProvider(t, "oidc-provider", ports[0], issuer)
	op.checkDiscovery(t)
	// An impostor: another oidc-provider that claims the same issuer but
	// signs with keys of its own (a kid the real provider does not publish).
	impostor := startProvider(t, "oidc-impostor", ports[1], issuer)

	member, member2, guest, brief := op.token(t, "member"), op.token(t, "member"), op.token(t, "guest"), op.token(t, "brief")
	forged := impostor.token(t, "member")
	impostor.p.stop(t)
	all := []string{member, member2, guest, brief, forged}

	muxEnv := viewerEnv(issuer, viewerOrigin)
	muxEnv["MUX_SIGNING_KEY"], muxEnv["MUX_PRIVATE_KEY"] = key.ID, key.Env
	r := startRIE(t, bootstrap, muxEnv)

	bearer := func(tok string) map[string]string { return map[string]string{"authorization": "Bearer " + tok} }
	withOrigin := func(h map[string]string) map[string]string { return with(h, "origin", viewerOrigin) }
	member302 := viewerAnswer{status: 302}
	signIn := viewerAnswer{status: 401, www: "Bearer", msg: "Sign in to watch this video."}
	notEntitled := viewerAnswer{status: 403, www: `Bearer error="insufficient_scope"`, msg: "Your account is not entitled to watch this video."}
	invalid := func(msg string) viewerAnswer {
		return viewerAnswer{status: 401, www: `Bearer error="invalid_token", error_description="` + msg, msg: msg}
	}

	run := func(t *testing.T, ev map[string]any, w viewerAnswer) {
		t.Helper()
		from := time.Now()
		resp := r.invoke(t, ev)
		if resp.StatusCode != http.StatusFound {
			t.Logf("answer: %d WWW-Authenticate %q %s", resp.StatusCode, resp.Headers["WWW-Authenticate"], resp.Body)
		}
		checkViewerAnswer(t, resp.Headers, resp.StatusCode, resp.Body, w, key, from, time.Now(), all)
	}

	cases := []struct {
		name string
		ev   map[string]any
		want viewerAnswer
	}{
		{"member by Authorization: Bearer: 302", event("GET", q("playbackId", playbackID), bearer(member)), member302},
		{"member by Bearer, HEAD (curl -I): 302", event("HEAD", q("playbackId", playbackID), bearer(member)), member302},
		{"member by Bearer from a listed origin: 302 with credentials", event("GET", q("playbackId", playbackID), withOrigin(bearer(member))), with302Origin()},
		{"member by the nf_jwt cookie among others, from a listed origin: 302 with credentials", cookieEvent("GET", []string{"theme=dark", "nf_jwt=" + member, "lang=fr"}, map[string]string{"origin": viewerOrigin}), with302Origin()},
		{"member by cookie, POST: 302", cookieEvent("POST", []string{"nf_jwt=" + member}, map[string]string{"content-type": "application/x-www-form-urlencoded"}), member302},
		{"no token: 401 Bearer", event("GET", q("playbackId", playbackID), nil), signIn},
		{"only other cookies: 401 Bearer", cookieEvent("GET", []string{"theme=dark"}, nil), signIn},
		{"guest by Bearer: 403", event("GET", q("playbackId", playbackID), bearer(guest)), notEntitled},
		{"guest by cookie: 403", cookieEvent("GET", []string{"nf_jwt=" + guest}, nil), notEntitled},
		{"tampered signature: 401 invalid_token", event("GET", q("playbackId", playbackID), bearer(tamperSignature(member))), invalid("the sign-in token's signature does not match")},
		{"guest's token edited to say member: 401 invalid_token", cookieEvent("GET", []string{"nf_jwt=" + tamperClaims(t, guest, "member")}, nil), invalid("the sign-in token's signature does not match")},
		{"same issuer, another provider's key (unknown kid): 401 invalid_token", event("GET", q("playbackId", playbackID), bearer(forged)), invalid("the sign-in token was signed with a key the provider does not publish")},
		{"two nf_jwt cookies: 401 invalid_request", cookieEvent("GET", []string{"nf_jwt=" + member, "nf_jwt=" + guest}, nil), viewerAnswer{status: 401, www: `Bearer error="invalid_request"`}},
		{"token in the query string: 400", event("GET", q("playbackId", playbackID, "access_token", member), nil), viewerAnswer{status: 400, msg: "a sign-in token does not belong in the query string"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) { run(t, tt.ev, tt.want) })
	}

	t.Run("expired token: 401 invalid_token", func(t *testing.T) {
		// brief's token lives 1 s; the function allows 1 s of skew.
		wait := time.Until(expiry(t, brief).Add(2*time.Second + 100*time.Millisecond))
		if wait > 10*time.Second {
			t.Fatalf("the brief token expires in %s, want about 1 s", wait)
		}
		time.Sleep(wait)
		run(t, event("GET", q("playbackId", playbackID), bearer(brief)), invalid("the sign-in token has expired"))
	})

	t.Run("OPTIONS preflight allows Authorization with credentials", func(t *testing.T) {
		resp := r.invoke(t, event("OPTIONS", q("playbackId", playbackID), map[string]string{
			"origin": viewerOrigin, "access-control-request-method": "GET", "access-control-request-headers": "authorization",
		}))
		if resp.StatusCode != http.StatusNoContent || resp.Body != "" {
			t.Fatalf("status %d body %q, want 204 and no body", resp.StatusCode, resp.Body)
		}
		checkHeaders(t, resp.Headers, map[string]string{
			"Access-Control-Allow-Origin":      viewerOrigin,
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods":     "GET, HEAD, POST, OPTIONS",
			"Access-Control-Allow-Headers":     "Accept, Authorization, Content-Type",
			"Access-Control-Max-Age":           "7200",
			"Cache-Control":                    "private, no-store",
			"Vary":                             "Accept, Origin",
			"X-Content-Type-Options":           "nosniff",
		})
	})

	t.Run("one instance fetched discovery and the JWKS once each", func(t *testing.T) {
		// One from checkDiscovery, one from the function; the unknown kid
		// came within the refresh interval, so no second fetch.
		if d, j := op.served(); d != 2 || j != 2 {
			t.Errorf("the provider served discovery %d and JWKS %d times, want 2 and 2 (the test's and the function's)", d, j)
		}
	})

	// The provider goes away: the instance keeps the keys it fetched.
	op.p.stop(t)
	t.Run("provider stopped: a running instance keeps its keys", func(t *testing.T) {
		run(t, cookieEvent("GET", []string{"nf_jwt=" + member2}, nil), member302)
	})

	r.p.stop(t)
	first := r.p.log()
	checkNoSecret(t, "the emulator and function log", first, secretPieces(key))

	// A fresh instance cannot fetch the keys: fail closed, never a token.
	t.Run("provider stopped, fresh instance: 503 with Retry-After", func(t *testing.T) {
		r := startRIE(t, bootstrap, muxEnv)
		down := viewerAnswer{status: 503, msg: "the sign-in provider's keys could not be fetched"}
		for _, c := range []struct {
			name string
			ev   map[string]any
		}{
			{"member by Bearer", event("GET", q("playbackId", playbackID), bearer(member))},
			{"member by cookie", cookieEvent("GET", []string{"nf_jwt=" + member2}, nil)},
			{"unknown kid", event("GET", q("playbackId", playbackID), bearer(forged))},
			{"member by Bearer, HEAD", event("HEAD", q("playbackId", playbackID), bearer(member))},
		} {
			from := time.Now()
			resp := r.invoke(t, c.ev)
			t.Run(c.name, func(t *testing.T) {
				t.Logf("answer: %d Retry-After %q %s", resp.StatusCode, resp.Headers["Retry-After"], resp.Body)
				checkViewerAnswer(t, resp.Headers, resp.StatusCode, resp.Body, down, key, from, time.Now(), all)
			})
		}
		r.p.stop(t)
		log := r.p.log()
		checkNoSecret(t, "the emulator and function log", log, secretPieces(key))
		// One fetch attempt per interval, so one error line for four requests.
		if n := strings.Count(log, "could not be fetched; viewers get 503"); n != 1 {
			t.Errorf("the function logged the key fetch failure %d times for 4 requests, want once per interval\n%s", n, tail(log, 30))
		}
		for _, tok := range all {
			if strings.Contains(log, tok[strings.LastIndexByte(tok, '.')+1:]) {
				t.Error("the function's log holds a viewer's token")
			}
		}
	})

	for _, tok := range all {
		if strings.Contains(first, tok[strings.LastIndexByte(tok, '.')+1:]) {
			t.Error("the function's log holds a viewer's token")
		}
	}
}

func with302Origin() viewerAnswer { return viewerAnswer{status: 302, origin: true} }
