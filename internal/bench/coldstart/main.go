// Command coldstart times cold starts of the function and of the 2019 Node
// baseline, for `make bench`.
//
//	coldstart launch -n N -go BOOTSTRAP [-floor FLOOR] -node 'node DIR/runtime.js' [-also NAME=CMD ...] [-out FILE]
//
// launches each command N times (alternating: go, floor, node, then any
// -also, in every round) as a fresh process that serves
// the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, served here on a local
// port: the time counted runs from just before the process is started to the
// moment its response to the first event (a GET for a playback ID) arrives,
// and the response must be a 302 to a signed URL. Both commands run the same
// way, so they are timed the same way.
//
//	coldstart rie -n N -rie aws-lambda-rie -go BOOTSTRAP [-node 'node DIR/runtime.js'] [-out FILE]
//
// starts each command N times under the AWS Lambda Runtime Interface
// Emulator, sends it one event and reads the emulator's log: the init's
// duration from INIT REPORT plus the first invoke's from INVOKE RTDONE (the
// REPORT line's Duration, which under the emulator includes the on-demand
// init, is kept as a cross-check). The emulator binds 127.0.0.1:9001 for its
// Runtime API unless given -api-addr; run this mode under
// `flock /tmp/netlify-mux-signing-rie.lock` either way.
//
// Both modes take MUX_SIGNING_KEY and MUX_PRIVATE_KEY from the environment,
// print medians, and write them as JSON to -out for internal/bench/report.
// Every wait is bounded.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/bench/measure"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/bench/runtimeapi"
)

// event is the first request of every cold start: the 2019 article's GET.
const event = `{"resource":"/.netlify/functions/sign_playback_id","path":"/.netlify/functions/sign_playback_id","httpMethod":"GET",` +
	`"headers":{"accept":"*/*","host":"localhost","user-agent":"coldstart"},` +
	`"queryStringParameters":{"playbackId":"qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"},"body":"","isBase64Encoded":true}`

