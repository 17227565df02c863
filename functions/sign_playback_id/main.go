// Command sign_playback_id is the Netlify Function that answers
// /.netlify/functions/sign_playback_id?playbackId=ID with a 302 to the signed
// Mux URL (or, asked for JSON, the tokens Mux Player needs).
//
// It is built two ways. Netlify builds it with -tags lambda.norpc: that
// binary is the Lambda function and nothing else (lambdaonly.go); started
// outside Lambda it says so and exits. A plain `go build` or `go run` (as
// `make dev` and `netlify dev` do) adds the development tools (tools.go):
// with no arguments, or "serve", it runs the function as a local server the
// way `netlify dev` does; "sign", "verify" and "check" help debug tokens and
// configuration. Under Lambda (AWS_LAMBDA_RUNTIME_API set) both serve the
// function.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	ctx, stop := baseContext()
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
