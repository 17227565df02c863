package muxsign

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

// cacheTestKey is the key and key ID of the conformance vectors.
type cacheTestKey struct {
	KeyID string `json:"keyId"`
	Keys  struct {
		PKCS1PEM string `json:"pkcs1_pem"`
	} `json:"keys"`
}

// cacheTestSigner returns a Signer for the throwaway key of the conformance
// vectors in testdata.
func cacheTestSigner(tb testing.TB) *Signer {
	tb.Helper()
	raw := testkeys.Vectors(tb)
	var v cacheTestKey
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatal(err)
	}
	key, err := ParsePrivateKey(v.Keys.PKCS1PEM)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := NewSigner(v.KeyID, key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

const cacheTestID = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"

var cacheTestExp = time.Unix(1764500000+604800, 0)

func cacheTestClaims() Claims {
	return Claims{PlaybackID: cacheTestID, Type: Video, ExpiresAt: cacheTestExp}
}

// payloadOf decodes the claims of a token.
func payloadOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCacheDistinctClaims checks that every input of the token is part of the
// key: changing any one of them is a miss that returns exactly the token the
// Signer makes for those claims, and asking again is a hit with the same
// token.
func TestCacheDistinctClaims(t *testing.T) {
	s := cacheTestSigner(t)
	c := NewCache(s, 100)
	base := cacheTestClaims()
	tests := []struct {
		name   string
		change func(*Claims)
	}{
		{"base", func(*Claims) {}},
		{"other playback ID", func(c *Claims) { c.PlaybackID = "other0000000000000000000000000000" }},
		{"other type", func(c *Claims) { c.Type = Thumbnail }},
		{"exp one second later", func(c *Claims) { c.ExpiresAt = c.ExpiresAt.Add(time.Second) }},
		{"restriction ID", func(c *Claims) { c.PlaybackRestrictionID = "restrict0001" }},
		{"an option", func(c *Claims) { c.Params = map[string]string{"max_resolution": "720p"} }},
		{"option of other value", func(c *Claims) { c.Params = map[string]string{"max_resolution": "1080p"} }},
		{"two options", func(c *Claims) {
			c.Params = map[string]string{"max_resolution": "720p", "min_resolution": "270p"}
		}},
		{"thumbnail with options", func(c *Claims) {
			c.Type = Thumbnail
			c.Params = map[string]string{"time": "10", "width": "640"}
		}},
		{"thumbnail with other options", func(c *Claims) {
			c.Type = Thumbnail
			c.Params = map[string]string{"time": "10", "height": "640"}
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := base
			tt.change(&cl)
			want, err := s.Sign(cl)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Sign(cl)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("miss: got a token other than the signer's")
			}
			again, err := c.Sign(cl)
			if err != nil {
				t.Fatal(err)
			}
			if again != want {
				t.Errorf("hit: got a token other than the signer's")
			}
			st := c.Stats()
			if st.Misses != uint64(i+1) || st.Hits != uint64(i+1) || st.Len != i+1 {
				t.Errorf("after %d distinct claims, each asked twice: %+v", i+1, st)
			}
		})
	}
}

