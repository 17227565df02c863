package edgecache

import (
	"maps"
	"strings"
	"testing"
	"time"
)

const (
	week = 7 * 24 * time.Hour
	hour = time.Hour
)

// boundary is a multiple of every grain the tests use.
var boundary = time.Unix(1_800_000_000-1_800_000_000%int64(week/time.Second), 0)

// endpointParams are the endpoint's own parameters as the endpoint passes
// them.
var endpointParams = []string{"playbackId", "type", "format", "response", "expiration", "drm"}

// answer returns a cacheable redirect at now for the given life and grain,
// with exp computed as the endpoint computes it.
func answer(now time.Time, life, grain time.Duration) Answer {
	exp := now.Add(life).Unix()
	if g := int64(grain / time.Second); g > 0 {
		exp -= exp % g
	}
	return Answer{Method: "GET", Kind: Redirect, PlaybackID: "abc123", ExpiresAt: time.Unix(exp, 0), Life: life, Grain: grain}
}

func TestTTLGrain(t *testing.T) {
	on := Policy{Enabled: true}.For(Site{Params: endpointParams})
	tests := []struct {
		name        string
		now         time.Time
		life, grain time.Duration
		want        int64
	}{
		{"at a boundary: a whole grain", boundary.Add(-week), week, hour, 3600},
		{"one second before a boundary: one second", boundary.Add(-week - time.Second), week, hour, 1},
		{"half a second before a boundary: not cached", boundary.Add(-week - 500*time.Millisecond), week, hour, 0},
		{"1.5 s before a boundary: one second", boundary.Add(-week - 1500*time.Millisecond), week, hour, 1},
		{"mid-grain", boundary.Add(-week - 20*time.Minute), week, hour, 1200},
		{"grain 0: nothing to spare", boundary.Add(-week - 20*time.Minute), week, 0, 0},
		{"grain under a second", boundary.Add(-week - 20*time.Minute), week, 500 * time.Millisecond, 0},
		{"shorter expiration, grain life/10", boundary.Add(-10*time.Minute - 30*time.Second), 10 * time.Minute, time.Minute, 30},
		{"shorter expiration at its boundary", boundary.Add(-10 * time.Minute), 10 * time.Minute, time.Minute, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := answer(tt.now, tt.life, tt.grain)
			got := on.TTL(a, tt.now)
			if got != tt.want {
				t.Fatalf("TTL = %d, want %d", got, tt.want)
			}
			// The promise: served at any moment of the TTL, the token
			// keeps at least life - grain.
			if got > 0 {
				last := tt.now.Add(time.Duration(got) * time.Second)
				if left := a.ExpiresAt.Sub(last); left < tt.life-tt.grain {
					t.Fatalf("served at the end of the TTL the token keeps %v, less than %v", left, tt.life-tt.grain)
				}
			}
		})
	}
}

// TestTTLNeverBreaksPromise checks the promise for every second of a grain
// and several lives and grains.
func TestTTLNeverBreaksPromise(t *testing.T) {
	on := Policy{Enabled: true}.For(Site{Params: endpointParams})
	for _, c := range []struct{ life, grain time.Duration }{{week, hour}, {hour, 6 * time.Minute}, {90 * time.Second, 9 * time.Second}, {time.Minute, 7 * time.Second}} {
		start := boundary.Add(-c.life - c.grain)
		for s := time.Duration(0); s <= c.grain+time.Second; s += 250 * time.Millisecond {
			now := start.Add(s)
			a := answer(now, c.life, c.grain)
			ttl := on.TTL(a, now)
			if ttl > int64(c.grain/time.Second) {
				t.Fatalf("life %v grain %v at +%v: TTL %d longer than a grain", c.life, c.grain, s, ttl)
			}
			if left := a.ExpiresAt.Sub(now.Add(time.Duration(ttl) * time.Second)); ttl > 0 && left < c.life-c.grain {
				t.Fatalf("life %v grain %v at +%v: TTL %d leaves %v", c.life, c.grain, s, ttl, left)
			}
		}
	}
}

