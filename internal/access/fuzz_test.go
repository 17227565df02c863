package access

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

// noControl reports whether s holds no control character (a log or a
// `check` line stays one line).
func noControl(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsControl)
}

// checkDecision checks what holds for every Decision.
func checkDecision(t *testing.T, p Policy, claims map[string]any, id, country string) Decision {
	t.Helper()
	d := p.Decide(claims, id, country)
	if d.Allowed != (d.Code == "") || d.Allowed != (d.Reason == "") {
		t.Fatalf("inconsistent decision %+v", d)
	}
	switch d.Code {
	case "", CodeSignIn, CodeInsufficientScope, CodeCountry:
	default:
		t.Fatalf("unknown code %q", d.Code)
	}
	switch d.Reason {
	case "", ReasonSignIn, ReasonNotEntitled, ReasonCountry, ReasonCountryUnknown:
	default:
		t.Fatalf("unknown reason %q", d.Reason)
	}
	if d.Code == CodeSignIn && claims != nil || d.Code == CodeInsufficientScope && claims == nil {
		t.Fatalf("code %q with claims %v", d.Code, claims != nil)
	}
	if !noControl(d.Detail) {
		t.Fatalf("Detail %q holds a control character", d.Detail)
	}
	// Anonymous is never let through where the applicable rule reads claims.
	if claims == nil && d.Allowed && p.NeedsViewerFor(id) {
		t.Fatalf("anonymous viewer allowed %q though NeedsViewerFor is true: %+v", id, d)
	}
	// The same, read off the rules directly: MUX_VIEWER_REQUIRE, or an
	// applicable rule other than public, or (with no rule) an IDs claim.
	if claims == nil && d.Allowed {
		r := p.ruleFor(id)
		if len(p.require) > 0 || r != nil && r.kind != grantPublic || r == nil && p.idsClaim != nil {
			t.Fatalf("anonymous viewer allowed %q by a policy that reads claims for it: %+v", id, d)
		}
	}
	// And where no rule needs a viewer, only the country can refuse.
	if claims == nil && !d.Allowed && d.Code != CodeCountry && !p.NeedsViewerFor(id) {
		t.Fatalf("anonymous viewer refused %q (%+v) though NeedsViewerFor is false", id, d)
	}
	if !p.UsesCountry() && d.Code == CodeCountry {
		t.Fatalf("country refusal from a policy that uses no country: %+v", d)
	}
	return d
}

func FuzzLoadPolicy(f *testing.F) {
	f.Add("roles=member", "*:roles=member; trailer1 trailer2:public", "app_metadata.ids", "US,CA", "", "film9:allow=FR; trailer1:anywhere", "trailer1", "FR")
	f.Add("https://example.com/roles=a|b, scope=watch", "[https://x.example/app].roles=staff", "", "", "CN RU", "x:block=DE", "x", "DE")
	f.Add("", "*:signed-in;abc:public;", "https://example.com/ids", "", "", "", "abc", "")
	f.Add("cognito:groups=x", "a b c:[a.b].[c]=1|2", "[a.b]", "us", "", "", "b", "US")
	f.Add("a=1,", "*:", "a..b", "XK", "ZZ", "*:allow=US", "", "")
	f.Fuzz(func(t *testing.T, require, rules, idsClaim, allow, block, crules, id, country string) {
		e := env{EnvRequire: require, EnvViewerRules: rules, EnvIDsClaim: idsClaim,
			EnvCountryAllow: allow, EnvCountryBlock: block, EnvCountryRules: crules}
		p, err := LoadPolicy(e.get)
		if err != nil {
			var ce *envconf.Error
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error %v is not an *envconf.Error with problems", err)
			}
			for _, pr := range ce.Problems {
				if !slices.Contains(Names(), pr.Var) || pr.Text == "" || !noControl(pr.Text) {
					t.Fatalf("bad problem %q", pr)
				}
			}
			if p.NeedsViewer() || p.UsesCountry() || len(p.Describe()) != 1 {
				t.Fatal("a failed load must give the zero policy")
			}
			return
		}
		for _, v := range p.Vars() {
			if !slices.Contains(Names(), v) || strings.TrimSpace(e[v]) == "" {
				t.Fatalf("Vars() lists %s", v)
			}
		}
		lines := p.Describe()
		if len(lines) == 0 {
			t.Fatal("Describe() is empty")
		}
		for _, l := range lines {
			if !noControl(l) {
				t.Fatalf("Describe line %q holds a control character", l)
			}
		}
		// The rules' canonical text loads again to the same policy.
		again := mustLoad(t, canonical(p))
		if !slices.Equal(again.Describe(), lines) {
			t.Fatalf("canonical form describes differently:\n%q\n%q", again.Describe(), lines)
		}
		signedIn := p.SignedInByDefault()
		for _, c := range []map[string]any{nil, {}, {"roles": "member", "scope": "watch", "ids": []any{id}}} {
			for _, cc := range []string{country, "", "US"} {
				checkDecision(t, p, c, id, cc)
				if d := checkDecision(t, signedIn, c, id, cc); c == nil && d.Allowed && signedIn.ruleFor(id).kind != grantPublic {
					t.Fatalf("SignedInByDefault let an anonymous viewer watch %q: %+v", id, d)
				}
			}
		}
	})
}

