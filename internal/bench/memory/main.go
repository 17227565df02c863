// Command memory measures the resident memory of the deployed function after
// many requests, for `make bench`:
//
//	memory -bootstrap BOOTSTRAP [-requests 100000] [-ids 10000] [-out FILE]
//
// It runs the bootstrap built as Netlify builds it as a child process, as
// Lambda runs it (one event at a time from the Runtime API at
// AWS_LAMBDA_RUNTIME_API, served here), with the default configuration and
// the key in MUX_SIGNING_KEY / MUX_PRIVATE_KEY. It sends -requests GETs over
// -ids distinct 44-character playback IDs, each ID equally often, spread
// out, and reads the child's VmRSS and VmHWM (peak) from /proc/PID/status
// at checkpoints. Every wait is bounded.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/bench/measure"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/bench/runtimeapi"
)

// Result is what -out receives.
type Result struct {
	Requests    int          `json:"requests"`
	DistinctIDs int          `json:"distinctIds"`
	Seconds     float64      `json:"seconds"`
	RSSMB       float64      `json:"rssMB"`  // after the last request
	PeakMB      float64      `json:"peakMB"` // VmHWM
	Checkpoints []Checkpoint `json:"checkpoints"`
}

// Checkpoint is the child's memory after some requests.
type Checkpoint struct {
	Requests int     `json:"requests"`
	RSSMB    float64 `json:"rssMB"`
}

func main() {
	bootstrap := flag.String("bootstrap", "", "the function's bootstrap, built as Netlify builds it")
	requests := flag.Int("requests", 100_000, "requests to send")
	ids := flag.Int("ids", 10_000, "distinct playback IDs")
	addr := flag.String("addr", "127.0.0.1:19002", "where to serve the Runtime API")
	out := flag.String("out", "", "write the result as JSON here")
	flag.Parse()
	if *bootstrap == "" || *requests < 1 || *ids < 1 {
		fmt.Fprintln(os.Stderr, "usage: memory -bootstrap BOOTSTRAP [-requests N] [-ids N] [-out FILE]")
		os.Exit(2)
	}
	r, err := measureRun(*bootstrap, *requests, *ids, *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memory:", err)
		os.Exit(1)
	}
	for _, c := range r.Checkpoints {
		fmt.Printf("after %6d requests: RSS %5.1f MB\n", c.Requests, c.RSSMB)
	}
	fmt.Printf("%d requests over %d IDs in %.1f s: RSS %.1f MB, peak %.1f MB\n", r.Requests, r.DistinctIDs, r.Seconds, r.RSSMB, r.PeakMB)
	if *out != "" {
		if err := measure.WriteJSON(*out, r); err != nil {
			fmt.Fprintln(os.Stderr, "memory:", err)
			os.Exit(1)
		}
	}
}

func measureRun(bootstrap string, requests, nIDs int, addr string) (Result, error) {
	api, err := runtimeapi.Start(addr)
	if err != nil {
		return Result{}, err
	}
	defer api.Close()

	cmd := exec.Command(bootstrap)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"TZ=:UTC", // as Lambda sets it
		"MUX_SIGNING_KEY=" + os.Getenv("MUX_SIGNING_KEY"),
		"MUX_PRIVATE_KEY=" + os.Getenv("MUX_PRIVATE_KEY"),
		"AWS_LAMBDA_RUNTIME_API=" + api.Addr(),
	}
	// The request log lines go to /dev/null, as they would go to the log
	// service: written, not kept.
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()

	events := make([][]byte, nIDs)
	for i := range events {
		id := fmt.Sprintf("memTest%06dPlaybackIdPadding0123456789abcdef", i)[:44]
		events[i] = []byte(`{"httpMethod":"GET","path":"/.netlify/functions/sign_playback_id",` +
			`"headers":{"accept":"*/*","host":"example.netlify.app","origin":"https://example.netlify.app","user-agent":"Mozilla/5.0 (memory test)"},` +
			`"queryStringParameters":{"playbackId":"` + id + `"},"body":"","isBase64Encoded":true}`)
	}
	// step is coprime with nIDs, so each block of nIDs requests asks for
	// every ID once, in a scattered order.
	step := 7919
	for gcd(step, nIDs) != 1 {
		step++
	}
	checkpoints := map[int]bool{requests / 10: true, requests / 2: true, requests: true}

	r := Result{Requests: requests, DistinctIDs: nIDs}
	start := time.Now()
	for i := 1; i <= requests; i++ {
		ev := events[(i*step)%nIDs]
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		res, err := api.Invoke(ctx, ev)
		cancel()
		if err != nil {
			select {
			case werr := <-exited:
				exited <- werr
				return r, fmt.Errorf("request %d: the function exited (%v)", i, werr)
			default:
			}
			return r, fmt.Errorf("request %d: %w", i, err)
		}
		if res.Error || !strings.Contains(string(res.Body), `"statusCode":302`) {
			return r, fmt.Errorf("request %d: unexpected response %.200s", i, res.Body)
		}
		if checkpoints[i] {
			m, err := measure.ProcMemory(cmd.Process.Pid)
			if err != nil {
				return r, err
			}
			r.Checkpoints = append(r.Checkpoints, Checkpoint{Requests: i, RSSMB: float64(m.RSS) / 1e6})
		}
	}
	r.Seconds = time.Since(start).Seconds()
	m, err := measure.ProcMemory(cmd.Process.Pid)
	r.RSSMB, r.PeakMB = float64(m.RSS)/1e6, float64(m.HWM)/1e6 // MB = 10^6 bytes
	return r, err
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
