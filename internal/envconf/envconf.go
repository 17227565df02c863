// Package envconf is what every part of the function's configuration shares:
// a problem found in one environment variable, the error that lists them, and
// the few value forms (lists, booleans) more than one part reads.
//
// A Problem names its variable apart from the diagnosis, so that the public
// answer can say which variables are wrong while the log and the `check`
// command say why. A diagnosis never repeats a secret value.
package envconf

import (
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with one environment variable.
type Problem struct {
	Var  string // the variable, such as MUX_PRIVATE_KEY
	Text string // what is wrong and how to fix it; never the value itself
}

func (p Problem) String() string { return p.Var + ": " + p.Text }

// Error lists every problem found in a configuration.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// Vars returns the variables that have problems, sorted, each once.
func (e *Error) Vars() []string {
	vars := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		vars = append(vars, p.Var)
	}
	slices.Sort(vars)
	return slices.Compact(vars)
}

// Problems collects problems while a configuration is read.
type Problems []Problem

// Add records a problem with variable name.
func (ps *Problems) Add(name, format string, args ...any) {
	*ps = append(*ps, Problem{Var: name, Text: fmt.Sprintf(format, args...)})
}

// Err returns nil when no problem was recorded, else an *Error listing them.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return &Error{Problems: slices.Clone(ps)}
}

// SplitList splits a list separated by commas and/or whitespace.
func SplitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
}

// ParseBool reads the usual spellings of a boolean setting: 1/0, true/false,
// yes/no, on/off, in any case.
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: use true or false")
}
