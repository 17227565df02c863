//go:build lambda.norpc

package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// TestRunOutsideLambda: the Netlify build started without the Lambda
// runtime serves nothing, whatever it is asked, and says how to run it
// locally.
func TestRunOutsideLambda(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{name: "no arguments"},
		{name: "serve", args: []string{"serve", "--addr", "127.0.0.1:0"}},
		{name: "sign", args: []string{"sign", "abc"}},
		{name: "verify", args: []string{"verify", "a.b.c"}},
		{name: "check", args: []string{"check"}},
		{name: "help", args: []string{"--help"}},
		{name: "configured, but not under Lambda", env: map[string]string{"MUX_SIGNING_KEY": "id", "MUX_PRIVATE_KEY": "key", "PORT": "8888"}},
		{name: "empty runtime API", env: map[string]string{envRuntimeAPI: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			getenv := func(name string) string { return tt.env[name] }
			err := run(context.Background(), append([]string{"sign_playback_id"}, tt.args...), getenv, &stdout, &stderr)
			var code exitCode
			if !errors.As(err, &code) || code == 0 {
				t.Fatalf("run() = %v, want a non-zero exitCode", err)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			for _, want := range []string{
				"AWS Lambda function built for Netlify",
				"serves nothing outside Lambda",
				"AWS_LAMBDA_RUNTIME_API",
				"make dev",
				"go run ./functions/sign_playback_id",
			} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
				}
			}
		})
	}
}
