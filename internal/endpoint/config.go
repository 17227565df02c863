package endpoint

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/access"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/edgecache"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// Environment variables the function reads.
const (
	EnvSigningKey         = "MUX_SIGNING_KEY"
	EnvPrivateKey         = "MUX_PRIVATE_KEY"
	EnvExpiration         = "MUX_TOKEN_EXPIRATION"
	EnvGrain              = "MUX_TOKEN_GRAIN"
	EnvCacheSize          = "MUX_TOKEN_CACHE_SIZE"
	EnvRestrictionID      = "MUX_PLAYBACK_RESTRICTION_ID"
	EnvAllowedPlaybackIDs = "MUX_ALLOWED_PLAYBACK_IDS"
	EnvAllowedOrigins     = "MUX_ALLOWED_ORIGINS"
	EnvStreamHost         = "MUX_STREAM_HOST"
	EnvImageHost          = "MUX_IMAGE_HOST"
	EnvLicenseHost        = "MUX_LICENSE_HOST"
	EnvDRM                = "MUX_DRM"
	DefaultCacheSize      = 10000
	// MaxCacheSize bounds MUX_TOKEN_CACHE_SIZE: a cached token with its key
	// and LRU entry takes about 1 KB of heap (BenchmarkCacheEntryBytes: 969
	// bytes for a thumbnail token with two options), so the cap is about
	// 100 MB, well inside Netlify's 1024 MB function.
	MaxCacheSize           = 100_000
	maxGrain               = time.Hour
	defaultStreamHost      = "stream.mux.com"
	defaultImageHost       = "image.mux.com"
	defaultLicenseHost     = "license.mux.com"
	maxAllowedListEntries  = 10000
	maxAllowedOriginsCount = 1000
)

// Config is the function's configuration, read once per instance.
type Config struct {
	KeyID string
	Key   *rsa.PrivateKey

	// Expiration is the longest token life; a request may ask for less.
	Expiration time.Duration
	// Grain rounds each token's exp down to a multiple of it, so that
	// requests within one grain get the same token. Zero turns it off.
	Grain time.Duration
	// CacheSize is how many tokens each instance keeps; zero turns the
	// cache off.
	CacheSize int

	// PlaybackRestrictionID is added to every token.
	PlaybackRestrictionID string
	// AllowedPlaybackIDs, when not nil, lists the only IDs signed.
	AllowedPlaybackIDs map[string]bool
	// AllowedOrigins, when not nil, lists the only origins CORS allows.
	AllowedOrigins *OriginList

	// Base URLs (scheme and host) of Mux's stream, image and license hosts.
	StreamBase, ImageBase, LicenseBase string

	// DRM adds a DRM license token to every JSON response.
	DRM bool

	// Viewer is viewer sign-in (MUX_VIEWER_*); off unless set.
	Viewer viewer.Config
	// Access is who may watch what, and where (MUX_VIEWER_REQUIRE,
	// MUX_VIEWER_RULES, MUX_VIEWER_IDS_CLAIM, MUX_COUNTRY_*). Under viewer
	// sign-in, videos without a rule need a signed-in viewer.
	Access access.Policy

	// Edge is what Netlify's CDN may cache (MUX_EDGE_CACHE); off unless set.
	Edge edgecache.Policy
}

// ConfigError lists every problem found in the environment, each naming its
// variable apart from the diagnosis. Its text never repeats a secret value.
type ConfigError = envconf.Error

