package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// small is a day small enough for a test: a few hundred signatures.
var small = workload{views: 2500, ids: 30, zipf: 1.1, bad: 0.01, noise: 0.3, start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), day: 6 * time.Hour}

func fixture(t *testing.T) []byte {
	t.Helper()
	p, err := findFixture("testdata/keys/rsa2048_pkcs1.pem")
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return pem
}

func replaySmall(t *testing.T, s site, w workload) *result {
	t.Helper()
	pem := fixture(t)
	key, err := muxsign.ParsePrivateKey(string(pem))
	if err != nil {
		t.Fatal(err)
	}
	if s.life == 0 {
		s.life = 7 * 24 * time.Hour
	}
	views := func(f func(*view) error) error { return w.each(7, f) }
	res, err := replay(s, views, "simKey01", string(pem), &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunPasses(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-views", "1500", "-ids", "20", "-origin-list"}, &out, &errOut); code != 0 {
		t.Fatalf("run = %d, stderr:\n%s", code, errOut.String())
	}
	for _, want := range []string{"invocations", "hit ratio", "floor", "invocations/floor", "min token life"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-zipf", "1"}, &out, &errOut); code != 2 {
		t.Fatalf("run = %d, want 2", code)
	}
}

func TestEdgeCuts(t *testing.T) {
	on := replaySmall(t, site{edge: true}, small)
	off := replaySmall(t, site{edge: false}, small)
	if on.failureCount != 0 || off.failureCount != 0 {
		t.Fatalf("failures: on %v, off %v", on.failures, off.failures)
	}
	if off.invocations != off.views || off.hits != 0 {
		t.Fatalf("edge caching off: %d invocations, %d hits for %d views", off.invocations, off.hits, off.views)
	}
	if on.invocations >= off.invocations/2 {
		t.Fatalf("edge caching on: %d invocations, not even half of %d", on.invocations, off.invocations)
	}
	if on.invocations < on.floor {
		t.Fatalf("%d invocations, below the floor of %d: the floor is wrong", on.invocations, on.floor)
	}
	if ratio := float64(on.invocations) / float64(on.floor); ratio > 1.05 {
		t.Fatalf("invocations/floor = %.3f, want <= 1.05", ratio)
	}
	if on.minLife < on.promise {
		t.Fatalf("min life %v < promise %v", on.minLife, on.promise)
	}
}

// TestChecksCatchFaults: the replay fails when the headers are wrong in
// each way that would hurt a viewer.
func TestChecksCatchFaults(t *testing.T) {
	tests := []struct {
		name   string
		s      site
		tamper func(int, map[string]string)
		want   string
	}{
		{"an option left out of the key", site{edge: true}, func(_ int, h map[string]string) {
			h["Netlify-Vary"] = strings.Replace(h["Netlify-Vary"], "|width", "", 1)
		}, "options"},
		{"response left out of the key", site{edge: true}, func(_ int, h map[string]string) {
			h["Netlify-Vary"] = strings.Replace(h["Netlify-Vary"], "|response", "", 1)
		}, "served"},
		{"Origin left out of the key", site{edge: true, originList: true}, func(_ int, h map[string]string) {
			h["Netlify-Vary"] = strings.Replace(h["Netlify-Vary"], ",header=Origin", "", 1)
			delete(h, "Vary")
		}, "Access-Control-Allow-Origin"},
		{"cached past the grain", site{edge: true}, func(_ int, h map[string]string) {
			if strings.Contains(h["Netlify-CDN-Cache-Control"], "max-age") {
				h["Netlify-CDN-Cache-Control"] = "public, durable, max-age=86400"
			}
		}, "promised"},
		{"a 400 cached", site{edge: true}, func(status int, h map[string]string) {
			if status == 400 {
				h["Netlify-CDN-Cache-Control"] = "public, max-age=600"
			}
		}, "must never be cached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			s.tamper = tt.tamper
			res := replaySmall(t, s, small)
			if res.failureCount == 0 {
				t.Fatalf("no failure found")
			}
			if !strings.Contains(strings.Join(res.failures, "\n"), tt.want) {
				t.Fatalf("failures do not mention %q:\n%s", tt.want, strings.Join(res.failures, "\n"))
			}
		})
	}
}

// TestRefusalsCachedBriefly: with MUX_EDGE_CACHE_ERRORS, a 403 of the
// allowed list may come from the edge, and nothing else goes wrong.
func TestRefusalsCachedBriefly(t *testing.T) {
	allowed := map[string]bool{}
	for i := 0; i < small.ids/2; i++ {
		allowed[playbackID(i)] = true
	}
	never := replaySmall(t, site{edge: true, allowed: allowed}, small)
	brief := replaySmall(t, site{edge: true, allowed: allowed, errorTTL: 60}, small)
	if never.failureCount != 0 || brief.failureCount != 0 {
		t.Fatalf("failures: %v %v", never.failures, brief.failures)
	}
	if brief.invocations >= never.invocations {
		t.Fatalf("caching refusals for 60 s saved nothing: %d vs %d invocations", brief.invocations, never.invocations)
	}
}