// canonical writes p's configuration back in the form it describes itself.
func canonical(p Policy) env {
	e := env{}
	var parts []string
	for i := range p.require {
		parts = append(parts, p.require[i].text)
	}
	e[EnvRequire] = strings.Join(parts, ", ")
	parts = nil
	for i := range p.rules {
		parts = append(parts, p.rules[i].text)
	}
	e[EnvViewerRules] = strings.Join(parts, "; ")
	if p.idsClaim != nil {
		e[EnvIDsClaim] = p.idsClaim.text
	}
	switch p.site.mode {
	case countryAllow:
		e[EnvCountryAllow] = strings.Join(p.site.codes, ",")
	case countryBlock:
		e[EnvCountryBlock] = strings.Join(p.site.codes, ",")
	}
	parts = nil
	for i := range p.cRules {
		parts = append(parts, p.cRules[i].text)
	}
	e[EnvCountryRules] = strings.Join(parts, "; ")
	return e
}

// fuzzPolicies are fixed policies FuzzDecide runs claims against.
func fuzzPolicies() []env {
	return []env{
		{EnvRequire: "roles=member|staff, scope=watch"},
		{EnvViewerRules: "*:app_metadata.roles=member; trailer1:public; film9:https://example.com/roles=critic; club1:signed-in"},
		{EnvIDsClaim: "ids", EnvViewerRules: "*:[a.b].c=x"},
		{EnvIDsClaim: "https://example.com/ids"},
		{EnvCountryAllow: "US,CA", EnvCountryRules: "film9:block=CN; trailer1:anywhere", EnvViewerRules: "trailer1:public; *:signed-in"},
		{EnvCountryBlock: "CN", EnvRequire: "cognito:groups=staff"},
	}
}

func FuzzDecide(f *testing.F) {
	f.Add(`{"roles":["member"],"scope":"openid watch"}`, "abc123", "US")
	f.Add(`{"app_metadata":{"roles":"member staff"}}`, "film9", "")
	f.Add(`{"ids":"a b film9","a.b":{"c":["x"]}}`, "film9", "CN")
	f.Add(`{"https://example.com/roles":[1,{"a":"critic"},["critic"]]}`, "trailer1", "XK")
	f.Add(`null`, "club1", "us")
	f.Add(`{"cognito:groups":7}`, "", "\n")
	var policies []Policy
	for _, e := range fuzzPolicies() {
		policies = append(policies, mustLoad(f, e))
	}
	f.Fuzz(func(t *testing.T, claimsJSON, id, country string) {
		var claims map[string]any
		_ = json.Unmarshal([]byte(claimsJSON), &claims) // invalid JSON: anonymous
		for _, p := range policies {
			d := checkDecision(t, p, claims, id, country)
			anon := checkDecision(t, p, nil, id, country)
			// The country answer does not depend on who asks.
			if (d.Code == CodeCountry) != (anon.Code == CodeCountry) {
				t.Fatalf("country answer depends on claims: %+v vs %+v", d, anon)
			}
		}
	})
}
