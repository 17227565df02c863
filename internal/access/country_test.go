package access

import (
	"encoding/base64"
	"strings"
	"testing"
)

func headerFunc(h map[string]string) func(string) string {
	return func(name string) string { return h[strings.ToLower(name)] }
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestCountry(t *testing.T) {
	// A value as captured from a production Netlify function request.
	const captured = "eyJjaXR5IjoiQ291bmNpbCBCbHVmZnMiLCJjb3VudHJ5Ijp7ImNvZGUiOiJVUyIsIm5hbWUiOiJVbml0ZWQgU3RhdGVzIn0sInBvc3RhbF9jb2RlIjoiNTE1MDIiLCJzdWJkaXZpc2lvbiI6eyJjb2RlIjoiSW93YSIsIm5hbWUiOiJJb3dhIn0sInRpbWV6b25lIjoiQW1lcmljYS9DaGljYWdvIiwibGF0aXR1ZGUiOjQxLjI1OTEsImxvbmdpdHVkZSI6LTk1Ljg1MTd9"
	for _, tt := range []struct {
		name string
		h    map[string]string
		want string
	}{
		{"captured production value", map[string]string{"x-nf-geo": captured}, "US"},
		{"netlify dev mock", map[string]string{"x-nf-geo": b64(`{"city":"Mock City","country":{"code":"FR","name":"Mock Country"}}`)}, "FR"},
		{"lower case code", map[string]string{"x-nf-geo": b64(`{"country":{"code":"de"}}`)}, "DE"},
		{"unpadded base64", map[string]string{"x-nf-geo": strings.TrimRight(b64(`{"country":{"code":"GB"}}`), "=")}, "GB"},
		{"no header", map[string]string{}, ""},
		{"x-country is not read", map[string]string{"x-country": "US"}, ""},
		{"not base64", map[string]string{"x-nf-geo": "{\"country\":{\"code\":\"US\"}}"}, ""},
		{"not JSON", map[string]string{"x-nf-geo": b64("US")}, ""},
		{"no country", map[string]string{"x-nf-geo": b64(`{"city":"X"}`)}, ""},
		{"country is a string", map[string]string{"x-nf-geo": b64(`{"country":"US"}`)}, ""},
		{"code is a number", map[string]string{"x-nf-geo": b64(`{"country":{"code":12}}`)}, ""},
		{"three letters", map[string]string{"x-nf-geo": b64(`{"country":{"code":"USA"}}`)}, ""},
		{"digit", map[string]string{"x-nf-geo": b64(`{"country":{"code":"T1"}}`)}, ""},
		{"non-ASCII", map[string]string{"x-nf-geo": b64(`{"country":{"code":"ÜS"}}`)}, ""},
		{"empty code", map[string]string{"x-nf-geo": b64(`{"country":{"code":""}}`)}, ""},
		{"unassigned but well-formed", map[string]string{"x-nf-geo": b64(`{"country":{"code":"XK"}}`)}, "XK"},
		{"too long", map[string]string{"x-nf-geo": b64(`{"country":{"code":"US"},"pad":"` + strings.Repeat("x", 4000) + `"}`)}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Country(headerFunc(tt.h)); got != tt.want {
				t.Errorf("Country() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDevGeoHeader(t *testing.T) {
	v, err := DevGeoHeader(" fr ")
	if err != nil {
		t.Fatal(err)
	}
	if got := Country(headerFunc(map[string]string{GeoHeader: v})); got != "FR" {
		t.Errorf("Country(DevGeoHeader(fr)) = %q, want FR", got)
	}
	for _, bad := range []string{"", "F", "FRA", "XK", "ZZ", "1A", "F\"R"} {
		if _, err := DevGeoHeader(bad); err == nil || !strings.Contains(err.Error(), DevCountryVar) {
			t.Errorf("DevGeoHeader(%q) error = %v, want one naming %s", bad, err, DevCountryVar)
		}
	}
}

func TestISOTable(t *testing.T) {
	if len(isoCodes) != 2*249 {
		t.Fatalf("the table holds %d codes, want 249", len(isoCodes)/2)
	}
	for i := 2; i < len(isoCodes); i += 2 {
		if isoCodes[i-2:i] >= isoCodes[i:i+2] {
			t.Fatalf("the table is not sorted at %s", isoCodes[i:i+2])
		}
	}
	for i := 0; i < len(isoCodes); i += 2 {
		if c := isoCodes[i : i+2]; !isCountryCode(c) {
			t.Errorf("isCountryCode(%s) = false", c)
		}
	}
	for _, c := range []string{"AA", "XK", "UK", "EU", "ZZ", "us", "U", "USA", "", "A1", "QQ"} {
		if isCountryCode(c) {
			t.Errorf("isCountryCode(%q) = true", c)
		}
	}
	for _, c := range []string{"AD", "ZW", "US", "GB", "AQ", "SS", "BQ", "CW", "SX"} {
		if !isCountryCode(c) {
			t.Errorf("isCountryCode(%q) = false", c)
		}
	}
}

func TestCountrySet(t *testing.T) {
	var s countrySet
	s.add("US")
	s.add("ZZ")
	s.add("us") // ignored: not upper case
	if !s.has("US") || !s.has("ZZ") || s.has("UT") || s.has("us") || s.has("") || s.has("U") {
		t.Error("countrySet is wrong")
	}
}
