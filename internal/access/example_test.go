package access_test

import (
	"fmt"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/access"
)

func ExamplePolicy_Decide() {
	vars := map[string]string{
		access.EnvViewerRules:  "*:https://example.com/roles=member; trailer1:public",
		access.EnvCountryAllow: "US,CA",
	}
	p, err := access.LoadPolicy(func(name string) string { return vars[name] })
	if err != nil {
		fmt.Println(err)
		return
	}
	member := map[string]any{"sub": "auth0|1", "https://example.com/roles": []any{"member"}}
	guest := map[string]any{"sub": "auth0|2"}
	for _, c := range []struct {
		who     string
		claims  map[string]any
		id      string
		country string
	}{
		{"member", member, "film9", "US"},
		{"guest", guest, "film9", "US"},
		{"anonymous", nil, "film9", "CA"},
		{"anonymous", nil, "trailer1", "CA"},
		{"member", member, "film9", "FR"},
		{"member", member, "film9", ""},
	} {
		d := p.Decide(c.claims, c.id, c.country)
		fmt.Printf("%s %s from %q: %d\n", c.who, c.id, c.country, d.Status())
		if !d.Allowed {
			fmt.Println("  " + d.Reason)
		}
	}
	// Output:
	// member film9 from "US": 200
	// guest film9 from "US": 403
	//   Your account is not entitled to watch this video.
	// anonymous film9 from "CA": 401
	//   Sign in to watch this video.
	// anonymous trailer1 from "CA": 200
	// member film9 from "FR": 403
	//   This video is not available in your country.
	// member film9 from "": 403
	//   This video is available only in some countries, and your country could not be determined.
}

func ExampleCountry() {
	v, _ := access.DevGeoHeader("de") // what `make dev` sets for MUX_DEV_COUNTRY=de
	header := func(name string) string {
		if name == access.GeoHeader {
			return v
		}
		return ""
	}
	fmt.Println(access.Country(header))
	// Output: DE
}