func TestHeaders(t *testing.T) {
	now := boundary.Add(-week - 20*time.Minute) // 1200 s left in the grain
	base := answer(now, week, hour)
	with := func(f func(*Answer)) Answer { a := base; f(&a); return a }
	site := Site{Params: endpointParams}
	vary := "query=" + strings.Join(QueryParams(endpointParams...), "|")
	const cached = "public, durable, max-age=1200, must-revalidate"

	tests := []struct {
		name   string
		policy Policy
		site   Site
		a      Answer
		want   map[string]string // nil: Headers returns nil
		gone   []string          // headers the answer must not carry
	}{
		{"off: nothing", Policy{}, site, base, nil, nil},
		{"302", Policy{Enabled: true}, site, base, map[string]string{
			"Cache-Control": "private, no-store", HeaderNetlifyCDNCacheControl: cached,
			HeaderNetlifyVary: vary, HeaderNetlifyCacheTag: "mux-sign,mux-sign-abc123",
		}, []string{"Vary"}},
		{"200 JSON", Policy{Enabled: true}, site, with(func(a *Answer) { a.Kind = Tokens }), map[string]string{
			"Cache-Control": "private, no-store", HeaderNetlifyCDNCacheControl: cached,
			HeaderNetlifyVary: vary, HeaderNetlifyCacheTag: "mux-sign,mux-sign-abc123",
		}, []string{"Vary"}},
		{"method in lower case", Policy{Enabled: true}, site, with(func(a *Answer) { a.Method = "get" }), map[string]string{
			HeaderNetlifyCDNCacheControl: cached,
		}, nil},
		{"302 with origin list: Origin in both keys", Policy{Enabled: true}, Site{Params: endpointParams, OriginList: true}, base, map[string]string{
			HeaderNetlifyCDNCacheControl: cached, HeaderNetlifyVary: vary + ",header=Origin", "Vary": "Origin",
		}, nil},
		{"country rules: the named countries, lower case, sorted, once", Policy{Enabled: true}, Site{Params: endpointParams, Countries: []string{"US", "de", "US"}}, base, map[string]string{
			HeaderNetlifyCDNCacheControl: cached, HeaderNetlifyVary: vary + ",country=de|us",
		}, nil},
		{"country rules with no country: no country key", Policy{Enabled: true}, Site{Params: endpointParams, Countries: []string{}}, base, map[string]string{
			HeaderNetlifyVary: vary,
		}, nil},
		{"bad country code: nothing cached", Policy{Enabled: true}, Site{Params: endpointParams, Countries: []string{"USA"}}, base, map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, []string{HeaderNetlifyCacheTag}},
		{"country from the client: nothing cached", Policy{Enabled: true}, Site{Params: endpointParams, Countries: []string{"US"}, CountryFromClient: true}, base, map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store", HeaderNetlifyVary: vary + ",country=us",
		}, []string{HeaderNetlifyCacheTag}},
		{"negotiated from Accept: not cached, same key", Policy{Enabled: true}, site, with(func(a *Answer) { a.Negotiated = true }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store", HeaderNetlifyVary: vary, "Vary": "Accept",
		}, []string{HeaderNetlifyCacheTag}},
		{"HEAD", Policy{Enabled: true}, site, with(func(a *Answer) { a.Method = "HEAD" }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store", HeaderNetlifyVary: vary,
		}, []string{HeaderNetlifyCacheTag}},
		{"POST", Policy{Enabled: true}, site, with(func(a *Answer) { a.Method = "POST" }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, []string{HeaderNetlifyCacheTag}},
		{"preflight", Policy{Enabled: true}, site, with(func(a *Answer) { a.Method = "OPTIONS"; a.Kind = Preflight }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, nil},
		{"preflight sent as GET kind: still not cached", Policy{Enabled: true}, site, with(func(a *Answer) { a.Kind = Preflight }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, nil},
		{"400", Policy{Enabled: true, ErrorTTL: time.Minute}, site, with(func(a *Answer) { a.Kind = BadRequest }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store", HeaderNetlifyVary: vary, "Cache-Control": "private, no-store",
		}, nil},
		{"403 by policy, errors not cached", Policy{Enabled: true}, site, with(func(a *Answer) { a.Kind = Refused }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, nil},
		{"403 by policy, errors cached a minute", Policy{Enabled: true, ErrorTTL: time.Minute}, site, with(func(a *Answer) { a.Kind = Refused }), map[string]string{
			HeaderNetlifyCDNCacheControl: "public, durable, max-age=60, must-revalidate", HeaderNetlifyCacheTag: "mux-sign,mux-sign-abc123",
		}, nil},
		{"403 by policy on HEAD", Policy{Enabled: true, ErrorTTL: time.Minute}, site, with(func(a *Answer) { a.Kind = Refused; a.Method = "HEAD" }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, nil},
		{"viewer answer", Policy{Enabled: true, ErrorTTL: time.Minute}, site, with(func(a *Answer) { a.Kind = ViewerAnswer }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, nil},
		{"configuration error", Policy{Enabled: true, ErrorTTL: time.Minute}, site, with(func(a *Answer) { a.Kind = ConfigError }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, nil},
		{"server error", Policy{Enabled: true, ErrorTTL: time.Minute}, site, with(func(a *Answer) { a.Kind = ServerError }), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, nil},
		{"viewer sign-in: even a 302 is not cached", Policy{Enabled: true}, Site{Params: endpointParams, ViewerSignIn: true}, base, map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store", HeaderNetlifyVary: vary,
		}, []string{HeaderNetlifyCacheTag}},
		{"no playback ID: global tag only", Policy{Enabled: true, ErrorTTL: time.Minute}, site, with(func(a *Answer) { a.Kind = Refused; a.PlaybackID = "" }), map[string]string{
			HeaderNetlifyCacheTag: "mux-sign",
		}, nil},
		{"grain 0: not cached", Policy{Enabled: true}, site, answer(now, week, 0), map[string]string{
			HeaderNetlifyCDNCacheControl: "no-store",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := tt.policy.For(tt.site)
			if tt.want == nil {
				if h := rules.Headers(tt.a, now); h != nil {
					t.Fatalf("Headers = %v, want nil", h)
				}
				return
			}
			// As the endpoint calls it: over its own headers.
			h := map[string]string{"Cache-Control": "private, no-store", "Vary": "Accept", "X-Content-Type-Options": "nosniff"}
			if tt.site.OriginList {
				h["Vary"] = "Accept, Origin"
			}
			rules.Apply(h, tt.a, now)
			for k, v := range tt.want {
				if h[k] != v {
					t.Errorf("%s = %q, want %q", k, h[k], v)
				}
			}
			for _, k := range tt.gone {
				if v, ok := h[k]; ok {
					t.Errorf("%s = %q, want none", k, v)
				}
			}
			if h["Cache-Control"] != "private, no-store" {
				t.Errorf("Cache-Control = %q: browsers must never store a token", h["Cache-Control"])
			}
			if h["X-Content-Type-Options"] != "nosniff" {
				t.Errorf("Apply dropped a header it does not own")
			}
			if got := rules.Headers(tt.a, now); !maps.Equal(got, pick(h, got)) {
				t.Errorf("Headers = %v, differs from Apply", got)
			}
		})
	}
}

// pick returns the entries of h whose keys are in like.
func pick(h, like map[string]string) map[string]string {
	out := map[string]string{}
	for k := range like {
		if v, ok := h[k]; ok {
			out[k] = v
		}
	}
	return out
}

// TestVaryIsTheSameOnEveryAnswer: Netlify takes the Netlify-Vary of the first
// cached answer of a URL and ignores the others, so every answer of one
// configuration must carry the same.
func TestVaryIsTheSameOnEveryAnswer(t *testing.T) {
	now := boundary.Add(-week - 20*time.Minute)
	for _, site := range []Site{{Params: endpointParams}, {Params: endpointParams, OriginList: true, Countries: []string{"fr"}}} {
		rules := Policy{Enabled: true, ErrorTTL: time.Minute}.For(site)
		want := rules.NetlifyVary()
		for k := Redirect; k <= Preflight; k++ {
			for _, m := range []string{"GET", "HEAD", "POST", "OPTIONS"} {
				a := answer(now, week, hour)
				a.Kind, a.Method = k, m
				if got := rules.Headers(a, now)[HeaderNetlifyVary]; got != want {
					t.Fatalf("kind %d %s: Netlify-Vary %q, want %q", k, m, got, want)
				}
			}
		}
	}
}

// TestVaryHoldsEveryParameter: every option muxsign puts in a token, and
// every parameter of the endpoint, is in the key; noise is not.
func TestVaryHoldsEveryParameter(t *testing.T) {
	rules := Policy{Enabled: true}.For(Site{Params: append(endpointParams, "access_token")})
	v := rules.NetlifyVary()
	names := strings.Split(strings.TrimPrefix(v, "query="), "|")
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	for _, n := range []string{"playbackId", "type", "format", "response", "expiration", "drm", "access_token",
		"width", "height", "time", "rotate", "fit_mode", "flip_v", "flip_h", "start", "end", "fps",
		"max_resolution", "min_resolution", "rendition_order", "default_subtitles_lang", "redundant_streams",
		"asset_start_time", "asset_end_time", "program_start_time", "program_end_time"} {
		if !has[n] {
			t.Errorf("Netlify-Vary %q lacks %s", v, n)
		}
	}
	for _, n := range []string{"utm_source", "fbclid", "Playbackid"} {
		if has[n] {
			t.Errorf("Netlify-Vary %q holds noise %s", v, n)
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, tt := range []struct {
		rules Rules
		want  string
	}{
		{Policy{}.For(Site{}), "edge caching off"},
		{Policy{Enabled: true}.For(Site{ViewerSignIn: true}), "nothing is cached: viewer sign-in"},
		{Policy{Enabled: true}.For(Site{Params: []string{"playbackId"}}), "key: query="},
	} {
		if got := tt.rules.Describe(); !strings.Contains(got, tt.want) {
			t.Errorf("Describe = %q, want it to contain %q", got, tt.want)
		}
	}
}
