package endpoint_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

// label returns a DNS label of n letters.
func label(n int) string { return strings.Repeat("a", n) }

// host returns a name of exactly n bytes (n > 13) under example.com.
func host(n int) string {
	var b strings.Builder
	for rest := n - len(".example.com"); rest > 0; {
		if rest <= 63 {
			b.WriteString(label(rest))
			break
		}
		l := min(63, rest-2) // leave room for "." and a label of one byte
		b.WriteString(label(l) + ".")
		rest -= l + 1
	}
	return b.String() + ".example.com"
}

func TestHostHelper(t *testing.T) {
	for n := 14; n <= 300; n++ {
		h := host(n)
		if len(h) != n || strings.Contains(h, "..") || strings.Contains(h, "a"+label(63)) {
			t.Fatalf("host(%d) = %q: not %d bytes of labels of at most 63", n, h, n)
		}
	}
}

func TestParseOriginList(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://www.example.com", true},
		{"https://www.example.com/", true},
		{"HTTPS://WWW.EXAMPLE.COM", true},
		{"http://localhost:8888", true},
		{"https://*.example.com", true},
		{"https://*.example.com:8443", true},
		{"https://a.example.com, https://b.example.com", true},
		{"https://a.example.com https://b.example.com\nhttps://c.example.com", true},
		{"", false},
		{" , ", false},
		{"*", false},
		{"example.com", false},
		{"https://", false},
		{"https://example.com/path", false},
		{"https://example.com?x", false},
		{"ftp://example.com", false},
		{"https://*example.com", false},
		{"https://a.*.example.com", false},
		{"https://*.*.example.com", false},
		{"https://*", false},
		{"https://-bad.example.com", false},
		{"https://user@example.com", false},
		{"https://a.example.com, nonsense", false},
		{strings.Repeat("https://a.example.com,", 1001), false},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			l, err := endpoint.ParseOriginList(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseOriginList(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && strings.Contains(err.Error(), "nonsense") {
				t.Fatalf("error quotes the value: %v", err)
			}
			if tt.ok && l == nil {
				t.Fatal("nil list")
			}
		})
	}
}

// TestOriginEntriesAccepted lists entries that parse, each after a good one.
func TestOriginEntriesAccepted(t *testing.T) {
	for _, e := range []string{
		"https://*--my-site.netlify.app",
		"https://*--my-site.netlify.app/",
		"https://*--my-site.netlify.app:443", // the default port, dropped
		"HTTPS://*--My-Site.Netlify.App",
		"https://*--s.netlify.app",
		"https://*--" + label(60) + ".netlify.app", // leaves room for X-- in 63
		"https://*.my-site.netlify.app",            // a name the site owns
		"https://*.someone.github.io",
		"https://*.project.pages.dev",
		"https://*.example.co.uk",
		"https://*.local.test", // under the default rule, local.test is registrable
		"https://*.www.ck",     // an exception (!www.ck) to the rule *.ck
		"https://netlify.app",  // an exact origin is only itself
		"https://my-site.netlify.app",
		"http://127.0.0.1:8888",
		"https://xn--bcher-kva.example", // IDNA written in ASCII
		"https://a.example.com:1",
		"https://a.example.com:65535",
		"https://" + label(63) + ".example.com",
		"https://" + host(253),
		"https://*." + host(253),
		"http://*.example.com:443", // not the default port of http
	} {
		t.Run(e, func(t *testing.T) {
			if _, err := endpoint.ParseOriginList("https://ok.example.com " + e); err != nil {
				t.Fatalf("ParseOriginList refused %q: %v", e, err)
			}
		})
	}
}

