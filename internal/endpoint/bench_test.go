package endpoint

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"

	"github.com/aws/aws-lambda-go/events"
)

// The benchmarks below are the handler half of `make bench`: a whole request
// as Netlify delivers it, from event to response, with the request log line
// formatted (to io.Discard). They never pass or fail on time.

// benchEnv returns the environment of a handler signing with the throwaway
// key of the conformance vectors, plus extra.
func benchEnv(tb testing.TB, extra map[string]string) func(string) string {
	tb.Helper()
	raw := testkeys.Vectors(tb)
	var v struct {
		KeyID string            `json:"keyId"`
		Keys  map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatal(err)
	}
	env := map[string]string{
		EnvSigningKey: v.KeyID,
		EnvPrivateKey: v.Keys["pkcs1_pem_base64"],
	}
	for k, val := range extra {
		env[k] = val
	}
	return func(name string) string { return env[name] }
}

// benchHandler returns a handler with the given extra environment, and
// fails the benchmark if its configuration does not load.
func benchHandler(tb testing.TB, extra map[string]string) *Handler {
	tb.Helper()
	now := time.Unix(1764500000, 0)
	h := New(benchEnv(tb, extra), func() time.Time { return now }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if _, err := h.Config(); err != nil {
		tb.Fatal(err)
	}
	return h
}

const benchPlaybackID = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"

// benchEvent is a GET as Netlify passes it on, with the headers a browser
// sends.
func benchEvent(params map[string]string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		HTTPMethod:            http.MethodGet,
		Path:                  "/.netlify/functions/sign_playback_id",
		QueryStringParameters: params,
		Headers: map[string]string{
			"accept":          "*/*",
			"accept-encoding": "gzip, deflate, br",
			"host":            "example.netlify.app",
			"origin":          "https://example.netlify.app",
			"user-agent":      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
		},
	}
}

func benchHandle(b *testing.B, h *Handler, ev events.APIGatewayProxyRequest, want int) {
	resp, err := h.Handle(context.Background(), ev)
	if err != nil || resp.StatusCode != want {
		b.Fatalf("status %d, err %v, body %s; want %d", resp.StatusCode, err, resp.Body, want)
	}
}

// BenchmarkRSASignPKCS1v15 is the bare RS256 signature with the handler's
// key: the floor of BenchmarkHandleFresh, measured in the same process so
// that `make bench` can pair them round by round on a noisy machine.
func BenchmarkRSASignPKCS1v15(b *testing.B) {
	h := benchHandler(b, nil)
	cfg, _ := h.Config()
	// A token's header and claims are about 200 bytes; hashing them is part
	// of every RS256 signature.
	signingInput := make([]byte, 200)
	b.ReportAllocs()
	for b.Loop() {
		digest := sha256.Sum256(signingInput)
		if _, err := rsa.SignPKCS1v15(nil, cfg.Key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandleFresh is a request whose token must be signed: with the
// cache off, and with it on but every request for a new playback ID.
func BenchmarkHandleFresh(b *testing.B) {
	b.Run("redirect cache off", func(b *testing.B) {
		h := benchHandler(b, map[string]string{EnvCacheSize: "0"})
		ev := benchEvent(map[string]string{"playbackId": benchPlaybackID})
		b.ReportAllocs()
		for b.Loop() {
			benchHandle(b, h, ev, http.StatusFound)
		}
	})
	b.Run("redirect unique IDs", func(b *testing.B) {
		h := benchHandler(b, nil)
		ids := make([]string, 1<<14)
		for i := range ids {
			ids[i] = benchPlaybackID[:30] + strconv.Itoa(100000+i)
		}
		evs := make([]events.APIGatewayProxyRequest, len(ids))
		for i, id := range ids {
			evs[i] = benchEvent(map[string]string{"playbackId": id})
		}
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			if i == len(evs) { // every ID signed once: start over with a new cache
				b.StopTimer()
				h = benchHandler(b, nil)
				i = 0
				b.StartTimer()
			}
			benchHandle(b, h, evs[i], http.StatusFound)
			i++
		}
	})
}

// BenchmarkFreshOverBare alternates, op by op, a bare signature and a
// request through the handler with the cache off, timing each, and reports
// the ratio of their medians as fresh/bare (with each median in us). On a
// machine shared with other work, a burst of noise falls on both sides of
// the pair, and the medians shrug off the bursts: the ratio holds far better
// than one of two figures taken seconds apart.
func BenchmarkFreshOverBare(b *testing.B) {
	h := benchHandler(b, map[string]string{EnvCacheSize: "0"})
	cfg, _ := h.Config()
	ev := benchEvent(map[string]string{"playbackId": benchPlaybackID})
	signingInput := make([]byte, 200)
	bareSign := func() {
		digest := sha256.Sum256(signingInput)
		if _, err := rsa.SignPKCS1v15(nil, cfg.Key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
	var bare, fresh []time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if i%2 == 0 { // alternate which goes first
			bareSign()
		} else {
			benchHandle(b, h, ev, http.StatusFound)
		}
		t1 := time.Now()
		if i%2 == 0 {
			benchHandle(b, h, ev, http.StatusFound)
		} else {
			bareSign()
		}
		t2 := time.Now()
		if i%2 == 0 {
			bare, fresh = append(bare, t1.Sub(t0)), append(fresh, t2.Sub(t1))
		} else {
			fresh, bare = append(fresh, t1.Sub(t0)), append(bare, t2.Sub(t1))
		}
		i++
	}
	mb, mf := benchMedian(bare), benchMedian(fresh)
	b.ReportMetric(float64(mf)/float64(mb), "fresh/bare")
	b.ReportMetric(float64(mb.Microseconds()), "bare-us")
	b.ReportMetric(float64(mf.Microseconds()), "fresh-us")
}

func benchMedian(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// BenchmarkHandleCached is a request whose token the instance already holds:
// the same video asked for again within one grain.
func BenchmarkHandleCached(b *testing.B) {
	for _, bc := range []struct {
		name   string
		params map[string]string
		accept string
		want   int
	}{
		{"redirect", map[string]string{"playbackId": benchPlaybackID}, "", http.StatusFound},
		{"thumbnail redirect with options", map[string]string{"playbackId": benchPlaybackID, "type": "thumbnail", "time": "10", "width": "640"}, "", http.StatusFound},
		{"json three tokens", map[string]string{"playbackId": benchPlaybackID}, "application/json", http.StatusOK},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := benchHandler(b, nil)
			ev := benchEvent(bc.params)
			if bc.accept != "" {
				ev.Headers["accept"] = bc.accept
			}
			benchHandle(b, h, ev, bc.want) // fills the cache
			b.ReportAllocs()
			for b.Loop() {
				benchHandle(b, h, ev, bc.want)
			}
		})
	}
}
