package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

// env is a fixed environment for LoadPolicy.
type env map[string]string

func (e env) get(name string) string { return e[name] }

func mustLoad(t testing.TB, e env) Policy {
	t.Helper()
	p, err := LoadPolicy(e.get)
	if err != nil {
		t.Fatalf("LoadPolicy(%v): %v", e, err)
	}
	return p
}

func TestLoadPolicyEmpty(t *testing.T) {
	p := mustLoad(t, env{})
	if p.NeedsViewer() || p.UsesCountry() || len(p.Vars()) != 0 {
		t.Errorf("empty policy: NeedsViewer %v UsesCountry %v Vars %q", p.NeedsViewer(), p.UsesCountry(), p.Vars())
	}
	if d := p.Decide(nil, "abc", ""); !d.Allowed {
		t.Errorf("empty policy refused: %+v", d)
	}
	var zero Policy
	if d := zero.Decide(nil, "abc", ""); !d.Allowed {
		t.Errorf("zero Policy refused: %+v", d)
	}
	if got := p.Describe(); len(got) != 1 || !strings.Contains(got[0], "anyone may watch") {
		t.Errorf("Describe() = %q", got)
	}
}

func TestLoadPolicyAccepts(t *testing.T) {
	for _, tt := range []struct {
		name        string
		env         env
		needsViewer bool
		usesCountry bool
	}{
		{"require plain", env{EnvRequire: "roles=member"}, true, false},
		{"require several", env{EnvRequire: " scope=watch , https://example.com/roles = member | staff "}, true, false},
		{"require bracketed", env{EnvRequire: "[https://example.com/app].roles=staff"}, true, false},
		{"require cognito", env{EnvRequire: "cognito:groups=staff"}, true, false},
		{"rules public only", env{EnvViewerRules: "*:public"}, false, false},
		{"rules mixed", env{EnvViewerRules: "*:roles=member; trailer1 trailer2:public; film9:roles=staff|critic;"}, true, false},
		{"rules newline separated", env{EnvViewerRules: "*:signed-in;\nabc:public\n"}, true, false},
		{"ids claim", env{EnvIDsClaim: "app_metadata.playback_ids"}, true, false},
		{"ids claim namespaced", env{EnvIDsClaim: "https://example.com/playback_ids"}, true, false},
		{"allow", env{EnvCountryAllow: "us, ca mx"}, false, true},
		{"block", env{EnvCountryBlock: "CN,RU"}, false, true},
		{"country rules", env{EnvCountryRules: "film9:allow=US,CA; trailer1:anywhere; x1:block=DE"}, false, true},
		{"country rules anywhere only", env{EnvCountryRules: "trailer1:anywhere"}, false, false},
		{"128-char ID", env{EnvViewerRules: strings.Repeat("a", 128) + ":public"}, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoad(t, tt.env)
			if p.NeedsViewer() != tt.needsViewer || p.UsesCountry() != tt.usesCountry {
				t.Errorf("NeedsViewer %v UsesCountry %v, want %v %v", p.NeedsViewer(), p.UsesCountry(), tt.needsViewer, tt.usesCountry)
			}
			var want []string
			for _, n := range Names() {
				if tt.env[n] != "" {
					want = append(want, n)
				}
			}
			if got := p.Vars(); !slices.Equal(got, want) {
				t.Errorf("Vars() = %q, want %q", got, want)
			}
			if lines := p.Describe(); len(lines) == 0 {
				t.Error("Describe() is empty")
			}
		})
	}
}

