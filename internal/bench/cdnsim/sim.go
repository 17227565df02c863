package main

import (
	"context"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// functionPath is where Netlify serves the function.
const functionPath = "/.netlify/functions/sign_playback_id"

// site is the configuration the function runs with in the simulation.
type site struct {
	edge       bool
	life       time.Duration
	grain      time.Duration // 0: the function's default
	originList bool
	allowed    map[string]bool // nil: every ID
	errorTTL   int
	// varyAccept replays the rejected design: every answer varies on the
	// raw Accept header, and negotiated answers are cached too.
	varyAccept bool
	// tamper, when set, changes each answer's headers before the CDN sees
	// them (tests use it to prove the checks catch a wrong key).
	tamper func(status int, h map[string]string)
	// dry counts the floor only: no function, no CDN.
	dry bool
}

// result is what a replay measured.
type result struct {
	views, invocations, hits int
	floor                    int
	uncachedByDesign         int // invocations for answers never cached: 400s, negotiated, errors
	minLife                  time.Duration
	promise                  time.Duration // the smallest life - grain any view was promised
	failures                 []string
	failureCount             int
	varyViolations           int
	tokens                   int // distinct tokens verified
}

func (r *result) fail(format string, args ...any) {
	r.failureCount++
	if len(r.failures) < 10 {
		r.failures = append(r.failures, fmt.Sprintf(format, args...))
	}
}

// replay runs the views through the CDN model in front of the function.
func replay(s site, views func(func(*view) error) error, keyID, keyPEM string, pub *rsa.PublicKey) (*result, error) {
	var clock time.Time
	env := map[string]string{
		endpoint.EnvSigningKey:  keyID,
		endpoint.EnvPrivateKey:  keyPEM,
		endpoint.EnvExpiration:  fmt.Sprint(int64(s.life / time.Second)),
		"MUX_EDGE_CACHE":        fmt.Sprint(s.edge),
		"MUX_EDGE_CACHE_ERRORS": fmt.Sprint(s.errorTTL),
	}
	if s.grain > 0 {
		env[endpoint.EnvGrain] = fmt.Sprint(int64(s.grain / time.Second))
	}
	if s.originList {
		env[endpoint.EnvAllowedOrigins] = strings.Join(origins[:2], ",")
	}
	if s.allowed != nil {
		ids := make([]string, 0, len(s.allowed))
		for id := range s.allowed {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		env[endpoint.EnvAllowedPlaybackIDs] = strings.Join(ids, ",")
	}
	h := endpoint.New(func(k string) string { return env[k] }, func() time.Time { return clock }, slog.New(slog.DiscardHandler))
	cfg, err := h.Config()
	if err != nil {
		return nil, fmt.Errorf("function configuration: %w", err)
	}
	allowedOrigins := map[string]bool{}
	if s.originList {
		for _, o := range origins[:2] {
			allowedOrigins[o] = true
		}
	}

	c := newCDN()
	ck := newChecker(keyID, pub)
	res := &result{minLife: time.Duration(1<<63 - 1), promise: time.Duration(1<<63 - 1)}
	floor := map[string]struct{}{}
	ctx := context.Background()
	err = views(func(v *view) error {
		res.views++
		clock = v.at
		life, grain := cfg.Expiration, cfg.Grain
		if v.life > 0 && v.life < life {
			life, grain = v.life, min(grain, v.life/10)
		}
		exp := muxsign.ExpiresAt(v.at, life, grain)
		want := expect(v, s, allowedOrigins)
		floor[want.floorKey(v, exp, s.originList)] = struct{}{}
		if s.dry {
			return nil
		}

		req := request{method: "GET", path: functionPath, rawQuery: v.rawQuery(), headers: v.headers, country: v.country}
		resp, hit := c.lookup(req, v.at)
		if hit {
			res.hits++
		} else {
			res.invocations++
			var err error
			resp, err = h.Handle(ctx, lambdaRequest(req))
			if err != nil {
				return fmt.Errorf("function: %w", err)
			}
			if s.varyAccept {
				varyOnAccept(resp, v, life, grain)
			}
			if s.tamper != nil {
				s.tamper(resp.StatusCode, resp.Headers)
			}
			if sharedTTL(resp.Headers) <= 0 {
				res.uncachedByDesign++
			}
			c.store(req, resp, v.at)
		}
		if want.status == 200 || want.status == 302 {
			res.promise = min(res.promise, life-grain)
		}
		ck.check(res, v, want, resp, hit, life-grain, s.errorTTL > 0)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.floor = len(floor)
	res.varyViolations = c.violations
	if c.violations > 0 {
		res.fail("%d answers carried other key instructions than their URL's first cached answer", c.violations)
	}
	res.tokens = len(ck.seen)
	return res, nil
}

// lambdaRequest is the event Netlify hands a Lambda-compatible function.
func lambdaRequest(req request) events.APIGatewayProxyRequest {
	q, _ := url.ParseQuery(req.rawQuery)
	single := make(map[string]string, len(q))
	for k, vs := range q {
		single[k] = vs[0]
	}
	return events.APIGatewayProxyRequest{
		HTTPMethod:                      req.method,
		Path:                            req.path,
		Headers:                         req.headers,
		QueryStringParameters:           single,
		MultiValueQueryStringParameters: q,
	}
}

// varyOnAccept turns an answer into what the rejected design would send:
// Vary: Accept on everything, and negotiated answers cached like the rest.
func varyOnAccept(resp events.APIGatewayProxyResponse, v *view, life, grain time.Duration) {
	resp.Headers["Vary"] = "Accept"
	if v.negotiated && (resp.StatusCode == 200 || resp.StatusCode == 302) {
		exp := muxsign.ExpiresAt(v.at, life, grain)
		ttl := int64(exp.Add(grain-life).Sub(v.at) / time.Second)
		if ttl > 0 {
			resp.Headers["Netlify-CDN-Cache-Control"] = fmt.Sprintf("public, durable, max-age=%d, must-revalidate", ttl)
		}
	}
}