// TestOriginEntriesRefused lists entries refused, each after a good one so
// that the message must name entry 2, with what the message must say.
func TestOriginEntriesRefused(t *testing.T) {
	const (
		preview    = "list your site as https://SITE.netlify.app and its deploy previews and branch deploys as https://*--SITE.netlify.app"
		suffix     = "a public suffix where anyone can register a name: use a wildcard under a domain of your own, such as https://*.example.com"
		notOrigin  = "is not an origin"
		forms      = "https://*--SITE.netlify.app (scheme and host, optional port, no path)"
		onlyNet    = "the *-- form, which is for Netlify deploy previews only"
		badSite    = "does not name one Netlify site"
		schemePort = "a scheme or port Netlify does not serve them on"
	)
	tests := []struct{ entry, want string }{
		// Wildcards directly under a public suffix, ICANN or private.
		{"https://*.netlify.app", preview},
		{"https://*.NETLIFY.APP:443", preview},
		{"http://*.netlify.app", preview},
		{"https://*.com", "every site under com, " + suffix},
		{"https://*.co.uk", "every site under co.uk, " + suffix},
		{"https://*.github.io", "every site under github.io, " + suffix},
		{"https://*.vercel.app", "every site under vercel.app, " + suffix},
		{"https://*.pages.dev", "every site under pages.dev, " + suffix},
		{"https://*.foo.ck", "every site under foo.ck, " + suffix}, // the rule *.ck
		{"http://*.localhost:3000", "every site under localhost, " + suffix},
		{"https://*.test", "every site under test, " + suffix},
		{"http://*.0.0.1:8888", "puts a wildcard on an IP address"},
		// The *-- form: netlify.app, https, one site label.
		{"https://*--my-site.example.com", onlyNet},
		{"https://*--my-site.netlify.app.evil.com", onlyNet},
		{"https://*--my-site.netlify.com", onlyNet},
		{"http://*--my-site.netlify.app", schemePort},
		{"https://*--my-site.netlify.app:8443", schemePort},
		{"https://*--a.my-site.netlify.app", badSite},
		{"https://*--my--site.netlify.app", badSite},
		{"https://*---my-site.netlify.app", badSite},
		{"https://*--my-site-.netlify.app", badSite},
		{"https://*--.netlify.app", badSite},
		{"https://*--*.netlify.app", badSite},
		{"https://*--" + label(61) + ".netlify.app", badSite},
		{"https://x*--my-site.netlify.app", notOrigin + ": " + "expected"},
		{"https://*--my-site.netlify.app/path", "has a path, query or fragment"},
		// Not origins.
		{"https://example.com.", notOrigin},
		{"https://*.example.com.", notOrigin},
		{"https://bücher.example", "non-ASCII characters"},
		{"https://\u212aelvin.example.com", "non-ASCII characters"}, // the Kelvin sign lower-cases to k
		{"https://" + label(64) + ".example.com", notOrigin},
		{"https://" + host(254), notOrigin},
		{"https://*." + host(254), notOrigin},
		{"https://a.example.com:0", notOrigin},
		{"https://a.example.com:08443", notOrigin},
		{"https://a.example.com:65536", notOrigin},
		{"https://a.example.com:", notOrigin},
		{"https://a.example.com:8443:1", notOrigin},
		{"https://[::1]:8443", notOrigin},
		{"ftp://example.com", "does not start with https:// or http://; expected"},
		{"https://example.com#x", forms},
	}
	for _, tt := range tests {
		name := tt.entry
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			_, err := endpoint.ParseOriginList("https://ok.example.com, " + tt.entry)
			if err == nil {
				t.Fatalf("ParseOriginList accepted %q", tt.entry)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "entry 2 ") || !strings.Contains(msg, tt.want) {
				t.Fatalf("message %q, want it to start with \"entry 2 \" and contain %q", msg, tt.want)
			}
		})
	}
}

