package safetext_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
)

func TestPrintable(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"empty", "", 10, ""},
		{"ASCII kept", "abc-123_X", 40, "abc-123_X"},
		{"exactly max", "abcde", 5, "abcde"},
		{"one over max", "abcdef", 5, "abcde…"},
		{"space kept", "a b", 10, "a b"},
		{"newline", "a\nb", 10, "a?b"},
		{"CRLF", "a\r\nb", 10, "a??b"},
		{"tab", "a\tb", 10, "a?b"},
		{"NUL and DEL", "\x00x\x7f", 10, "?x?"},
		{"C1 control", "a\u0085b", 10, "a?b"},
		{"escape sequence", "\x1b[31mred", 20, "?[31mred"},
		{"accents kept", "café", 10, "café"},
		{"CJK kept", "日本", 10, "日本"},
		{"bidi override", "a\u202eb", 10, "a?b"},
		{"zero-width joiner", "a\u200db", 10, "a?b"},
		{"no-break space", "a\u00a0b", 10, "a?b"},
		{"line separator", "a\u2028b", 10, "a?b"},
		{"private use", "a\ue000b", 10, "a?b"},
		{"invalid byte", "a\xffb", 10, "a?b"},
		{"each invalid byte", "\xff\xfe", 10, "??"},
		{"truncated sequence", "a\xe6\x97", 10, "a??"},
		{"surrogate half", "a\xed\xa0\x80b", 10, "a???b"},
		{"encoded RuneError kept", "a\uFFFDb", 10, "a\uFFFDb"},
		{"no half character: 3-byte rune over max", "ab日", 4, "ab…"},
		{"no half character: 2-byte rune over max", "abcé", 4, "abc…"},
		{"whole rune at max", "a日", 4, "a日"},
		{"max zero", "abc", 0, "…"},
		{"max zero, empty", "", 0, ""},
		{"max negative", "abc", -1, "…"},
		{"ellipsis in input kept", "a…", 10, "a…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safetext.Printable(tt.in, tt.max); got != tt.want {
				t.Errorf("Printable(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// TestPrintableProperties checks, over many seeded random inputs mixing
// ASCII, multi-byte runes, controls and invalid bytes (but no ellipsis, so
// that a cut is always visible), what holds for every
// input: the result is valid UTF-8, every rune is printable, it is at most
// max bytes plus the ellipsis, it ends in the ellipsis exactly when cut, and
// what was kept is the start of the input with only unsafe runes replaced.
func TestPrintableProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "0", " ", "~", "\n", "\r", "\t", "\x00", "\x7f", "é", "日", "😀",
		"\u202e", "\u200d", "\u00a0", "\ufffd", "\xff", "\xc3", "\xe6\x97", "\xed\xa0\x80", "\xf0\x9f"}
	for i := range 20000 {
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		in, max := b.String(), rng.IntN(40)
		got := safetext.Printable(in, max)

		if !utf8.ValidString(got) {
			t.Fatalf("#%d Printable(%q, %d) = %q: not valid UTF-8", i, in, max, got)
		}
		for _, r := range got {
			if !unicode.IsPrint(r) {
				t.Fatalf("#%d Printable(%q, %d) = %q holds %U", i, in, max, got, r)
			}
		}
		body, cut := strings.CutSuffix(got, safetext.Ellipsis)
		if len(body) > max {
			t.Fatalf("#%d Printable(%q, %d) = %q: %d bytes kept", i, in, max, got, len(body))
		}
		full := safetext.Printable(in, len(in)*3+3)
		if strings.HasSuffix(full, safetext.Ellipsis) {
			t.Fatalf("#%d Printable(%q, big) = %q: cut although it fits", i, in, full)
		}
		if !strings.HasPrefix(full, body) {
			t.Fatalf("#%d Printable(%q, %d) = %q: not a prefix of the whole %q", i, in, max, got, full)
		}
		if cut != (len(full) > max) {
			t.Fatalf("#%d Printable(%q, %d) = %q: cut %v, whole is %d bytes", i, in, max, got, cut, len(full))
		}
		if utf8.ValidString(in) && !strings.ContainsFunc(in, func(r rune) bool { return !unicode.IsPrint(r) }) && full != in {
			t.Fatalf("#%d Printable(%q, big) = %q: changed safe text", i, in, full)
		}
	}
}