// Result is one command's figures, as written to -out.
type Result struct {
	Mode     string    `json:"mode"`
	Name     string    `json:"name"`
	Command  string    `json:"command"`
	Runs     int       `json:"runs"`
	MedianMs float64   `json:"medianMs"`
	MinMs    float64   `json:"minMs"`
	MaxMs    float64   `json:"maxMs"`
	AllMs    []float64 `json:"allMs"`
	// Under rie: the medians of the two parts.
	InitMedianMs   float64 `json:"initMedianMs,omitempty"`
	InvokeMedianMs float64 `json:"invokeMedianMs,omitempty"`
	ReportMedianMs float64 `json:"reportMedianMs,omitempty"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: coldstart launch|rie [flags]")
		os.Exit(2)
	}
	mode := os.Args[1]
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	n := fs.Int("n", 15, "launches per command")
	goCmd := fs.String("go", "", "the Go function's bootstrap, built as Netlify builds it")
	floorCmd := fs.String("floor", "", "the minimal function of internal/bench/floor, built as Netlify builds the function")
	nodeCmd := fs.String("node", "", "the Node baseline's command line, e.g. 'node DIR/runtime.js'")
	var also []command
	fs.Func("also", "NAME=CMD: one more command to time beside the others (repeatable), e.g. an older build", func(v string) error {
		name, cmd, ok := strings.Cut(v, "=")
		if !ok || name == "" || len(strings.Fields(cmd)) == 0 {
			return fmt.Errorf("want NAME=CMD, got %q", v)
		}
		also = append(also, command{name, strings.Fields(cmd)})
		return nil
	})
	out := fs.String("out", "", "write the results as JSON here")
	addr := fs.String("addr", "127.0.0.1:19001", "launch: where to serve the Runtime API; rie: where the emulator listens")
	rie := fs.String("rie", "aws-lambda-rie", "rie: the emulator")
	apiAddr := fs.String("api-addr", "", "rie: --runtime-api-address for the emulator's Runtime API (default: its own, 127.0.0.1:9001)")
	_ = fs.Parse(os.Args[2:])

	var cmds []command
	if *goCmd != "" {
		cmds = append(cmds, command{"go", []string{*goCmd}})
	}
	if *floorCmd != "" {
		cmds = append(cmds, command{"floor", []string{*floorCmd}})
	}
	if *nodeCmd != "" {
		cmds = append(cmds, command{"node", strings.Fields(*nodeCmd)})
	}
	cmds = append(cmds, also...)
	if len(cmds) == 0 || *n < 1 {
		fmt.Fprintln(os.Stderr, "coldstart: give -go, -floor, -node or -also, and -n of at least 1")
		os.Exit(2)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		// As Lambda sets it: without it, the first log line of a Go
		// function loads /etc/localtime, which no Lambda start does.
		"TZ=:UTC",
		"MUX_SIGNING_KEY=" + os.Getenv("MUX_SIGNING_KEY"),
		"MUX_PRIVATE_KEY=" + os.Getenv("MUX_PRIVATE_KEY"),
	}

	var results []Result
	var err error
	switch mode {
	case "launch":
		results, err = runLaunch(cmds, *n, *addr, env)
	case "rie":
		results, err = runRIE(cmds, *n, *rie, *addr, *apiAddr, env)
	default:
		err = fmt.Errorf("unknown mode %q: want launch or rie", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
	for _, r := range results {
		fmt.Printf("%-6s %-6s median %7.1f ms  (min %.1f, max %.1f, %d runs)", r.Mode, r.Name, r.MedianMs, r.MinMs, r.MaxMs, r.Runs)
		if r.Mode == "rie" {
			fmt.Printf("  init %.1f + invoke %.1f (REPORT Duration %.1f)", r.InitMedianMs, r.InvokeMedianMs, r.ReportMedianMs)
		}
		fmt.Println()
	}
	if *out != "" {
		if err := measure.WriteJSON(*out, results); err != nil {
			fmt.Fprintln(os.Stderr, "coldstart:", err)
			os.Exit(1)
		}
	}
}

type command struct {
	name string
	argv []string
}

// runLaunch times each command n times, alternating between them so that a
// disturbance of the machine falls on both.
func runLaunch(cmds []command, n int, addr string, env []string) ([]Result, error) {
	times := make([][]float64, len(cmds))
	for round := range n + 1 {
		for i, c := range cmds {
			d, err := launchOnce(addr, c, env)
			if err != nil {
				return nil, fmt.Errorf("%s, launch %d: %w", c.name, round+1, err)
			}
			if round > 0 { // the first round warms the page cache and is not counted
				times[i] = append(times[i], d)
			}
		}
	}
	var results []Result
	for i, c := range cmds {
		results = append(results, summarize("launch", c, times[i]))
	}
	return results, nil
}

// launchOnce starts c with a Runtime API of its own (so that no request of
// an earlier, killed process can take its event) and times it to its first
// response.
func launchOnce(addr string, c command, env []string) (float64, error) {
	api, err := runtimeapi.Start(addr)
	if err != nil {
		return 0, fmt.Errorf("runtime API: %w", err)
	}
	defer api.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	cmd.Env = append(slices.Clip(env), "AWS_LAMBDA_RUNTIME_API="+api.Addr())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()
	type invoked struct {
		r   runtimeapi.Result
		err error
	}
	got := make(chan invoked, 1)
	go func() {
		r, err := api.Invoke(ctx, []byte(event))
		got <- invoked{r, err}
	}()
	select {
	case err := <-exited:
		exited <- err // for the deferred wait
		cancel()
		return 0, fmt.Errorf("exited before answering (%v): %s", err, tail(stderr.String()))
	case g := <-got:
		if g.err != nil {
			return 0, fmt.Errorf("%w: %s", g.err, tail(stderr.String()))
		}
		if err := checkResponse(g.r.Body); err != nil || g.r.Error {
			return 0, fmt.Errorf("bad response %s (%v): %s", tail(string(g.r.Body)), err, tail(stderr.String()))
		}
		return float64(g.r.Received.Sub(start).Microseconds()) / 1000, nil
	}
}

// checkResponse accepts a 302 whose Location carries a token.
func checkResponse(body []byte) error {
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return err
	}
	loc := resp.Headers["Location"] + resp.Headers["location"]
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "?token=ey") {
		return fmt.Errorf("status %d, location %.60q", resp.StatusCode, loc)
	}
	return nil
}

var (
	initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)`)
	invokeDone = regexp.MustCompile(`INVOKE RTDONE\(.*duration: ([0-9.]+) ?ms`)
	reportLine = regexp.MustCompile(`REPORT RequestId: \S+\s+(?:Init Duration: [0-9.]+ ms\s+)?Duration: ([0-9.]+) ms`)
)

