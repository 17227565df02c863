//go:build !lambda.norpc

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxverify"
)

const (
	testID      = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"
	otherTestID = "DS00Spx1CV902MCtPj5WknGlR102V5HFkDe"
	restriction = "JL88SKXSf00WZMsZEhBkQH01A2I4f3U6T8X1D1Jr1PUy4"
)

// verifyOutputToken checks that tok is valid for id and typ under the test
// key, and returns the report.
func verifyOutputToken(t *testing.T, k testKeys, tok, id string, typ muxsign.Type) *muxverify.Report {
	t.Helper()
	r, err := muxverify.Verify(tok, &k.Key.PublicKey, muxverify.Expect{KeyID: k.ID, PlaybackID: id, Type: typ}, time.Now())
	if err != nil {
		t.Fatalf("the printed token does not verify: %v", err)
	}
	return r
}

func TestSign(t *testing.T) {
	k := loadTestKeys(t)
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		url     string // pattern of the printed URL, before ?token=
		typ     muxsign.Type
		options map[string]string
		maxLife time.Duration
	}{
		{name: "video", args: []string{testID},
			url: `^https://stream\.mux\.com/` + testID + `\.m3u8$`, typ: muxsign.Video, maxLife: 7 * 24 * time.Hour},
		{name: "flags before the ID", args: []string{"--type", "thumbnail", testID},
			url: `^https://image\.mux\.com/` + testID + `/thumbnail\.jpg$`, typ: muxsign.Thumbnail},
		{name: "thumbnail with options and format", args: []string{testID, "--type", "thumbnail", "--param", "time=10", "--param", "width=640", "--format", "webp"},
			url: `^https://image\.mux\.com/` + testID + `/thumbnail\.webp$`, typ: muxsign.Thumbnail,
			options: map[string]string{"time": "10", "width": "640"}},
		{name: "gif", args: []string{testID, "--type=gif", "--param", "start=2", "--param", "end=6", "--param", "fps=15"},
			url: `^https://image\.mux\.com/` + testID + `/animated\.gif$`, typ: muxsign.GIF,
			options: map[string]string{"start": "2", "end": "6", "fps": "15"}},
		{name: "storyboard as json", args: []string{testID, "--type", "storyboard", "--format", "json"},
			url: `^https://image\.mux\.com/` + testID + `/storyboard\.json$`, typ: muxsign.Storyboard},
		{name: "video modifiers", args: []string{testID, "--param", "max_resolution=720p", "--param", "rendition_order=desc"},
			url: `^https://stream\.mux\.com/` + testID + `\.m3u8$`, typ: muxsign.Video,
			options: map[string]string{"max_resolution": "720p", "rendition_order": "desc"}},
		{name: "shorter expiration", args: []string{testID, "--expiration", "1h"},
			url: `^https://stream\.mux\.com/`, typ: muxsign.Video, maxLife: time.Hour},
		{name: "configured expiration", env: map[string]string{"MUX_TOKEN_EXPIRATION": "2h"}, args: []string{testID},
			url: `^https://stream\.mux\.com/`, typ: muxsign.Video, maxLife: 2 * time.Hour},
		{name: "restriction ID from the policy", env: map[string]string{"MUX_PLAYBACK_RESTRICTION_ID": restriction}, args: []string{testID},
			url: `^https://stream\.mux\.com/`, typ: muxsign.Video, options: map[string]string{"playback_restriction_id": restriction}},
		{name: "allowed ID", env: map[string]string{"MUX_ALLOWED_PLAYBACK_IDS": otherTestID + "," + testID}, args: []string{testID},
			url: `^https://stream\.mux\.com/`, typ: muxsign.Video},
		{name: "custom hosts", env: map[string]string{"MUX_STREAM_HOST": "video.example.com", "MUX_IMAGE_HOST": "http://127.0.0.1:9999"},
			args: []string{testID, "--type", "gif"}, url: `^http://127\.0\.0\.1:9999/` + testID + `/animated\.gif$`, typ: muxsign.GIF},
		{name: "raw PKCS#8 key", env: map[string]string{"MUX_PRIVATE_KEY": k.PKCS8}, args: []string{testID},
			url: `^https://stream\.mux\.com/`, typ: muxsign.Video},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := runCmd(t, k.env(tt.env), append([]string{"sign", "--env-file", ""}, tt.args...)...)
			if status != 0 {
				t.Fatalf("status %d; stderr: %s", status, stderr)
			}
			k.assertNoKeyMaterial(t, stdout, stderr)
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if len(lines) != 1 {
				t.Fatalf("stdout = %q, want one line: the URL", stdout)
			}
			base, tok, ok := strings.Cut(lines[0], "?token=")
			if !ok || !regexp.MustCompile(tt.url).MatchString(base) {
				t.Fatalf("URL = %q, want %s?token=...", lines[0], tt.url)
			}
			r := verifyOutputToken(t, k, tok, testID, tt.typ)
			if len(r.Options) != len(tt.options) {
				t.Errorf("token options = %v, want %v", r.Options, tt.options)
			}
			for name, v := range tt.options {
				if r.Options[name] != v {
					t.Errorf("token option %s = %q, want %q", name, r.Options[name], v)
				}
			}
			if tt.maxLife > 0 && (r.ExpiresIn > tt.maxLife || r.ExpiresIn < tt.maxLife*8/10) {
				t.Errorf("token life %v, want at most %v and no less than a grain under it", r.ExpiresIn, tt.maxLife)
			}
			if !strings.Contains(stderr, "# "+string(tt.typ)+" token for "+testID) {
				t.Errorf("stderr = %q, want a note of what the token unlocks", stderr)
			}
		})
	}
}

