package muxsign_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

// decodedJWT is a compact JWS taken apart, with nothing checked.
type decodedJWT struct {
	header, claims map[string]any
	rawHeader      string // the JSON, as signed
	rawClaims      string
	signingInput   string // header.claims, base64url
	sig            []byte
}

// decodeJWTForTest splits tok and decodes its parts strictly: three
// base64url segments without padding, JSON objects for the first two.
func decodeJWTForTest(t testing.TB, tok string) decodedJWT {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	var d decodedJWT
	raw := make([][]byte, 3)
	for i, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil {
			t.Fatalf("segment %d is not unpadded base64url: %v", i, err)
		}
		raw[i] = b
	}
	d.rawHeader, d.rawClaims, d.sig = string(raw[0]), string(raw[1]), raw[2]
	if err := json.Unmarshal(raw[0], &d.header); err != nil {
		t.Fatalf("header: %v", err)
	}
	if err := json.Unmarshal(raw[1], &d.claims); err != nil {
		t.Fatalf("claims: %v", err)
	}
	d.signingInput = parts[0] + "." + parts[1]
	return d
}

// verifyRS256 checks tok's RS256 signature with pub, by hand, so that no
// library leniency hides a difference.
func verifyRS256(tok string, pub *rsa.PublicKey) error {
	i := strings.LastIndexByte(tok, '.')
	if i < 0 {
		return fmt.Errorf("no signature")
	}
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(tok[:i]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

func fixtureSigner(t testing.TB, keyID string) *muxsign.Signer {
	t.Helper()
	k, err := muxsign.ParsePrivateKey(testkeys.PEM(t, "rsa2048_pkcs1.pem.b64"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := muxsign.NewSigner(keyID, k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSigner(t *testing.T) {
	k, err := muxsign.ParsePrivateKey(testkeys.PEM(t, "rsa2048_pkcs1.pem"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		keyID string
		key   *rsa.PrivateKey
		ok    bool
	}{
		{"good", "sharedTestKeyId00aBcDeFgHiJkLmNoPqRsTuVwXyZ012", k, true},
		{"one character", "a", k, true},
		{"empty ID", "", k, false},
		{"ID with space", "abc def", k, false},
		{"ID with quote", `abc"`, k, false},
		{"ID too long", strings.Repeat("a", 129), k, false},
		{"nil key", "abc", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := muxsign.NewSigner(tt.keyID, tt.key)
			if (err == nil) != tt.ok {
				t.Fatalf("NewSigner = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (s.KeyID() != tt.keyID || !s.PublicKey().Equal(&k.PublicKey)) {
				t.Fatal("KeyID or PublicKey do not match the inputs")
			}
		})
	}
}

func TestSignTokenShape(t *testing.T) {
	const keyID = "testKey0123"
	s := fixtureSigner(t, keyID)
	exp := time.Unix(1765104800, 0)
	tests := []struct {
		name   string
		claims muxsign.Claims
		want   map[string]any
	}{
		{
			"video",
			muxsign.Claims{PlaybackID: "abc123", Type: muxsign.Video, ExpiresAt: exp},
			map[string]any{"sub": "abc123", "aud": "v", "exp": 1765104800.0, "kid": keyID},
		},
		{
			"thumbnail with options",
			muxsign.Claims{PlaybackID: "abc123", Type: muxsign.Thumbnail, ExpiresAt: exp, Params: map[string]string{"time": "10", "width": "640"}},
			map[string]any{"sub": "abc123", "aud": "t", "exp": 1765104800.0, "kid": keyID, "time": "10", "width": "640"},
		},
		{
			"gif",
			muxsign.Claims{PlaybackID: "abc123", Type: muxsign.GIF, ExpiresAt: exp, Params: map[string]string{"start": "1", "end": "3", "fps": "15"}},
			map[string]any{"sub": "abc123", "aud": "g", "exp": 1765104800.0, "kid": keyID, "start": "1", "end": "3", "fps": "15"},
		},
		{
			"storyboard",
			muxsign.Claims{PlaybackID: "abc123", Type: muxsign.Storyboard, ExpiresAt: exp},
			map[string]any{"sub": "abc123", "aud": "s", "exp": 1765104800.0, "kid": keyID},
		},
		{
			"drm license",
			muxsign.Claims{PlaybackID: "abc123", Type: muxsign.DRMLicense, ExpiresAt: exp},
			map[string]any{"sub": "abc123", "aud": "d", "exp": 1765104800.0, "kid": keyID},
		},
		{
			"restriction and custom data",
			muxsign.Claims{PlaybackID: "abc123", Type: muxsign.Video, ExpiresAt: exp, PlaybackRestrictionID: "restr1", Custom: map[string]any{"session_id": "xxxx-123"}},
			map[string]any{"sub": "abc123", "aud": "v", "exp": 1765104800.0, "kid": keyID, "playback_restriction_id": "restr1", "custom": map[string]any{"session_id": "xxxx-123"}},
		},
		{
			"sub-second expiry floors",
			muxsign.Claims{PlaybackID: "abc123", Type: muxsign.Video, ExpiresAt: exp.Add(900 * time.Millisecond)},
			map[string]any{"sub": "abc123", "aud": "v", "exp": 1765104800.0, "kid": keyID},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := s.Sign(tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			d := decodeJWTForTest(t, tok)
			wantHeader := map[string]any{"alg": "RS256", "typ": "JWT", "kid": keyID}
			if !maps.Equal(d.header, wantHeader) {
				t.Fatalf("header = %v, want %v", d.header, wantHeader)
			}
			if got, want := fmt.Sprint(d.claims), fmt.Sprint(tt.want); got != want {
				t.Fatalf("claims = %s, want %s", got, want)
			}
			if err := verifyRS256(tok, s.PublicKey()); err != nil {
				t.Fatalf("signature: %v", err)
			}
			if err := verifyRS256(tok, testkeys.Public(t, "rsa2048_public.pem")); err != nil {
				t.Fatalf("signature with the fixture public key: %v", err)
			}
			again, err := s.Sign(tt.claims)
			if err != nil || again != tok {
				t.Fatal("signing the same claims twice gave different tokens")
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	s := fixtureSigner(t, "testKey0123")
	exp := time.Unix(1765104800, 0)
	good := muxsign.Claims{PlaybackID: "abc123", Type: muxsign.Video, ExpiresAt: exp}
	tests := []struct {
		name   string
		change func(*muxsign.Claims)
	}{
		{"no playback ID", func(c *muxsign.Claims) { c.PlaybackID = "" }},
		{"bad playback ID", func(c *muxsign.Claims) { c.PlaybackID = "abc/../x" }},
		{"no type", func(c *muxsign.Claims) { c.Type = "" }},
		{"unknown type", func(c *muxsign.Claims) { c.Type = "image" }},
		{"no expiry", func(c *muxsign.Claims) { c.ExpiresAt = time.Time{} }},
		{"bad restriction ID", func(c *muxsign.Claims) { c.PlaybackRestrictionID = "a b" }},
		{"option of another type", func(c *muxsign.Claims) { c.Params = map[string]string{"time": "1"} }},
		{"bad option value", func(c *muxsign.Claims) { c.Type, c.Params = muxsign.GIF, map[string]string{"fps": "60"} }},
		{"params overriding sub", func(c *muxsign.Claims) { c.Params = map[string]string{"sub": "other"} }},
		{"params overriding aud", func(c *muxsign.Claims) { c.Params = map[string]string{"aud": "t"} }},
		{"params overriding exp", func(c *muxsign.Claims) { c.Params = map[string]string{"exp": "9999999999"} }},
		{"params overriding kid", func(c *muxsign.Claims) { c.Params = map[string]string{"kid": "other"} }},
		{"params setting restriction", func(c *muxsign.Claims) { c.Params = map[string]string{"playback_restriction_id": "x"} }},
		{"params setting custom", func(c *muxsign.Claims) { c.Params = map[string]string{"custom": "x"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.change(&c)
			if tok, err := s.Sign(c); err == nil {
				t.Fatalf("signed %+v: %s", c, tok)
			}
		})
	}
	if _, err := s.Sign(good); err != nil {
		t.Fatalf("the unchanged claims: %v", err)
	}
}

// TestSignConcurrent: one Signer used from several goroutines gives each the
// same tokens as sequential use (run under -race).
func TestSignConcurrent(t *testing.T) {
	s := fixtureSigner(t, "testKey0123")
	exp := time.Unix(1765104800, 0)
	want := make([]string, 8)
	for i := range want {
		tok, err := s.Sign(muxsign.Claims{PlaybackID: fmt.Sprintf("id%d", i), Type: muxsign.Types[i%len(muxsign.Types)], ExpiresAt: exp})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = tok
	}
	var wg sync.WaitGroup
	got := make([][]string, 4)
	for g := range got {
		wg.Go(func() {
			for i := range want {
				tok, _ := s.Sign(muxsign.Claims{PlaybackID: fmt.Sprintf("id%d", i), Type: muxsign.Types[i%len(muxsign.Types)], ExpiresAt: exp})
				got[g] = append(got[g], tok)
			}
		})
	}
	wg.Wait()
	for g := range got {
		if !slices.Equal(got[g], want) {
			t.Fatalf("goroutine %d got different tokens", g)
		}
	}
}
