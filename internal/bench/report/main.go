// Command report prints the performance table of `make bench` from the
// files internal/bench/run.sh collects, with every ratio computed from this
// run's figures:
//
//	report -endpoint FILE -muxsign FILE -launch FILE [-rie FILE] -memory FILE -binary FILE
//
// -endpoint holds several rounds of the endpoint benchmarks (go test -bench
// output, concatenated); the fresh/bare ratio is taken round by round and
// the median ratio reported, which holds on a noisy machine better than a
// ratio of two separately taken figures. -launch and -rie are the JSON of
// internal/bench/coldstart, -memory that of internal/bench/memory.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/bench/measure"
)

// Targets of issue 5.
const (
	maxFreshOverBare   = 1.10
	maxCachedMicros    = 20.0
	minFreshOverCached = 50.0
	maxGoOverNode      = 0.10
	maxGoOverFloor     = 1.10 // issue 9: within 10 % of a minimal function on the same libraries
	maxRSSMB           = 40.0
	maxBinaryMB        = 7.3 // issue 9; internal/bench/build-netlify.sh fails above it too
)

// Benchmark names, as printed by go test without the -GOMAXPROCS suffix.
const (
	benchPair   = "BenchmarkFreshOverBare"
	benchCached = "BenchmarkHandleCached/redirect"
	// Issue 10's targets for a request under viewer sign-in.
	benchViewerVerified     = "BenchmarkHandleViewer/viewer_verified,_Mux_token_cached"
	benchViewerCached       = "BenchmarkHandleViewer/viewer_and_Mux_token_cached"
	maxViewerVerifiedMicros = 100
	maxViewerCachedMicros   = 20
	benchCachedJSON         = "BenchmarkHandleCached/json_three_tokens"
	benchCachedThumb        = "BenchmarkHandleCached/thumbnail_redirect_with_options"
)

