package main

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// cdn is a model of Netlify's CDN for function answers, honouring what
// Netlify documents and nothing more:
//
//   - only GET is cached;
//   - Netlify-CDN-Cache-Control wins over CDN-Cache-Control, which wins over
//     Cache-Control; an answer is stored when the winning field is public
//     with a max-age (or s-maxage) of at least one second, and is fresh for
//     exactly that long (no stale serving: the function never asks for it);
//   - the key is the path plus, per Netlify-Vary, the listed query
//     parameters (names case-sensitive, order irrelevant; without a query
//     directive the whole query string), the listed request headers (names
//     case-insensitive), the country when it is listed (every other country
//     shares one entry), and the headers of the standard Vary;
//   - a URL's first cached answer sets its key instructions; later answers
//     with other instructions are ignored (counted here as a violation);
//   - durable: one cache shared by every edge node, which is the best case
//     for hits; with separate edge caches the invocations per grain would be
//     at most the number of nodes, and durable brings them back to one.
type cdn struct {
	specs   map[string]*keySpec // by path: the first cached answer's instructions
	entries map[string]*cached
	// violations counts answers whose key instructions differed from the
	// URL's first cached answer.
	violations int
}

type cached struct {
	resp    events.APIGatewayProxyResponse
	expires time.Time
}

// keySpec is how a URL's key is made.
type keySpec struct {
	raw       string   // the header values it was parsed from, to compare
	allQuery  bool     // no query directive: the whole query string
	query     []string // listed parameters, sorted
	headers   []string // listed headers and standard Vary headers, lower case
	countries map[string]bool
}

// request is what the CDN sees of one view.
type request struct {
	method   string
	path     string
	rawQuery string
	headers  map[string]string // names as the client sent them
	country  string            // from GeoIP, upper case
}

func newCDN() *cdn {
	return &cdn{specs: map[string]*keySpec{}, entries: map[string]*cached{}}
}

// lookup returns the cached answer for req at now, if one is fresh.
func (c *cdn) lookup(req request, now time.Time) (events.APIGatewayProxyResponse, bool) {
	if req.method != "GET" {
		return events.APIGatewayProxyResponse{}, false
	}
	spec := c.specs[req.path]
	if spec == nil {
		return events.APIGatewayProxyResponse{}, false
	}
	e := c.entries[spec.key(req)]
	if e == nil || !now.Before(e.expires) {
		return events.APIGatewayProxyResponse{}, false
	}
	return e.resp, true
}

// store keeps resp, the function's answer to req at now, if its headers let
// Netlify cache it.
func (c *cdn) store(req request, resp events.APIGatewayProxyResponse, now time.Time) {
	if req.method != "GET" {
		return
	}
	ttl := sharedTTL(resp.Headers)
	if ttl <= 0 {
		return
	}
	spec := parseSpec(header(resp.Headers, "Netlify-Vary"), header(resp.Headers, "Vary"))
	if prev := c.specs[req.path]; prev == nil {
		c.specs[req.path] = spec
	} else if prev.raw != spec.raw {
		c.violations++
		spec = prev
	}
	c.entries[spec.key(req)] = &cached{resp: resp, expires: now.Add(time.Duration(ttl) * time.Second)}
}

// sharedTTL is the freshness the winning cache-control field gives Netlify,
// in seconds; 0 when it must not store the answer.
func sharedTTL(h map[string]string) int64 {
	v, ok := lookupHeader(h, "Netlify-CDN-Cache-Control")
	if !ok {
		v, ok = lookupHeader(h, "CDN-Cache-Control")
	}
	if !ok {
		v = header(h, "Cache-Control")
	}
	var ttl int64
	public := false
	for _, d := range strings.Split(v, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		name, val, _ := strings.Cut(d, "=")
		switch name {
		case "no-store", "private", "no-cache":
			return 0
		case "public":
			public = true
		case "max-age", "s-maxage":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return 0
			}
			if name == "s-maxage" || ttl == 0 {
				ttl = n
			}
		}
	}
	if !public {
		return 0
	}
	return ttl
}

func parseSpec(netlifyVary, vary string) *keySpec {
	s := &keySpec{raw: netlifyVary + "\n" + vary, allQuery: true}
	for _, part := range strings.Split(netlifyVary, ",") {
		name, list, _ := strings.Cut(strings.TrimSpace(part), "=")
		var values []string
		if list != "" {
			values = strings.Split(list, "|")
		}
		switch name {
		case "query":
			if values != nil {
				s.allQuery = false
				s.query = append(s.query, values...)
			}
		case "header":
			for _, v := range values {
				s.headers = append(s.headers, strings.ToLower(v))
			}
		case "country":
			if s.countries == nil {
				s.countries = map[string]bool{}
			}
			for _, v := range values {
				s.countries[strings.ToUpper(v)] = true
			}
		}
	}
	for _, v := range strings.Split(vary, ",") {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
			s.headers = append(s.headers, v)
		}
	}
	slices.Sort(s.query)
	slices.Sort(s.headers)
	s.headers = slices.Compact(s.headers)
	return s
}

// key is the cache key of req under s.
func (s *keySpec) key(req request) string {
	var b strings.Builder
	b.WriteString(req.path)
	b.WriteByte('?')
	if s.allQuery {
		b.WriteString(req.rawQuery)
	} else {
		q, _ := url.ParseQuery(req.rawQuery)
		for _, name := range s.query {
			if vs, ok := q[name]; ok {
				b.WriteString(name)
				b.WriteByte('=')
				b.WriteString(strings.Join(vs, "\x00"))
			}
			b.WriteByte('&')
		}
	}
	for _, name := range s.headers {
		b.WriteByte('\n')
		b.WriteString(name)
		b.WriteByte(':')
		if v, ok := lookupHeader(req.headers, name); ok {
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	if s.countries != nil {
		b.WriteString("\ncountry:")
		if s.countries[req.country] {
			b.WriteString(req.country)
		}
	}
	return b.String()
}

// lookupHeader finds a header by name in any case.
func lookupHeader(h map[string]string, name string) (string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func header(h map[string]string, name string) string {
	v, _ := lookupHeader(h, name)
	return v
}
