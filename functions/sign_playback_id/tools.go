//go:build !lambda.norpc

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// This file and the commands it dispatches to (serve.go, sign.go,
// verify.go, check.go, whowatch.go, cli.go) are the development tools. They are left out
// of the Netlify build (-tags lambda.norpc), so the local server and the
// development key are physically absent from a deployed function.

const usage = `usage: sign_playback_id [command] [flags]

Commands:
  serve    run the function as a local server (the default)
  sign     print a signed URL:        sign ID [--type T] [--param k=v ...]
  verify   explain what Mux would say of a token: verify TOKEN [--playback-id ID] [--type T]
  check    validate the configuration in the environment and .env: check [--fetch]
  viewer   explain what the function makes of a viewer's sign-in token:
           viewer TOKEN [--playback-id ID] [--country CC]

Under AWS Lambda (AWS_LAMBDA_RUNTIME_API set) it serves the function instead.
`

// baseContext ends on Ctrl-C or SIGTERM, so that the local server shuts
// down cleanly.
func baseContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// run is the whole program, with its inputs passed in.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if getenv(envRuntimeAPI) != "" {
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
	case "viewer":
		return runViewer(rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return exitCode(2)
	}
}