func TestOriginListAllows(t *testing.T) {
	l, err := endpoint.ParseOriginList("https://www.example.com/, HTTPS://App.Example.NET, https://*.example.org, http://*.local.test:3000")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origin string
		want   bool
	}{
		{"https://www.example.com", true},
		{"https://app.example.net", true},
		{"https://a.example.org", true},
		{"https://deep.sub.example.org", true},
		{"http://x.local.test:3000", true},
		{"https://example.com", false},
		{"https://www.example.com:443", false},
		{"https://www.example.com/", false},
		{"https://www.example.com.evil.com", false},
		{"http://www.example.com", false},
		{"https://App.Example.NET", false}, // browsers send lower case
		{"https://example.org", false},
		{"https://.example.org", false},
		{"https://evilexample.org", false},
		{"https://a.example.org.evil.com", false},
		{"http://a.example.org", false},
		{"https://a.example.org:8443", false},
		{"http://x.local.test", false},
		{"http://x.local.test:3001", false},
		{"null", false},
		{"", false},
		{"https://www.example.com\r\nX-Evil: 1", false},
		{"https://" + strings.Repeat("a", 300) + ".example.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			if got := l.Allows(tt.origin); got != tt.want {
				t.Fatalf("Allows(%q) = %v, want %v", tt.origin, got, tt.want)
			}
		})
	}
}

func TestOriginListAllowsNetlifyDeploys(t *testing.T) {
	l, err := endpoint.ParseOriginList("https://my-site.netlify.app, https://*--my-site.netlify.app, https://*.example.com, https://www.example.org")
	if err != nil {
		t.Fatal(err)
	}
	x54 := label(63 - len("--my-site")) // the longest X: X--my-site is 63 bytes
	tests := []struct {
		origin string
		want   bool
	}{
		{"https://deploy-preview-42--my-site.netlify.app", true},
		{"https://feature-x--my-site.netlify.app", true}, // branch deploy
		{"https://main--my-site.netlify.app", true},
		{"https://5f0c1a2b3c4d5e6f7a8b9c0d--my-site.netlify.app", true}, // a deploy's permalink
		{"https://" + x54 + "--my-site.netlify.app", true},
		{"https://my-site.netlify.app", true}, // listed exactly
		{"https://a.example.com", true},
		{"https://www.example.org", true},
		// Lookalikes and other sites.
		{"https://" + x54 + "a--my-site.netlify.app", false}, // a 64-byte label
		{"https://--my-site.netlify.app", false},
		{"https://a.b--my-site.netlify.app", false},
		{"https://a.x--my-site.netlify.app", false},
		{"https://x--my-site2.netlify.app", false},
		{"https://x--a-my-site.netlify.app", false},
		{"https://x-my-site.netlify.app", false},
		{"https://xmy-site.netlify.app", false},
		{"https://x---my-site.netlify.app", false},
		{"https://a--b--my-site.netlify.app", false},
		{"https://xn--4ca--my-site.netlify.app", false}, // X has "--": refused, not split
		{"https://other.netlify.app", false},
		{"https://x--other.netlify.app", false},
		{"https://netlify.app", false},
		{"https://x--my-site.netlify.app.evil.com", false},
		{"https://x--my-site.netlify.com", false},
		{"https://x--my-site.example.org", false},
		{"https://x--my-site.netlify.app.", false}, // trailing dot
		{"https://my-site.netlify.app.", false},
		{"https://x--my-site.netlify.app/", false},
		// Scheme, ports and case as browsers never send them for a deploy.
		{"http://x--my-site.netlify.app", false},
		{"https://x--my-site.netlify.app:443", false},
		{"https://x--my-site.netlify.app:8443", false},
		{"https://X--MY-SITE.netlify.app", false},
		{"https://X--my-site.netlify.app", false},
		{"https://ä--my-site.netlify.app", false},
		{"https://\u212a--my-site.netlify.app", false},
		{"https://" + host(254), false},
		{"https://" + host(253), true}, // under *.example.com
	}
	for _, tt := range tests {
		name := tt.origin
		if len(name) > 70 {
			name = name[:70]
		}
		t.Run(name, func(t *testing.T) {
			if got := l.Allows(tt.origin); got != tt.want {
				t.Fatalf("Allows(%q) = %v, want %v", tt.origin, got, tt.want)
			}
		})
	}
}

