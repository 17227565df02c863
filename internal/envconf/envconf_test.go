package envconf

import (
	"errors"
	"slices"
	"testing"
)

func TestProblems(t *testing.T) {
	var ps Problems
	if ps.Err() != nil {
		t.Fatal("no problems must give a nil error")
	}
	ps.Add("MUX_B", "is %s", "bad")
	ps.Add("MUX_A", "is empty")
	ps.Add("MUX_B", "is also long")
	err := ps.Err()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Err() = %T, want *Error", err)
	}
	if got, want := e.Error(), "MUX_B: is bad; MUX_A: is empty; MUX_B: is also long"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := e.Vars(), []string{"MUX_A", "MUX_B"}; !slices.Equal(got, want) {
		t.Errorf("Vars() = %q, want %q", got, want)
	}
	ps[0].Text = "changed"
	if e.Problems[0].Text != "is bad" {
		t.Error("the error must keep its own copy of the problems")
	}
}

func TestSplitList(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"a", []string{"a"}},
		{"a,b c\td\ne\r\nf", []string{"a", "b", "c", "d", "e", "f"}},
		{" , ,a,, ", []string{"a"}},
	} {
		if got := SplitList(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"1": true, "TRUE": true, "yes": true, " on ": true, "0": false, "False": false, "no": false, "off": false} {
		got, err := ParseBool(in)
		if err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2", "y", "enabled"} {
		if _, err := ParseBool(in); err == nil {
			t.Errorf("ParseBool(%q) succeeded, want an error", in)
		}
	}
}
