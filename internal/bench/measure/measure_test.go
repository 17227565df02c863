package measure

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.in), func(t *testing.T) {
			in := append([]float64(nil), tt.in...)
			if got := Median(in); got != tt.want {
				t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
			}
			if fmt.Sprint(in) != fmt.Sprint(tt.in) {
				t.Errorf("Median changed its input to %v", in)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var out []time.Duration
		for _, x := range xs {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	ten := ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"p50 of ten", ten, 50, 5 * time.Millisecond},
		{"p90 of ten", ten, 90, 9 * time.Millisecond},
		{"p99 of ten", ten, 99, 10 * time.Millisecond},
		{"p100 of ten", ten, 100, 10 * time.Millisecond},
		{"p1 of ten", ten, 1, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name, status string
		want         Memory
		wantErr      string
	}{
		{"both", "Name:\tx\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\n", Memory{RSS: 1 << 20, HWM: 2 << 20}, ""},
		{"no HWM", "VmRSS:\t1 kB\n", Memory{RSS: 1024}, ""},
		{"no RSS", "Name:\tx\nVmHWM:\t1 kB\n", Memory{}, "no VmRSS"},
		{"odd unit", "VmRSS:\t1 MB\n", Memory{}, "unexpected VmRSS"},
		{"not a number", "VmRSS:\tx kB\n", Memory{}, "VmRSS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatus(bufio.NewScanner(strings.NewReader(tt.status)), 1)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestProcMemoryOfThisProcess(t *testing.T) {
	m, err := ProcMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.HWM < m.RSS {
		t.Errorf("got %+v, want 0 < RSS <= HWM", m)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	type figures struct {
		Name string    `json:"name"`
		Ms   []float64 `json:"ms"`
	}
	path := t.TempDir() + "/f.json"
	in := figures{Name: "go", Ms: []float64{1.5, 2}}
	if err := WriteJSON(path, in); err != nil {
		t.Fatal(err)
	}
	var out figures
	if err := ReadJSON(path, &out); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out) != fmt.Sprint(in) {
		t.Errorf("read %+v, wrote %+v", out, in)
	}
	if err := ReadJSON(t.TempDir()+"/missing.json", &out); err == nil {
		t.Error("ReadJSON of a missing file: no error")
	}
}

func TestPortHolder(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	got := PortHolder(port)
	if want := fmt.Sprintf("pid %d (", os.Getpid()); !strings.HasPrefix(got, want) {
		t.Errorf("PortHolder(%d) = %q, want it to start with %q", port, got, want)
	}
	ln.Close()
	if got := PortHolder(port); got != "" {
		t.Errorf("PortHolder(%d) after close = %q, want \"\"", port, got)
	}
}