func TestOriginListDefaultPorts(t *testing.T) {
	l, err := endpoint.ParseOriginList("https://secure.example.com:443, http://plain.example.com:80, https://*.example.net:443, https://*--s.netlify.app:443")
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]bool{
		"https://secure.example.com":     true, // browsers omit the default port
		"http://plain.example.com":       true,
		"https://a.example.net":          true,
		"https://x--s.netlify.app":       true,
		"https://secure.example.com:443": false, // not what a browser sends
		"http://secure.example.com":      false,
		"https://a.example.net:443":      false,
	} {
		if got := l.Allows(origin); got != want {
			t.Errorf("Allows(%q) = %v, want %v", origin, got, want)
		}
	}
}

// TestOriginListAllowsAllocatesNothing: Allows, on the request path, only
// compares strings (no Public Suffix List lookup, no copies).
func TestOriginListAllowsAllocatesNothing(t *testing.T) {
	l, err := endpoint.ParseOriginList("https://my-site.netlify.app, https://*--my-site.netlify.app, https://*.example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, origin := range []string{"https://deploy-preview-1--my-site.netlify.app", "https://a.example.com", "https://evil.example.org"} {
		if n := testing.AllocsPerRun(100, func() { l.Allows(origin) }); n != 0 {
			t.Errorf("Allows(%q) allocates %v times", origin, n)
		}
	}
}

// strictOrigin is the origin grammar, written independently of the package:
// lower-case DNS labels, a host of at most 253 bytes, a port 1-65535 without
// a leading zero.
var strictOrigin = regexp.MustCompile(`^https?://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)(:([1-9][0-9]{0,4}))?$`)

// FuzzAllows parses a list and asks it about an origin. Invariants: nothing
// panics; an allowed origin matches the strict origin grammar; an origin
// allowed without being listed exactly is not a public suffix itself, and is
// directly under netlify.app only as X--SITE with *--SITE.netlify.app listed.
func FuzzAllows(f *testing.F) {
	for _, s := range [][2]string{
		{"https://www.example.com", "https://www.example.com"},
		{"https://*.example.com:8443", "https://a.example.com:8443"},
		{"https://my-site.netlify.app, https://*--my-site.netlify.app", "https://deploy-preview-42--my-site.netlify.app"},
		{"https://*--my-site.netlify.app", "https://a.b--my-site.netlify.app"},
		{"https://*--my-site.netlify.app", "https://x--my-site.netlify.app.evil.com"},
		{"https://*.netlify.app", "https://evil.netlify.app"},
		{"https://*.my-site.netlify.app", "https://a.my-site.netlify.app"},
		{"http://*.local.test:3000 https://*.co.uk", "http://x.local.test:3000"},
		{"https://\u212aelvin.example.com", "https://kelvin.example.com"},
		{"https://a.example.com:0443", "https://a.example.com:443"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, list, origin string) {
		l, err := endpoint.ParseOriginList(list)
		if err != nil {
			return
		}
		if !l.Allows(origin) {
			return
		}
		m := strictOrigin.FindStringSubmatch(origin)
		if m == nil || len(m[1]) > 253 {
			t.Fatalf("Allows(%q) under %q, which is not a strict origin", origin, list)
		}
		if m[6] != "" {
			if port, _ := strconv.Atoi(m[6]); port > 65535 {
				t.Fatalf("Allows(%q): port out of range", origin)
			}
		}
		for _, e := range envconf.SplitList(list) {
			e = strings.ToLower(strings.TrimSuffix(e, "/"))
			if e == origin || e == origin+":443" && strings.HasPrefix(e, "https://") || e == origin+":80" && strings.HasPrefix(e, "http://") {
				return // listed exactly
			}
		}
		h := m[1]
		suffix, _ := publicsuffix.PublicSuffix(h)
		if suffix == h {
			t.Fatalf("Allows(%q) under %q: the host is a public suffix", origin, list)
		}
		if suffix == "netlify.app" && strings.Count(h, ".") == 2 {
			x, site, ok := strings.Cut(strings.TrimSuffix(h, ".netlify.app"), "--")
			if !ok || x == "" || strings.Contains(site, "--") ||
				!strings.Contains(strings.ToLower(list), "*--"+site+".netlify.app") {
				t.Fatalf("Allows(%q) under %q: a netlify.app site not listed", origin, list)
			}
		}
	})
}
