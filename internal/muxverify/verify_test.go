package muxverify_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxverify"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

// verifyVectors is the part of testdata/mux-node-sdk-vectors.json the
// verification tests read.
type verifyVectors struct {
	KeyID string `json:"keyId"`
	Now   int64  `json:"now"`
	Keys  struct {
		PKCS1 string `json:"pkcs1_pem"`
		Pub   string `json:"public_pem"`
	} `json:"keys"`
	Vectors []struct {
		Name  string `json:"name"`
		Input struct {
			PlaybackID string `json:"playbackId"`
			Type       string `json:"type"`
		} `json:"input"`
		SDKTokens map[string]string `json:"sdkTokens"`
	} `json:"vectors"`
}

func loadVerifyVectors(t testing.TB) verifyVectors {
	t.Helper()
	b := testkeys.Vectors(t)
	var v verifyVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// verifyFixture is a key pair with its ID, a second unrelated key, and the
// clock of the vectors: all fixed, so that every run checks the same tokens.
type verifyFixture struct {
	keyID string
	key   *rsa.PrivateKey
	other *rsa.PrivateKey
	now   time.Time
}

func newVerifyFixture(t testing.TB) verifyFixture {
	t.Helper()
	v := loadVerifyVectors(t)
	key, err := muxsign.ParsePrivateKey(v.Keys.PKCS1)
	if err != nil {
		t.Fatal(err)
	}
	other := testkeys.RSA(t, "rsa2048_pkcs1.pem") // not the vectors' key
	if other.Equal(key) {
		t.Fatal("rsa2048_pkcs1.pem is the vectors' key: the signature tests need another")
	}
	return verifyFixture{keyID: v.KeyID, key: key, other: other, now: time.Unix(v.Now, 0)}
}

const verifyID = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"

// sign signs claims with header fields added to {"alg":"RS256","typ":"JWT"}.
func (f verifyFixture) sign(t testing.TB, key *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// claims returns a good claim set for a video token, changed by edits (a nil
// value deletes the claim).
func (f verifyFixture) claims(edits map[string]any) map[string]any {
	c := map[string]any{"kid": f.keyID, "sub": verifyID, "aud": "v", "exp": f.now.Add(time.Hour).Unix()}
	for k, v := range edits {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestVerifyAcceptsOwnTokens(t *testing.T) {
	f := newVerifyFixture(t)
	signer, err := muxsign.NewSigner(f.keyID, f.key)
	if err != nil {
		t.Fatal(err)
	}
	exp := f.now.Add(7 * 24 * time.Hour)
	tests := []struct {
		name    string
		claims  muxsign.Claims
		options map[string]string
	}{
		{"video", muxsign.Claims{PlaybackID: verifyID, Type: muxsign.Video, ExpiresAt: exp}, nil},
		{"thumbnail with options", muxsign.Claims{PlaybackID: verifyID, Type: muxsign.Thumbnail, ExpiresAt: exp,
			Params: map[string]string{"time": "10", "width": "640"}}, map[string]string{"time": "10", "width": "640"}},
		{"gif", muxsign.Claims{PlaybackID: verifyID, Type: muxsign.GIF, ExpiresAt: exp,
			Params: map[string]string{"start": "2", "end": "6"}}, map[string]string{"start": "2", "end": "6"}},
		{"storyboard", muxsign.Claims{PlaybackID: verifyID, Type: muxsign.Storyboard, ExpiresAt: exp}, nil},
		{"drm license with restriction", muxsign.Claims{PlaybackID: verifyID, Type: muxsign.DRMLicense, ExpiresAt: exp,
			PlaybackRestrictionID: "JL88SKXSf00WZMsZEhBkQH01A2I4f3U6T8X1D1Jr1PUy4"},
			map[string]string{"playback_restriction_id": "JL88SKXSf00WZMsZEhBkQH01A2I4f3U6T8X1D1Jr1PUy4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := signer.Sign(tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			want := muxverify.Expect{KeyID: f.keyID, PlaybackID: verifyID, Type: tt.claims.Type}
			r, err := muxverify.Verify(tok, &f.key.PublicKey, want, f.now)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !r.Valid() || !r.SignatureChecked || !r.SignatureValid || len(r.Warnings) != 0 {
				t.Errorf("report = %+v, want valid with a checked signature and no warnings", r)
			}
			if r.PlaybackID != verifyID || r.Type != tt.claims.Type || r.Audience != tt.claims.Type.Audience() ||
				r.HeaderKeyID != f.keyID || r.ClaimKeyID != f.keyID {
				t.Errorf("report = %+v, want sub, type, aud and both kids of the token", r)
			}
			if !r.ExpiresAt.Equal(exp) || r.ExpiresIn != 7*24*time.Hour {
				t.Errorf("ExpiresAt, ExpiresIn = %v, %v; want %v, 168h", r.ExpiresAt, r.ExpiresIn, exp)
			}
			if len(r.Options) != len(tt.options) {
				t.Errorf("Options = %v, want %v", r.Options, tt.options)
			}
			for k, v := range tt.options {
				if r.Options[k] != v {
					t.Errorf("Options[%s] = %q, want %q", k, r.Options[k], v)
				}
			}
		})
	}
}

// Every token the official SDKs made verifies, whether kid is in the header
// (3.3.2) or the claims (15.x).
func TestVerifyAcceptsSDKTokens(t *testing.T) {
	v := loadVerifyVectors(t)
	block, _ := pem.Decode([]byte(v.Keys.Pub))
	if block == nil {
		t.Fatal("public_pem: no PEM block")
	}
	pubAny, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub := pubAny.(*rsa.PublicKey)
	n := 0
	for _, vec := range v.Vectors {
		for sdk, tok := range vec.SDKTokens {
			n++
			t.Run(vec.Name+"/"+sdk, func(t *testing.T) {
				typ, err := muxsign.ParseType(vec.Input.Type)
				if err != nil {
					t.Fatal(err)
				}
				want := muxverify.Expect{KeyID: v.KeyID, PlaybackID: vec.Input.PlaybackID, Type: typ}
				r, err := muxverify.Verify(tok, pub, want, time.Unix(v.Now, 0))
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if !r.SignatureValid || r.Type != typ || r.PlaybackID != vec.Input.PlaybackID {
					t.Errorf("report = %+v", r)
				}
			})
		}
	}
	if n == 0 {
		t.Fatal("no SDK tokens in the vectors")
	}
}

// Each case lists fragments that must each appear in one of the problems,
// and the number of problems.
func TestVerifyRejects(t *testing.T) {
	f := newVerifyFixture(t)
	good := f.sign(t, f.key, map[string]any{"kid": f.keyID}, f.claims(nil))
	parts := strings.Split(good, ".")
	want := muxverify.Expect{KeyID: f.keyID, PlaybackID: verifyID, Type: muxsign.Video}
	otherID := "DS00Spx1CV902MCtPj5WknGlR102V5HFkDe"

	tests := []struct {
		name     string
		token    string
		want     muxverify.Expect
		now      time.Time
		problems []string
	}{
		{"empty", "", want, f.now, []string{"malformed: the token is empty"}},
		{"one part", "abc", want, f.now, []string{"this has 1 part(s)"}},
		{"two parts", parts[0] + "." + parts[1], want, f.now, []string{"this has 2 part(s)"}},
		{"four parts", good + ".x", want, f.now, []string{"this has 4 part(s)"}},
		{"empty signature", parts[0] + "." + parts[1] + ".", want, f.now, []string{"the signature part is empty"}},
		{"padded standard base64", parts[0] + "=." + parts[1] + "." + parts[2], want, f.now, []string{"header part is standard base64"}},
		{"url-escaped", parts[0] + "%2E" + "." + parts[1] + "." + parts[2], want, f.now, []string{"URL-escaped"}},
		{"not base64", "!!!." + parts[1] + "." + parts[2], want, f.now, []string{"the header part is not base64url"}},
		{"header not JSON", b64("alg") + "." + parts[1] + "." + parts[2], want, f.now, []string{"the header part is not a JSON object"}},
		{"claims a JSON array", parts[0] + "." + b64(`["sub"]`) + "." + parts[2], want, f.now, []string{"the claims part is not a JSON object"}},
		{"claims JSON null", parts[0] + "." + b64(`null`) + "." + parts[2], want, f.now, []string{"the claims part is not a JSON object"}},
		{"two JSON values", parts[0] + "." + b64(`{}{}`) + "." + parts[2], want, f.now, []string{"the claims part is not a JSON object"}},

		{"alg none", b64(`{"alg":"none","typ":"JWT","kid":"`+f.keyID+`"}`) + "." + parts[1] + "." + parts[2], want, f.now,
			[]string{`alg is "none": the token is unsigned`}},
		{"alg HS256", b64(`{"alg":"HS256","typ":"JWT","kid":"`+f.keyID+`"}`) + "." + parts[1] + "." + parts[2], want, f.now,
			[]string{`alg is "HS256"; Mux accepts only RS256`}},
		{"alg missing", b64(`{"typ":"JWT","kid":"`+f.keyID+`"}`) + "." + parts[1] + "." + parts[2], want, f.now,
			[]string{"the header has no alg"}},
		{"signed with another key", f.sign(t, f.other, map[string]any{"kid": f.keyID}, f.claims(nil)), want, f.now,
			[]string{"bad signature"}},
		{"claims altered after signing", parts[0] + "." + b64(`{"kid":"`+f.keyID+`","sub":"`+otherID+`","aud":"v","exp":`+
			jsonInt(f.now.Add(time.Hour).Unix())+`}`) + "." + parts[2], want, f.now,
			[]string{"bad signature", `sub is "` + otherID + `" but the playback ID is "` + verifyID + `"`}},

		{"expired an hour ago", good, want, f.now.Add(2 * time.Hour), []string{"expired 1h ago (exp "}},
		{"expired at this very second", good, want, f.now.Add(time.Hour), []string{"expired 0s ago"}},
		{"expired long ago", good, want, f.now.Add(74*time.Hour + 30*time.Minute), []string{"expired 3d 1h ago"}},
		{"no exp", f.sign(t, f.key, map[string]any{"kid": f.keyID}, f.claims(map[string]any{"exp": nil})), want, f.now,
			[]string{"exp is missing"}},
		{"exp a string", f.sign(t, f.key, map[string]any{"kid": f.keyID}, f.claims(map[string]any{"exp": "tomorrow"})), want, f.now,
			[]string{"exp is not a number"}},
		{"nbf in the future", f.sign(t, f.key, map[string]any{"kid": f.keyID}, f.claims(map[string]any{"nbf": f.now.Add(5 * time.Minute).Unix()})), want, f.now,
			[]string{"not valid yet: nbf is 5m from now"}},

		{"kid nowhere", f.sign(t, f.key, nil, f.claims(map[string]any{"kid": nil})), want, f.now,
			[]string{"kid is missing from both header and claims"}},
		{"kid not a string", f.sign(t, f.key, nil, f.claims(map[string]any{"kid": 42})), want, f.now,
			[]string{"kid in the claims is not a non-empty string"}},
		{"kid of another key in both", f.sign(t, f.key, map[string]any{"kid": "otherKey"}, f.claims(map[string]any{"kid": "otherKey"})), want, f.now,
			[]string{`kid "otherKey" (in the header) is not the configured signing key ID "` + f.keyID + `"`,
				`kid "otherKey" (in the claims) is not the configured`}},
		{"header and claims kids differ", f.sign(t, f.key, map[string]any{"kid": "otherKey"}, f.claims(nil)), want, f.now,
			[]string{`the header's kid "otherKey" and the claims' kid "` + f.keyID + `" differ`, `(in the header) is not the configured`}},

		{"wrong sub", good, muxverify.Expect{KeyID: f.keyID, PlaybackID: otherID, Type: muxsign.Video}, f.now,
			[]string{`sub is "` + verifyID + `" but the playback ID is "` + otherID + `"`}},
		{"no sub", f.sign(t, f.key, nil, f.claims(map[string]any{"sub": nil})), want, f.now, []string{"sub is missing"}},
		{"video token used for a thumbnail", good, muxverify.Expect{KeyID: f.keyID, PlaybackID: verifyID, Type: muxsign.Thumbnail}, f.now,
			[]string{`aud is "v" (video) but a thumbnail needs aud "t"`}},
		{"no aud", f.sign(t, f.key, nil, f.claims(map[string]any{"aud": nil})), want, f.now, []string{"aud is missing"}},
		{"unknown aud", f.sign(t, f.key, nil, f.claims(map[string]any{"aud": "x"})), want, f.now, []string{`aud "x" is not one Mux knows`}},
		{"aud a list", f.sign(t, f.key, nil, f.claims(map[string]any{"aud": []string{"v"}})), want, f.now, []string{"aud is not a single string"}},

		{"everything wrong at once", f.sign(t, f.other, map[string]any{"kid": "otherKey"}, map[string]any{"sub": otherID, "aud": "t", "exp": f.now.Add(-time.Minute).Unix()}),
			want, f.now, []string{"bad signature", `(in the header) is not the configured`, `sub is "` + otherID + `"`, `aud is "t"`, "expired 1m ago"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := muxverify.Verify(tt.token, &f.key.PublicKey, tt.want, tt.now)
			if r == nil {
				t.Fatal("nil report")
			}
			var te *muxverify.TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TokenError", err)
			}
			if r.Valid() || !slices.Equal(te.Problems, r.Problems) {
				t.Errorf("Valid() = %v, TokenError.Problems = %q, Report.Problems = %q", r.Valid(), te.Problems, r.Problems)
			}
			if len(r.Problems) != len(tt.problems) {
				t.Errorf("problems = %q, want %d of them", r.Problems, len(tt.problems))
			}
			for _, frag := range tt.problems {
				if !slices.ContainsFunc(r.Problems, func(p string) bool { return strings.Contains(p, frag) }) {
					t.Errorf("no problem contains %q; problems = %q", frag, r.Problems)
				}
			}
		})
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestVerifyWarnings(t *testing.T) {
	f := newVerifyFixture(t)
	want := muxverify.Expect{KeyID: f.keyID, PlaybackID: verifyID, Type: muxsign.Video}
	tests := []struct {
		name     string
		header   map[string]any
		claims   map[string]any
		now      time.Time
		warnings []string
	}{
		{"expires in 5 minutes", nil, f.claims(nil), f.now.Add(55 * time.Minute), []string{"expires in 5m"}},
		{"a thumbnail option on a video token", nil, f.claims(map[string]any{"time": "10"}), f.now,
			[]string{"option time: does not apply to type video"}},
		{"a bad option value", nil, f.claims(map[string]any{"max_resolution": "999p"}), f.now, []string{"option max_resolution: must be one of"}},
		{"an unknown claim", nil, f.claims(map[string]any{"foo": 1}), f.now, []string{"option foo: is not an option Mux reads"}},
		{"custom not an object", nil, f.claims(map[string]any{"custom": "x"}), f.now, []string{"custom should be a JSON object"}},
		{"bad restriction ID", nil, f.claims(map[string]any{"playback_restriction_id": "a b"}), f.now, []string{"playback_restriction_id a b is not"}},
		{"typ not JWT", map[string]any{"typ": "at+jwt"}, f.claims(nil), f.now, []string{`typ is "at+jwt"`}},
		{"iat in the future", nil, f.claims(map[string]any{"iat": f.now.Add(2 * time.Hour).Unix()}), f.now, []string{"iat is 2h in the future"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := f.sign(t, f.key, tt.header, tt.claims)
			r, err := muxverify.Verify(tok, &f.key.PublicKey, want, tt.now)
			if err != nil {
				t.Fatalf("Verify: %v (warnings alone must not reject)", err)
			}
			if len(r.Warnings) != len(tt.warnings) {
				t.Errorf("warnings = %q, want %d of them", r.Warnings, len(tt.warnings))
			}
			for _, frag := range tt.warnings {
				if !slices.ContainsFunc(r.Warnings, func(p string) bool { return strings.Contains(p, frag) }) {
					t.Errorf("no warning contains %q; warnings = %q", frag, r.Warnings)
				}
			}
		})
	}
}

// With no expectations, only the token itself is checked; with no key, the
// signature is not checked and the report says so.
func TestVerifyPartialChecks(t *testing.T) {
	f := newVerifyFixture(t)
	tok := f.sign(t, f.other, map[string]any{"kid": "otherKey"}, f.claims(map[string]any{"kid": "otherKey", "aud": "g"}))
	r, err := muxverify.Verify("  "+tok+"\n", nil, muxverify.Expect{}, f.now)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if r.SignatureChecked || r.SignatureValid || r.Type != muxsign.GIF || r.ClaimKeyID != "otherKey" {
		t.Errorf("report = %+v", r)
	}
}

// User input in a report is printable and bounded.
func TestVerifyQuotesSafely(t *testing.T) {
	f := newVerifyFixture(t)
	evil := "x\x1b[31m\n" + strings.Repeat("A", 500)
	tok := f.sign(t, f.key, nil, f.claims(map[string]any{"sub": evil, "kid": evil, evil: evil}))
	r, _ := muxverify.Verify(tok, &f.key.PublicKey, muxverify.Expect{KeyID: f.keyID, PlaybackID: verifyID}, f.now)
	all := strings.Join(append(append([]string{r.PlaybackID, r.ClaimKeyID}, r.Problems...), r.Warnings...), "|")
	for k, v := range r.Options {
		all += k + v
	}
	if strings.ContainsAny(all, "\x1b\n") || strings.Contains(all, strings.Repeat("A", 250)) {
		t.Errorf("report quotes raw or unbounded input: %q", all)
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{400 * time.Millisecond, "0s"},
		{42 * time.Second, "42s"},
		{-42 * time.Second, "42s"},
		{time.Hour, "1h"},
		{2*time.Hour + 5*time.Minute + 7*time.Second, "2h 5m"},
		{24*time.Hour + 5*time.Minute, "1d"},
		{7*24*time.Hour + 3*time.Hour, "7d 3h"},
		{90 * time.Second, "1m 30s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := muxverify.HumanDuration(tt.d); got != tt.want {
				t.Errorf("HumanDuration(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}
