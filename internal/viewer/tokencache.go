package viewer

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxCachedTokens bounds the verified-token cache.
const maxCachedTokens = 1024

// tokenCache remembers verified tokens until their exp, keyed by the token's
// SHA-256 (the token itself is never kept).
type tokenCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*Viewer
}

func tokenKey(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

func (c *tokenCache) get(k [sha256.Size]byte, now time.Time) *Viewer {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.m[k]
	if v == nil {
		return nil
	}
	if !now.Before(v.ExpiresAt) {
		delete(c.m, k)
		return nil
	}
	return v
}

func (c *tokenCache) put(k [sha256.Size]byte, v *Viewer, now time.Time) {
	if !now.Before(v.ExpiresAt) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[[sha256.Size]byte]*Viewer)
	}
	if len(c.m) >= maxCachedTokens {
		for key, old := range c.m { // drop the expired, then any, until there is room
			if !now.Before(old.ExpiresAt) {
				delete(c.m, key)
			}
		}
		for key := range c.m {
			if len(c.m) < maxCachedTokens {
				break
			}
			delete(c.m, key)
		}
	}
	c.m[k] = v
}
