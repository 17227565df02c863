//go:build !lambda.norpc

package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// testKeys are the key and key ID of testdata/mux-node-sdk-vectors.json, in
// the forms people set them.
type testKeys struct {
	ID        string
	PKCS1     string // raw PKCS#1 PEM
	PKCS8     string // raw PKCS#8 PEM
	PKCS1B64  string // base64 of the PKCS#1 PEM, as Mux's API returns it
	Key       *rsa.PrivateKey
	fragments []string // pieces of key material no output may contain
}

func loadTestKeys(t testing.TB) testKeys {
	t.Helper()
	b := testkeys.Vectors(t)
	var v struct {
		KeyID string `json:"keyId"`
		Keys  struct {
			PKCS1    string `json:"pkcs1_pem"`
			PKCS8    string `json:"pkcs8_pem"`
			PKCS1B64 string `json:"pkcs1_pem_base64"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	key, err := muxsign.ParsePrivateKey(v.Keys.PKCS1)
	if err != nil {
		t.Fatal(err)
	}
	k := testKeys{ID: v.KeyID, PKCS1: v.Keys.PKCS1, PKCS8: v.Keys.PKCS8, PKCS1B64: v.Keys.PKCS1B64, Key: key}
	for _, s := range []string{v.Keys.PKCS1, v.Keys.PKCS8} {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		k.fragments = append(k.fragments, lines[3], lines[len(lines)-3])
	}
	k.fragments = append(k.fragments, v.Keys.PKCS1B64[100:140], v.Keys.PKCS1B64[1000:1040])
	return k
}

// env returns the configuration with the vectors' key, changed by edits (an
// empty value unsets a variable).
func (k testKeys) env(edits map[string]string) map[string]string {
	m := map[string]string{"MUX_SIGNING_KEY": k.ID, "MUX_PRIVATE_KEY": k.PKCS1B64}
	for name, v := range edits {
		if v == "" {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	return m
}

// assertNoKeyMaterial fails if out holds any piece of the private key.
func (k testKeys) assertNoKeyMaterial(t testing.TB, outs ...string) {
	t.Helper()
	for _, out := range outs {
		for _, f := range k.fragments {
			if strings.Contains(out, f) {
				t.Errorf("output contains key material %q", f)
			}
		}
	}
}

func getenvFrom(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a server.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCmd runs the program with args (without the program name) and returns
// what it printed and its exit status: 0 for a nil error, the exitCode, or
// 1 for any other error (as main does).
func runCmd(t testing.TB, env map[string]string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"sign_playback_id"}, args...), getenvFrom(env), &out, &errOut)
	return out.String(), errOut.String(), exitStatus(err)
}

func exitStatus(err error) int {
	var code exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	default:
		return 1
	}
}

func TestRunHelpAndUnknownCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		status     int
		stderr     string
		wantUsage  bool
		usageInErr bool
	}{
		{name: "help", args: []string{"help"}, wantUsage: true},
		{name: "-h", args: []string{"-h"}, wantUsage: true},
		{name: "--help", args: []string{"--help"}, wantUsage: true},
		{name: "unknown command", args: []string{"frobnicate"}, status: 2, stderr: `unknown command "frobnicate"`, usageInErr: true},
		{name: "unknown flag of serve", args: []string{"--no-such-flag"}, status: 2, stderr: "flag provided but not defined"},
		{name: "sign with no ID", args: []string{"sign"}, status: 2, stderr: "want exactly one playback ID"},
		{name: "verify with no token", args: []string{"verify"}, status: 2, stderr: "want exactly one token"},
		{name: "check with an argument", args: []string{"check", "x"}, status: 2, stderr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := runCmd(t, nil, tt.args...)
			if status != tt.status {
				t.Errorf("status = %d, want %d; stderr: %s", status, tt.status, stderr)
			}
			if tt.wantUsage && (!strings.HasPrefix(stdout, "usage: sign_playback_id") || stderr != "") {
				t.Errorf("stdout = %q, stderr = %q; want the usage on stdout only", stdout, stderr)
			}
			if tt.usageInErr && !strings.Contains(stderr, "usage: sign_playback_id") {
				t.Errorf("stderr = %q, want the usage", stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.stderr)
			}
		})
	}
}
