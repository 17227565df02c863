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
// trailing " #comment" removed). Errors name the line, never its value.
func ParseDotenv(r io.Reader) (map[string]string, error) {
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
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
			for !closedQuote(val) {
				if !sc.Scan() {
					return nil, fmt.Errorf(".env line %d: %s has no closing quote", start, key)
				}
				lineNo++
				val += "\n" + sc.Text()
			}
			val = strings.TrimRight(val, " \t")
			val = unescape(val[:len(val)-1])
		case strings.HasPrefix(val, "'"):
			end := strings.LastIndex(val, "'")
			if end == 0 {
				return nil, fmt.Errorf(".env line %d: %s has no closing quote", lineNo, key)
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

// closedQuote reports whether s (a double-quoted value after its opening
// quote) ends with an unescaped closing quote.
func closedQuote(s string) bool {
	s = strings.TrimRight(s, " \t")
	if !strings.HasSuffix(s, `"`) {
		return false
	}
	backslashes := 0
	for i := len(s) - 2; i >= 0 && s[i] == '\\'; i-- {
		backslashes++
	}
	return backslashes%2 == 0
}

func unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\r`, "\r", `\t`, "\t", `\"`, `"`).Replace(s)
}
