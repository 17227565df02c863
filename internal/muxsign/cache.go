package muxsign

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Cache keeps the tokens a Signer made, so that the same claims are signed
// once per instance. It is a bounded least-recently-used map from claims to
// token, safe for concurrent use; concurrent misses on the same claims wait
// for one signature instead of each making their own.
//
// The key is everything that goes into the token: playback ID, type, exp,
// options (numbers in canonical form, see CanonicalParam) and playback
// restriction ID. A hit therefore returns exactly the
// token Signer.Sign would return for the same claims (signing is
// deterministic), with exactly the exp the caller asked for: an entry is never
// served with less life than the caller promised. Entries whose exp has
// passed are never asked for again once callers round exp to a grid (see
// ExpiresAt) and fall out as least recently used.
//
// Claims with Custom data are signed every time and never stored, and so
// are claims without an expiry (which Signer.Sign refuses).
type Cache struct {
	signer *Signer
	size   int

	mu       sync.Mutex
	entries  map[cacheKey]*cacheEntry
	head     cacheEntry // sentinel: head.next is the most recently used
	inflight map[cacheKey]*cacheCall
	stats    CacheStats
}

// CacheStats counts what a Cache did.
type CacheStats struct {
	Hits      uint64 // served from the cache
	Misses    uint64 // signed, then stored
	Shared    uint64 // waited for a concurrent miss on the same claims
	Bypassed  uint64 // not cacheable (Custom set), signed every time
	Evictions uint64 // dropped as least recently used
	Len       int    // tokens held now
}

// cacheKey identifies a token. It is comparable, so that a request with no
// options builds its key without allocating; params is the options in an
// unambiguous encoding (see encodeParams).
type cacheKey struct {
	id          string
	typ         Type
	exp         int64
	restriction string
	params      string
}

type cacheEntry struct {
	key        cacheKey
	token      string
	prev, next *cacheEntry
}

// cacheCall is a signature in progress that other callers may wait for.
type cacheCall struct {
	done  chan struct{}
	token string
	err   error
}

// NewCache returns a Cache in front of s holding at most size tokens. A size
// of zero or less gives a cache that holds nothing and signs every time.
func NewCache(s *Signer, size int) *Cache {
	c := &Cache{
		signer:   s,
		size:     max(size, 0),
		entries:  make(map[cacheKey]*cacheEntry),
		inflight: make(map[cacheKey]*cacheCall),
	}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

// Sign returns the token for cl, from the cache when it holds one. Errors
// are returned to every caller waiting on that signature and never stored.
func (c *Cache) Sign(cl Claims) (string, error) {
	if cl.Custom != nil || c.size == 0 || cl.ExpiresAt.IsZero() {
		c.mu.Lock()
		c.stats.Bypassed++
		c.mu.Unlock()
		return c.signer.Sign(cl)
	}
	cl.Params = canonicalValues(cl.Type, cl.Params) // "0640" and "640" are one entry
	key := keyOf(cl)

	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.moveToFront(e)
		c.stats.Hits++
		token := e.token // read under the lock: an evicted node is reused
		c.mu.Unlock()
		return token, nil
	}
	if call, ok := c.inflight[key]; ok {
		c.stats.Shared++
		c.mu.Unlock()
		<-call.done
		return call.token, call.err
	}
	call := &cacheCall{done: make(chan struct{})}
	c.inflight[key] = call
	c.stats.Misses++
	c.mu.Unlock()

	// Whatever happens in Sign (even a panic), waiters must be released and
	// the in-flight entry removed, or later requests for this key would hang.
	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		if call.err == nil && call.token != "" {
			c.add(key, call.token)
		}
		c.mu.Unlock()
		close(call.done)
	}()
	call.err = errSignPanicked
	call.token, call.err = c.signer.Sign(cl)
	return call.token, call.err
}

// errSignPanicked is what waiters get if the signature they waited for
// panicked; the panic itself goes on up the first caller's stack.
var errSignPanicked = cacheError("signing panicked")

type cacheError string

func (e cacheError) Error() string { return string(e) }

// Stats returns counts of what the cache did so far.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Len = len(c.entries)
	return s
}

// add stores a token as the most recently used, dropping the least recently
// used one if the cache is full. c.mu must be held.
func (c *Cache) add(key cacheKey, token string) {
	if e, ok := c.entries[key]; ok { // stored meanwhile by a caller that missed earlier
		c.moveToFront(e)
		return
	}
	var e *cacheEntry
	if len(c.entries) >= c.size {
		e = c.head.prev // the least recently used: reuse its node
		c.unlink(e)
		delete(c.entries, e.key)
		c.stats.Evictions++
	} else {
		e = new(cacheEntry)
	}
	e.key, e.token = key, token
	c.entries[key] = e
	c.pushFront(e)
}

func (c *Cache) moveToFront(e *cacheEntry) {
	if c.head.next == e {
		return
	}
	c.unlink(e)
	c.pushFront(e)
}

func (c *Cache) unlink(e *cacheEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

func (c *Cache) pushFront(e *cacheEntry) {
	e.prev = &c.head
	e.next = c.head.next
	c.head.next.prev = e
	c.head.next = e
}

// keyOf returns the cache key of cl: every input of the token but the
// signing key, which is fixed per Cache.
func keyOf(cl Claims) cacheKey {
	return cacheKey{
		id:          cl.PlaybackID,
		typ:         cl.Type,
		exp:         cl.ExpiresAt.Unix(),
		restriction: cl.PlaybackRestrictionID,
		params:      encodeParams(cl.Params),
	}
}

// encodeParams writes params sorted by name, each name and value prefixed
// with its length, so that two different maps never give the same string
// whatever bytes they hold. An empty map gives "" without allocating.
func encodeParams(params map[string]string) string {
	if len(params) == 0 {
		return ""
	}
	names := make([]string, 0, len(params))
	n := 0
	for k, v := range params {
		names = append(names, k)
		n += len(k) + len(v) + 8
	}
	slices.Sort(names)
	var b strings.Builder
	b.Grow(n)
	for _, k := range names {
		v := params[k]
		b.WriteString(strconv.Itoa(len(k)))
		b.WriteByte(':')
		b.WriteString(k)
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}
