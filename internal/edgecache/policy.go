package edgecache

import (
	"strconv"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

// Environment variables this package reads.
const (
	// EnvEdgeCache turns edge caching on (true) or off (false, the default).
	EnvEdgeCache = "MUX_EDGE_CACHE"
	// EnvEdgeCacheErrors is how many seconds a refusal by the site's
	// playback ID policy (403) may be served from the edge; 0, the default,
	// never caches it.
	EnvEdgeCacheErrors = "MUX_EDGE_CACHE_ERRORS"

	// MaxErrorTTL bounds EnvEdgeCacheErrors: a refusal cached longer would
	// outlive the change of policy that lifts it by too much.
	MaxErrorTTL = time.Hour
)

// Policy is the site owner's choice: whether Netlify's CDN may cache answers,
// and for how long a policy refusal may be cached.
type Policy struct {
	Enabled  bool
	ErrorTTL time.Duration // whole seconds, 0 to MaxErrorTTL
}

// LoadPolicy reads the policy from getenv. Unset variables keep the defaults
// (off). The error is an *envconf.Error naming each bad variable.
func LoadPolicy(getenv func(string) string) (Policy, error) {
	var p Policy
	var problems envconf.Problems
	if v := strings.TrimSpace(getenv(EnvEdgeCache)); v != "" {
		b, err := envconf.ParseBool(v)
		if err != nil {
			problems.Add(EnvEdgeCache, "must be true or false (turns caching of answers on Netlify's CDN on or off)")
		}
		p.Enabled = b
	}
	if v := strings.TrimSpace(getenv(EnvEdgeCacheErrors)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || time.Duration(n)*time.Second > MaxErrorTTL {
			problems.Add(EnvEdgeCacheErrors, "must be a whole number of seconds from 0 (never cache refusals) to %d", int(MaxErrorTTL/time.Second))
		} else {
			p.ErrorTTL = time.Duration(n) * time.Second
		}
	}
	return p, problems.Err()
}