// TestCacheParamOrderIsOneKey checks that the same options, however the map
// was built, are one entry.
func TestCacheParamOrderIsOneKey(t *testing.T) {
	c := NewCache(cacheTestSigner(t), 10)
	cl := cacheTestClaims()
	cl.Type = Thumbnail
	names := []string{"time", "width", "height", "fit_mode", "rotate"}
	values := []string{"1.5", "320", "240", "pad", "90"}
	for round := range 5 {
		p := make(map[string]string)
		for i := range names {
			j := (i + round) % len(names)
			p[names[j]] = values[j]
		}
		cl.Params = p
		if _, err := c.Sign(cl); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.Stats(); st.Misses != 1 || st.Hits != 4 {
		t.Errorf("same options five times: %+v, want 1 miss and 4 hits", st)
	}
}

// TestEncodeParamsUnambiguous checks pairs of option maps that a naive
// encoding (k=v joined with a separator) would confuse.
func TestEncodeParamsUnambiguous(t *testing.T) {
	tests := []struct {
		name string
		a, b map[string]string
	}{
		{"separator in value", map[string]string{"a": "1,b=2"}, map[string]string{"a": "1", "b": "2"}},
		{"name and value swap boundary", map[string]string{"ab": "c"}, map[string]string{"a": "bc"}},
		{"NUL in value", map[string]string{"a": "1\x00b\x002"}, map[string]string{"a": "1", "b": "2"}},
		{"digits and colons", map[string]string{"1:a": "1:b"}, map[string]string{"1": "a1:b"}},
		{"empty value", map[string]string{"a": ""}, map[string]string{}},
		{"nil and empty value", map[string]string{"": ""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ea, eb := encodeParams(tt.a), encodeParams(tt.b); ea == eb {
				t.Errorf("%q and %q both encode as %q", tt.a, tt.b, ea)
			}
		})
	}
	if got := encodeParams(nil); got != "" {
		t.Errorf("encodeParams(nil) = %q, want empty", got)
	}
}

// TestCacheLRU checks that the least recently used token goes first and that
// the cache never holds more than its size.
func TestCacheLRU(t *testing.T) {
	c := NewCache(cacheTestSigner(t), 2)
	claims := func(id string) Claims {
		cl := cacheTestClaims()
		cl.PlaybackID = id
		return cl
	}
	steps := []struct {
		id      string
		wantHit bool
		wantLen int
	}{
		{"aaaa", false, 1},
		{"bbbb", false, 2},
		{"aaaa", true, 2},  // a is now the most recently used
		{"cccc", false, 2}, // evicts b
		{"aaaa", true, 2},
		{"bbbb", false, 2}, // b was evicted; evicts c
		{"cccc", false, 2},
		{"bbbb", true, 2},
	}
	for i, st := range steps {
		t.Run(fmt.Sprintf("%d %s", i, st.id), func(t *testing.T) {
			before := c.Stats()
			if _, err := c.Sign(claims(st.id)); err != nil {
				t.Fatal(err)
			}
			after := c.Stats()
			if hit := after.Hits > before.Hits; hit != st.wantHit {
				t.Errorf("hit = %v, want %v", hit, st.wantHit)
			}
			if after.Len != st.wantLen {
				t.Errorf("Len = %d, want %d", after.Len, st.wantLen)
			}
		})
	}
	if ev := c.Stats().Evictions; ev != 3 {
		t.Errorf("Evictions = %d, want 3", ev)
	}
}

// TestCacheSingleSignature starts many goroutines asking at once for the
// same claims: exactly one of them signs, the others wait for it or hit.
func TestCacheSingleSignature(t *testing.T) {
	const n = 64
	c := NewCache(cacheTestSigner(t), 10)
	cl := cacheTestClaims()
	start := make(chan struct{})
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			tokens[i], errs[i] = c.Sign(cl)
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if tokens[i] != tokens[0] {
			t.Fatalf("caller %d got another token", i)
		}
	}
	st := c.Stats()
	if st.Misses != 1 {
		t.Errorf("Misses = %d, want exactly one signature for %d concurrent callers", st.Misses, n)
	}
	if st.Misses+st.Shared+st.Hits != n {
		t.Errorf("stats %+v do not add up to %d calls", st, n)
	}
}