func TestLoadPolicyProblems(t *testing.T) {
	long := strings.Repeat("a", 129)
	var many strings.Builder
	for i := range 70 {
		fmt.Fprintf(&many, "id%d:public;", i)
	}
	for _, tt := range []struct {
		name string
		env  env
		vr   string // the variable named
		want string // part of the text
	}{
		{"require no value", env{EnvRequire: "roles"}, EnvRequire, "has no value"},
		{"require empty value", env{EnvRequire: "roles="}, EnvRequire, "empty value"},
		{"require empty alternative", env{EnvRequire: "roles=a|"}, EnvRequire, "empty value"},
		{"require double pipe", env{EnvRequire: "roles=a||b"}, EnvRequire, "empty or starts with"},
		{"require trailing comma", env{EnvRequire: "roles=a,"}, EnvRequire, "ends with a comma"},
		{"require space in value", env{EnvRequire: "roles=a b"}, EnvRequire, "values cannot hold spaces"},
		{"require quote", env{EnvRequire: `roles="a"`}, EnvRequire, "starts with a character"},
		{"require claim twice", env{EnvRequire: "roles=a, roles=b"}, EnvRequire, "named twice"},
		{"require value twice", env{EnvRequire: "roles=a|a"}, EnvRequire, "listed twice"},
		{"require url then dot", env{EnvRequire: "https://x.example/app.=a"}, EnvRequire, "ends with a dot"},
		{"require semicolon", env{EnvRequire: "roles=a; scope=b"}, EnvRequire, "unexpected"},
		{"require too long", env{EnvRequire: "roles=" + strings.Repeat("a", 600)}, EnvRequire, "at most 512"},
		{"require long value", env{EnvRequire: "roles=" + strings.Repeat("a", 129)}, EnvRequire, "longer than 128"},
		{"require too many", env{EnvRequire: "a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1"}, EnvRequire, "more than 8"},
		{"rules no colon", env{EnvViewerRules: "abc"}, EnvViewerRules, "has no colon"},
		{"rules URL claim without IDs", env{EnvViewerRules: "https://example.com/roles=member"}, EnvViewerRules, "a rule starts with its IDs, such as *:https://example.com/roles=member"},
		{"rules empty rule", env{EnvViewerRules: "*:public;;abc:public"}, EnvViewerRules, "rule 2 is empty"},
		{"rules only semicolon", env{EnvViewerRules: ";"}, EnvViewerRules, "rule 1 is empty"},
		{"rules no IDs", env{EnvViewerRules: ":public"}, EnvViewerRules, "names no playback ID"},
		{"rules nothing after colon", env{EnvViewerRules: "abc:"}, EnvViewerRules, "says nothing"},
		{"rules bad ID", env{EnvViewerRules: "ab-c:public"}, EnvViewerRules, "is not a playback ID"},
		{"rules long ID", env{EnvViewerRules: long + ":public"}, EnvViewerRules, "is not a playback ID"},
		{"rules star with IDs", env{EnvViewerRules: "* abc:public"}, EnvViewerRules, "stands alone"},
		{"rules star twice", env{EnvViewerRules: "*:public; *:signed-in"}, EnvViewerRules, "names * again"},
		{"rules ID twice", env{EnvViewerRules: "abc:public; def abc:signed-in"}, EnvViewerRules, "names abc again (already in rule 1)"},
		{"rules bad requirement", env{EnvViewerRules: "abc:roles=member,scope"}, EnvViewerRules, "rule 1: \"scope\" has no value"},
		{"rules unknown keyword", env{EnvViewerRules: "abc:everyone"}, EnvViewerRules, `"everyone" is not a rule: write public, signed-in, or CLAIM=VALUE`},
		{"rules too many IDs", env{EnvViewerRules: manyIDs(300) + ":public"}, EnvViewerRules, "more than 256 playback IDs"},
		{"rules too long", env{EnvViewerRules: strings.Repeat("a", 2049)}, EnvViewerRules, "at most 2048"},
		{"rules too many", env{EnvViewerRules: many.String()}, EnvViewerRules, "more than 64 rules"},
		{"ids claim two paths", env{EnvIDsClaim: "a b"}, EnvIDsClaim, "give one claim path"},
		{"ids claim bad", env{EnvIDsClaim: "a..b"}, EnvIDsClaim, "missing a key"},
		{"allow bad code", env{EnvCountryAllow: "US,USA"}, EnvCountryAllow, `"USA" is not an ISO 3166-1`},
		{"allow unassigned code", env{EnvCountryAllow: "XK"}, EnvCountryAllow, `"XK" is not an ISO 3166-1`},
		{"allow reserved UK", env{EnvCountryAllow: "UK"}, EnvCountryAllow, `"UK" is not`},
		{"allow twice", env{EnvCountryAllow: "US us"}, EnvCountryAllow, "US is listed twice"},
		{"block empty list", env{EnvCountryBlock: ", ,"}, EnvCountryBlock, "lists no country"},
		{"allow and block", env{EnvCountryAllow: "US", EnvCountryBlock: "CN"}, EnvCountryBlock, "set one of them"},
		{"country rules star", env{EnvCountryRules: "*:allow=US"}, EnvCountryRules, "* is not allowed here"},
		{"country rules bad body", env{EnvCountryRules: "abc:US"}, EnvCountryRules, "write allow=CODES"},
		{"country rules bad code", env{EnvCountryRules: "abc:block=ZZ"}, EnvCountryRules, `block "ZZ" is not`},
		{"country rules empty list", env{EnvCountryRules: "abc:allow="}, EnvCountryRules, "lists no country"},
		{"country rules ID twice", env{EnvCountryRules: "abc:allow=US; abc:block=CN"}, EnvCountryRules, "names abc again"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := LoadPolicy(tt.env.get)
			var e *envconf.Error
			if !errors.As(err, &e) {
				t.Fatalf("LoadPolicy(%v) = %v, want an *envconf.Error", tt.env, err)
			}
			if p.NeedsViewer() || p.UsesCountry() {
				t.Error("a failed load must return the zero policy")
			}
			found := false
			for _, pr := range e.Problems {
				if pr.Var == tt.vr && strings.Contains(pr.Text, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %q lack %s: …%s…", e.Problems, tt.vr, tt.want)
			}
		})
	}
}

