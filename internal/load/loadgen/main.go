// Command loadgen sends a bounded, mixed load to the sign_playback_id local
// server from its own process and reports errors, unexpected statuses,
// latency percentiles, throughput and the server's resident memory.
//
//	loadgen keygen                       print a fresh RSA-2048 key, base64 of its PEM
//	loadgen -url URL [-n 20000] [-c 64] [-pid PID]
//
// Each request has an expected status; a transport error or any other
// status is counted, and loadgen exits 1 if either count is above zero.
// Redirects are not followed. internal/load/run.sh (make load) starts the
// server and runs this.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/bench/measure"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "keygen" {
		if err := keygen(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// keygen writes a throwaway RSA-2048 key as Mux's API returns one: base64
// of the PKCS#1 PEM, on one line.
func keygen(w io.Writer) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	_, err = fmt.Fprintln(w, base64.StdEncoding.EncodeToString(p))
	return err
}

// kind is one sort of request in the mix.
type kind struct {
	name   string
	weight int // out of the sum of all weights
	status int // the only status it may get
	build  func(i int, r *mrand.Rand) (method, query string, header http.Header)
	// check, when set, inspects a response with the expected status.
	check func(resp *http.Response, body []byte) error
}

// cachedIDs are the IDs repeated across the run: after the first request
// each is a cache hit (until the token's grain rolls over).
var cachedIDs = func() []string {
	ids := make([]string, 50)
	for i := range ids {
		ids[i] = fmt.Sprintf("loadCachedPlaybackId%02dqIJBqaJPkhNXiHbed8j2", i)
	}
	return ids
}()

func locationFor(host, id string) func(*http.Response, []byte) error {
	return func(resp *http.Response, _ []byte) error {
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "https://"+host+"/"+id) || !strings.Contains(loc, "?token=") ||
			strings.Count(loc[strings.Index(loc, "?token=")+7:], ".") != 2 {
			return fmt.Errorf("location %q is not a signed %s URL for %s", loc, host, id)
		}
		return nil
	}
}

func mix(runID string) []kind {
	return []kind{
		{name: "cached", weight: 35, status: http.StatusFound,
			build: func(i int, r *mrand.Rand) (string, string, http.Header) {
				return "GET", "playbackId=" + cachedIDs[r.IntN(len(cachedIDs))], nil
			},
		},
		{name: "uncached", weight: 15, status: http.StatusFound,
			build: func(i int, r *mrand.Rand) (string, string, http.Header) {
				return "GET", "playbackId=u" + runID + "x" + strconv.Itoa(i), nil
			},
		},
		{name: "json", weight: 10, status: http.StatusOK,
			build: func(i int, r *mrand.Rand) (string, string, http.Header) {
				return "GET", "playbackId=" + cachedIDs[r.IntN(len(cachedIDs))], http.Header{"Accept": {"application/json"}}
			},
			check: func(resp *http.Response, body []byte) error {
				if !strings.Contains(string(body), `"tokens":{"playback":"`) {
					return fmt.Errorf("JSON body without tokens: %.100s", body)
				}
				return nil
			},
		},
		{name: "thumbnail", weight: 5, status: http.StatusFound,
			build: func(i int, r *mrand.Rand) (string, string, http.Header) {
				return "GET", fmt.Sprintf("playbackId=%s&type=thumbnail&width=%d", cachedIDs[0], 100+r.IntN(20)), nil
			},
		},
		{name: "head", weight: 5, status: http.StatusFound,
			build: func(i int, r *mrand.Rand) (string, string, http.Header) {
				return "HEAD", "playbackId=" + cachedIDs[r.IntN(len(cachedIDs))], nil
			},
		},
		{name: "invalid", weight: 15, status: http.StatusBadRequest,
			build: func(i int, r *mrand.Rand) (string, string, http.Header) {
				switch i % 4 {
				case 0:
					return "GET", "playbackId=bad-id%0d%0a" + strconv.Itoa(i), nil
				case 1:
					return "GET", "playbackId=" + cachedIDs[0] + "&type=thumbnail&width=99999", nil
				case 2:
					return "GET", "playbackId=" + cachedIDs[0] + "&playbackId=x", nil
				default:
					return "POST", "", nil
				}
			},
			check: func(resp *http.Response, body []byte) error {
				if !strings.HasPrefix(string(body), `{"errors":[{"message":`) {
					return fmt.Errorf("error body %.100q", body)
				}
				return nil
			},
		},
		{name: "preflight", weight: 10, status: http.StatusNoContent,
			build: func(i int, r *mrand.Rand) (string, string, http.Header) {
				return "OPTIONS", "", http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"GET"}}
			},
		},
		{name: "method", weight: 5, status: http.StatusMethodNotAllowed,
			build: func(i int, r *mrand.Rand) (string, string, http.Header) {
				return "DELETE", "playbackId=" + cachedIDs[0], nil
			},
		},
	}
}