// LoadConfig reads the configuration from getenv and checks all of it,
// returning every problem at once.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	var problems envconf.Problems
	bad := problems.Add
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }

	switch id := env(EnvSigningKey); {
	case id == "":
		bad(EnvSigningKey, "is not set; set it to the ID of your Mux URL signing key")
	case !muxsign.ValidKeyID(id):
		bad(EnvSigningKey, "must be the signing key's ID, 1 to 128 ASCII letters and digits")
	default:
		c.KeyID = id
	}
	if raw := getenv(EnvPrivateKey); strings.TrimSpace(raw) == "" {
		bad(EnvPrivateKey, "is not set; set it to the private_key Mux returned with the signing key (base64 or PEM)")
	} else if key, err := muxsign.ParsePrivateKey(raw); err != nil {
		bad(EnvPrivateKey, "%v", err)
	} else {
		c.Key = key
	}

	c.Expiration = muxsign.DefaultExpiration
	if v := env(EnvExpiration); v != "" {
		d, err := muxsign.ParseDuration(v)
		switch {
		case err != nil:
			bad(EnvExpiration, "%v", err)
		case d < time.Minute:
			bad(EnvExpiration, "must be at least one minute: a token that expires during playback stops the video")
		default:
			c.Expiration = d
		}
	}

	c.Grain = min(c.Expiration/10, maxGrain).Truncate(time.Second)
	if v := env(EnvGrain); v != "" {
		d, err := muxsign.ParseDuration(v)
		switch {
		case err != nil:
			bad(EnvGrain, "%v", err)
		case d > c.Expiration/2:
			bad(EnvGrain, "may be at most half of %s (%d s), so that every token keeps at least half its life; the default is a tenth", EnvExpiration, int64(c.Expiration/2/time.Second))
		default:
			c.Grain = d
		}
	}

	c.CacheSize = DefaultCacheSize
	if v := env(EnvCacheSize); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxCacheSize {
			bad(EnvCacheSize, "must be a whole number from 0 (off) to %d (about 1 KB each)", MaxCacheSize)
		} else {
			c.CacheSize = n
		}
	}

	if v := env(EnvRestrictionID); v != "" {
		if !muxsign.ValidPlaybackID(v) {
			bad(EnvRestrictionID, "must be a Mux playback restriction ID, 1 to 128 ASCII letters and digits")
		} else {
			c.PlaybackRestrictionID = v
		}
	}

	if v := env(EnvAllowedPlaybackIDs); v != "" {
		ids := envconf.SplitList(v)
		c.AllowedPlaybackIDs = make(map[string]bool, len(ids))
		for i, id := range ids {
			if !muxsign.ValidPlaybackID(id) {
				bad(EnvAllowedPlaybackIDs, "entry %d is not a playback ID (1 to 128 ASCII letters and digits)", i+1)
				break
			}
			c.AllowedPlaybackIDs[id] = true
		}
		if len(ids) == 0 || len(ids) > maxAllowedListEntries {
			bad(EnvAllowedPlaybackIDs, "must list 1 to %d playback IDs, separated by commas or spaces", maxAllowedListEntries)
		}
	}

	if v := env(EnvAllowedOrigins); v != "" {
		list, err := ParseOriginList(v)
		if err != nil {
			bad(EnvAllowedOrigins, "%v", err)
		} else {
			c.AllowedOrigins = list
		}
	}

	for _, h := range []struct {
		name, def string
		dst       *string
	}{
		{EnvStreamHost, defaultStreamHost, &c.StreamBase},
		{EnvImageHost, defaultImageHost, &c.ImageBase},
		{EnvLicenseHost, defaultLicenseHost, &c.LicenseBase},
	} {
		v := env(h.name)
		if v == "" {
			v = h.def
		}
		base, err := hostBase(v)
		if err != nil {
			bad(h.name, "%v", err)
		}
		*h.dst = base
	}

	if v := env(EnvDRM); v != "" {
		b, err := envconf.ParseBool(v)
		if err != nil {
			bad(EnvDRM, "must be true or false")
		}
		c.DRM = b
	}

	loadWhoMayWatch(getenv, &c, &problems)
	return c, problems.Err()
}

