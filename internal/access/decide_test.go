package access

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

type decideCase struct {
	name    string
	claims  map[string]any
	id      string
	country string
	code    string // "" when allowed
	detail  string // part of Detail
}

func runDecide(t *testing.T, p Policy, cases []decideCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.claims, tt.id, tt.country)
			if d.Allowed != (tt.code == "") || d.Code != tt.code {
				t.Fatalf("Decide = %+v, want code %q", d, tt.code)
			}
			if !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("Detail %q lacks %q", d.Detail, tt.detail)
			}
			switch tt.code {
			case "":
				if d.Reason != "" || d.Status() != http.StatusOK {
					t.Errorf("allowed with reason %q, status %d", d.Reason, d.Status())
				}
			case CodeSignIn:
				if d.Reason != ReasonSignIn || d.Status() != http.StatusUnauthorized {
					t.Errorf("reason %q status %d", d.Reason, d.Status())
				}
			case CodeInsufficientScope:
				if d.Reason != ReasonNotEntitled || d.Status() != http.StatusForbidden {
					t.Errorf("reason %q status %d", d.Reason, d.Status())
				}
			case CodeCountry:
				if (d.Reason != ReasonCountry && d.Reason != ReasonCountryUnknown) || d.Status() != http.StatusForbidden {
					t.Errorf("reason %q status %d", d.Reason, d.Status())
				}
			}
			// The public reason never names rules, claims, IDs or countries.
			for _, leak := range []string{"MUX_", "roles", "film9", "trailer", "abc123", "member", "US", "CN"} {
				if strings.Contains(d.Reason, leak) {
					t.Errorf("Reason %q reveals %q", d.Reason, leak)
				}
			}
		})
	}
}

func TestDecideRequire(t *testing.T) {
	auth0 := loadClaims(t, "auth0.json")
	identity := loadClaims(t, "netlify_identity.json")
	odd := loadClaims(t, "odd_types.json")
	p := mustLoad(t, env{EnvRequire: "https://example.com/roles=member|staff, scope=watch:films"})
	runDecide(t, p, []decideCase{
		{"both hold", auth0, "abc123", "", "", "MUX_VIEWER_REQUIRE met"},
		{"anonymous", nil, "abc123", "", CodeSignIn, "no signed-in viewer"},
		{"missing claim", identity, "abc123", "", CodeInsufficientScope, "claim https://example.com/roles is missing"},
		{"empty claims are a viewer", map[string]any{}, "abc123", "", CodeInsufficientScope, "is missing"},
	})
	p = mustLoad(t, env{EnvRequire: "roles=member"})
	runDecide(t, p, []decideCase{
		{"number", odd, "x", "", CodeInsufficientScope, "claim roles is a number, not a string or an array of strings"},
		{"string equal", map[string]any{"roles": "member"}, "x", "", "", ""},
		{"space-separated string", map[string]any{"roles": "staff member"}, "x", "", "", ""},
		{"array miss", map[string]any{"roles": []any{"staff"}}, "x", "", CodeInsufficientScope, "claim roles (an array of 1) holds none of member"},
		{"object", map[string]any{"roles": map[string]any{"member": true}}, "x", "", CodeInsufficientScope, "is an object"},
		{"array of numbers", map[string]any{"roles": []any{1.0, 2.0}}, "x", "", CodeInsufficientScope, "holds none"},
		{"prefix is not a match", map[string]any{"roles": "members"}, "x", "", CodeInsufficientScope, "holds none"},
	})
	p = mustLoad(t, env{EnvRequire: "app_metadata.roles=member"})
	runDecide(t, p, []decideCase{
		{"netlify identity nested", identity, "x", "", "", ""},
		{"nested through a non-object", map[string]any{"app_metadata": "member"}, "x", "", CodeInsufficientScope, "is missing"},
	})
}