func main() {
	endpointFile := flag.String("endpoint", "", "go test -bench output of ./internal/endpoint, several rounds")
	muxsignFile := flag.String("muxsign", "", "go test -bench output of ./internal/muxsign")
	launchFile := flag.String("launch", "", "coldstart launch JSON")
	rieFile := flag.String("rie", "", "coldstart rie JSON (optional)")
	rieNote := flag.String("rie-note", "", "why rie was not measured, if it was not")
	memoryFile := flag.String("memory", "", "memory JSON")
	binary := flag.String("binary", "", "the bootstrap built as Netlify builds it")
	inittraceFile := flag.String("inittrace", "", "GODEBUG=inittrace=1 output of the bootstrap, several starts (optional)")
	floorInittraceFile := flag.String("floor-inittrace", "", "the same of internal/bench/floor (with -inittrace)")
	flag.Parse()

	ep, err := readBench(*endpointFile)
	check(err)
	ms, err := readBench(*muxsignFile)
	check(err)
	var launch, rie []coldResult
	check(measure.ReadJSON(*launchFile, &launch))
	if *rieFile != "" {
		if err := measure.ReadJSON(*rieFile, &rie); err != nil {
			*rieNote = err.Error()
			rie = nil
		}
	}
	var mem memResult
	check(measure.ReadJSON(*memoryFile, &mem))
	st, err := os.Stat(*binary)
	check(err)

	w := os.Stdout
	rows := [][]string{{"figure", "target", "measured in this run", "result"}}
	add := func(figure, target, measured string, ok bool) {
		rows = append(rows, []string{figure, target, measured, verdict(ok)})
	}

	// Fresh signature through the handler, against the bare signature,
	// timed op by op in alternation (BenchmarkFreshOverBare).
	pair, ok := ep[benchPair]
	if !ok || len(pair["fresh/bare"]) == 0 {
		check(fmt.Errorf("%s: no %s results", *endpointFile, benchPair))
	}
	freshRatio := measure.Median(pair["fresh/bare"])
	fresh, bare := measure.Median(pair["fresh-us"])*1e3, measure.Median(pair["bare-us"])*1e3
	add("warm request, fresh signature, through the handler",
		fmt.Sprintf("<= %.2f x bare rsa.SignPKCS1v15", maxFreshOverBare),
		fmt.Sprintf("%.3f ms vs bare %.3f ms: **%.3f x** (median of %d rounds of alternating pairs, cache off)",
			fresh/1e6, bare/1e6, freshRatio, len(pair["fresh/bare"])),
		freshRatio <= maxFreshOverBare)

	cached := measure.Median(ep[benchCached].nsPerOp())
	speedup := fresh / cached
	add("warm request, token already cached",
		fmt.Sprintf("<= %.0f us, and >= %.0f x faster than fresh", maxCachedMicros, minFreshOverCached),
		fmt.Sprintf("**%.1f us**, %.0f B and %.0f allocs per request: **%.0f x** faster than fresh",
			cached/1e3, measure.Median(ep[benchCached].bytesPerOp()), measure.Median(ep[benchCached].allocsPerOp()), speedup),
		cached/1e3 <= maxCachedMicros && speedup >= minFreshOverCached)

	for _, v := range []struct {
		label, name string
		max         float64 // microseconds
	}{
		{"request under viewer sign-in, viewer's RS256 token verified, Mux token cached", benchViewerVerified, maxViewerVerifiedMicros},
		{"request under viewer sign-in, viewer's token and Mux token cached", benchViewerCached, maxViewerCachedMicros},
	} {
		if b, ok := ep[v.name]; ok {
			us := measure.Median(b.nsPerOp()) / 1e3
			add(v.label, fmt.Sprintf("<= %.0f us", v.max),
				fmt.Sprintf("**%.1f us**, %.0f B and %.0f allocs per request", us, measure.Median(b.bytesPerOp()), measure.Median(b.allocsPerOp())),
				us <= v.max)
		}
	}

	goLaunch, nodeLaunch := find(launch, "go"), find(launch, "node")
	if goLaunch == nil || nodeLaunch == nil {
		check(fmt.Errorf("%s lacks the go or node result", *launchFile))
	}
	coldRatio := goLaunch.MedianMs / nodeLaunch.MedianMs
	add("cold start: new process to first signed response (Runtime API, median)",
		fmt.Sprintf("<= 1/%.0f of the 2019 Node function", 1/maxGoOverNode),
		fmt.Sprintf("Go %.1f ms, Node (mux-node 3.3.2) %.1f ms: **%.3f** (1/%.0f), %d launches each",
			goLaunch.MedianMs, nodeLaunch.MedianMs, coldRatio, 1/coldRatio, goLaunch.Runs),
		coldRatio <= maxGoOverNode)

	if floor := find(launch, "floor"); floor != nil {
		ratios := pairRatios(goLaunch.AllMs, floor.AllMs)
		floorRatio := measure.Median(ratios)
		add("cold start against the floor: a minimal function on the same aws-lambda-go and golang-jwt that parses the key, signs one token and answers the 302 (alternating launches)",
			fmt.Sprintf("<= %.2f x the floor", maxGoOverFloor),
			fmt.Sprintf("deployed %.1f ms, floor %.1f ms: **%.2f x** (median of %d per-round ratios; ratio of medians %.2f x); beside Node %.1f ms: deployed/Node **%.3f**",
				goLaunch.MedianMs, floor.MedianMs, floorRatio, len(ratios), goLaunch.MedianMs/floor.MedianMs, nodeLaunch.MedianMs, coldRatio),
			len(ratios) > 0 && floorRatio <= maxGoOverFloor)
	}

	if g := find(rie, "go"); g != nil {
		m := fmt.Sprintf("Go %.1f ms (init %.1f + invoke %.1f; REPORT Duration %.1f)", g.MedianMs, g.InitMedianMs, g.InvokeMedianMs, g.ReportMedianMs)
		if n := find(rie, "node"); n != nil {
			m += fmt.Sprintf("; Node %.1f ms (init %.1f + invoke %.1f; REPORT Duration %.1f): **%.3f** (1/%.0f)",
				n.MedianMs, n.InitMedianMs, n.InvokeMedianMs, n.ReportMedianMs, g.MedianMs/n.MedianMs, n.MedianMs/g.MedianMs)
		}
		rows = append(rows, []string{"cold start under aws-lambda-rie: INIT REPORT + first INVOKE RTDONE (median)", "reported", m + fmt.Sprintf(", %d starts each", g.Runs), "-"})
	} else {
		rows = append(rows, []string{"cold start under aws-lambda-rie", "reported", "not measured: " + oneLine(*rieNote), "-"})
	}

	add(fmt.Sprintf("memory after %d requests over %d distinct IDs", mem.Requests, mem.DistinctIDs),
		fmt.Sprintf("<= %.0f MB resident", maxRSSMB),
		fmt.Sprintf("RSS **%.1f MB** (peak %.1f MB) of the deployed binary under the Runtime API; %s", mem.RSSMB, mem.PeakMB, checkpoints(mem)),
		mem.RSSMB <= maxRSSMB && mem.PeakMB <= maxRSSMB)

	size := float64(st.Size()) / 1e6
	add("deployed binary (-s -w, lambda.norpc, CGO off, linux/amd64)",
		fmt.Sprintf("<= %.1f MB", maxBinaryMB),
		fmt.Sprintf("**%.2f MB** (%d bytes)", size, st.Size()),
		size <= maxBinaryMB)

	printTable(w, rows)

	fmt.Fprintln(w)
	fmt.Fprintln(w, "Other figures of this run (medians; MB = 10^6 bytes):")
	lines := []struct {
		label string
		m     map[string]bench
		name  string
	}{
		{"bare RSA-2048 signature", ms, "BenchmarkRSASignPKCS1v15"},
		{"Signer.Sign, video", ms, "BenchmarkSignerSign/video"},
		{"Signer.Sign, thumbnail with 2 options", ms, "BenchmarkSignerSign/thumbnail_with_options"},
		{"Cache hit, video", ms, "BenchmarkCacheHit/video"},
		{"Cache hit, thumbnail with 2 options", ms, "BenchmarkCacheHit/thumbnail_with_options"},
		{"Cache hit, 2 cores in parallel", ms, "BenchmarkCacheHitParallel"},
		{"Cache miss in a full cache", ms, "BenchmarkCacheMiss"},
		{"ParsePrivateKey, base64 PKCS#1 (Mux's form)", ms, "BenchmarkParsePrivateKey/pkcs1_pem_base64"},
		{"ParsePrivateKey, PKCS#8 PEM", ms, "BenchmarkParsePrivateKey/pkcs8_pem"},
		{"handler, fresh redirect, cache off", ep, "BenchmarkHandleFresh/redirect_cache_off"},
		{"handler, fresh redirect, cache on, every ID new", ep, "BenchmarkHandleFresh/redirect_unique_IDs"},
		{"handler, cached thumbnail redirect with 2 options", ep, benchCachedThumb},
		{"handler, cached JSON (3 tokens)", ep, benchCachedJSON},
	}
	for _, l := range lines {
		if b, ok := l.m[l.name]; ok {
			fmt.Fprintf(w, "- %s: %s, %.0f B, %.0f allocs\n", l.label, human(measure.Median(b.nsPerOp())), measure.Median(b.bytesPerOp()), measure.Median(b.allocsPerOp()))
		}
	}
	fmt.Fprintf(w, "- cold start, all launches (ms): Go %s; Node %s\n", msList(goLaunch.AllMs), msList(nodeLaunch.AllMs))
	if floor := find(launch, "floor"); floor != nil {
		fmt.Fprintf(w, "- cold start of the floor, all launches (ms): %s\n", msList(floor.AllMs))
	}
	fmt.Fprintf(w, "- memory run: %.1f s for %d requests (one at a time, as Lambda sends them)\n", mem.Seconds, mem.Requests)
	if *inittraceFile != "" {
		deployed, err := readInittrace(*inittraceFile)
		check(err)
		floor, err := readInittrace(*floorInittraceFile)
		check(err)
		printInittrace(w, deployed, floor)
	}
	fmt.Fprintf(w, "\nMachine: %s\n", machine())
}