// loadWhoMayWatch reads viewer sign-in, the access policy and the edge cache
// policy, and refuses
// the combinations that cannot work.
func loadWhoMayWatch(getenv func(string) string, c *Config, problems *envconf.Problems) {
	add := func(err error) {
		var ce *envconf.Error
		if errors.As(err, &ce) {
			*problems = append(*problems, ce.Problems...)
		} else if err != nil {
			problems.Add("MUX_VIEWER_*", "%v", err)
		}
	}
	var err error
	c.Viewer, err = viewer.LoadConfig(getenv)
	add(err)
	c.Access, err = access.LoadPolicy(getenv)
	add(err)
	c.Edge, err = edgecache.LoadPolicy(getenv)
	add(err)
	if c.Viewer.Enabled() {
		c.Access = c.Access.SignedInByDefault()
	} else if c.Access.NeedsViewer() {
		problems.Add(viewer.EnvIssuer, "is not set, and no other viewer sign-in is: the rules of %s need a signed-in viewer (set %s, %s, %s or %s)",
			strings.Join(c.Access.Vars(), ", "), viewer.EnvIssuer, viewer.EnvJWKSURL, viewer.EnvHS256Secret, viewer.EnvNetlifyIdentity)
	}
	if c.Viewer.Cookie != "" && getenv(EnvAllowedOrigins) == "" {
		problems.Add(viewer.EnvCookie, "needs %s: browsers send a cookie to another origin only when the answer names that origin, never with Access-Control-Allow-Origin: *; list your site's origin(s), e.g. https://www.example.com", EnvAllowedOrigins)
	}
}

// hostBase turns a host setting into the base URL redirects start with. A
// bare host (or host:port) means https. http:// is allowed for loopback
// hosts only, for local stand-ins of Mux in tests.
func hostBase(v string) (string, error) {
	scheme := "https"
	switch {
	case strings.HasPrefix(v, "https://"):
		v = strings.TrimPrefix(v, "https://")
	case strings.HasPrefix(v, "http://"):
		v = strings.TrimPrefix(v, "http://")
		scheme = "http"
	}
	v = strings.TrimSuffix(v, "/")
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 { // checked before lower-casing: ToLower maps the Kelvin sign to k
			return "", fmt.Errorf("must be a host name in ASCII (write an IDN as xn--...)")
		}
	}
	v = strings.ToLower(v)
	host, port, hasPort := strings.Cut(v, ":")
	if len(v) > 253 || !validHostName(host) || hasPort && !allDigits(port, 5) {
		return "", fmt.Errorf("must be a host name such as stream.example.com (optionally with :port), without path")
	}
	if hasPort {
		if n, _ := strconv.Atoi(port); n < 1 || n > 65535 {
			return "", fmt.Errorf("port must be 1 to 65535")
		}
	}
	if scheme == "http" && !isLoopbackHost(host) {
		return "", fmt.Errorf("http:// is allowed only for localhost and 127.0.0.0/8; use https")
	}
	return scheme + "://" + strings.ToLower(v), nil
}

// validHostName reports whether s is a DNS name in lower case: dot-separated
// labels of 1 to 63 ASCII letters, digits and inner hyphens.
func validHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if !validLabel(label) {
			return false
		}
	}
	return true
}

// allDigits reports whether s is 1 to max ASCII digits.
func allDigits(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isLoopbackHost reports whether host is localhost or an IPv4 address in
// 127.0.0.0/8.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	parts := strings.Split(host, ".")
	if len(parts) != 4 || parts[0] != "127" {
		return false
	}
	for _, p := range parts {
		if !allDigits(p, 3) {
			return false
		}
		if n, _ := strconv.Atoi(p); n > 255 {
			return false
		}
	}
	return true
}

// EdgeRules applies the edge cache policy to this configuration: what
// Netlify's CDN may cache, and its key.
func (c Config) EdgeRules() edgecache.Rules {
	return c.Edge.For(edgecache.Site{
		// Under viewer sign-in nothing is cached, so the refused token
		// parameters (viewer.QueryTokenParams) never change a cached answer.
		Params:     endpointParams[:],
		OriginList: c.AllowedOrigins != nil,
		Countries:  c.Access.Countries(),
		// Whether a client can set x-nf-geo itself on Netlify is not
		// documented, and the edge keys on Netlify's own geolocation: an
		// answer won with a forged country must not be served to others.
		CountryFromClient: true,
		ViewerSignIn:      c.Viewer.Enabled() || c.Access.NeedsViewer(),
	})
}