func TestDecideRulesPrecedence(t *testing.T) {
	auth0 := loadClaims(t, "auth0.json")
	identity := loadClaims(t, "netlify_identity.json")
	cognito := loadClaims(t, "cognito.json")
	p := mustLoad(t, env{EnvViewerRules: "*:app_metadata.roles=member; trailer1 trailer2:public; film9:cognito:groups=staff|critic, scope=aws.cognito.signin.user.admin; club1:signed-in"})
	runDecide(t, p, []decideCase{
		{"star rule met", identity, "abc123", "", "", "rule 1 (*: app_metadata.roles=member)"},
		{"star rule anonymous", nil, "abc123", "", CodeSignIn, "rule 1 (*: app_metadata.roles=member) not met: no signed-in viewer"},
		{"star rule not met", cognito, "abc123", "", CodeInsufficientScope, "claim app_metadata.roles is missing"},
		{"public anonymous", nil, "trailer2", "", "", "rule 2"},
		{"public viewer", auth0, "trailer1", "", "", "rule 2"},
		{"specific overrides star: star met, specific not", identity, "film9", "", CodeInsufficientScope, "rule 3"},
		{"specific met though star is not", cognito, "film9", "", "", "rule 3"},
		{"specific, second requirement missing", map[string]any{"cognito:groups": []any{"critic"}}, "film9", "", CodeInsufficientScope, "claim scope is missing"},
		{"signed-in any viewer", map[string]any{"sub": "x"}, "club1", "", "", "rule 4"},
		{"signed-in anonymous", nil, "club1", "", CodeSignIn, "rule 4"},
		{"IDs are case-sensitive", nil, "TRAILER1", "", CodeSignIn, "rule 1"},
	})
	// Without a * rule, IDs without a rule are open.
	p = mustLoad(t, env{EnvViewerRules: "film9:roles=member"})
	runDecide(t, p, []decideCase{
		{"no rule, open", nil, "other", "", "", "no viewer rule applies"},
		{"rule applies", nil, "film9", "", CodeSignIn, "rule 1"},
	})
}

func TestDecideIDsClaim(t *testing.T) {
	auth0 := loadClaims(t, "auth0.json")
	identity := loadClaims(t, "netlify_identity.json")
	p := mustLoad(t, env{EnvIDsClaim: "app_metadata.playback_ids"})
	runDecide(t, p, []decideCase{
		{"listed", identity, "film9", "", "", "listed in MUX_VIEWER_IDS_CLAIM"},
		{"not listed", identity, "film10", "", CodeInsufficientScope, "(MUX_VIEWER_IDS_CLAIM, an array of 2) does not list film10"},
		{"claim missing", auth0, "film9", "", CodeInsufficientScope, "claim app_metadata.playback_ids (MUX_VIEWER_IDS_CLAIM) is missing"},
		{"anonymous", nil, "film9", "", CodeSignIn, "no MUX_VIEWER_RULES rule"},
	})
	p = mustLoad(t, env{EnvIDsClaim: "https://example.com/playback_ids", EnvViewerRules: "*:https://example.com/roles=staff; trailer1:public"})
	runDecide(t, p, []decideCase{
		{"listed in a space-separated string", auth0, "def456", "", "", "listed"},
		{"not listed, star rule not met", auth0, "zzz", "", CodeInsufficientScope, "does not list zzz"},
		{"star rule met without listing", map[string]any{"https://example.com/roles": []any{"staff"}}, "zzz", "", "", "rule 1"},
		{"public rule beats the claim", nil, "trailer1", "", "", "rule 2"},
		{"substring is not listing", map[string]any{"https://example.com/playback_ids": "abc1234"}, "abc123", "", CodeInsufficientScope, "does not list"},
	})
}

func TestDecideCountry(t *testing.T) {
	identity := loadClaims(t, "netlify_identity.json")
	allow := mustLoad(t, env{EnvCountryAllow: "US,CA", EnvCountryRules: "film9:allow=FR; trailer1:anywhere; doc1:block=US"})
	runDecide(t, allow, []decideCase{
		{"allowed country", nil, "abc", "US", "", ""},
		{"other country", nil, "abc", "FR", CodeCountry, "MUX_COUNTRY_ALLOW: the country is not on the allow list: FR"},
		{"unknown under allow list", nil, "abc", "", CodeCountry, "the viewer's country is unknown"},
		{"junk country", nil, "abc", "U\nS", CodeCountry, "(not a country code)"},
		{"lower case is not normalised here", nil, "abc", "us", CodeCountry, "not on the allow list"},
		{"per-ID allow replaces site list", nil, "film9", "FR", "", ""},
		{"per-ID allow refuses site country", nil, "film9", "US", CodeCountry, "MUX_COUNTRY_RULES rule 1 (film9: allow=FR)"},
		{"anywhere lifts the site list", nil, "trailer1", "JP", "", ""},
		{"anywhere with unknown country", nil, "trailer1", "", "", ""},
		{"per-ID block", nil, "doc1", "US", CodeCountry, "rule 3 (doc1: block=US): the country is on the block list: US"},
		{"per-ID block, unknown country passes", identity, "doc1", "", "", ""},
		{"per-ID block replaces site allow", nil, "doc1", "JP", "", ""},
	})
	block := mustLoad(t, env{EnvCountryBlock: "cn ru"})
	runDecide(t, block, []decideCase{
		{"blocked", nil, "abc", "CN", CodeCountry, "MUX_COUNTRY_BLOCK"},
		{"not blocked", nil, "abc", "DE", "", ""},
		{"unknown passes a block list", nil, "abc", "", "", ""},
	})
	d := allow.Decide(nil, "abc", "")
	if d.Reason != ReasonCountryUnknown {
		t.Errorf("unknown country reason = %q", d.Reason)
	}
}

