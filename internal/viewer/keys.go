package viewer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Key fetching limits.
const (
	FetchTimeout       = 4 * time.Second // one discovery or JWKS request
	RefreshMinInterval = time.Minute     // at most one fetch attempt per interval, whatever the tokens say
	DefaultRefresh     = time.Hour       // periodic refresh without Cache-Control max-age
	maxRefresh         = 24 * time.Hour  // upper bound on max-age
)

// keyEntry is one public key from the provider's JWKS.
type keyEntry struct {
	kid string
	alg string // "" when the JWK names none: any algorithm fitting the key type
	key any    // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// unavailableError is what the key source returns when it has no keys and
// may not fetch again yet.
type unavailableError struct {
	retry time.Duration
	err   error
}

func (e *unavailableError) Error() string { return "provider keys unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// keySource fetches and caches one provider's keys: lazily, with a timeout,
// at most one attempt per RefreshMinInterval (fetches are serialized, and a
// flood of unknown key ids waits behind one), fail closed.
type keySource struct {
	issuer    string // for discovery; "" with a direct JWKS URL
	jwksURL   string // configured JWKS URL; "" to discover
	client    *http.Client
	log       *slog.Logger
	minPeriod time.Duration

	fetchMu sync.Mutex // held during a fetch

	mu        sync.Mutex // guards the fields below
	keys      []keyEntry
	resolved  string // jwks_uri from discovery, reused until a fetch fails
	fetched   bool   // some fetch succeeded
	due       time.Time
	attempted bool
	last      time.Time // last attempt
	lastErr   error
}

func newKeySource(c Config, client *http.Client, log *slog.Logger) *keySource {
	s := &keySource{jwksURL: c.JWKSURL, client: client, log: log, minPeriod: RefreshMinInterval}
	if c.JWKSURL == "" {
		s.issuer = c.Issuer
	}
	return s
}

// mayFetch reports whether an attempt is allowed at now (s.mu held).
func (s *keySource) mayFetch(now time.Time) bool {
	if !s.attempted {
		return true
	}
	d := now.Sub(s.last)
	return d >= s.minPeriod || d < -s.minPeriod // also when the clock went back
}

// get returns the current keys, fetching first when none were fetched yet,
// when a refresh is due, or when kid is not among them, as the rate limit
// allows.
func (s *keySource) get(ctx context.Context, kid string, now time.Time) ([]keyEntry, error) {
	s.mu.Lock()
	need := !s.fetched || !now.Before(s.due) || (kid != "" && !hasKid(s.keys, kid))
	s.mu.Unlock()
	if need {
		// refresh waits for a fetch already under way (requests that arrive
		// during the first fetch get its keys, not a 503), then fetches
		// only if the rate limit allows.
		s.refresh(ctx, now, false)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.fetched {
		retry := s.minPeriod - now.Sub(s.last)
		if retry > s.minPeriod {
			retry = s.minPeriod
		}
		err := s.lastErr
		if err == nil {
			err = fmt.Errorf("no keys fetched yet")
		}
		return nil, &unavailableError{retry: retry, err: err}
	}
	return s.keys, nil
}

// refresh fetches the keys once; force skips the rate limit (Probe). The
// request's cancellation does not abort it: a client that goes away must not
// leave the instance without keys for a whole interval.
func (s *keySource) refresh(ctx context.Context, now time.Time, force bool) error {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	s.mu.Lock()
	if !force && !s.mayFetch(now) {
		s.mu.Unlock()
		return nil // another request fetched while this one waited
	}
	s.attempted, s.last = true, now
	url := s.resolved
	s.mu.Unlock()

	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), FetchTimeout)
	defer cancel()
	var err error
	if url == "" && s.jwksURL != "" {
		url = s.jwksURL
	} else if url == "" {
		url, err = discover(fctx, s.client, s.issuer)
	}
	var keys []keyEntry
	var age time.Duration
	if err == nil {
		keys, age, err = fetchJWKS(fctx, s.client, url)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.lastErr = err
		s.resolved = ""
		if s.fetched {
			s.log.Warn("viewer: refreshing the provider's keys failed; keeping the keys from the last fetch", "err", err, "next_attempt_in", s.minPeriod)
		} else {
			s.log.Error("viewer: the provider's keys could not be fetched; viewers get 503 until a fetch succeeds", "err", err, "next_attempt_in", s.minPeriod)
		}
		return err
	}
	if age == 0 {
		age = DefaultRefresh
	}
	s.keys, s.resolved, s.fetched, s.lastErr = keys, url, true, nil
	s.due = now.Add(min(max(age, s.minPeriod), maxRefresh))
	return nil
}

func hasKid(keys []keyEntry, kid string) bool {
	for _, k := range keys {
		if k.kid == kid {
			return true
		}
	}
	return false
}
