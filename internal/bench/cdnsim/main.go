// Command cdnsim replays a day of views through a model of Netlify's CDN in
// front of the function, and says how many times the function ran, how many
// views the edge answered, the floor no cache can beat (distinct answers per
// grain), and the least token life any viewer got. It exits 1 if any viewer
// was served a token that does not verify (RS256 against the key, right kid,
// sub, aud and options) or has less life than the function promises
// (life - grain), an error the edge must not cache, or the wrong CORS answer.
//
//	go run ./internal/bench/cdnsim                  # one million views
//	go run ./internal/bench/cdnsim -views 100000    # CI
//	go run ./internal/bench/cdnsim -edge=false      # today: one invocation a view
//
// The model and what it assumes of Netlify are in cdn.go and
// docs/caching.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cdnsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	w := workload{start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), day: 24 * time.Hour}
	fs.IntVar(&w.views, "views", 1_000_000, "views in the day")
	fs.IntVar(&w.ids, "ids", 1000, "playback IDs")
	fs.Float64Var(&w.zipf, "zipf", 1.1, "Zipf exponent of the IDs' popularity (> 1)")
	fs.Float64Var(&w.negotiated, "negotiated", 0, "share of views without response=, JSON or redirect chosen from Accept")
	fs.Float64Var(&w.bad, "bad", 0.002, "share of malformed requests (400)")
	fs.Float64Var(&w.noise, "noise", 0.3, "share of views with utm_*/fbclid noise")
	seed := fs.Uint64("seed", 1, "random seed: the same seed replays the same day")
	var s site
	fs.BoolVar(&s.edge, "edge", true, "MUX_EDGE_CACHE")
	life := fs.Duration("life", 7*24*time.Hour, "MUX_TOKEN_EXPIRATION")
	fs.DurationVar(&s.grain, "grain", 0, "MUX_TOKEN_GRAIN (0: the function's default)")
	fs.BoolVar(&s.originList, "origin-list", false, "set MUX_ALLOWED_ORIGINS (two of the three origins views come from)")
	allowed := fs.Float64("allowed", 0, "if > 0, MUX_ALLOWED_PLAYBACK_IDS lists this share of the IDs; the rest get 403")
	fs.IntVar(&s.errorTTL, "error-ttl", 0, "MUX_EDGE_CACHE_ERRORS, seconds")
	fs.BoolVar(&s.varyAccept, "vary-accept", false, "replay the rejected design: Vary: Accept on every answer, negotiated answers cached")
	fs.BoolVar(&s.dry, "dry", false, "count the floor only, without the function or the CDN")
	keyPath := fs.String("key", "", "RSA private key fixture (default: testdata/keys/rsa2048_pkcs1.pem of the repository)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if w.views < 1 || w.ids < 2 || w.zipf <= 1 {
		fmt.Fprintln(stderr, "cdnsim: -views must be at least 1, -ids at least 2, -zipf over 1")
		return 2
	}
	s.life = *life
	if *allowed > 0 {
		s.allowed = map[string]bool{}
		for i := 0; i < int(float64(w.ids)**allowed); i++ {
			s.allowed[playbackID(i)] = true
		}
	}
	if *keyPath == "" {
		p, err := findFixture("testdata/keys/rsa2048_pkcs1.pem")
		if err != nil {
			fmt.Fprintln(stderr, "cdnsim:", err)
			return 2
		}
		*keyPath = p
	}
	pem, err := os.ReadFile(*keyPath)
	if err != nil {
		fmt.Fprintln(stderr, "cdnsim:", err)
		return 2
	}
	key, err := muxsign.ParsePrivateKey(string(pem))
	if err != nil {
		fmt.Fprintln(stderr, "cdnsim: key:", err)
		return 2
	}

	began := time.Now()
	views := func(f func(*view) error) error { return w.each(*seed, f) }
	res, err := replay(s, views, "simKey01", string(pem), &key.PublicKey)
	if err != nil {
		fmt.Fprintln(stderr, "cdnsim:", err)
		return 2
	}
	report(stdout, w, s, res, time.Since(began))
	if res.failureCount > 0 {
		fmt.Fprintf(stderr, "cdnsim: FAIL: %d problems; the first:\n", res.failureCount)
		for _, f := range res.failures {
			fmt.Fprintln(stderr, "  -", f)
		}
		return 1
	}
	return 0
}

func report(out io.Writer, w workload, s site, r *result, took time.Duration) {
	perMillion := func(n int) float64 { return float64(n) * 1e6 / float64(r.views) }
	fmt.Fprintf(out, "workload        %d views, %d IDs (Zipf %.2f), %.1f%% negotiated, %.1f%% malformed, %.0f%% with utm noise\n",
		r.views, w.ids, w.zipf, 100*w.negotiated, 100*w.bad, 100*w.noise)
	fmt.Fprintf(out, "site            edge cache %t, life %v, origin list %t, allowed IDs %t, error TTL %ds, vary-accept %t\n",
		s.edge, s.life, s.originList, s.allowed != nil, s.errorTTL, s.varyAccept)
	fmt.Fprintf(out, "invocations     %d (%.0f per million views; %d of them answers never cached)\n", r.invocations, perMillion(r.invocations), r.uncachedByDesign)
	fmt.Fprintf(out, "edge hits       %d (hit ratio %.4f)\n", r.hits, float64(r.hits)/float64(r.views))
	fmt.Fprintf(out, "floor           %d distinct (answer, grain) pairs (%.0f per million views)\n", r.floor, perMillion(r.floor))
	fmt.Fprintf(out, "invocations/floor %.4f (target <= 1.05)\n", float64(r.invocations)/float64(r.floor))
	if r.tokens > 0 {
		fmt.Fprintf(out, "min token life  %v (promise: life - grain = %v)\n", r.minLife, r.promise)
	}
	fmt.Fprintf(out, "tokens verified %d distinct; run took %v\n", r.tokens, took.Round(time.Millisecond))
}

// findFixture looks for rel in the working directory and its parents.
func findFixture(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New(rel + " not found here or above; pass -key")
		}
		dir = parent
	}
}
