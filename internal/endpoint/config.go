package endpoint

import (
	"crypto/rsa"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// Environment variables the function reads.
const (
	EnvSigningKey          = "MUX_SIGNING_KEY"
	EnvPrivateKey          = "MUX_PRIVATE_KEY"
	EnvExpiration          = "MUX_TOKEN_EXPIRATION"
	EnvGrain               = "MUX_TOKEN_GRAIN"
	EnvCacheSize           = "MUX_TOKEN_CACHE_SIZE"
	EnvRestrictionID       = "MUX_PLAYBACK_RESTRICTION_ID"
	EnvAllowedPlaybackIDs  = "MUX_ALLOWED_PLAYBACK_IDS"
	EnvAllowedOrigins      = "MUX_ALLOWED_ORIGINS"
	EnvStreamHost          = "MUX_STREAM_HOST"
	EnvImageHost           = "MUX_IMAGE_HOST"
	EnvLicenseHost         = "MUX_LICENSE_HOST"
	EnvDRM                 = "MUX_DRM"
	DefaultCacheSize       = 10000
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
}

// ConfigError lists every problem found in the environment, each naming its
// variable. Its message never repeats a secret value.
type ConfigError struct {
	Problems []string
}

func (e *ConfigError) Error() string { return strings.Join(e.Problems, "; ") }

// LoadConfig reads the configuration from getenv and checks all of it,
// returning every problem at once.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	var problems []string
	bad := func(name string, format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
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
		case d >= c.Expiration:
			bad(EnvGrain, "must be shorter than %s (%s)", EnvExpiration, c.Expiration)
		default:
			c.Grain = d
		}
	}

	c.CacheSize = DefaultCacheSize
	if v := env(EnvCacheSize); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10_000_000 {
			bad(EnvCacheSize, "must be a whole number from 0 (off) to 10000000")
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
		ids := splitList(v)
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
		b, err := parseBool(v)
		if err != nil {
			bad(EnvDRM, "must be true or false")
		}
		c.DRM = b
	}

	if len(problems) > 0 {
		return c, &ConfigError{Problems: problems}
	}
	return c, nil
}

var (
	hostPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:[0-9]{1,5})?$`)
	loopback    = regexp.MustCompile(`^(localhost|127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})(:[0-9]{1,5})?$`)
)

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
	if len(v) > 253 || !hostPattern.MatchString(v) {
		return "", fmt.Errorf("must be a host name such as stream.example.com (optionally with :port), without path")
	}
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		if port, _ := strconv.Atoi(v[i+1:]); port < 1 || port > 65535 {
			return "", fmt.Errorf("port must be 1 to 65535")
		}
	}
	if scheme == "http" && !loopback.MatchString(v) {
		return "", fmt.Errorf("http:// is allowed only for localhost and 127.0.0.0/8; use https")
	}
	return scheme + "://" + strings.ToLower(v), nil
}

// splitList splits a list separated by commas and/or whitespace.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}
