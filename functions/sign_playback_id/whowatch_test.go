//go:build !lambda.norpc

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	viewerSecret   = "a-shared-hs256-secret-of-at-least-32-bytes"
	viewerIssuer   = "https://idp.example.test"
	viewerAudience = "https://api.example.test"
)

func viewerToken(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	c := jwt.MapClaims{"iss": viewerIssuer, "aud": viewerAudience, "sub": "viewer-7", "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range claims {
		c[k] = v
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(viewerSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The viewer command says whether a viewer's token verifies, why not, and
// whether the access rules let that viewer watch an ID from a country.
func TestViewerCommand(t *testing.T) {
	k := loadTestKeys(t)
	env := k.env(map[string]string{
		"MUX_VIEWER_HS256_SECRET": viewerSecret, "MUX_VIEWER_ISSUER": viewerIssuer, "MUX_VIEWER_AUDIENCE": viewerAudience,
		"MUX_VIEWER_RULES": "*:roles=member; " + otherTestID + ":public", "MUX_COUNTRY_BLOCK": "DE",
	})
	member := viewerToken(t, jwt.MapClaims{"roles": []string{"member"}})
	for _, tt := range []struct {
		name   string
		args   []string
		status int
		want   []string
	}{
		{"valid", []string{member}, 0, []string{`valid: signed-in viewer "viewer-7"`}},
		{"valid and allowed", []string{member, "--playback-id", testID, "--country", "fr"}, 0, []string{"allowed: this viewer may watch " + testID + " from FR"}},
		{"Bearer prefix", []string{"Bearer " + member, "--playback-id", testID}, 0, []string{"allowed"}},
		{"no role", []string{viewerToken(t, jwt.MapClaims{"roles": []string{"guest"}}), "--playback-id", testID}, 1, []string{"refused (403)", "not entitled"}},
		{"blocked country", []string{member, "--playback-id", testID, "--country", "DE"}, 1, []string{"refused (403)", "not available in your country"}},
		{"expired", []string{viewerToken(t, jwt.MapClaims{"exp": time.Now().Add(-2 * time.Hour).Unix()})}, 1, []string{"refused", "expired"}},
		{"wrong issuer", []string{viewerToken(t, jwt.MapClaims{"iss": "https://evil.example"})}, 1, []string{"refused", "issuer"}},
		{"wrong audience", []string{viewerToken(t, jwt.MapClaims{"aud": "https://other.example"})}, 1, []string{"refused", "audience"}},
		{"garbage", []string{"not-a-jwt"}, 1, []string{"refused"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := runCmd(t, env, append([]string{"viewer", "--env-file", ""}, tt.args...)...)
			if status != tt.status {
				t.Fatalf("status %d, want %d; stdout: %s; stderr: %s", status, tt.status, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if strings.Contains(stdout+stderr, viewerSecret) {
				t.Error("the output holds the HS256 secret")
			}
		})
	}
	stdout, _, status := runCmd(t, k.env(nil), "viewer", "--env-file", "", member)
	if status != 1 || !strings.Contains(stdout, "viewer sign-in is off") {
		t.Fatalf("without viewer settings: %d %s", status, stdout)
	}
}

// check reports the viewer settings and the rules in plain words, and
// counts their variables against the 4 KB limit.
func TestCheckWhoMayWatch(t *testing.T) {
	k := loadTestKeys(t)
	stdout, _, status := runCmd(t, k.env(map[string]string{
		"MUX_VIEWER_HS256_SECRET": viewerSecret, "MUX_VIEWER_ISSUER": viewerIssuer, "MUX_VIEWER_AUDIENCE": viewerAudience,
		"MUX_VIEWER_RULES": "*:roles=member", "MUX_VIEWER_COOKIE": "nf_jwt", "MUX_ALLOWED_ORIGINS": "https://www.example.com",
	}), "check", "--env-file", "")
	if status != 0 {
		t.Fatalf("check: %d\n%s", status, stdout)
	}
	for _, w := range []string{"HS256 tokens signed with the shared secret", "or the cookie nf_jwt", "roles", "environment size"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("check output lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Contains(stdout, viewerSecret) {
		t.Error("check printed the secret")
	}
	stdout, _, status = runCmd(t, k.env(map[string]string{"MUX_VIEWER_RULES": "*:roles=member", "MUX_VIEWER_COOKIE": "nf_jwt"}), "check", "--env-file", "")
	if status != 1 || !strings.Contains(stdout, "FAIL") || !strings.Contains(stdout, "MUX_VIEWER_COOKIE") {
		t.Fatalf("check of an unworkable viewer setup: %d\n%s", status, stdout)
	}
}
