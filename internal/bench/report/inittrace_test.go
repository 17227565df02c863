package main

import (
	"strings"
	"testing"
)

func TestParseInittrace(t *testing.T) {
	out := strings.Join([]string{
		"init runtime @0.024 ms, 0.20 ms clock, 0 bytes, 0 allocs",
		"init example.com/a @1.0 ms, 0.30 ms clock, 1000 bytes, 20 allocs",
		"init example.com/b @1.1 ms, 0.05 ms clock, 100 bytes, 2 allocs",
		"sign_playback_id: not under Lambda",
		"init runtime @0.030 ms, 0.40 ms clock, 0 bytes, 0 allocs",
		"init example.com/a @1.2 ms, 0.50 ms clock, 1000 bytes, 20 allocs",
		"init example.com/b @1.3 ms, 0.07 ms clock, 100 bytes, 2 allocs",
		"init runtime @0.020 ms, 0.30 ms clock, 0 bytes, 0 allocs",
		"init example.com/a @1.2 ms, 0.40 ms clock, 1000 bytes, 20 allocs",
		"init example.com/b @1.3 ms, 0.06 ms clock, 100 bytes, 2 allocs",
	}, "\n")
	tr, err := parseInittrace(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if tr.starts != 3 || len(tr.pkgs) != 3 {
		t.Fatalf("starts %d, packages %d; want 3 and 3", tr.starts, len(tr.pkgs))
	}
	clock, bytes, allocs := tr.total()
	if want := 0.30 + 0.40 + 0.06; clock < want-1e-9 || clock > want+1e-9 {
		t.Errorf("clock %v, want %v", clock, want)
	}
	if bytes != 1100 || allocs != 22 {
		t.Errorf("bytes %v allocs %v, want 1100 and 22", bytes, allocs)
	}
	var order []string
	for _, p := range tr.heaviest(2) {
		order = append(order, p.pkg)
	}
	if got := strings.Join(order, " "); got != "example.com/a example.com/b" {
		t.Errorf("heaviest = %s", got)
	}
	if _, err := parseInittrace(strings.NewReader("init x @1 ms, y ms clock, 1 bytes, 1 allocs")); err == nil {
		t.Error("a line whose numbers do not parse: no error")
	}
}
