package viewer

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

// The environment variables this package reads.
const (
	EnvIssuer          = "MUX_VIEWER_ISSUER"
	EnvJWKSURL         = "MUX_VIEWER_JWKS_URL"
	EnvAudience        = "MUX_VIEWER_AUDIENCE"
	EnvHS256Secret     = "MUX_VIEWER_HS256_SECRET"
	EnvNetlifyIdentity = "MUX_VIEWER_NETLIFY_IDENTITY"
	EnvCookie          = "MUX_VIEWER_COOKIE"
	EnvClockSkew       = "MUX_VIEWER_CLOCK_SKEW"
	EnvCapTokenLife    = "MUX_VIEWER_CAP_TOKEN_LIFE"
)

// AudienceNone is the MUX_VIEWER_AUDIENCE value that opts out of the aud check,
// for providers whose session tokens carry none (Clerk's).
const AudienceNone = "none"

// Limits on the settings: the whole environment must fit in AWS Lambda's 4 KB
// next to the Mux signing key.
const (
	DefaultClockSkew = 30 * time.Second
	MaxClockSkew     = 5 * time.Minute
	MinSecretBytes   = 32
	maxSecretBytes   = 512
	maxURLLen        = 512
	maxAudienceLen   = 512
	maxCookieNameLen = 64
)

// QueryTokenParams are the query parameters that would carry a token in the
// URL; the endpoint refuses a request that has any of them.
var QueryTokenParams = []string{"access_token", "id_token", "token", "jwt", "auth"}

// Config is the viewer sign-in configuration, read by LoadConfig.
type Config struct {
	Issuer          string        // expected iss; also the discovery base unless JWKSURL or HS256Secret is set
	JWKSURL         string        // direct JWKS URL (skips discovery)
	Audiences       []string      // any of these in aud; empty only with AudienceOptOut
	AudienceOptOut  bool          // MUX_VIEWER_AUDIENCE=none
	HS256Secret     []byte        // shared HMAC secret, HS256 only
	NetlifyIdentity bool          // trust the user Netlify verified (client context)
	Cookie          string        // cookie holding the token; "" for Authorization only
	ClockSkew       time.Duration // leeway for exp, nbf, iat
	CapTokenLife    bool          // cap the Mux token's exp at the viewer's
	// NoTokenCache verifies every token, even one verified before (no
	// variable sets it: for benchmarks of the verification itself).
	NoTokenCache bool
	set          bool // some MUX_VIEWER_* variable was set
}

// Enabled reports whether viewer sign-in is on: some MUX_VIEWER_* variable is
// set. Without any, the function behaves as if this package did not exist.
func (c Config) Enabled() bool { return c.set }

// Vars lists every environment variable this package reads, for `check` to
// count against the environment size limit.
func (c Config) Vars() []string {
	return []string{EnvIssuer, EnvJWKSURL, EnvAudience, EnvHS256Secret, EnvNetlifyIdentity, EnvCookie, EnvClockSkew, EnvCapTokenLife}
}

// usesDiscovery reports whether the JWKS URL comes from OpenID discovery.
func (c Config) usesDiscovery() bool {
	return c.Issuer != "" && c.JWKSURL == "" && len(c.HS256Secret) == 0
}

// usesJWKS reports whether tokens may be verified with a provider's public keys.
func (c Config) usesJWKS() bool { return c.JWKSURL != "" || c.usesDiscovery() }

// verifiesTokens reports whether the function itself verifies tokens (keys or a
// secret), as opposed to only trusting Netlify's verified user.
func (c Config) verifiesTokens() bool { return c.usesJWKS() || len(c.HS256Secret) > 0 }