// rieTimes is what the emulator logs of one cold start, in ms.
type rieTimes struct {
	init   float64 // INIT REPORT durationMs: the function's start, to its first /next
	invoke float64 // INVOKE RTDONE duration: the first event, to its response
	report float64 // REPORT Duration: from the invoke request, which under
	// the emulator includes the on-demand init (its REPORT Init Duration is
	// not the init's duration, so it is not used)
}

// runRIE starts the emulator n times per command.
func runRIE(cmds []command, n int, rie, addr, apiAddr string, env []string) ([]Result, error) {
	type parts struct{ init, invoke, report, total []float64 }
	all := make([]parts, len(cmds))
	for round := range n + 1 {
		for i, c := range cmds {
			t, err := rieOnce(rie, addr, apiAddr, c, env)
			if err != nil {
				return nil, fmt.Errorf("%s under rie, run %d: %w", c.name, round+1, err)
			}
			if round > 0 {
				all[i].init = append(all[i].init, t.init)
				all[i].invoke = append(all[i].invoke, t.invoke)
				all[i].report = append(all[i].report, t.report)
				all[i].total = append(all[i].total, t.init+t.invoke)
			}
		}
	}
	var results []Result
	for i, c := range cmds {
		r := summarize("rie", c, all[i].total)
		r.InitMedianMs = measure.Median(all[i].init)
		r.InvokeMedianMs = measure.Median(all[i].invoke)
		r.ReportMedianMs = measure.Median(all[i].report)
		results = append(results, r)
	}
	return results, nil
}

func rieOnce(rie, addr, apiAddr string, c command, env []string) (rieTimes, error) {
	var t rieTimes
	args := []string{"--runtime-interface-emulator-address", addr}
	if apiAddr != "" {
		args = append(args, "--runtime-api-address", apiAddr)
	}
	cmd := exec.Command(rie, append(args, c.argv...)...)
	cmd.Env = append(slices.Clip(env), "AWS_LAMBDA_FUNCTION_TIMEOUT=30")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	// Should the function outlive the emulator and hold its output open,
	// Wait still returns.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return t, err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(exited)
	}()
	defer func() {
		// SIGTERM first: the emulator then kills the function it started.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	var mu sync.Mutex
	var logTail []string
	var initMs, invokeMs []float64
	reports := make(chan float64, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			logTail = append(logTail, line)
			if len(logTail) > 20 {
				logTail = logTail[1:]
			}
			if m := initReport.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				initMs = append(initMs, v)
			}
			if m := invokeDone.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				invokeMs = append(invokeMs, v)
			}
			mu.Unlock()
			if m := reportLine.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				select {
				case reports <- v:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	logs := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(logTail, "\n")
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case <-exited:
			return t, fmt.Errorf("the emulator exited:\n%s", logs())
		default:
		}
		if time.Now().After(deadline) {
			return t, fmt.Errorf("the emulator did not listen on %s within 10 s:\n%s", addr, logs())
		}
		time.Sleep(5 * time.Millisecond)
	}

	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Post("http://"+addr+"/2015-03-31/functions/function/invocations", "application/json", strings.NewReader(event))
	if err != nil {
		return t, fmt.Errorf("invoke: %w\n%s", err, logs())
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err := checkResponse(body); err != nil {
		return t, fmt.Errorf("bad response %s (%v):\n%s", tail(string(body)), err, logs())
	}
	select {
	case t.report = <-reports:
	case <-time.After(5 * time.Second):
		return t, errors.New("no REPORT line within 5 s:\n" + logs())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(initMs) != 1 || len(invokeMs) != 1 {
		return t, fmt.Errorf("want one INIT REPORT and one INVOKE RTDONE line, got %d and %d:\n%s", len(initMs), len(invokeMs), strings.Join(logTail, "\n"))
	}
	t.init, t.invoke = initMs[0], invokeMs[0]
	return t, nil
}

func summarize(mode string, c command, ms []float64) Result {
	return Result{
		Mode:     mode,
		Name:     c.name,
		Command:  strings.Join(c.argv, " "),
		Runs:     len(ms),
		MedianMs: measure.Median(ms),
		MinMs:    slices.Min(ms),
		MaxMs:    slices.Max(ms),
		AllMs:    ms,
	}
}

func tail(s string) string {
	if len(s) > 600 {
		return "…" + s[len(s)-600:]
	}
	return s
}
