//go:build lambda.norpc

package main

import (
	"context"
	"fmt"
	"io"
)

// notLambda is what the Netlify build says when started outside Lambda.
const notLambda = `sign_playback_id: this is an AWS Lambda function built for Netlify
(-tags lambda.norpc); it serves nothing outside Lambda and opens no port
(AWS_LAMBDA_RUNTIME_API is not set).

To run it locally, with the development server and the sign, verify and
check commands, build it without that tag:
  make dev
  go run ./functions/sign_playback_id [serve|sign|verify|check|viewer]
`

// baseContext is a plain context: Lambda freezes and ends the process
// itself, so the function installs no signal handler and starts no
// goroutine to watch for one before its first request.
func baseContext() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// run is the whole program, with its inputs passed in. In the Netlify build
// it serves the function under Lambda and does nothing anywhere else.
func run(ctx context.Context, _ []string, getenv func(string) string, _, stderr io.Writer) error {
	if getenv(envRuntimeAPI) != "" {
		return runLambda(ctx, getenv, stderr)
	}
	fmt.Fprint(stderr, notLambda)
	return exitCode(2)
}