func TestLoadPolicyReportsEveryProblem(t *testing.T) {
	_, err := LoadPolicy(env{
		EnvRequire:      "roles",
		EnvViewerRules:  "bad-id:public; ok:public; ok:signed-in",
		EnvCountryAllow: "ZZ",
	}.get)
	var e *envconf.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	if got, want := e.Vars(), []string{EnvCountryAllow, EnvRequire, EnvViewerRules}; !slices.Equal(got, want) {
		t.Errorf("Vars() = %q, want %q", got, want)
	}
	if n := len(e.Problems); n != 4 {
		t.Errorf("%d problems, want 4: %q", n, e.Problems)
	}
}

func TestDescribe(t *testing.T) {
	p := mustLoad(t, env{
		EnvRequire:      "scope=watch",
		EnvViewerRules:  "*:roles=member|staff; trailer1 trailer2:public; film9:signed-in",
		EnvIDsClaim:     "app_metadata.playback_ids",
		EnvCountryAllow: "us,ca",
		EnvCountryRules: "film9:block=CN; trailer1:anywhere",
	})
	got := strings.Join(p.Describe(), "\n")
	for _, want := range []string{
		"Every playback ID: only signed-in viewers whose scope contains watch (MUX_VIEWER_REQUIRE)",
		"Every playback ID without a rule of its own: signed-in viewers whose roles contains one of member, staff (MUX_VIEWER_RULES rule 1)",
		"Playback IDs trailer1, trailer2: anyone, signed in or not (MUX_VIEWER_RULES rule 2)",
		"Playback ID film9: any signed-in viewer (MUX_VIEWER_RULES rule 3)",
		"claim app_metadata.playback_ids (MUX_VIEWER_IDS_CLAIM), as well as what MUX_VIEWER_RULES lets them watch",
		"Countries, every playback ID: only from US, CA; viewers whose country is unknown are refused (MUX_COUNTRY_ALLOW)",
		"Countries, Playback ID film9: from everywhere but CN; viewers whose country is unknown are let through",
		"Countries, Playback ID trailer1: from anywhere",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Describe() lacks %q; got:\n%s", want, got)
		}
	}
}

func TestNamesCoverVars(t *testing.T) {
	all := env{}
	for _, n := range Names() {
		all[n] = "x"
	}
	_, err := LoadPolicy(func(name string) string {
		if !slices.Contains(Names(), name) {
			t.Errorf("LoadPolicy read %s, which Names does not list", name)
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
}

// manyIDs is n distinct playback IDs separated by spaces.
func manyIDs(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("i%d", i)
	}
	return strings.Join(ids, " ")
}

func TestCountries(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want []string
	}{
		{nil, nil},
		{map[string]string{EnvCountryAllow: "us ca"}, []string{"CA", "US"}},
		{map[string]string{EnvCountryBlock: "DE", EnvCountryRules: "abc:allow=FR,DE; xyz:anywhere"}, []string{"DE", "FR"}},
		{map[string]string{EnvCountryRules: "xyz:anywhere"}, nil},
	} {
		p, err := LoadPolicy(func(name string) string { return tt.env[name] })
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Countries(); !slices.Equal(got, tt.want) {
			t.Errorf("%v: Countries() = %q, want %q", tt.env, got, tt.want)
		}
	}
}
