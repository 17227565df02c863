package edgecache

import (
	"errors"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

func TestLoadPolicy(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Policy
		badVars []string
	}{
		{"unset is off", nil, Policy{}, nil},
		{"on", map[string]string{EnvEdgeCache: "true"}, Policy{Enabled: true}, nil},
		{"on, spaced, other spelling", map[string]string{EnvEdgeCache: " Yes "}, Policy{Enabled: true}, nil},
		{"off", map[string]string{EnvEdgeCache: "0"}, Policy{}, nil},
		{"errors cached", map[string]string{EnvEdgeCache: "on", EnvEdgeCacheErrors: "60"}, Policy{Enabled: true, ErrorTTL: time.Minute}, nil},
		{"errors at the maximum", map[string]string{EnvEdgeCacheErrors: "3600"}, Policy{ErrorTTL: time.Hour}, nil},
		{"not a boolean", map[string]string{EnvEdgeCache: "sometimes"}, Policy{}, []string{EnvEdgeCache}},
		{"errors too long", map[string]string{EnvEdgeCacheErrors: "3601"}, Policy{}, []string{EnvEdgeCacheErrors}},
		{"errors negative", map[string]string{EnvEdgeCacheErrors: "-1"}, Policy{}, []string{EnvEdgeCacheErrors}},
		{"errors with a unit", map[string]string{EnvEdgeCacheErrors: "1m"}, Policy{}, []string{EnvEdgeCacheErrors}},
		{"both bad", map[string]string{EnvEdgeCache: "2", EnvEdgeCacheErrors: "x"}, Policy{}, []string{EnvEdgeCache, EnvEdgeCacheErrors}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadPolicy(func(k string) string { return tt.env[k] })
			if tt.badVars == nil {
				if err != nil {
					t.Fatalf("LoadPolicy: %v", err)
				}
				if got != tt.want {
					t.Fatalf("LoadPolicy = %+v, want %+v", got, tt.want)
				}
				return
			}
			var e *envconf.Error
			if !errors.As(err, &e) {
				t.Fatalf("LoadPolicy error = %v, want *envconf.Error", err)
			}
			vars := e.Vars()
			if len(vars) != len(tt.badVars) {
				t.Fatalf("bad variables %v, want %v", vars, tt.badVars)
			}
			for i := range vars {
				if vars[i] != tt.badVars[i] {
					t.Fatalf("bad variables %v, want %v", vars, tt.badVars)
				}
			}
		})
	}
}