// LoadConfig reads the MUX_VIEWER_* variables. The error is an *envconf.Error
// with one problem per variable; no text repeats a secret.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	var ps envconf.Problems
	for _, name := range c.Vars() {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		if name == EnvNetlifyIdentity || name == EnvCapTokenLife {
			if b, err := envconf.ParseBool(v); err == nil && !b {
				continue // an explicit false alone leaves sign-in off
			}
		}
		c.set = true
	}
	if !c.set {
		return c, nil
	}

	if v := strings.TrimSpace(getenv(EnvHS256Secret)); v != "" {
		switch {
		case len(v) < MinSecretBytes:
			ps.Add(EnvHS256Secret, "is %d bytes; an HS256 secret must be at least %d bytes (use the provider's full JWT secret, or generate one with `openssl rand -base64 48`)", len(v), MinSecretBytes)
		case len(v) > maxSecretBytes:
			ps.Add(EnvHS256Secret, "is %d bytes; at most %d fit next to the signing key in the 4 KB environment", len(v), maxSecretBytes)
		default:
			c.HS256Secret = []byte(v)
		}
	}
	if v := strings.TrimSpace(getenv(EnvJWKSURL)); v != "" {
		if text := checkURL(v); text != "" {
			ps.Add(EnvJWKSURL, "%s", text)
		} else {
			c.JWKSURL = v
		}
	}
	netlify, ok := readBool(getenv, EnvNetlifyIdentity, &ps)
	if ok {
		c.NetlifyIdentity = netlify
	}
	if capLife, ok := readBool(getenv, EnvCapTokenLife, &ps); ok {
		c.CapTokenLife = capLife
	}

	iss := strings.TrimSpace(getenv(EnvIssuer))
	// Keys are wanted from a JWKS URL or a secret, even one with a problem:
	// then the issuer is only the expected iss, not a discovery base.
	keysWanted := strings.TrimSpace(getenv(EnvJWKSURL)) != "" || strings.TrimSpace(getenv(EnvHS256Secret)) != ""
	if text := issuerProblem(iss, keysWanted, c.NetlifyIdentity); text != "" {
		ps.Add(EnvIssuer, "%s", text)
	} else {
		c.Issuer = iss
	}

	aud := strings.TrimSpace(getenv(EnvAudience))
	switch {
	case aud == "" && (c.verifiesTokens() || keysWanted || iss != ""):
		ps.Add(EnvAudience, "is required: the `aud` your provider puts in the viewer's tokens (comma-separated: any of them), or `none` for providers whose session tokens carry no aud, such as Clerk")
	case len(aud) > maxAudienceLen:
		ps.Add(EnvAudience, "is %d characters; at most %d", len(aud), maxAudienceLen)
	case strings.EqualFold(aud, AudienceNone):
		c.AudienceOptOut = true
	case aud != "":
		list := envconf.SplitList(aud)
		for _, a := range list {
			if strings.EqualFold(a, AudienceNone) {
				ps.Add(EnvAudience, "`none` turns the audience check off and cannot be combined with audiences")
				list = nil
				break
			}
		}
		c.Audiences = list
	}

	if v := strings.TrimSpace(getenv(EnvCookie)); v != "" {
		switch {
		case len(v) > maxCookieNameLen || !isCookieName(v):
			ps.Add(EnvCookie, "is not a cookie name: use letters, digits and - _ . only, at most %d characters (e.g. nf_jwt, __session)", maxCookieNameLen)
		case iss == "" && !keysWanted:
			ps.Add(EnvCookie, "needs a key to check the cookie's token (MUX_VIEWER_ISSUER, MUX_VIEWER_JWKS_URL or MUX_VIEWER_HS256_SECRET): Netlify verifies only an Authorization: Bearer token, never a cookie")
		default:
			c.Cookie = v
		}
	}

	c.ClockSkew = DefaultClockSkew
	if v := strings.TrimSpace(getenv(EnvClockSkew)); v != "" {
		d, err := parseSkew(v)
		switch {
		case err != nil:
			ps.Add(EnvClockSkew, "is not a duration: use e.g. 30s or 1m (or a number of seconds)")
		case d < 0 || d > MaxClockSkew:
			ps.Add(EnvClockSkew, "must be between 0s and %s", MaxClockSkew)
		default:
			c.ClockSkew = d
		}
	}

	if err := ps.Err(); err != nil {
		return Config{set: true}, err
	}
	return c, nil
}

// issuerProblem checks MUX_VIEWER_ISSUER: required unless Netlify's user is
// the only source; a URL we may fetch when it is the discovery base.
func issuerProblem(iss string, keysWanted, netlifyOnly bool) string {
	switch {
	case iss == "" && (keysWanted || !netlifyOnly):
		return "is required: the expected `iss` of the viewer's tokens (for OpenID discovery, the provider's issuer URL, e.g. https://YOUR-TENANT.auth0.com/)"
	case iss == "":
		return ""
	case len(iss) > maxURLLen:
		return fmt.Sprintf("is %d characters; at most %d", len(iss), maxURLLen)
	case !keysWanted:
		if text := checkURL(iss); text != "" {
			return text + " (the issuer is where OpenID discovery starts; set MUX_VIEWER_JWKS_URL to give the keys directly)"
		}
	case strings.ContainsFunc(iss, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "contains spaces or control characters"
	}
	return ""
}

func readBool(getenv func(string) string, name string, ps *envconf.Problems) (bool, bool) {
	v := getenv(name)
	if strings.TrimSpace(v) == "" {
		return false, false
	}
	b, err := envconf.ParseBool(v)
	if err != nil {
		ps.Add(name, "%v", err)
		return false, false
	}
	return b, true
}

func parseSkew(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(v)
}

// checkURL returns "" when raw is an absolute https URL (http only for a
// loopback host), else what is wrong with it.
func checkURL(raw string) string {
	if len(raw) > maxURLLen {
		return "is too long: at most " + strconv.Itoa(maxURLLen) + " characters"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "is not an absolute URL (https://...)"
	}
	if u.User != nil || u.Fragment != "" || u.RawQuery != "" {
		return "must not carry credentials, a query or a fragment"
	}
	return schemeProblem(u)
}

// schemeProblem returns "" for https, and for http to a loopback host; else
// what is wrong.
func schemeProblem(u *url.URL) string {
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if isLoopback(u.Hostname()) {
			return ""
		}
		return "must use https (http only for localhost, for tests and local providers)"
	}
	return "must use https"
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isCookieName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return s != ""
}
