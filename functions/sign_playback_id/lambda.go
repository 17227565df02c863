package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
)

// envRuntimeAPI is set by the Lambda runtime (and its emulator): the
// host:port of the Runtime API the function polls for events.
const envRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"

// runLambda serves the function under the Lambda runtime API. The key comes
// only from the environment: under Lambda a development key is never made.
func runLambda(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	h := endpoint.New(getenv, time.Now, slog.New(slog.NewJSONHandler(stderr, nil)))
	lambda.StartWithOptions(h.Handle, lambda.WithContext(ctx))
	return nil
}