func TestDecideCountryBeforeClaims(t *testing.T) {
	p := mustLoad(t, env{EnvRequire: "roles=member", EnvCountryAllow: "US"})
	runDecide(t, p, []decideCase{
		{"anonymous abroad gets the country answer", nil, "abc", "FR", CodeCountry, ""},
		{"anonymous at home must sign in", nil, "abc", "US", CodeSignIn, ""},
		{"member at home", map[string]any{"roles": "member"}, "abc", "US", "", ""},
		{"member abroad", map[string]any{"roles": "member"}, "abc", "FR", CodeCountry, ""},
	})
}

func TestDecideRequireOnTopOfPublic(t *testing.T) {
	p := mustLoad(t, env{EnvRequire: "scope=watch", EnvViewerRules: "trailer1:public"})
	runDecide(t, p, []decideCase{
		{"require still applies", nil, "trailer1", "", CodeSignIn, "MUX_VIEWER_REQUIRE"},
		{"require met", map[string]any{"scope": "openid watch"}, "trailer1", "", "", "rule 1"},
	})
	if !p.NeedsViewerFor("trailer1") {
		t.Error("NeedsViewerFor must be true when MUX_VIEWER_REQUIRE is set")
	}
}

func TestNeedsViewerFor(t *testing.T) {
	p := mustLoad(t, env{EnvViewerRules: "*:signed-in; trailer1:public"})
	if p.NeedsViewerFor("trailer1") || !p.NeedsViewerFor("other") {
		t.Error("NeedsViewerFor wrong with a * rule")
	}
	p = mustLoad(t, env{EnvViewerRules: "film9:roles=a"})
	if p.NeedsViewerFor("other") || !p.NeedsViewerFor("film9") {
		t.Error("NeedsViewerFor wrong without a * rule")
	}
	p = mustLoad(t, env{EnvIDsClaim: "ids"})
	if !p.NeedsViewerFor("other") {
		t.Error("NeedsViewerFor wrong with an IDs claim")
	}
}

func TestDecideDetailHidesClaimValues(t *testing.T) {
	p := mustLoad(t, env{EnvRequire: "roles=member", EnvIDsClaim: "ids"})
	secret := "s3cr3t-role-value"
	d := p.Decide(map[string]any{"roles": []any{secret}, "ids": secret + "2"}, "abc", "")
	if d.Allowed || strings.Contains(d.Detail, secret) {
		t.Errorf("Decide = %+v: must refuse without echoing claim values", d)
	}
}

func TestSignedInByDefault(t *testing.T) {
	base := mustLoad(t, env{EnvViewerRules: "trailer1:public; film9:roles=staff"})
	p := base.SignedInByDefault()
	runDecide(t, p, []decideCase{
		{"unruled ID needs a viewer", nil, "other", "", CodeSignIn, "viewer sign-in is on"},
		{"unruled ID, any viewer", map[string]any{"sub": "x"}, "other", "", "", "any signed-in viewer"},
		{"public stays public", nil, "trailer1", "", "", "rule 1"},
		{"own rule still applies", map[string]any{"sub": "x"}, "film9", "", CodeInsufficientScope, "rule 2"},
	})
	if !p.NeedsViewer() || !p.NeedsViewerFor("other") || p.NeedsViewerFor("trailer1") {
		t.Error("NeedsViewer/NeedsViewerFor wrong after SignedInByDefault")
	}
	if !strings.Contains(strings.Join(p.Describe(), "\n"), "Every playback ID without a rule of its own: any signed-in viewer (because viewer sign-in is on)") {
		t.Errorf("Describe() = %q", p.Describe())
	}
	// The original is unchanged.
	if d := base.Decide(nil, "other", ""); !d.Allowed {
		t.Errorf("SignedInByDefault changed its receiver: %+v", d)
	}
	// A * rule or an IDs claim already governs every ID: nothing is added.
	for _, e := range []env{{EnvViewerRules: "*:public"}, {EnvIDsClaim: "ids"}} {
		q := mustLoad(t, e)
		if got, want := q.SignedInByDefault().Describe(), q.Describe(); !slices.Equal(got, want) {
			t.Errorf("SignedInByDefault changed %v: %q", e, got)
		}
	}
	// The zero policy becomes "any signed-in viewer".
	var zero Policy
	if d := zero.SignedInByDefault().Decide(nil, "x", ""); d.Code != CodeSignIn {
		t.Errorf("zero.SignedInByDefault().Decide(nil) = %+v", d)
	}
}
