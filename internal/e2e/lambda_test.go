//go:build e2e

package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

const functionPath = "/.netlify/functions/sign_playback_id"

// buildLikeNetlify compiles the function the way Netlify's build does and
// returns the path of the binary, named bootstrap as in Netlify's zip.
func buildLikeNetlify(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	dir := filepath.Join(repoRoot(t), "functions", "sign_playback_id")
	runCmd(t, 5*time.Minute, dir, env(map[string]string{"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": "amd64"}),
		"go", "build", "-o", out, "-ldflags", "-s -w", "-tags", "lambda.norpc", ".")
	checkStaticELF(t, out)
	return out
}

// rie is one aws-lambda-rie process serving the function.
type rie struct {
	p    *proc
	addr string
	n    int // invocations sent
}

// startRIE runs the function under the emulator with the MUX_* settings
// in muxEnv: the emulator passes its own environment to the function. Both
// of the emulator's ports are chosen free here, its Runtime API included
// (by default fixed at 127.0.0.1:9001, which another program may hold): a
// port taken in between is reported with the process that holds it.
func startRIE(t *testing.T, bootstrap string, muxEnv map[string]string) *rie {
	t.Helper()
	ports := freePorts(t, 2)
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	apiAddr := fmt.Sprintf("127.0.0.1:%d", ports[1])
	e := map[string]string{"AWS_LAMBDA_FUNCTION_TIMEOUT": "10", "AWS_LAMBDA_FUNCTION_NAME": "sign_playback_id"}
	for k, v := range muxEnv {
		e[k] = v
	}
	p := start(t, "aws-lambda-rie", filepath.Dir(bootstrap), env(e), need(t, "E2E_RIE"),
		"--runtime-interface-emulator-address", addr, "--runtime-api-address", apiAddr, bootstrap)
	waitTCP(t, p, addr, 20*time.Second, ports...)
	return &rie{p: p, addr: addr}
}

// event is an API Gateway proxy event shaped the way Netlify sends it:
// lower-case header names, both query maps (the single one joins repeats
// with ", "), rawUrl/rawQuery, and an empty body marked base64.
func event(method string, query url.Values, headers map[string]string) map[string]any {
	h := map[string]string{
		"host":            "localhost:8888",
		"user-agent":      "curl/8.5.0",
		"accept":          "*/*",
		"x-forwarded-for": "127.0.0.1",
		"client-ip":       "127.0.0.1",
		"x-nf-request-id": "01E2E000000000000000000000",
	}
	for k, v := range headers {
		h[strings.ToLower(k)] = v
	}
	mh := map[string][]string{}
	for k, v := range h {
		mh[k] = []string{v}
	}
	single := map[string]string{}
	for k, vs := range query {
		single[k] = strings.Join(vs, ", ")
	}
	raw := query.Encode()
	return map[string]any{
		"path":                            functionPath,
		"httpMethod":                      method,
		"headers":                         h,
		"multiValueHeaders":               mh,
		"queryStringParameters":           single,
		"multiValueQueryStringParameters": map[string][]string(query),
		"body":                            "",
		"isBase64Encoded":                 true,
		"rawUrl":                          "http://localhost:8888" + functionPath + "?" + raw,
		"rawQuery":                        raw,
	}
}

// invoke sends one event through the emulator and returns the function's
// response.
func (r *rie) invoke(t *testing.T, ev map[string]any) events.APIGatewayProxyResponse {
	t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Post("http://"+r.addr+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("invoking through aws-lambda-rie: %v", err)
	}
	defer resp.Body.Close()
	r.n++
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("aws-lambda-rie answered %d: %s", resp.StatusCode, raw)
	}
	var out events.APIGatewayProxyResponse
	if err := json.Unmarshal(raw, &out); err != nil || out.StatusCode == 0 {
		t.Fatalf("the function's answer is not an API Gateway proxy response: %v: %s", err, raw)
	}
	if len(out.MultiValueHeaders) != 0 || out.IsBase64Encoded {
		t.Errorf("want plain single-valued headers and a text body; got multiValueHeaders %v, isBase64Encoded %v", out.MultiValueHeaders, out.IsBase64Encoded)
	}
	return out
}

