// Command sign_playback_id is the Netlify Function that answers
// /.netlify/functions/sign_playback_id?playbackId=ID with a 302 to the signed
// Mux URL (or, asked for JSON, the tokens Mux Player needs).
//
// Under Lambda (AWS_LAMBDA_RUNTIME_API set) it serves the function. Anywhere
// else it is a development tool: with no arguments, or "serve", it runs the
// function as a local server the way `netlify dev` does; "sign", "verify"
// and "check" help debug tokens and configuration.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var exit exitCode
		if !errors.As(err, &exit) {
			fmt.Fprintln(os.Stderr, "sign_playback_id:", err)
			os.Exit(1)
		}
		os.Exit(int(exit))
	}
}

// exitCode ends the program with a status and no further message: the
// command has already said what went wrong.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

const usage = `usage: sign_playback_id [command] [flags]

Commands:
  serve    run the function as a local server (the default)
  sign     print a signed URL:        sign ID [--type T] [--param k=v ...]
  verify   explain what Mux would say of a token: verify TOKEN [--playback-id ID] [--type T]
  check    validate the configuration in the environment and .env

Under AWS Lambda (AWS_LAMBDA_RUNTIME_API set) it serves the function instead.
`

// run is the whole program, with its inputs passed in.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		return runLambda(ctx, getenv, stderr)
	}
	cmd, rest := "serve", []string(nil)
	if len(args) > 1 {
		cmd, rest = args[1], args[2:]
		if len(cmd) > 0 && cmd[0] == '-' && cmd != "-h" && cmd != "--help" {
			cmd, rest = "serve", args[1:]
		}
	}
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "sign":
		return runSign(rest, getenv, stdout, stderr)
	case "verify":
		return runVerify(rest, getenv, stdout, stderr)
	case "check":
		return runCheck(rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return exitCode(2)
	}
}
