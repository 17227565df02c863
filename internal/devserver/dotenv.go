package devserver

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseDotenv reads a .env file: KEY=VALUE lines, optionally prefixed with
// "export", with # comments and blank lines ignored. A value may be single-
// quoted (taken as is), double-quoted (\n, \r, \t, \" and \\ are unescaped;
// the value may span lines, as a pasted PEM does) or bare (trimmed, with a
// trailing " #comment" removed); a quoted value may be followed by a
// # comment, nothing else. Errors name the line, never its value.
func ParseDotenv(r io.Reader) (map[string]string, error) {
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF") // a byte order mark
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, val, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || !envName.MatchString(key) {
			return nil, fmt.Errorf(".env line %d: want KEY=VALUE", lineNo)
		}
		val = strings.TrimSpace(val)
		switch {
		case strings.HasPrefix(val, `"`):
			start := lineNo
			val = val[1:]
			end := closingQuote(val)
			for end < 0 {
				if !sc.Scan() {
					return nil, fmt.Errorf(".env line %d: %s has no closing quote", start, key)
				}
				lineNo++
				val += "\n" + sc.Text()
				end = closingQuote(val)
			}
			if rest := strings.TrimSpace(val[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
				return nil, fmt.Errorf(".env line %d: %s has text after its closing quote", lineNo, key)
			}
			val = unescape(val[:end])
		case strings.HasPrefix(val, "'"):
			end := strings.IndexByte(val[1:], '\'') + 1
			if end == 0 {
				return nil, fmt.Errorf(".env line %d: %s has no closing quote", lineNo, key)
			}
			if rest := strings.TrimSpace(val[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
				return nil, fmt.Errorf(".env line %d: %s has text after its closing quote", lineNo, key)
			}
			val = val[1:end]
		default:
			if i := strings.Index(val, " #"); i >= 0 {
				val = strings.TrimSpace(val[:i])
			}
		}
		env[key] = val
	}
	return env, sc.Err()
}

// closingQuote returns the index of the first unescaped double quote in s
// (a double-quoted value after its opening quote), or -1. Text after it may
// only be a # comment.
func closingQuote(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\r`, "\r", `\t`, "\t", `\"`, `"`).Replace(s)
}