// pairRatios are a[i]/b[i] for the rounds both have: figures taken in
// alternation, so each pair shared the machine's state at the time.
func pairRatios(a, b []float64) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			out = append(out, a[i]/b[i])
		}
	}
	return out
}

// bench is one benchmark's figures over the rounds, in order: ns/op, B/op,
// allocs/op and any metric the benchmark reports itself, by unit.
type bench map[string][]float64

func (b bench) nsPerOp() []float64     { return b["ns/op"] }
func (b bench) bytesPerOp() []float64  { return b["B/op"] }
func (b bench) allocsPerOp() []float64 { return b["allocs/op"] }

// parseBench reads go test -bench output: lines of a name (with a
// -GOMAXPROCS suffix), an iteration count, then value-unit pairs.
func parseBench(r io.Reader) (map[string]bench, error) {
	out := map[string]bench{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		b := out[name]
		if b == nil {
			b = bench{}
			out[name] = b
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			b[f[i+1]] = append(b[f[i+1]], v)
		}
	}
	return out, sc.Err()
}

var procSuffix = regexp.MustCompile(`-[0-9]+$`)

func readBench(path string) (map[string]bench, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := parseBench(f)
	if err == nil && len(b) == 0 {
		err = fmt.Errorf("%s: no benchmark results", path)
	}
	return b, err
}

type coldResult struct {
	Name           string    `json:"name"`
	Runs           int       `json:"runs"`
	MedianMs       float64   `json:"medianMs"`
	AllMs          []float64 `json:"allMs"`
	InitMedianMs   float64   `json:"initMedianMs"`
	InvokeMedianMs float64   `json:"invokeMedianMs"`
	ReportMedianMs float64   `json:"reportMedianMs"`
}

type memResult struct {
	Requests    int     `json:"requests"`
	DistinctIDs int     `json:"distinctIds"`
	Seconds     float64 `json:"seconds"`
	RSSMB       float64 `json:"rssMB"`
	PeakMB      float64 `json:"peakMB"`
	Checkpoints []struct {
		Requests int     `json:"requests"`
		RSSMB    float64 `json:"rssMB"`
	} `json:"checkpoints"`
}

func checkpoints(m memResult) string {
	var parts []string
	for _, c := range m.Checkpoints {
		parts = append(parts, fmt.Sprintf("%.1f MB after %d", c.RSSMB, c.Requests))
	}
	return strings.Join(parts, ", ")
}

func find(rs []coldResult, name string) *coldResult {
	for i := range rs {
		if rs[i].Name == name {
			return &rs[i]
		}
	}
	return nil
}

func human(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.3f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f us", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func msList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(parts, " ")
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**MISSED**"
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func printTable(w io.Writer, rows [][]string) {
	for i, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		if i == 0 {
			fmt.Fprintln(w, "| --- | --- | --- | --- |")
		}
	}
}

// machine describes where the figures came from.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				cpu = strings.TrimSpace(value)
				break
			}
		}
	}
	node := "node not found"
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		node = "Node " + strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%d CPUs (%s), %s %s/%s, %s", runtime.NumCPU(), cpu, runtime.Version(), runtime.GOOS, runtime.GOARCH, node)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}
