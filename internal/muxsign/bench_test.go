package muxsign

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

// The benchmarks below are the muxsign half of `make bench`: the bare RSA
// signature is the floor every fresh token pays, and the rest is measured
// against it. They never pass or fail on time.

// BenchmarkRSASignPKCS1v15 is the bare RS256 signature with the same key,
// over a token's header and claims: what no signer can avoid.
func BenchmarkRSASignPKCS1v15(b *testing.B) {
	s := cacheTestSigner(b)
	tok, err := s.Sign(cacheTestClaims())
	if err != nil {
		b.Fatal(err)
	}
	signingInput := tok[:len(tok)-342-1] // header.claims; an RSA-2048 signature is 342 base64url characters
	b.ReportAllocs()
	for b.Loop() {
		digest := sha256.Sum256([]byte(signingInput))
		if _, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// benchClaims are the claims the signing and cache benchmarks run on: a
// plain video token, and a thumbnail token with two options.
func benchClaims() []struct {
	name string
	cl   Claims
} {
	thumb := cacheTestClaims()
	thumb.Type = Thumbnail
	thumb.Params = map[string]string{"time": "10", "width": "640"}
	return []struct {
		name string
		cl   Claims
	}{
		{"video", cacheTestClaims()},
		{"thumbnail with options", thumb},
	}
}

// BenchmarkSignerSign is one token, validated, encoded and signed.
func BenchmarkSignerSign(b *testing.B) {
	s := cacheTestSigner(b)
	for _, bc := range benchClaims() {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Sign(bc.cl); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCacheHit is a token the cache already holds.
func BenchmarkCacheHit(b *testing.B) {
	s := cacheTestSigner(b)
	for _, bc := range benchClaims() {
		b.Run(bc.name, func(b *testing.B) {
			c := NewCache(s, 100)
			if _, err := c.Sign(bc.cl); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Sign(bc.cl); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCacheHitParallel is hits on a few popular IDs from every core at
// once: the cost of the cache's lock under contention.
func BenchmarkCacheHitParallel(b *testing.B) {
	c := NewCache(cacheTestSigner(b), 100)
	claims := make([]Claims, 16)
	for i := range claims {
		claims[i] = cacheTestClaims()
		claims[i].PlaybackID = "popular" + strconv.Itoa(i)
		if _, err := c.Sign(claims[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := c.Sign(claims[i%len(claims)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkCacheMiss is a token the cache does not hold, in a full cache:
// the signature plus storing it and evicting the oldest.
func BenchmarkCacheMiss(b *testing.B) {
	c := NewCache(cacheTestSigner(b), 100)
	cl := cacheTestClaims()
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = "miss" + strconv.Itoa(i)
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		// Every (ID, exp) pair is new: cycle the IDs, then move exp on.
		cl.PlaybackID = ids[i%len(ids)]
		cl.ExpiresAt = cacheTestExp.Add(time.Duration(i/len(ids)) * time.Second)
		if _, err := c.Sign(cl); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if st := c.Stats(); st.Hits != 0 {
		b.Fatalf("%d hits in a benchmark of misses", st.Hits)
	}
}

// BenchmarkParsePrivateKey is reading the key from the environment, once
// per cold start, in the forms Mux and people give it.
func BenchmarkParsePrivateKey(b *testing.B) {
	raw := testkeys.Vectors(b)
	var v struct {
		Keys map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		b.Fatal(err)
	}
	for _, form := range []string{"pkcs1_pem_base64", "pkcs1_pem", "pkcs8_pem"} {
		b.Run(form, func(b *testing.B) {
			key := v.Keys[form]
			if key == "" {
				b.Fatalf("no key %s in the vectors", form)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParsePrivateKey(key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
