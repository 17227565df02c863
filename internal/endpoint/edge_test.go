package endpoint_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
)

// TestEdgeCacheHeaders: with MUX_EDGE_CACHE=true, a GET whose mode the query
// names may be served by Netlify's CDN until the end of its grain, keyed on
// what the function reads; everything else is no-store; browsers always get
// private, no-store.
func TestEdgeCacheHeaders(t *testing.T) {
	// 7 d tokens on a 1 h grain: a token issued at now expires at
	// floor((now + 7 d) / 1 h) * 1 h, and its answer may be served until
	// exp + 1 h - 7 d, the end of now's grain.
	boundary := time.Unix(1764504000, 0) // a multiple of 3600
	for _, tt := range []struct {
		name   string
		now    time.Time
		env    map[string]string
		req    htReq
		status int
		cdn    string // Netlify-CDN-Cache-Control
	}{
		{"redirect, mid-grain", boundary.Add(-1234 * time.Second), nil,
			htReq{query: "playbackId=" + htID + "&response=redirect&utm_source=x"}, 302, "public, durable, max-age=1234, must-revalidate"},
		{"redirect, 1 s before the boundary", boundary.Add(-time.Second), nil,
			htReq{query: "playbackId=" + htID + "&response=redirect"}, 302, "public, durable, max-age=1, must-revalidate"},
		{"redirect, on the boundary", boundary, nil,
			htReq{query: "playbackId=" + htID + "&response=redirect"}, 302, "public, durable, max-age=3600, must-revalidate"},
		{"JSON", boundary.Add(-60 * time.Second), nil,
			htReq{query: "playbackId=" + htID + "&response=json"}, 200, "public, durable, max-age=60, must-revalidate"},
		{"shorter expiration, shorter grain", boundary.Add(-1234 * time.Second), nil,
			htReq{query: "playbackId=" + htID + "&response=redirect&expiration=1h"}, 302, "public, durable, max-age=154, must-revalidate"}, // 6 min grain: served until exp + 6 min - 1 h
		{"mode from Accept", boundary, nil, htReq{query: "playbackId=" + htID}, 302, "no-store"},
		{"HEAD", boundary, nil, htReq{method: "HEAD", query: "playbackId=" + htID + "&response=redirect"}, 302, "no-store"},
		{"POST", boundary, nil, htReq{method: "POST", query: "playbackId=" + htID + "&response=redirect"}, 302, "no-store"},
		{"preflight", boundary, nil, htReq{method: "OPTIONS"}, 204, "no-store"},
		{"bad request", boundary, nil, htReq{query: "playbackId=" + htID + "&response=redirect&type=audio"}, 400, "no-store"},
		{"not allowed ID", boundary, map[string]string{endpoint.EnvAllowedPlaybackIDs: htID2},
			htReq{query: "playbackId=" + htID + "&response=redirect"}, 403, "no-store"},
		{"not allowed ID, cached errors", boundary, map[string]string{endpoint.EnvAllowedPlaybackIDs: htID2, "MUX_EDGE_CACHE_ERRORS": "60"},
			htReq{query: "playbackId=" + htID + "&response=redirect"}, 403, "public, durable, max-age=60, must-revalidate"},
		{"grain off", boundary, map[string]string{endpoint.EnvGrain: "0"},
			htReq{query: "playbackId=" + htID + "&response=redirect"}, 302, "no-store"},
		{"viewer sign-in", boundary, map[string]string{"MUX_VIEWER_HS256_SECRET": azSecret, "MUX_VIEWER_ISSUER": "https://idp.example.test", "MUX_VIEWER_AUDIENCE": azAudience},
			htReq{query: "playbackId=" + htID + "&response=redirect"}, 401, "no-store"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"MUX_EDGE_CACHE": "true"}
			for k, v := range tt.env {
				env[k] = v
			}
			now := tt.now
			h := endpoint.New(htEnv(t, env), func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
			resp := htServer{h: h}.do(t, tt.req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, resp.Body, tt.status)
			}
			if got := resp.Headers["Netlify-CDN-Cache-Control"]; got != tt.cdn {
				t.Errorf("Netlify-CDN-Cache-Control %q, want %q", got, tt.cdn)
			}
			if got := resp.Headers["Cache-Control"]; got != "private, no-store" {
				t.Errorf("Cache-Control %q, want private, no-store", got)
			}
			vary := resp.Headers["Netlify-Vary"]
			for _, name := range []string{"playbackId", "type", "response", "expiration", "width", "max_resolution"} {
				if !strings.Contains(vary, name) {
					t.Errorf("Netlify-Vary %q lacks %s", vary, name)
				}
			}
			if strings.Contains(vary, "utm_") {
				t.Errorf("Netlify-Vary %q keys on noise", vary)
			}
			if strings.HasPrefix(tt.cdn, "public") && !strings.Contains(resp.Headers["Netlify-Cache-Tag"], "mux-sign-"+htID) {
				t.Errorf("a cached answer without its playback ID's cache tag: %v", resp.Headers)
			}
		})
	}

	// Off by default: no Netlify header at all.
	resp := newHTServer(t, nil).do(t, htReq{query: "playbackId=" + htID + "&response=redirect"})
	for k := range resp.Headers {
		if strings.HasPrefix(k, "Netlify-") {
			t.Errorf("edge caching off, yet %s: %s", k, resp.Headers[k])
		}
	}
	// The token of a cached answer keeps at least life - grain until the
	// answer's max-age runs out.
	now := boundary.Add(-1234 * time.Second)
	h := endpoint.New(htEnv(t, map[string]string{"MUX_EDGE_CACHE": "true"}), func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	res := h.Serve(context.Background(), endpoint.Request{Method: http.MethodGet, PlaybackID: htID})
	servedUntil := now.Add(1234 * time.Second)
	if left := res.ExpiresAt.Sub(servedUntil); left < 7*24*time.Hour-time.Hour {
		t.Errorf("served until %v, the token then has %v left, less than life - grain", servedUntil, left)
	}
}