// baseHeaders are the headers every response carries with the default
// (open) CORS policy.
func baseHeaders() map[string]string {
	return map[string]string{
		"Access-Control-Allow-Origin": "*",
		"Cache-Control":               "private, no-store",
		"Vary":                        "Accept",
		"X-Content-Type-Options":      "nosniff",
	}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func TestLambdaEmulator(t *testing.T) {
	bootstrap := buildLikeNetlify(t)
	key := newKey(t, randomKeyID(t))
	secrets := secretPieces(key)

	t.Run("configured", func(t *testing.T) {
		r := startRIE(t, bootstrap, map[string]string{"MUX_SIGNING_KEY": key.ID, "MUX_PRIVATE_KEY": key.Env})
		jsonHeaders := with(baseHeaders(), "Content-Type", "application/json; charset=utf-8")
		stream := "https://stream.mux.com/" + playbackID + ".m3u8"
		image := "https://image.mux.com/" + playbackID

		redirects := []struct {
			name    string
			method  string
			query   url.Values
			headers map[string]string
			prefix  string // the Location before ?token=
			aud     string
			life    time.Duration
			grain   time.Duration
			params  map[string]string
		}{
			{"GET video", "GET", q("playbackId", playbackID), nil, stream, "v", defaultLife, defaultGrain, nil},
			{"HEAD video (curl -I)", "HEAD", q("playbackId", playbackID), nil, stream, "v", defaultLife, defaultGrain, nil},
			{"POST video", "POST", q("playbackId", playbackID), map[string]string{"content-type": "application/x-www-form-urlencoded"}, stream, "v", defaultLife, defaultGrain, nil},
			{"type video", "GET", q("playbackId", playbackID, "type", "video"), nil, stream, "v", defaultLife, defaultGrain, nil},
			{"type thumbnail", "GET", q("playbackId", playbackID, "type", "thumbnail"), nil, image + "/thumbnail.jpg", "t", defaultLife, defaultGrain, nil},
			{"type thumbnail png with options", "GET", q("playbackId", playbackID, "type", "thumbnail", "format", "png", "width", "640", "time", "5", "utm_source", "mail"), nil, image + "/thumbnail.png", "t", defaultLife, defaultGrain, map[string]string{"width": "640", "time": "5"}},
			{"type gif", "GET", q("playbackId", playbackID, "type", "gif"), nil, image + "/animated.gif", "g", defaultLife, defaultGrain, nil},
			{"type gif webp", "GET", q("playbackId", playbackID, "type", "gif", "format", "webp", "fps", "15"), nil, image + "/animated.webp", "g", defaultLife, defaultGrain, map[string]string{"fps": "15"}},
			{"type storyboard", "GET", q("playbackId", playbackID, "type", "storyboard"), nil, image + "/storyboard.vtt", "s", defaultLife, defaultGrain, nil},
			{"type storyboard json", "GET", q("playbackId", playbackID, "type", "storyboard", "format", "json"), nil, image + "/storyboard.json", "s", defaultLife, defaultGrain, nil},
			{"video option", "GET", q("playbackId", playbackID, "max_resolution", "720p"), nil, stream, "v", defaultLife, defaultGrain, map[string]string{"max_resolution": "720p"}},
			{"shorter expiration", "GET", q("playbackId", playbackID, "expiration", "1h"), nil, stream, "v", time.Hour, 6 * time.Minute, nil},
			{"Accept with JSON at q=0 stays a redirect", "GET", q("playbackId", playbackID), map[string]string{"accept": "application/json;q=0, */*"}, stream, "v", defaultLife, defaultGrain, nil},
		}
		for _, tt := range redirects {
			t.Run(tt.name, func(t *testing.T) {
				from := time.Now()
				resp := r.invoke(t, event(tt.method, tt.query, tt.headers))
				to := time.Now()
				if resp.StatusCode != http.StatusFound {
					t.Fatalf("status %d, want 302; body %s", resp.StatusCode, resp.Body)
				}
				checkHeaders(t, resp.Headers, baseHeaders(), "Location")
				if resp.Body != "" {
					t.Errorf("body %q, want none", resp.Body)
				}
				tok := tokenFrom(t, resp.Headers["Location"], tt.prefix)
				verifyToken(t, tok, want{key: key, aud: tt.aud, life: tt.life, grain: tt.grain, from: from, to: to, params: tt.params})
			})
		}

		t.Run("OPTIONS preflight", func(t *testing.T) {
			resp := r.invoke(t, event("OPTIONS", q("playbackId", playbackID), map[string]string{
				"origin": "https://www.example.com", "access-control-request-method": "GET", "access-control-request-headers": "accept",
			}))
			if resp.StatusCode != http.StatusNoContent || resp.Body != "" {
				t.Fatalf("status %d body %q, want 204 and no body", resp.StatusCode, resp.Body)
			}
			checkHeaders(t, resp.Headers, with(baseHeaders(),
				"Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS",
				"Access-Control-Allow-Headers", "Accept, Content-Type",
				"Access-Control-Max-Age", "7200"))
		})

		errorsCases := []struct {
			name    string
			method  string
			query   url.Values
			status  int
			message string // a prefix of the error message
			headers map[string]string
		}{
			{"missing ID", "GET", q(), 400, "Missing playbackId in query string", jsonHeaders},
			{"empty ID", "GET", q("playbackId", ""), 400, "Missing playbackId in query string", jsonHeaders},
			{"invalid ID", "GET", q("playbackId", "../"+playbackID+".m3u8?x=1"), 400, "playbackId must be", jsonHeaders},
			{"ID given twice", "GET", q("playbackId", playbackID, "playbackId", "abc"), 400, "parameter playbackId is given more than once", jsonHeaders},
			{"unknown type", "GET", q("playbackId", playbackID, "type", "poster"), 400, "type: unknown token type", jsonHeaders},
			{"drm_license as a redirect", "GET", q("playbackId", playbackID, "type", "drm_license"), 400, "type drm_license has no redirect target", jsonHeaders},
			{"expiration over the maximum", "GET", q("playbackId", playbackID, "expiration", "8d"), 400, "expiration may be at most", jsonHeaders},
			{"bad option value", "GET", q("playbackId", playbackID, "type", "thumbnail", "width", "-1"), 400, "invalid parameter width", jsonHeaders},
			{"PUT", "PUT", q("playbackId", playbackID), 405, "method not allowed", with(jsonHeaders, "Allow", "GET, HEAD, POST, OPTIONS")},
		}
		for _, tt := range errorsCases {
			t.Run(tt.name, func(t *testing.T) {
				resp := r.invoke(t, event(tt.method, tt.query, nil))
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.status, resp.Body)
				}
				checkHeaders(t, resp.Headers, tt.headers)
				if msg := errorMessage(t, resp.Body); !strings.HasPrefix(msg, tt.message) {
					t.Errorf("message %q, want it to start with %q", msg, tt.message)
				}
			})
		}

		jsonCases := []struct {
			name    string
			query   url.Values
			headers map[string]string
			drm     bool
		}{
			{"JSON with response=json", q("playbackId", playbackID, "response", "json"), nil, false},
			{"JSON with Accept: application/json", q("playbackId", playbackID), map[string]string{"accept": "application/json"}, false},
			{"JSON with drm=true", q("playbackId", playbackID, "response", "json", "drm", "true"), nil, true},
			{"JSON of type drm_license", q("playbackId", playbackID, "type", "drm_license", "response", "json"), nil, true},
		}
		for _, tt := range jsonCases {
			t.Run(tt.name, func(t *testing.T) {
				from := time.Now()
				resp := r.invoke(t, event("GET", tt.query, tt.headers))
				to := time.Now()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d, want 200; body %s", resp.StatusCode, resp.Body)
				}
				checkHeaders(t, resp.Headers, jsonHeaders)
				checkTokensJSON(t, resp.Body, key, from, to, "https://stream.mux.com", "https://image.mux.com", tt.drm)
			})
		}

		r.p.stop(t)
		log := r.p.log()
		checkNoSecret(t, "the emulator and function log", log, secrets)
		if n := strings.Count(log, "REPORT RequestId:"); n != r.n {
			t.Errorf("emulator reported %d invocations, sent %d", n, r.n)
		}
		if m := regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`).FindStringSubmatch(log); m != nil {
			t.Logf("figure: function init under aws-lambda-rie %s ms; %d invocations", m[1], r.n)
		}
	})

	// With no MUX_* variable at all, the Netlify build has no development
	// key to fall back on: every request, whatever its method and query, is
	// a 500 that names both variables, with no token and no Location.
	t.Run("unconfigured: no MUX_* variables", func(t *testing.T) {
		r := startRIE(t, bootstrap, nil)
		for _, method := range []string{"GET", "HEAD", "POST", "OPTIONS"} {
			for _, query := range []url.Values{q("playbackId", playbackID), q()} {
				name := method + " ?" + query.Encode()
				resp := r.invoke(t, event(method, query, map[string]string{"origin": "https://www.example.com"}))
				if resp.StatusCode != http.StatusInternalServerError {
					t.Errorf("%s: status %d, want 500; body %s", name, resp.StatusCode, resp.Body)
					continue
				}
				checkHeaders(t, resp.Headers, with(baseHeaders(), "Content-Type", "application/json; charset=utf-8"))
				for k, v := range resp.Headers {
					if strings.Contains(v, "token=") || strings.Contains(v, "eyJ") {
						t.Errorf("%s: header %s carries a token: %q", name, k, v)
					}
				}
				if strings.Contains(resp.Body, "eyJ") || strings.Contains(resp.Body, "token=") {
					t.Errorf("%s: body carries a token: %s", name, resp.Body)
				}
				if method == "HEAD" {
					if resp.Body != "" {
						t.Errorf("HEAD: body %q, want none", resp.Body)
					}
					continue
				}
				msg := errorMessage(t, resp.Body)
				for _, variable := range []string{"MUX_SIGNING_KEY", "MUX_PRIVATE_KEY"} {
					if !strings.Contains(msg, variable) {
						t.Errorf("%s: message %q does not name %s", name, msg, variable)
					}
				}
			}
		}
		r.p.stop(t)
		log := r.p.log()
		for _, dev := range []string{"devOnlyThrowawayKey", "development key", "throwaway", "BEGIN RSA PRIVATE KEY"} {
			if strings.Contains(log, dev) {
				t.Errorf("the function's log mentions %q: a development key was made under Lambda", dev)
			}
		}
		for _, variable := range []string{"MUX_SIGNING_KEY", "MUX_PRIVATE_KEY"} {
			if !strings.Contains(log, variable) {
				t.Errorf("the function's log does not name %s", variable)
			}
		}
	})

	truncated := key.Env[:len(key.Env)/2]
	pubPEM := base64.StdEncoding.EncodeToString([]byte("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"))
	misconfigured := []struct {
		name     string
		muxEnv   map[string]string
		variable string
	}{
		{"truncated private key", map[string]string{"MUX_SIGNING_KEY": key.ID, "MUX_PRIVATE_KEY": truncated}, "MUX_PRIVATE_KEY"},
		{"public key instead of the private key", map[string]string{"MUX_SIGNING_KEY": key.ID, "MUX_PRIVATE_KEY": pubPEM}, "MUX_PRIVATE_KEY"},
		{"no key ID", map[string]string{"MUX_PRIVATE_KEY": key.Env}, "MUX_SIGNING_KEY"},
	}
	for _, tt := range misconfigured {
		t.Run("misconfigured: "+tt.name, func(t *testing.T) {
			r := startRIE(t, bootstrap, tt.muxEnv)
			for _, method := range []string{"GET", "HEAD"} {
				resp := r.invoke(t, event(method, q("playbackId", playbackID), nil))
				if resp.StatusCode != http.StatusInternalServerError {
					t.Fatalf("%s: status %d, want 500; body %s", method, resp.StatusCode, resp.Body)
				}
				checkHeaders(t, resp.Headers, with(baseHeaders(), "Content-Type", "application/json; charset=utf-8"))
				checkNoSecret(t, "the response", resp.Body, secrets)
				if method == "HEAD" {
					if resp.Body != "" {
						t.Errorf("HEAD: body %q, want none", resp.Body)
					}
					continue
				}
				msg := errorMessage(t, resp.Body)
				// The public text names the variable; the detail is only logged.
				if !strings.HasPrefix(msg, "the function is misconfigured: check ") || !strings.Contains(msg, tt.variable) {
					t.Errorf("message %q does not name %s", msg, tt.variable)
				}
			}
			r.p.stop(t)
			log := r.p.log()
			checkNoSecret(t, "the emulator and function log", log, secrets)
			if !strings.Contains(log, tt.variable) {
				t.Errorf("the function's log does not name %s", tt.variable)
			}
		})
	}
}

// checkTokensJSON checks a JSON answer: every token verified, and every URL
// carrying its token.
func checkTokensJSON(t *testing.T, body string, key testKey, from, to time.Time, streamBase, imageBase string, drm bool) {
	t.Helper()
	var got struct {
		PlaybackID string            `json:"playbackId"`
		ExpiresAt  time.Time         `json:"expiresAt"`
		Tokens     map[string]string `json:"tokens"`
		URLs       map[string]any    `json:"urls"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("JSON body: %v: %s", err, body)
	}
	if got.PlaybackID != playbackID {
		t.Errorf("playbackId %q", got.PlaybackID)
	}
	auds := map[string]string{"playback": "v", "thumbnail": "t", "storyboard": "s"}
	if drm {
		auds["drm"] = "d"
	}
	if len(got.Tokens) != len(auds) {
		t.Errorf("tokens %v, want exactly %v", keysOf(got.Tokens), keysOf(auds))
	}
	for name, aud := range auds {
		c := verifyToken(t, got.Tokens[name], want{key: key, aud: aud, life: defaultLife, grain: defaultGrain, from: from, to: to})
		if name == "playback" && int64(c["exp"].(float64)) != got.ExpiresAt.Unix() {
			t.Errorf("expiresAt %s is not the playback token's exp %v", got.ExpiresAt, c["exp"])
		}
	}
	wantURLs := map[string]string{
		"playback":   streamBase + "/" + playbackID + ".m3u8?token=" + got.Tokens["playback"],
		"thumbnail":  imageBase + "/" + playbackID + "/thumbnail.jpg?token=" + got.Tokens["thumbnail"],
		"storyboard": imageBase + "/" + playbackID + "/storyboard.vtt?token=" + got.Tokens["storyboard"],
	}
	for name, u := range wantURLs {
		if got.URLs[name] != u {
			t.Errorf("urls.%s = %v, want %s", name, got.URLs[name], u)
		}
	}
	if d, ok := got.URLs["drm"].(map[string]any); drm != ok {
		t.Errorf("urls.drm = %v, want present %v", got.URLs["drm"], drm)
	} else if ok {
		for _, sys := range []string{"widevine", "playready", "fairplay"} {
			u := "https://license.mux.com/license/" + sys + "/" + playbackID + "?token=" + got.Tokens["drm"]
			if d[sys] != u {
				t.Errorf("urls.drm.%s = %v, want %s", sys, d[sys], u)
			}
		}
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
