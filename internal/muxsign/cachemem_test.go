package muxsign

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCacheEntryBytes measures what one cached token costs in heap:
// b.N distinct thumbnail tokens with two options are signed into a cache
// large enough to hold them all, and the live heap's growth is divided by
// b.N. It reports bytes/entry, the figure MUX_TOKEN_CACHE_SIZE's cap rests
// on; it never passes or fails on the figure.
func BenchmarkCacheEntryBytes(b *testing.B) {
	s := cacheTestSigner(b)
	c := NewCache(s, max(b.N, 1))
	claims := cacheTestClaims()
	claims.Type = Thumbnail
	exp := time.Unix(1893456000, 0)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cl := claims
		cl.ExpiresAt = exp
		cl.Params = map[string]string{"time": strconv.Itoa(i % 86400), "width": strconv.Itoa(1 + i/86400)}
		if _, err := c.Sign(cl); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got := c.Stats().Len; got != b.N {
		b.Fatalf("cache holds %d tokens, want %d", got, b.N)
	}
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "bytes/entry")
	runtime.KeepAlive(c)
}
