package endpoint

import (
	"fmt"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

// OriginList is the set of origins CORS allows (MUX_ALLOWED_ORIGINS). An entry
// takes one of three forms:
//
//   - an exact origin, https://www.example.com or http://localhost:8888;
//   - a wildcard, https://*.example.com, which matches any name under
//     example.com (one or more labels, not example.com itself), on the same
//     scheme and port. The wildcard's domain must not be a public suffix (com,
//     co.uk, netlify.app, github.io, ...): *.netlify.app would admit every site
//     anyone deploys on Netlify;
//   - Netlify deploy previews and branch deploys of one site,
//     https://*--SITE.netlify.app, which matches exactly one label X--SITE
//     directly under netlify.app (deploy-preview-42--SITE.netlify.app,
//     BRANCH--SITE.netlify.app), and nothing else: not SITE.netlify.app (list
//     that as an exact origin), nor a.b--SITE.netlify.app.
//
// The *-- form is accepted under netlify.app only, for a SITE without "--"
// and an X that is one label part without "--" (so X--SITE splits one way).
// Netlify uses "--" in a label under netlify.app to name a site's deploys
// (deploy previews, branch deploys, permalinks HASH--SITE), which is what
// makes X--SITE belong to SITE there; the form relies on Netlify keeping
// "--" out of site names. On any other public suffix X--SITE is just another
// name someone else may register, and under a domain of your own
// https://*.example.com already says it, so the form would add nothing there.
//
// Known limit: a wildcard is checked against the Public Suffix List for its
// own domain only. *.amazonaws.com is accepted (amazonaws.com is registrable)
// although suffixes such as s3.amazonaws.com lie beneath it; the list gives
// no way to ask what lies beneath a name.
//
// Parsing checks everything, including the Public Suffix List lookup; Allows,
// on the request path, only compares strings.
type OriginList struct {
	exact    map[string]bool
	wildcard []wildcard
	// previews holds "--SITE.netlify.app" for each *--SITE.netlify.app entry.
	previews []string
}

// wildcard is https://*.example.com:8443 split into "https://" and
// ".example.com:8443".
type wildcard struct{ scheme, domain string }

const (
	// maxHostLen is the longest DNS name (RFC 1035), without a trailing dot.
	maxHostLen = 253
	// maxOriginLen is the longest origin Allows looks at:
	// "https://" + host + ":65535".
	maxOriginLen = len("https://") + maxHostLen + len(":65535")
	// netlifyApp is the suffix Netlify serves sites, deploy previews and
	// branch deploys under.
	netlifyApp = "netlify.app"
)

// ParseOriginList parses a list of origins separated by commas or spaces. An
// error names the entry by its number, never quotes it whole, and says which
// forms are expected.
func ParseOriginList(v string) (*OriginList, error) {
	entries := envconf.SplitList(v)
	if len(entries) == 0 || len(entries) > maxAllowedOriginsCount {
		return nil, fmt.Errorf("must list 1 to %d origins", maxAllowedOriginsCount)
	}
	l := &OriginList{exact: make(map[string]bool, len(entries))}
	for i, e := range entries {
		// Checked before lower-casing: strings.ToLower maps some non-ASCII
		// letters to ASCII ones (the Kelvin sign to k).
		if !isASCII(e) {
			return nil, fmt.Errorf("entry %d is not an origin: it has non-ASCII characters (write the host in its ASCII form, xn--...); %s", i+1, expectedForms)
		}
		if err := l.add(normaliseEntry(e)); err != nil {
			return nil, fmt.Errorf("entry %d %w", i+1, err)
		}
	}
	return l, nil
}

// normaliseEntry writes an entry the way a browser writes an Origin header:
// lower case, no trailing slash, no default port.
func normaliseEntry(e string) string {
	e = strings.ToLower(strings.TrimSuffix(e, "/"))
	if strings.HasPrefix(e, "https://") {
		return strings.TrimSuffix(e, ":443")
	}
	return strings.TrimSuffix(e, ":80")
}

// expectedForms ends the message for an entry that is not an origin at all.
const expectedForms = "expected an origin like https://www.example.com, a wildcard like https://*.example.com, " +
	"or Netlify deploy previews like https://*--SITE.netlify.app (scheme and host, optional port, no path)"

// add parses one normalised entry into l. Its errors follow "entry N".
func (l *OriginList) add(e string) error {
	scheme, rest, ok := cutScheme(e)
	switch {
	case !ok:
		return fmt.Errorf("is not an origin: it does not start with https:// or http://; %s", expectedForms)
	case strings.ContainsAny(rest, "/?#"):
		return fmt.Errorf("is not an origin: it has a path, query or fragment (an origin is a scheme and host only); %s", expectedForms)
	case strings.HasPrefix(rest, "*--"):
		return l.addPreview(scheme, rest)
	case strings.HasPrefix(rest, "*."):
		return l.addWildcard(scheme, rest)
	case validOrigin(e):
		l.exact[e] = true
		return nil
	}
	return fmt.Errorf("is not an origin: %s", expectedForms)
}

// addWildcard adds *.DOMAIN[:port], refusing a DOMAIN that is a public suffix.
func (l *OriginList) addWildcard(scheme, rest string) error {
	domain := rest[len("*."):]
	if !validHostPort(domain) {
		return fmt.Errorf("is not an origin: a wildcard is * and a dot before a domain name, as in https://*.example.com; %s", expectedForms)
	}
	host, _, _ := strings.Cut(domain, ":")
	if isNumeric(lastLabel(host)) {
		return fmt.Errorf("puts a wildcard on an IP address: list the address itself, such as http://127.0.0.1:8888")
	}
	// Any rule of the list counts, ICANN or private section (netlify.app,
	// github.io, vercel.app and pages.dev are private ones); so does the
	// default rule for a top-level domain the list does not name.
	if suffix, _ := publicsuffix.PublicSuffix(host); suffix == host {
		if host == netlifyApp {
			return fmt.Errorf("would admit every site on Netlify (*.netlify.app): list your site as https://SITE.netlify.app " +
				"and its deploy previews and branch deploys as https://*--SITE.netlify.app")
		}
		// host passed validHostPort: plain ASCII letters, digits, dots and hyphens.
		return fmt.Errorf("would admit every site under %s, a public suffix where anyone can register a name: "+
			"use a wildcard under a domain of your own, such as https://*.example.com, or list exact origins", host)
	}
	l.wildcard = append(l.wildcard, wildcard{scheme: scheme, domain: "." + domain})
	return nil
}

// addPreview adds *--SITE.netlify.app, over https without a port.
func (l *OriginList) addPreview(scheme, rest string) error {
	hostPart, _, hasPort := strings.Cut(rest, ":")
	site, onNetlify := strings.CutSuffix(hostPart[len("*--"):], "."+netlifyApp)
	switch {
	case !onNetlify:
		return fmt.Errorf("uses the *-- form, which is for Netlify deploy previews only (https://*--SITE.netlify.app); " +
			"under a domain of your own use https://*.example.com")
	case scheme != "https://" || hasPort:
		return fmt.Errorf("gives Netlify deploy previews a scheme or port Netlify does not serve them on: write https://*--SITE.netlify.app")
	case !validLabel(site) || strings.Contains(site, "--") || len(site) > 63-len("x--"):
		return fmt.Errorf("does not name one Netlify site in https://*--SITE.netlify.app: SITE is a single label of letters, digits " +
			"and single hyphens, as in https://*--my-site.netlify.app")
	}
	l.previews = append(l.previews, "--"+site+"."+netlifyApp)
	return nil
}

// Allows reports whether origin, as a browser sends it in the Origin header,
// is on the list. Anything that is not a well-formed origin is refused.
func (l *OriginList) Allows(origin string) bool {
	if len(origin) > maxOriginLen || !validOrigin(origin) {
		return false
	}
	if l.exact[origin] {
		return true
	}
	for _, w := range l.wildcard {
		// origin is valid, so what precedes w.domain is one or more labels.
		host, ok := strings.CutPrefix(origin, w.scheme)
		if ok && len(host) > len(w.domain) && strings.HasSuffix(host, w.domain) {
			return true
		}
	}
	if host, ok := strings.CutPrefix(origin, "https://"); ok {
		for _, suffix := range l.previews {
			if x, ok := strings.CutSuffix(host, suffix); ok && validPreviewPrefix(x) {
				return true
			}
		}
	}
	return false
}

// validPreviewPrefix reports whether x is the X of an X--SITE label: a label
// part that starts and ends with a letter or digit and has no "--" (so the
// label splits one way only) and no dot (so it is one label). In the X--SITE
// label of a valid origin, x is already letters, digits and hyphens and starts
// with a letter or digit; the checks here are for the rest.
func validPreviewPrefix(x string) bool {
	return x != "" && validLabel(x) && !strings.Contains(x, "--")
}

// validOrigin reports whether o is an origin as browsers send it: http:// or
// https://, a host of lower-case DNS labels, and an optional port 1-65535
// without leading zeros.
func validOrigin(o string) bool {
	_, rest, ok := cutScheme(o)
	return ok && validHostPort(rest)
}

// cutScheme splits "https://" or "http://" off s.
func cutScheme(s string) (scheme, rest string, ok bool) {
	for _, scheme := range [...]string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(s, scheme); ok {
			return scheme, rest, true
		}
	}
	return "", s, false
}

// validHostPort reports whether s is host or host:port, as in validOrigin.
func validHostPort(s string) bool {
	host, port, hasPort := strings.Cut(s, ":")
	return validHost(host) && (!hasPort || validPort(port))
}

// validHost reports whether s is at most 253 bytes of dot-separated labels.
func validHost(s string) bool {
	if len(s) > maxHostLen {
		return false
	}
	for {
		label, rest, more := strings.Cut(s, ".")
		if !validLabel(label) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}

// validLabel reports whether s is a DNS label in lower case: 1 to 63 of
// a-z, 0-9 and '-', neither first nor last a '-'.
func validLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validPort reports whether s is a port 1-65535 in decimal without a leading
// zero, as browsers write it.
func validPort(s string) bool {
	if len(s) == 0 || len(s) > 5 || s[0] == '0' || !isNumeric(s) {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n <= 65535
}

// isNumeric reports whether s is one or more ASCII digits.
func isNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lastLabel returns what follows the last dot of host.
func lastLabel(host string) string {
	return host[strings.LastIndexByte(host, '.')+1:]
}

// isASCII reports whether s has only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