func TestSignRawJSONAndDRM(t *testing.T) {
	k := loadTestKeys(t)
	t.Run("raw prints the token only", func(t *testing.T) {
		stdout, stderr, status := runCmd(t, k.env(nil), "sign", "--env-file", "", "--raw", testID, "--type", "storyboard")
		if status != 0 {
			t.Fatalf("status %d: %s", status, stderr)
		}
		verifyOutputToken(t, k, strings.TrimSpace(stdout), testID, muxsign.Storyboard)
	})
	t.Run("json is the function's answer for Mux Player", func(t *testing.T) {
		stdout, stderr, status := runCmd(t, k.env(nil), "sign", "--env-file", "", "--json", testID, "--param", "time=5", "--param", "max_resolution=720p")
		if status != 0 {
			t.Fatalf("status %d: %s", status, stderr)
		}
		var out endpoint.TokensResponse
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("stdout is not the JSON answer: %v\n%s", err, stdout)
		}
		if out.PlaybackID != testID || out.Tokens.DRM != "" {
			t.Errorf("answer = %+v", out)
		}
		if r := verifyOutputToken(t, k, out.Tokens.Playback, testID, muxsign.Video); r.Options["max_resolution"] != "720p" {
			t.Errorf("playback token options = %v, want max_resolution", r.Options)
		}
		if r := verifyOutputToken(t, k, out.Tokens.Thumbnail, testID, muxsign.Thumbnail); r.Options["time"] != "5" {
			t.Errorf("thumbnail token options = %v, want time", r.Options)
		}
		verifyOutputToken(t, k, out.Tokens.Storyboard, testID, muxsign.Storyboard)
	})
	t.Run("drm_license prints the license URLs", func(t *testing.T) {
		stdout, stderr, status := runCmd(t, k.env(nil), "sign", "--env-file", "", testID, "--type", "drm_license")
		if status != 0 {
			t.Fatalf("status %d: %s", status, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 3 {
			t.Fatalf("stdout = %q, want 3 license URLs", stdout)
		}
		for i, system := range []string{"widevine", "playready", "fairplay"} {
			label, u, _ := strings.Cut(lines[i], ": ")
			u = strings.TrimSpace(u)
			prefix := "https://license.mux.com/license/" + system + "/" + testID + "?token="
			if label != system || !strings.HasPrefix(u, prefix) {
				t.Fatalf("line %d = %q, want %s: %s...", i, lines[i], system, prefix)
			}
			verifyOutputToken(t, k, strings.TrimPrefix(u, prefix), testID, muxsign.DRMLicense)
		}
	})
}

func TestSignFailures(t *testing.T) {
	k := loadTestKeys(t)
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		status int
		stderr []string
	}{
		{"two IDs", nil, []string{testID, otherTestID}, 2, []string{"want exactly one playback ID, got 2"}},
		{"bad type", nil, []string{testID, "--type", "poster"}, 2, []string{`unknown token type "poster"`}},
		{"unknown option", nil, []string{testID, "--param", "foo=1"}, 2, []string{"--param foo: not a token option; options for video: asset_end_time"}},
		{"reserved parameter", nil, []string{testID, "--param", "type=gif"}, 2, []string{"--param type: use --type"}},
		{"param without =", nil, []string{testID, "--param", "time"}, 2, []string{"want name=value"}},
		{"param given twice", nil, []string{testID, "--type", "thumbnail", "--param", "time=1", "--param", "time=2"}, 2, []string{"--param time is given more than once"}},
		{"raw with json", nil, []string{testID, "--raw", "--json"}, 2, []string{"do not go together"}},
		{"option for another type", nil, []string{testID, "--param", "time=10"}, 1,
			[]string{"would answer 400 Bad Request", "time: does not apply to type video"}},
		{"bad option value", nil, []string{testID, "--type", "thumbnail", "--param", "rotate=45"}, 1, []string{"400", "rotate: must be one of"}},
		{"gif too long", nil, []string{testID, "--type", "gif", "--param", "start=0", "--param", "end=30"}, 1, []string{"400", "a GIF must last"}},
		{"bad playback ID", nil, []string{"not-an-id"}, 1, []string{"400", "playbackId must be"}},
		{"expiration over the maximum", nil, []string{testID, "--expiration", "30d"}, 1, []string{"400", "expiration may be at most"}},
		{"bad format", nil, []string{testID, "--type", "thumbnail", "--format", "gif"}, 1, []string{"400", "format must be one of jpg, png, webp"}},
		{"ID not allowed by policy", map[string]string{"MUX_ALLOWED_PLAYBACK_IDS": otherTestID}, []string{testID}, 1,
			[]string{"would answer 403 Forbidden", "not allowed"}},
		{"no key: no development key either", map[string]string{"MUX_SIGNING_KEY": "", "MUX_PRIVATE_KEY": ""}, []string{testID}, 1,
			[]string{"configuration is not usable", "MUX_SIGNING_KEY: is not set", "MUX_PRIVATE_KEY: is not set", "sign_playback_id check"}},
		{"public key", map[string]string{"MUX_PRIVATE_KEY": readKeyFixture(t, "rsa2048_public.pem")}, []string{testID}, 1,
			[]string{"MUX_PRIVATE_KEY: is a public key"}},
		{"small key", map[string]string{"MUX_PRIVATE_KEY": readKeyFixture(t, "rsa1024_pkcs1.pem")}, []string{testID}, 1,
			[]string{"MUX_PRIVATE_KEY: is too small"}},
		{"bad expiry setting", map[string]string{"MUX_TOKEN_EXPIRATION": "soon"}, []string{testID}, 1, []string{"MUX_TOKEN_EXPIRATION:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := runCmd(t, k.env(tt.env), append([]string{"sign", "--env-file", ""}, tt.args...)...)
			if status != tt.status {
				t.Errorf("status = %d, want %d; stderr: %s", status, tt.status, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr = %q, want it to contain %q", stderr, want)
				}
			}
			k.assertNoKeyMaterial(t, stderr)
		})
	}
}

