package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/bench/measure"
)

// initWork is one package's init work over several starts, as
// GODEBUG=inittrace=1 prints it: "init PKG @0.5 ms, 0.12 ms clock, 312
// bytes, 7 allocs".
type initWork struct {
	pkg    string
	clock  []float64 // ms, one per start
	bytes  []float64
	allocs []float64
}

// initTrace is every package's init work, in the order first seen, and the
// number of starts (lines of the runtime package, which every start has).
type initTrace struct {
	pkgs   []*initWork
	starts int
}

func parseInittrace(r io.Reader) (initTrace, error) {
	var tr initTrace
	byPkg := map[string]*initWork{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// init PKG @T ms, C ms clock, B bytes, A allocs
		if len(f) != 11 || f[0] != "init" || f[5] != "ms" || f[6] != "clock," || f[8] != "bytes," || f[10] != "allocs" {
			continue
		}
		clock, err1 := strconv.ParseFloat(f[4], 64)
		bytes, err2 := strconv.ParseFloat(f[7], 64)
		allocs, err3 := strconv.ParseFloat(f[9], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return tr, fmt.Errorf("inittrace line %q: numbers do not parse", sc.Text())
		}
		w := byPkg[f[1]]
		if w == nil {
			w = &initWork{pkg: f[1]}
			byPkg[f[1]] = w
			tr.pkgs = append(tr.pkgs, w)
		}
		w.clock = append(w.clock, clock)
		w.bytes = append(w.bytes, bytes)
		w.allocs = append(w.allocs, allocs)
		if f[1] == "runtime" {
			tr.starts++
		}
	}
	return tr, sc.Err()
}

func readInittrace(path string) (initTrace, error) {
	f, err := os.Open(path)
	if err != nil {
		return initTrace{}, err
	}
	defer f.Close()
	tr, err := parseInittrace(f)
	if err == nil && tr.starts == 0 {
		err = fmt.Errorf("%s: no inittrace lines (was GODEBUG=inittrace=1 set?)", path)
	}
	return tr, err
}

// total is the sum over packages of each one's median.
func (tr initTrace) total() (clockMs, bytes, allocs float64) {
	for _, w := range tr.pkgs {
		clockMs += measure.Median(w.clock)
		bytes += measure.Median(w.bytes)
		allocs += measure.Median(w.allocs)
	}
	return clockMs, bytes, allocs
}

// heaviest are the n packages with the most init allocations (by median),
// then the most clock: allocations are steady where clock is noisy.
func (tr initTrace) heaviest(n int) []*initWork {
	s := slices.Clone(tr.pkgs)
	slices.SortStableFunc(s, func(a, b *initWork) int {
		if c := cmp.Compare(measure.Median(b.allocs), measure.Median(a.allocs)); c != 0 {
			return c
		}
		return cmp.Compare(measure.Median(b.clock), measure.Median(a.clock))
	})
	return s[:min(n, len(s))]
}

func (tr initTrace) summary() string {
	c, b, a := tr.total()
	return fmt.Sprintf("%.2f ms clock, %.0f KB, %.0f allocs in %d packages", c, b/1e3, a, len(tr.pkgs))
}

// printInittrace writes the init work of the deployed binary beside the
// floor's, and the packages that do the most of it.
func printInittrace(w io.Writer, deployed, floor initTrace) {
	fmt.Fprintf(w, "\nInit work before main (GODEBUG=inittrace=1, medians of %d starts):\n", deployed.starts)
	fmt.Fprintf(w, "- deployed binary: %s\n", deployed.summary())
	fmt.Fprintf(w, "- floor:           %s\n", floor.summary())
	fmt.Fprintln(w, "- the deployed binary's heaviest packages:")
	for _, p := range deployed.heaviest(8) {
		fmt.Fprintf(w, "  - %s: %.3f ms clock, %.0f B, %.0f allocs\n", p.pkg, measure.Median(p.clock), measure.Median(p.bytes), measure.Median(p.allocs))
	}
}
