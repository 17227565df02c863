// Package safetext makes untrusted text safe to quote in an error message,
// a report or a log line: short, one line, and nothing a terminal or a log
// viewer would interpret.
package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis is what Printable appends to text it shortened.
const Ellipsis = "…"

// Printable returns s made safe to quote. Every control character (including
// line breaks and tabs), every byte that is not part of valid UTF-8 and every
// rune unicode.IsPrint rejects (format characters such as bidirectional
// overrides and zero-width joiners, unassigned and private-use code points,
// spaces other than U+0020) becomes '?'. Printable runes are kept as they are.
//
// The result, not counting the Ellipsis appended when s was cut, is at most
// max bytes, and it is cut only between whole characters, so it is always
// valid UTF-8. A max of zero or less keeps nothing: the result is "" for an
// empty s and Ellipsis otherwise.
func Printable(s string, max int) string {
	if max < 0 {
		max = 0
	}
	var b strings.Builder
	if len(s) < max {
		b.Grow(len(s))
	} else {
		b.Grow(max + len(Ellipsis))
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		out := r
		if r == utf8.RuneError && size <= 1 || !unicode.IsPrint(r) {
			out = '?'
		}
		if b.Len()+utf8.RuneLen(out) > max {
			b.WriteString(Ellipsis)
			return b.String()
		}
		b.WriteRune(out)
		i += size
	}
	return b.String()
}
