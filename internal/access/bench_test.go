package access

import (
	"fmt"
	"strings"
	"testing"
)

// benchPolicy is a large but realistic policy: a * rule, 30 per-ID rules
// naming 120 IDs (near the 2048-byte limit), an IDs claim, a site-wide allow list and per-ID country
// rules.
func benchPolicy(b *testing.B) Policy {
	b.Helper()
	var rules, crules []string
	rules = append(rules, "*:https://example.com/roles=member|staff, scope=watch:films")
	for i := range 30 {
		ids := make([]string, 4)
		for j := range ids {
			ids[j] = fmt.Sprintf("id%03d", i*4+j)
		}
		rules = append(rules, strings.Join(ids, " ")+":app_metadata.roles=r"+fmt.Sprint(i))
		if i < 20 {
			crules = append(crules, ids[0]+":block=CN")
		}
	}
	return mustLoad(b, env{
		EnvViewerRules:  strings.Join(rules, ";"),
		EnvIDsClaim:     "app_metadata.playback_ids",
		EnvCountryAllow: "US CA GB DE FR IT ES NL BE AT CH SE NO DK FI IE PT PL CZ",
		EnvCountryRules: strings.Join(crules, ";"),
	})
}

func BenchmarkDecide(b *testing.B) {
	p := benchPolicy(b)
	auth0 := loadClaims(b, "auth0.json")
	identity := loadClaims(b, "netlify_identity.json")
	for _, bc := range []struct {
		name    string
		claims  map[string]any
		id      string
		country string
		allowed bool
	}{
		{"star rule met", auth0, "abcdef", "US", true},
		{"per-ID rule refused", auth0, "id023", "US", false},
		{"IDs claim", identity, "film9", "FR", true},
		{"country refused", auth0, "abcdef", "JP", false},
		{"anonymous", nil, "abcdef", "US", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if d := p.Decide(bc.claims, bc.id, bc.country); d.Allowed != bc.allowed {
				b.Fatalf("Decide = %+v", d)
			}
			b.ReportAllocs()
			for b.Loop() {
				p.Decide(bc.claims, bc.id, bc.country)
			}
		})
	}
}

func BenchmarkCountry(b *testing.B) {
	v, err := DevGeoHeader("FR")
	if err != nil {
		b.Fatal(err)
	}
	h := func(string) string { return v }
	b.ReportAllocs()
	for b.Loop() {
		if Country(h) != "FR" {
			b.Fatal("wrong country")
		}
	}
}

func BenchmarkLoadPolicy(b *testing.B) {
	benchPolicy(b)
	b.ReportAllocs()
	for b.Loop() {
		benchPolicy(b)
	}
}
