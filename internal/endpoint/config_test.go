package endpoint_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
)

func TestLoadConfigDefaults(t *testing.T) {
	c, err := endpoint.LoadConfig(htEnv(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.KeyID != htKeyID || c.Key == nil || !c.Key.PublicKey.Equal(htPublicKey(t)) {
		t.Fatal("key ID or key not loaded")
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Expiration", c.Expiration, 7 * 24 * time.Hour},
		{"Grain", c.Grain, time.Hour},
		{"CacheSize", c.CacheSize, endpoint.DefaultCacheSize},
		{"PlaybackRestrictionID", c.PlaybackRestrictionID, ""},
		{"AllowedPlaybackIDs is nil", c.AllowedPlaybackIDs == nil, true},
		{"AllowedOrigins is nil", c.AllowedOrigins == nil, true},
		{"StreamBase", c.StreamBase, "https://stream.mux.com"},
		{"ImageBase", c.ImageBase, "https://image.mux.com"},
		{"LicenseBase", c.LicenseBase, "https://license.mux.com"},
		{"DRM", c.DRM, false},
	}
	for _, ch := range checks {
		t.Run(ch.name, func(t *testing.T) {
			if ch.got != ch.want {
				t.Fatalf("%s = %v, want %v", ch.name, ch.got, ch.want)
			}
		})
	}
}

func TestLoadConfigValues(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(endpoint.Config) bool
	}{
		{"key as raw PKCS#8 PEM", map[string]string{endpoint.EnvPrivateKey: htFixture(t, "rsa2048_pkcs8.pem")}, func(c endpoint.Config) bool { return c.Key != nil }},
		{"key with literal \\n", map[string]string{endpoint.EnvPrivateKey: strings.ReplaceAll(htFixture(t, "rsa2048_pkcs1.pem"), "\n", `\n`)}, func(c endpoint.Config) bool { return c.Key != nil }},
		{"key ID with whitespace", map[string]string{endpoint.EnvSigningKey: "  " + htKeyID + "\n"}, func(c endpoint.Config) bool { return c.KeyID == htKeyID }},
		{"expiration 3600: grain 6m", map[string]string{endpoint.EnvExpiration: "3600"}, func(c endpoint.Config) bool { return c.Expiration == time.Hour && c.Grain == 6*time.Minute }},
		{"expiration 12h: grain 1h", map[string]string{endpoint.EnvExpiration: "12h"}, func(c endpoint.Config) bool { return c.Expiration == 12*time.Hour && c.Grain == time.Hour }},
		{"expiration 100s: grain 10s", map[string]string{endpoint.EnvExpiration: "100"}, func(c endpoint.Config) bool { return c.Grain == 10*time.Second }},
		{"expiration 65s: grain whole seconds", map[string]string{endpoint.EnvExpiration: "65"}, func(c endpoint.Config) bool { return c.Grain == 6*time.Second }},
		{"grain 0 is off", map[string]string{endpoint.EnvGrain: "0"}, func(c endpoint.Config) bool { return c.Grain == 0 }},
		{"grain 10m", map[string]string{endpoint.EnvGrain: "10m"}, func(c endpoint.Config) bool { return c.Grain == 10*time.Minute }},
		{"grain above the default cap", map[string]string{endpoint.EnvGrain: "6h"}, func(c endpoint.Config) bool { return c.Grain == 6*time.Hour }},
		{"cache off", map[string]string{endpoint.EnvCacheSize: "0"}, func(c endpoint.Config) bool { return c.CacheSize == 0 }},
		{"cache 500", map[string]string{endpoint.EnvCacheSize: "500"}, func(c endpoint.Config) bool { return c.CacheSize == 500 }},
		{"restriction", map[string]string{endpoint.EnvRestrictionID: "abc123"}, func(c endpoint.Config) bool { return c.PlaybackRestrictionID == "abc123" }},
		{"allowed IDs", map[string]string{endpoint.EnvAllowedPlaybackIDs: htID + ", " + htID2}, func(c endpoint.Config) bool {
			return len(c.AllowedPlaybackIDs) == 2 && c.AllowedPlaybackIDs[htID] && c.AllowedPlaybackIDs[htID2]
		}},
		{"allowed origins", map[string]string{endpoint.EnvAllowedOrigins: "https://a.example.com"}, func(c endpoint.Config) bool {
			return c.AllowedOrigins != nil && c.AllowedOrigins.Allows("https://a.example.com")
		}},
		{"DRM yes", map[string]string{endpoint.EnvDRM: "yes"}, func(c endpoint.Config) bool { return c.DRM }},
		{"DRM TRUE", map[string]string{endpoint.EnvDRM: "TRUE"}, func(c endpoint.Config) bool { return c.DRM }},
		{"DRM 0", map[string]string{endpoint.EnvDRM: "0"}, func(c endpoint.Config) bool { return !c.DRM }},
		{"stream host with port", map[string]string{endpoint.EnvStreamHost: "stream.example.com:8443"}, func(c endpoint.Config) bool { return c.StreamBase == "https://stream.example.com:8443" }},
		{"image host on loopback", map[string]string{endpoint.EnvImageHost: "http://127.0.0.1:8080"}, func(c endpoint.Config) bool { return c.ImageBase == "http://127.0.0.1:8080" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := endpoint.LoadConfig(htEnv(t, tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("unexpected config %+v", c)
			}
		})
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	_, err := endpoint.LoadConfig(htEnv(t, map[string]string{
		endpoint.EnvSigningKey:  "-",
		endpoint.EnvPrivateKey:  htFixture(t, "ec_p256.pem"),
		endpoint.EnvExpiration:  "soon",
		endpoint.EnvStreamHost:  "http://stream.example.com",
		endpoint.EnvCacheSize:   "-1",
		endpoint.EnvDRM:         "perhaps",
		endpoint.EnvImageHost:   "image.example.com/path",
		endpoint.EnvLicenseHost: "https://",
	}))
	var ce *endpoint.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *ConfigError", err)
	}
	want := []string{endpoint.EnvSigningKey, endpoint.EnvPrivateKey, endpoint.EnvExpiration, endpoint.EnvCacheSize,
		endpoint.EnvStreamHost, endpoint.EnvImageHost, endpoint.EnvLicenseHost, endpoint.EnvDRM}
	if len(ce.Problems) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ce.Problems), len(want), ce.Problems)
	}
	for _, name := range want {
		found := false
		for _, p := range ce.Problems {
			found = found || p.Var == name
		}
		if !found {
			t.Errorf("no problem starts with %s: %v", name, ce.Problems)
		}
	}
	htNoKeyMaterial(t, err.Error(), htFixture(t, "ec_p256.pem"))
}
