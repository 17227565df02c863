package endpoint

import (
	"fmt"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
	"regexp"
	"strings"
)

// OriginList is the set of origins CORS allows: exact origins such as
// https://www.example.com, and wildcard ones such as https://*.example.com,
// which match any subdomain (but not example.com itself).
// wildcard is https://*.example.com split into "https://" and ".example.com".
type wildcard struct{ scheme, domain string }

type OriginList struct {
	exact    map[string]bool
	wildcard []wildcard
}

var (
	originPattern   = regexp.MustCompile(`^https?://[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?$`)
	wildcardPattern = regexp.MustCompile(`^https?://\*(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+(:[0-9]{1,5})?$`)
)

// ParseOriginList parses a list of origins separated by commas or spaces.
func ParseOriginList(v string) (*OriginList, error) {
	l := &OriginList{exact: map[string]bool{}}
	entries := envconf.SplitList(v)
	if len(entries) == 0 || len(entries) > maxAllowedOriginsCount {
		return nil, fmt.Errorf("must list 1 to %d origins", maxAllowedOriginsCount)
	}
	for i, e := range entries {
		e = strings.ToLower(strings.TrimSuffix(e, "/"))
		// Browsers leave the default port out of Origin.
		if strings.HasPrefix(e, "https://") {
			e = strings.TrimSuffix(e, ":443")
		} else {
			e = strings.TrimSuffix(e, ":80")
		}
		switch {
		case originPattern.MatchString(e):
			l.exact[e] = true
		case wildcardPattern.MatchString(e):
			scheme, domain, _ := strings.Cut(e, "*")
			l.wildcard = append(l.wildcard, wildcard{scheme, domain})
		default:
			return nil, fmt.Errorf("entry %d is not an origin like https://www.example.com or https://*.example.com (scheme and host, no path)", i+1)
		}
	}
	return l, nil
}

// Allows reports whether origin, as a browser sends it in the Origin header,
// is on the list. Anything that is not a well-formed origin is refused.
func (l *OriginList) Allows(origin string) bool {
	if len(origin) > 300 || !originPattern.MatchString(origin) {
		return false
	}
	if l.exact[origin] {
		return true
	}
	for _, w := range l.wildcard {
		host, ok := strings.CutPrefix(origin, w.scheme)
		if ok && len(host) > len(w.domain) && strings.HasSuffix(host, w.domain) {
			return true
		}
	}
	return false
}
