//go:build !lambda.norpc

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/devserver"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
)

// The debugging subcommands use the function's own configuration (the
// environment, then .env) and its own handler, so that what they print is
// what the deployed function would do. Unlike serve, they never make a
// development key: with no key they say what is missing.

// parseInterspersed parses flags that may come before or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagError is the result of a command line the flag package refused: it
// has printed the problem and the usage. Asking for help is not an error.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return exitCode(2)
}

// paramList collects repeated --param k=v flags in order.
type paramList [][2]string

func (p *paramList) String() string { return "" }

func (p *paramList) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return errors.New("want name=value")
	}
	*p = append(*p, [2]string{k, val})
	return nil
}

// reservedParams are query parameters the function reads itself; sign has
// flags for them.
var reservedParams = map[string]string{
	"playbackId": "the ID argument", "type": "--type", "format": "--format",
	"response": "--json", "expiration": "--expiration", "drm": "--type drm_license",
}

// usageError prints a problem with the command line and the flags.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return exitCode(2)
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: sign_playback_id %s\n\nFlags (before or after the arguments):\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// configFailure prints the configuration problems that stop a command.
func configFailure(stderr io.Writer, cmd string, err error) error {
	fmt.Fprintf(stderr, "%s: the configuration is not usable:\n", cmd)
	var ce *endpoint.ConfigError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintf(stderr, "  - %s\n", p)
		}
	} else {
		fmt.Fprintf(stderr, "  - %v\n", err)
	}
	fmt.Fprintln(stderr, "Set the variables in the environment or in .env; `sign_playback_id check` reports on all of them.")
	return exitCode(1)
}

// readDotenv reads a .env file; a missing file gives nil and no error.
func readDotenv(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	file, err := devserver.ParseDotenv(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if file == nil {
		file = map[string]string{}
	}
	return file, nil
}

// overlayEnv returns getenv backed by file where the environment has no
// value.
func overlayEnv(getenv func(string) string, file map[string]string) func(string) string {
	return func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return file[name]
	}
}
