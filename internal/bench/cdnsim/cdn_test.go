package main

import (
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func answerWith(h map[string]string) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: 302, Headers: h}
}

func cacheable(vary string) map[string]string {
	return map[string]string{
		"Cache-Control":             "private, no-store",
		"Netlify-CDN-Cache-Control": "public, durable, max-age=60, must-revalidate",
		"Netlify-Vary":              vary,
	}
}

func get(q string, h map[string]string) request {
	return request{method: "GET", path: functionPath, rawQuery: q, headers: h, country: "US"}
}

func TestCDNKey(t *testing.T) {
	tests := []struct {
		name       string
		vary       string
		stored     request
		asked      request
		wantHit    bool
		violations int
	}{
		{"listed parameters in another order, with noise", "query=a|b", get("a=1&b=2", nil), get("utm_source=x&b=2&a=1", nil), true, 0},
		{"a listed parameter differs", "query=a|b", get("a=1&b=2", nil), get("a=1&b=3", nil), false, 0},
		{"a listed parameter missing", "query=a|b", get("a=1&b=2", nil), get("a=1", nil), false, 0},
		{"names are case-sensitive", "query=a|b", get("a=1&b=2", nil), get("a=1&B=2", nil), false, 0},
		{"no query directive: the whole query string", "", get("a=1&b=2", nil), get("b=2&a=1", nil), false, 0},
		{"no query directive, same query", "", get("a=1&b=2", nil), get("a=1&b=2", nil), true, 0},
		{"listed header in another case", "query=a,header=Origin", get("a=1", map[string]string{"origin": "https://x"}), get("a=1", map[string]string{"ORIGIN": "https://x"}), true, 0},
		{"listed header differs", "query=a,header=Origin", get("a=1", map[string]string{"Origin": "https://x"}), get("a=1", map[string]string{"Origin": "https://y"}), false, 0},
		{"unlisted header differs", "query=a", get("a=1", map[string]string{"Accept": "*/*"}), get("a=1", map[string]string{"Accept": "image/*"}), true, 0},
		{"HEAD is not answered from the cache", "query=a", get("a=1", nil), request{method: "HEAD", path: functionPath, rawQuery: "a=1"}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCDN()
			c.store(tt.stored, answerWith(cacheable(tt.vary)), t0)
			_, hit := c.lookup(tt.asked, t0.Add(time.Second))
			if hit != tt.wantHit {
				t.Fatalf("hit = %t, want %t", hit, tt.wantHit)
			}
		})
	}
}

func TestCDNCountry(t *testing.T) {
	c := newCDN()
	us := get("a=1", nil)
	c.store(us, answerWith(cacheable("query=a,country=us|de")), t0)
	fr, jp := us, us
	fr.country, jp.country = "FR", "JP"
	c.store(fr, answerWith(cacheable("query=a,country=us|de")), t0)
	de := us
	de.country = "DE"
	if _, hit := c.lookup(de, t0); hit {
		t.Fatal("DE was answered with US's entry")
	}
	if _, hit := c.lookup(jp, t0); !hit {
		t.Fatal("JP, not listed, did not share FR's entry")
	}
}

func TestCDNFreshnessAndStorage(t *testing.T) {
	q := get("a=1", nil)
	tests := []struct {
		name    string
		headers map[string]string
		method  string
		after   time.Duration
		wantHit bool
	}{
		{"fresh", cacheable("query=a"), "GET", 59 * time.Second, true},
		{"expired at max-age", cacheable("query=a"), "GET", 60 * time.Second, false},
		{"no-store is not stored", map[string]string{"Netlify-CDN-Cache-Control": "no-store", "Netlify-Vary": "query=a"}, "GET", 0, false},
		{"private Cache-Control alone is not stored", map[string]string{"Cache-Control": "private, no-store"}, "GET", 0, false},
		{"Netlify-CDN-Cache-Control wins over Cache-Control", map[string]string{"Cache-Control": "private, no-store", "Netlify-CDN-Cache-Control": "public, max-age=10"}, "GET", 0, true},
		{"Netlify-CDN-Cache-Control wins over CDN-Cache-Control", map[string]string{"CDN-Cache-Control": "public, max-age=10", "Netlify-CDN-Cache-Control": "no-store"}, "GET", 0, false},
		{"CDN-Cache-Control wins over Cache-Control", map[string]string{"CDN-Cache-Control": "public, max-age=10", "Cache-Control": "no-store"}, "GET", 0, true},
		{"not public", map[string]string{"Netlify-CDN-Cache-Control": "max-age=10"}, "GET", 0, false},
		{"a POST answer is not stored", cacheable("query=a"), "POST", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCDN()
			req := q
			req.method = tt.method
			c.store(req, answerWith(tt.headers), t0)
			if _, hit := c.lookup(q, t0.Add(tt.after)); hit != tt.wantHit {
				t.Fatalf("hit = %t, want %t", hit, tt.wantHit)
			}
		})
	}
}

func TestCDNFirstInstructionsWin(t *testing.T) {
	c := newCDN()
	c.store(get("a=1&b=1", nil), answerWith(cacheable("query=a")), t0)
	c.store(get("a=2&b=1", nil), answerWith(cacheable("query=a|b")), t0)
	if c.violations != 1 {
		t.Fatalf("violations = %d, want 1", c.violations)
	}
	// Keyed by the first instructions: b does not count.
	if _, hit := c.lookup(get("a=2&b=9", nil), t0); !hit {
		t.Fatal("the second answer was not keyed by the URL's first instructions")
	}
}
