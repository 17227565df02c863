package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseBench(t *testing.T) {
	out := strings.Join([]string{
		"goos: linux",
		"cpu: Intel(R) Xeon(R) Processor",
		"BenchmarkFreshOverBare-2   	     200	   3801907 ns/op	      1632 bare-us	      1646 fresh-us	         1.008 fresh/bare",
		"BenchmarkHandleCached/redirect-2         	  124941	      9267 ns/op	    1897 B/op	      16 allocs/op",
		"BenchmarkHandleCached/redirect-2         	  124941	      8000 ns/op	    1897 B/op	      16 allocs/op",
		"BenchmarkCacheHit/video   	12113258	       101.8 ns/op",
		"PASS",
		"ok  	example	0.280s",
	}, "\n")
	got, err := parseBench(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, unit string
		want       []float64
	}{
		{"BenchmarkFreshOverBare", "fresh/bare", []float64{1.008}},
		{"BenchmarkFreshOverBare", "bare-us", []float64{1632}},
		{"BenchmarkHandleCached/redirect", "ns/op", []float64{9267, 8000}},
		{"BenchmarkHandleCached/redirect", "allocs/op", []float64{16, 16}},
		{"BenchmarkCacheHit/video", "ns/op", []float64{101.8}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.unit, func(t *testing.T) {
			if v := got[tt.name][tt.unit]; !reflect.DeepEqual(v, tt.want) {
				t.Errorf("got %v, want %v", v, tt.want)
			}
		})
	}
	if len(got) != 3 {
		t.Errorf("parsed %d benchmarks, want 3: %v", len(got), got)
	}
}

func TestPairRatios(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want []float64
	}{
		{"aligned", []float64{10, 12, 9}, []float64{5, 6, 10}, []float64{2, 2, 0.9}},
		{"shorter b", []float64{10, 12}, []float64{5}, []float64{2}},
		{"zero skipped", []float64{10, 12}, []float64{0, 4}, []float64{3}},
		{"none", nil, []float64{1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pairRatios(tt.a, tt.b); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pairRatios = %v, want %v", got, tt.want)
			}
		})
	}
}