// TestCacheConcurrentMixed runs many goroutines over more keys than the
// cache holds, for the race detector, and checks every token against the
// signer's.
func TestCacheConcurrentMixed(t *testing.T) {
	s := cacheTestSigner(t)
	c := NewCache(s, 4)
	const keys = 8
	want := make([]string, keys)
	claims := make([]Claims, keys)
	for i := range keys {
		claims[i] = cacheTestClaims()
		claims[i].PlaybackID = fmt.Sprintf("id%d", i)
		var err error
		if want[i], err = s.Sign(claims[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for j := range 24 {
				k := (g*7 + j*3) % keys
				tok, err := c.Sign(claims[k])
				if err == nil && tok != want[k] {
					err = fmt.Errorf("key %d: wrong token", k)
				}
				if err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if st := c.Stats(); st.Len > 4 {
		t.Errorf("Len = %d, over the size 4", st.Len)
	}
}

// TestCacheUncacheable checks the claims that are signed every time: with
// Custom data, and (on error) invalid ones; and a cache of size zero.
func TestCacheUncacheable(t *testing.T) {
	s := cacheTestSigner(t)
	withCustom := cacheTestClaims()
	withCustom.Custom = map[string]any{"session": "abc"}
	invalid := cacheTestClaims()
	invalid.Params = map[string]string{"time": "5"} // not an option of video
	noExp := cacheTestClaims()
	noExp.ExpiresAt = time.Time{}
	tests := []struct {
		name       string
		size       int
		cl         Claims
		wantErr    bool
		wantMisses uint64
	}{
		{"custom", 10, withCustom, false, 0},
		{"size zero", 0, cacheTestClaims(), false, 0},
		{"invalid option", 10, invalid, true, 2},
		{"no expiry", 10, noExp, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCache(s, tt.size)
			want, wantErr := s.Sign(tt.cl)
			for range 2 {
				got, err := c.Sign(tt.cl)
				if (err != nil) != tt.wantErr || (wantErr != nil) != tt.wantErr {
					t.Fatalf("err = %v, signer err = %v, want error: %v", err, wantErr, tt.wantErr)
				}
				if got != want {
					t.Errorf("got a token other than the signer's")
				}
			}
			st := c.Stats()
			if st.Len != 0 || st.Hits != 0 || st.Misses != tt.wantMisses {
				t.Errorf("stats %+v: want nothing stored, no hits, %d misses", st, tt.wantMisses)
			}
		})
	}
}

// TestCacheServesPromisedLife checks that a hit carries the exp the caller
// asked for, never an older one: the exp is part of the key.
func TestCacheServesPromisedLife(t *testing.T) {
	c := NewCache(cacheTestSigner(t), 10)
	const grain = time.Hour
	life := 7 * 24 * time.Hour
	now := time.Unix(1764496800, 0) // a whole hour, so the grain steps below are predictable
	for _, step := range []time.Duration{0, time.Minute, 59 * time.Minute, time.Hour, 90 * time.Minute, 3 * time.Hour} {
		t.Run(step.String(), func(t *testing.T) {
			at := now.Add(step)
			cl := cacheTestClaims()
			cl.ExpiresAt = ExpiresAt(at, life, grain)
			tok, err := c.Sign(cl)
			if err != nil {
				t.Fatal(err)
			}
			exp := int64(payloadOf(t, tok)["exp"].(float64))
			if exp != cl.ExpiresAt.Unix() {
				t.Errorf("exp = %d, want the asked-for %d", exp, cl.ExpiresAt.Unix())
			}
			if left := time.Unix(exp, 0).Sub(at); left <= life-grain || left > life {
				t.Errorf("life left %s, want within (%s, %s]", left, life-grain, life)
			}
		})
	}
	// 0, 1m, 59m share a grain; 1h and 90m share the next; 3h is a third.
	if st := c.Stats(); st.Misses != 3 || st.Hits != 3 {
		t.Errorf("stats %+v, want 3 misses and 3 hits", st)
	}
}

// TestCacheHitAllocations checks that a hit without options allocates
// nothing, and one with options little.
func TestCacheHitAllocations(t *testing.T) {
	c := NewCache(cacheTestSigner(t), 10)
	thumb := cacheTestClaims()
	thumb.Type = Thumbnail
	thumb.Params = map[string]string{"time": "10", "width": "640"}
	tests := []struct {
		name string
		cl   Claims
		max  float64
	}{
		{"no options", cacheTestClaims(), 0},
		{"two options", thumb, 3}, // names slice, key string, itoa
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Sign(tt.cl); err != nil {
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(100, func() {
				if _, err := c.Sign(tt.cl); err != nil {
					t.Fatal(err)
				}
			})
			if allocs > tt.max {
				t.Errorf("a hit allocates %.1f times, want at most %.0f", allocs, tt.max)
			}
		})
	}
}