func readKeyFixture(t testing.TB, name string) string { return testkeys.PEM(t, name) }

// sign, verify and check read .env in the working directory by default (its
// double-quoted values have their \n unescaped by the .env parser); the
// environment wins over it.
func TestSubcommandsReadDotenv(t *testing.T) {
	k := loadTestKeys(t)
	dir := t.TempDir()
	dotenv := "# test\nMUX_SIGNING_KEY=" + k.ID + "\nMUX_PRIVATE_KEY=\"" + strings.ReplaceAll(k.PKCS1, "\n", `\n`) + "\"\nMUX_TOKEN_EXPIRATION=3h\n"
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	stdout, stderr, status := runCmd(t, nil, "sign", testID)
	if status != 0 {
		t.Fatalf("sign: status %d: %s", status, stderr)
	}
	_, tok, _ := strings.Cut(strings.TrimSpace(stdout), "?token=")
	if r := verifyOutputToken(t, k, tok, testID, muxsign.Video); r.ExpiresIn > 3*time.Hour {
		t.Errorf("life %v, want the .env's 3h at most", r.ExpiresIn)
	}

	stdout, stderr, status = runCmd(t, map[string]string{"MUX_TOKEN_EXPIRATION": "1h"}, "sign", testID)
	if status != 0 {
		t.Fatalf("sign: status %d: %s", status, stderr)
	}
	_, tok, _ = strings.Cut(strings.TrimSpace(stdout), "?token=")
	if r := verifyOutputToken(t, k, tok, testID, muxsign.Video); r.ExpiresIn > time.Hour {
		t.Errorf("life %v, want the environment's 1h at most", r.ExpiresIn)
	}

	if stdout, stderr, status = runCmd(t, nil, "verify", tok); status != 0 || !strings.HasPrefix(stdout, "valid") {
		t.Errorf("verify with the .env's key: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}

	stdout, _, status = runCmd(t, nil, "check")
	if status != 0 || !strings.Contains(stdout, "ok    .env") || !strings.Contains(stdout, "raw PKCS#1 PEM, RSA 2048 bits") {
		t.Errorf("check: status %d, stdout:\n%s", status, stdout)
	}
	k.assertNoKeyMaterial(t, stdout)

	if err := os.WriteFile(filepath.Join(dir, "bad.env"), []byte("MUX_SIGNING_KEY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"sign", "verify"} {
		if _, stderr, status := runCmd(t, nil, cmd, "--env-file", "bad.env", "x"); status != 1 {
			t.Errorf("%s with a broken .env: status %d, stderr %q; want 1", cmd, status, stderr)
		}
	}
}

// tokenFor signs a token with the test key (or another), valid for life.
func tokenFor(t *testing.T, key *muxsign.Signer, id string, typ muxsign.Type, life time.Duration) string {
	t.Helper()
	tok, err := key.Sign(muxsign.Claims{PlaybackID: id, Type: typ, ExpiresAt: time.Now().Add(life)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerify(t *testing.T) {
	k := loadTestKeys(t)
	signer, err := muxsign.NewSigner(k.ID, k.Key)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := muxsign.ParsePrivateKey(readKeyFixture(t, "rsa2048_pkcs1.pem"))
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, err := muxsign.NewSigner("someOtherKey", otherKey)
	if err != nil {
		t.Fatal(err)
	}
	sameIDOtherKey, err := muxsign.NewSigner(k.ID, otherKey)
	if err != nil {
		t.Fatal(err)
	}
	good := tokenFor(t, signer, testID, muxsign.Video, 2*time.Hour+30*time.Second)
	thumb := tokenFor(t, signer, testID, muxsign.Thumbnail, 2*time.Hour)

	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		status int
		stdout []string // fragments, in order
		stderr string
	}{
		{name: "valid token", args: []string{good},
			stdout: []string{"valid: Mux would accept this token", `unlocks:   video (aud "v") of playback ID ` + testID,
				"key ID:    " + k.ID + " (header and claims); configured: " + k.ID, "signature: matches the configured key",
				"expires:", "(in 2h)", "unchecked: the playback ID (pass --playback-id ID) and the type (pass --type T)"}},
		{name: "valid with expectations", args: []string{good, "--playback-id", testID, "--type", "video"},
			stdout: []string{"valid: Mux would accept this token"}},
		{name: "signed URL: expectations from its path", args: []string{"https://image.mux.com/" + testID + "/thumbnail.webp?token=" + thumb},
			stdout: []string{"valid", "thumbnail", "checked:   against the URL's playback ID and type"}},
		{name: "signed URL of another type", args: []string{"https://stream.mux.com/" + testID + ".m3u8?token=" + thumb}, status: 1,
			stdout: []string{"invalid: Mux would refuse this token (HTTP 403):", `aud is "t" (thumbnail) but a video needs aud "v"`}},
		{name: "signed URL of another ID", args: []string{"https://stream.mux.com/" + otherTestID + ".m3u8?token=" + good}, status: 1,
			stdout: []string{"invalid", `sub is "` + testID + `" but the playback ID is "` + otherTestID + `"`}},
		{name: "flags win over the URL", args: []string{"https://stream.mux.com/" + otherTestID + ".m3u8?token=" + good, "--playback-id", testID},
			stdout: []string{"valid", "checked:   against the URL's type"}},
		{name: "license URL", args: []string{"https://license.mux.com/license/widevine/" + testID + "?token=" + tokenFor(t, signer, testID, muxsign.DRMLicense, time.Hour)},
			stdout: []string{"valid", "drm_license"}},
		{name: "wrong ID", args: []string{good, "--playback-id", otherTestID}, status: 1, stdout: []string{"invalid", "sub is"}},
		{name: "wrong type", args: []string{good, "--type", "storyboard"}, status: 1, stdout: []string{"invalid", `but a storyboard needs aud "s"`}},
		{name: "expired", args: []string{tokenFor(t, signer, testID, muxsign.Video, -2*time.Hour)}, status: 1,
			stdout: []string{"invalid", "  - expired 2h ago", "expired:"}},
		{name: "expiring soon", args: []string{tokenFor(t, signer, testID, muxsign.Video, 3*time.Minute)},
			stdout: []string{"valid", "warning:   expires in"}},
		{name: "another key", args: []string{tokenFor(t, otherSigner, testID, muxsign.Video, time.Hour)}, status: 1,
			stdout: []string{"invalid", "bad signature", `kid "someOtherKey" (in the header) is not the configured signing key ID`,
				"signature: does NOT match the configured key"}},
		{name: "another key with the same ID", args: []string{tokenFor(t, sameIDOtherKey, testID, muxsign.Video, time.Hour)}, status: 1,
			stdout: []string{"invalid", "  - bad signature: the token was not signed with the configured key"}},
		{name: "configured key ID differs", env: map[string]string{"MUX_SIGNING_KEY": "renamedKey"}, args: []string{good}, status: 1,
			stdout: []string{"invalid", `is not the configured signing key ID "renamedKey"`, "signature: matches"}},
		{name: "malformed", args: []string{"not.a-token"}, status: 1,
			stdout: []string{"invalid", "malformed: a token is three base64url parts"}},
		{name: "URL without token", args: []string{"https://stream.mux.com/" + testID + ".m3u8"}, status: 2, stderr: "the URL has no token= parameter"},
		{name: "bad --type", args: []string{good, "--type", "poster"}, status: 2, stderr: "unknown token type"},
		{name: "no key", env: map[string]string{"MUX_SIGNING_KEY": "", "MUX_PRIVATE_KEY": ""}, args: []string{good}, status: 1,
			stderr: "MUX_PRIVATE_KEY: is not set"},
		{name: "other settings broken: still verifies", env: map[string]string{"MUX_DRM": "maybe"}, args: []string{good},
			stdout: []string{"valid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := runCmd(t, k.env(tt.env), append([]string{"verify", "--env-file", ""}, tt.args...)...)
			if status != tt.status {
				t.Errorf("status = %d, want %d; stdout:\n%s\nstderr: %s", status, tt.status, stdout, stderr)
			}
			rest := stdout
			for _, want := range tt.stdout {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("stdout does not contain %q (in order); stdout:\n%s", want, stdout)
					break
				}
				rest = rest[i+len(want):]
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr = %q, want %q", stderr, tt.stderr)
			}
			k.assertNoKeyMaterial(t, stdout, stderr)
		})
	}
}

func TestTokenFromArg(t *testing.T) {
	tests := []struct {
		arg, tok, id string
		typ          muxsign.Type
		err          bool
	}{
		{arg: " a.b.c\n", tok: "a.b.c"},
		{arg: "https://stream.mux.com/abc.m3u8?token=a.b.c", tok: "a.b.c", id: "abc", typ: muxsign.Video},
		{arg: "https://image.mux.com/abc/thumbnail.png?token=a.b.c&x=1", tok: "a.b.c", id: "abc", typ: muxsign.Thumbnail},
		{arg: "https://image.mux.com/abc/animated.webp?token=a.b.c", tok: "a.b.c", id: "abc", typ: muxsign.GIF},
		{arg: "https://image.mux.com/abc/storyboard.vtt?token=a.b.c", tok: "a.b.c", id: "abc", typ: muxsign.Storyboard},
		{arg: "https://license.mux.com/license/fairplay/abc?token=a.b.c", tok: "a.b.c", id: "abc", typ: muxsign.DRMLicense},
		{arg: "https://cdn.example.com/other/path?token=a%2Eb.c", tok: "a.b.c"},
		{arg: "https://stream.mux.com/abc.m3u8", err: true},
		{arg: "https://stream.mux.com/%zz?token=x", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			tok, target, err := tokenFromArg(tt.arg)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if tok != tt.tok || target.PlaybackID != tt.id || target.Type != tt.typ {
				t.Errorf("tokenFromArg = %q, %+v; want %q, %s, %s", tok, target, tt.tok, tt.id, tt.typ)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	k := loadTestKeys(t)
	manyIDs := strings.TrimSuffix(strings.Repeat(testID+",", 30), ",")    // about 1.4 KB
	tooMany := strings.TrimSuffix(strings.Repeat(testID+",", 45), ",")    // about 2 KB
	escaped := strings.ReplaceAll(strings.TrimSpace(k.PKCS1), "\n", `\n`) // as dashboards paste it
	tests := []struct {
		name   string
		env    map[string]string
		status int
		lines  []string // regexps, each matching a line
		last   string
	}{
		{name: "defaults with the key as Mux returns it", status: 0, lines: []string{
			`^  ok    MUX_SIGNING_KEY +key ID ` + k.ID + `$`,
			`^  ok    MUX_PRIVATE_KEY +base64 of a PKCS#1 PEM \(as Mux's API returns it\), RSA 2048 bits$`,
			`^  ok    self-test +a token signed with the key verifies`,
			`^  ok    MUX_TOKEN_EXPIRATION +tokens last at most 7d \(604800 s, default\)`,
			`^  ok    MUX_TOKEN_GRAIN +exp is rounded down to a 1h grid, so a token lasts between 6d 23h and 7d$`,
			`^  ok    MUX_TOKEN_CACHE_SIZE +each instance keeps up to 10000 tokens$`,
			`^  note  MUX_ALLOWED_ORIGINS +not set: Access-Control-Allow-Origin: \*`,
			`^  note  MUX_ALLOWED_PLAYBACK_IDS +not set`,
			`^  ok    MUX_STREAM_HOST +https://stream\.mux\.com \(default\)$`,
			`^  ok    environment size +2312 of AWS Lambda's 4096 bytes .*the largest: MUX_PRIVATE_KEY, 2251$`,
		}, last: "all good."},
		{name: "PKCS#8 PEM and every policy set", env: map[string]string{
			"MUX_PRIVATE_KEY": k.PKCS8, "MUX_TOKEN_EXPIRATION": "12h", "MUX_TOKEN_GRAIN": "0", "MUX_TOKEN_CACHE_SIZE": "0",
			"MUX_PLAYBACK_RESTRICTION_ID": restriction, "MUX_ALLOWED_PLAYBACK_IDS": testID + " " + otherTestID,
			"MUX_ALLOWED_ORIGINS": "https://www.example.com,https://*.example.org", "MUX_IMAGE_HOST": "images.example.com", "MUX_DRM": "true",
		}, lines: []string{
			`^  ok    MUX_PRIVATE_KEY +raw PKCS#8 PEM, RSA 2048 bits$`,
			`^  ok    MUX_TOKEN_EXPIRATION +tokens last at most 12h \(43200 s, set\)`,
			`^  ok    MUX_TOKEN_GRAIN +off`,
			`^  ok    MUX_TOKEN_CACHE_SIZE +off`,
			`^  ok    MUX_PLAYBACK_RESTRICTION_ID +every token carries playback_restriction_id ` + restriction + `$`,
			`^  ok    MUX_ALLOWED_PLAYBACK_IDS +only 2 playback ID\(s\) are signed`,
			`^  ok    MUX_ALLOWED_ORIGINS +CORS allows only the listed origins`,
			`^  ok    MUX_IMAGE_HOST +https://images\.example\.com \(custom domain\)$`,
			`^  ok    MUX_DRM +on`,
		}, last: "all good."},
		{name: "escaped PEM", env: map[string]string{"MUX_PRIVATE_KEY": escaped},
			lines: []string{`^  ok    MUX_PRIVATE_KEY +raw PKCS#1 PEM, with literal \\n line breaks, RSA 2048 bits$`}, last: "all good."},
		{name: "quoted base64", env: map[string]string{"MUX_PRIVATE_KEY": `"` + k.PKCS1B64 + `"`},
			lines: []string{`^  ok    MUX_PRIVATE_KEY +base64 of a PKCS#1 PEM \(as Mux's API returns it\), in quotes, RSA 2048 bits$`}, last: "all good."},
		{name: "no key", env: map[string]string{"MUX_SIGNING_KEY": "", "MUX_PRIVATE_KEY": ""}, status: 1, lines: []string{
			`^  FAIL  MUX_SIGNING_KEY +is not set`, `^  FAIL  MUX_PRIVATE_KEY +is not set`,
			`^  note  dev server +with no key, .serve. signs with a throwaway development key`,
			`^  ok    environment size +0 of AWS Lambda's 4096 bytes`,
		}, last: "2 problem(s), 0 warning(s): the function answers every request with 500 until the problems are fixed."},
		{name: "small key and bad key ID", env: map[string]string{"MUX_SIGNING_KEY": "bad id!", "MUX_PRIVATE_KEY": readKeyFixture(t, "rsa1024_pkcs1.pem")}, status: 1, lines: []string{
			`^  FAIL  MUX_SIGNING_KEY +must be the signing key's ID`, `^  FAIL  MUX_PRIVATE_KEY +is too small: RSA key of 1024 bits`,
		}, last: "2 problem(s)"},
		{name: "bad values", env: map[string]string{"MUX_TOKEN_EXPIRATION": "forever", "MUX_TOKEN_CACHE_SIZE": "-1",
			"MUX_ALLOWED_ORIGINS": "example.com", "MUX_STREAM_HOST": "http://stream.example.com", "MUX_DRM": "maybe"}, status: 1, lines: []string{
			`^  FAIL  MUX_TOKEN_EXPIRATION +"forever" is not a duration`, `^  FAIL  MUX_TOKEN_CACHE_SIZE +must be a whole number`,
			`^  FAIL  MUX_ALLOWED_ORIGINS +entry 1 is not an origin`, `^  FAIL  MUX_STREAM_HOST +http:// is allowed only for localhost`,
			`^  FAIL  MUX_DRM +must be true or false`,
		}, last: "5 problem(s)"},
		{name: "short expiry and a local stand-in: warnings", env: map[string]string{"MUX_TOKEN_EXPIRATION": "5m", "MUX_STREAM_HOST": "http://127.0.0.1:8080"}, lines: []string{
			`^  WARN  MUX_TOKEN_EXPIRATION +tokens last at most 5m`, `^  WARN  MUX_TOKEN_EXPIRATION +playback stops when the token expires`,
			`^  ok    MUX_TOKEN_GRAIN +exp is rounded down to a 30s grid`,
			`^  WARN  MUX_STREAM_HOST +http://127\.0\.0\.1:8080: a local stand-in for Mux, not for production$`,
		}, last: "usable, with 3 warning(s)."},
		{name: "environment close to 4 KB", env: map[string]string{"MUX_ALLOWED_PLAYBACK_IDS": manyIDs}, lines: []string{
			`^  WARN  environment size +3685 of AWS Lambda's 4096 bytes .*: little room left$`,
			`^  note  environment size +a raw PEM is about a quarter smaller than base64 of it`,
		}, last: "usable, with 1 warning(s)."},
		{name: "environment over 4 KB", env: map[string]string{"MUX_ALLOWED_PLAYBACK_IDS": tooMany}, status: 1, lines: []string{
			`^  FAIL  environment size +4360 of AWS Lambda's 4096 bytes .*: the deploy will fail$`,
		}, last: "1 problem(s), 0 warning(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := runCmd(t, k.env(tt.env), "check", "--env-file", "")
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if stderr != "" {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
			lines := strings.Split(stdout, "\n")
			for _, pattern := range tt.lines {
				re := regexp.MustCompile(pattern)
				found := false
				for _, l := range lines {
					found = found || re.MatchString(l)
				}
				if !found {
					t.Errorf("no line matches %s", pattern)
				}
			}
			if !strings.HasPrefix(strings.TrimSpace(lines[len(lines)-2]), tt.last) {
				t.Errorf("last line = %q, want %q", lines[len(lines)-2], tt.last)
			}
			if t.Failed() {
				t.Logf("stdout:\n%s", stdout)
			}
			k.assertNoKeyMaterial(t, stdout)
		})
	}
}

// The environment size counts .env variables the function does not read,
// since they are deployed too.
func TestCheckCountsDotenvVariables(t *testing.T) {
	k := loadTestKeys(t)
	path := filepath.Join(t.TempDir(), "site.env")
	if err := os.WriteFile(path, []byte("OTHER_API_TOKEN="+strings.Repeat("x", 1500)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, status := runCmd(t, k.env(nil), "check", "--env-file", path)
	if status != 0 || !strings.Contains(stdout, "ok    "+path+" ") ||
		!regexp.MustCompile(`WARN  environment size +3827 of`).MatchString(stdout) {
		t.Errorf("status %d, stdout:\n%s", status, stdout)
	}
}