// result is one request's outcome.
type result struct {
	kind       int
	latency    time.Duration
	err        error // transport error
	unexpected string
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "the function's URL, e.g. http://127.0.0.1:17000/.netlify/functions/sign_playback_id")
	n := fs.Int("n", 20000, "requests to send")
	c := fs.Int("c", 64, "requests in flight at once")
	pid := fs.Int("pid", 0, "server process to read resident memory of (from /proc/PID/status)")
	ready := fs.Duration("ready", 15*time.Second, "how long to wait for the server to answer before starting")
	limit := fs.Duration("timeout", 5*time.Minute, "give up on the whole run after this long")
	seed := fs.Uint64("seed", 1, "seed of the request mix")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *target == "" || *n < 1 || *c < 1 {
		fmt.Fprintln(stderr, "loadgen: -url is required, -n and -c must be positive")
		return 2
	}

	transport := &http.Transport{
		MaxIdleConns:        *c,
		MaxIdleConnsPerHost: *c,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	client := &http.Client{
		Transport:     transport,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if err := waitReady(client, *target, *ready); err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}

	rssBefore, _ := processMemory(*pid)
	kinds := mix(strconv.FormatInt(time.Now().UnixNano()%1e9, 36))
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	// The plan is fixed before the clock starts: request i is of kind plan[i].
	r := mrand.New(mrand.NewPCG(*seed, 0))
	plan := make([]int, *n)
	for i := range plan {
		w := r.IntN(total)
		for k, kd := range kinds {
			if w < kd.weight {
				plan[i] = k
				break
			}
			w -= kd.weight
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), *limit)
	defer cancel()
	results := make([]result, *n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := mrand.New(mrand.NewPCG(*seed, uint64(w)+1))
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				results[i] = do(ctx, client, *target, kinds, plan[i], i, r)
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	rssAfter, hwm := processMemory(*pid)
	transport.CloseIdleConnections()

	return report(stdout, *target, *n, *c, kinds, results, elapsed, *pid, rssBefore, rssAfter, hwm)
}

func do(ctx context.Context, client *http.Client, target string, kinds []kind, k, i int, r *mrand.Rand) result {
	kd := kinds[k]
	method, query, header := kd.build(i, r)
	u := target
	if query != "" {
		u += "?" + query
	}
	res := result{kind: k}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		res.err = err
		return res
	}
	for name, vs := range header {
		req.Header[name] = vs
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		res.latency = time.Since(t0)
		res.err = err
		return res
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	res.latency = time.Since(t0)
	if err != nil {
		res.err = err
		return res
	}
	switch {
	case resp.StatusCode != kd.status:
		res.unexpected = fmt.Sprintf("%s %s: status %d, want %d: %.200s", method, query, resp.StatusCode, kd.status, body)
	case kd.name == "cached" || kd.name == "uncached" || kd.name == "head":
		id := strings.TrimPrefix(query, "playbackId=")
		if err := locationFor("stream.mux.com", id)(resp, body); err != nil {
			res.unexpected = err.Error()
		}
	case kd.name == "thumbnail":
		if err := locationFor("image.mux.com", cachedIDs[0]+"/thumbnail.jpg")(resp, body); err != nil {
			res.unexpected = err.Error()
		}
	case kd.check != nil:
		if err := kd.check(resp, body); err != nil {
			res.unexpected = err.Error()
		}
	}
	return res
}

// waitReady polls the server until it answers anything, for at most d.
func waitReady(client *http.Client, target string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		resp, err := client.Get(target)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server at %s did not answer within %s: %w", target, d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processMemory is the server's resident memory and its peak in bytes, or
// zeros when there is no PID to read (the figures are then left out).
func processMemory(pid int) (rss, hwm int64) {
	if pid <= 0 {
		return 0, 0
	}
	m, err := measure.ProcMemory(pid)
	if err != nil {
		return 0, 0
	}
	return m.RSS, m.HWM
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

func mb(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MB" }

func report(w io.Writer, target string, n, c int, kinds []kind, results []result, elapsed time.Duration, pid int, rssBefore, rssAfter, hwm int64) int {
	var errs, unexpected int
	var firstErrs []string
	all := make([]time.Duration, 0, len(results))
	per := make([][]time.Duration, len(kinds))
	for _, r := range results {
		if r.err != nil {
			errs++
			if len(firstErrs) < 5 {
				firstErrs = append(firstErrs, "error: "+r.err.Error())
			}
			continue
		}
		if r.unexpected != "" {
			unexpected++
			if len(firstErrs) < 5 {
				firstErrs = append(firstErrs, "unexpected: "+r.unexpected)
			}
		}
		all = append(all, r.latency)
		per[r.kind] = append(per[r.kind], r.latency)
	}
	slices.Sort(all)
	fmt.Fprintf(w, "load: %d requests, %d concurrent, from a separate process to %s\n\n", n, c, target)
	fmt.Fprintf(w, "  %-10s %7s %7s %9s %9s\n", "kind", "status", "count", "p50 ms", "p99 ms")
	for k, kd := range kinds {
		slices.Sort(per[k])
		fmt.Fprintf(w, "  %-10s %7d %7d %9s %9s\n", kd.name, kd.status, len(per[k]), ms(measure.Percentile(per[k], 50)), ms(measure.Percentile(per[k], 99)))
	}
	fmt.Fprintf(w, "\nerrors:               %d\n", errs)
	fmt.Fprintf(w, "unexpected statuses:  %d\n", unexpected)
	fmt.Fprintf(w, "latency:              p50 %s ms, p99 %s ms, max %s ms\n", ms(measure.Percentile(all, 50)), ms(measure.Percentile(all, 99)), ms(measure.Percentile(all, 100)))
	fmt.Fprintf(w, "throughput:           %.0f requests/s (%d in %.2f s)\n", float64(n)/elapsed.Seconds(), n, elapsed.Seconds())
	if pid > 0 {
		fmt.Fprintf(w, "server memory VmRSS:  before %s, after %s (peak VmHWM %s)\n", mb(rssBefore), mb(rssAfter), mb(hwm))
	}
	for _, e := range firstErrs {
		fmt.Fprintln(w, "  "+e)
	}
	if errs > 0 || unexpected > 0 {
		fmt.Fprintln(w, "\nFAIL: errors or unexpected statuses")
		return 1
	}
	return 0
}
