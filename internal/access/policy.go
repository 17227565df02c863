package access

import (
	"slices"
	"strconv"
	"strings"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/envconf"
)

// Environment variables LoadPolicy reads.
const (
	EnvRequire      = "MUX_VIEWER_REQUIRE"
	EnvViewerRules  = "MUX_VIEWER_RULES"
	EnvIDsClaim     = "MUX_VIEWER_IDS_CLAIM"
	EnvCountryAllow = "MUX_COUNTRY_ALLOW"
	EnvCountryBlock = "MUX_COUNTRY_BLOCK"
	EnvCountryRules = "MUX_COUNTRY_RULES"
)

// Names lists every variable LoadPolicy reads, in a fixed order.
func Names() []string {
	return []string{EnvRequire, EnvViewerRules, EnvIDsClaim, EnvCountryAllow, EnvCountryBlock, EnvCountryRules}
}

// Policy is who may watch which playback ID, and from where. The zero
// Policy lets anyone watch anything from anywhere. A Policy is read-only
// once loaded and safe for concurrent use.
type Policy struct {
	set []string // variables that were set, in Names order

	require  []requirement // MUX_VIEWER_REQUIRE: all must hold, for every ID
	idsClaim *claimPath    // MUX_VIEWER_IDS_CLAIM

	rules     []viewerRule   // MUX_VIEWER_RULES
	ruleByID  map[string]int // playback ID -> index in rules
	starRule  int            // 1 + index of the "*" rule; 0 if none (so the zero Policy works)
	hasRules  bool
	site      countryRule    // MUX_COUNTRY_ALLOW / MUX_COUNTRY_BLOCK
	cRules    []countryRule  // MUX_COUNTRY_RULES
	cRuleByID map[string]int // playback ID -> index in cRules

	// Decision details fixed at load time, so that Decide allocates
	// nothing when it lets a viewer watch.
	detailOpen, detailIDsClaim string
}

// LoadPolicy reads the policy from the environment. Every problem found is
// reported, as an *envconf.Error; nothing is half-loaded.
func LoadPolicy(getenv func(string) string) (Policy, error) {
	var ps envconf.Problems
	p := Policy{detailOpen: "no viewer rule applies"}
	val := func(name string, max int) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return ""
		}
		p.set = append(p.set, name)
		if len(v) > max {
			ps.Add(name, "is %d bytes long; at most %d fit (the whole environment must stay under AWS Lambda's 4 KB)", len(v), max)
			return ""
		}
		return v
	}

	if v := val(EnvRequire, maxRequireLen); v != "" {
		reqs, err := parseRequirements(v)
		if err != nil {
			ps.Add(EnvRequire, "%v", err)
		}
		p.require = reqs
	}

	if v := val(EnvIDsClaim, maxIDsClaimLen); v != "" {
		path, rest, err := parsePath(v)
		switch {
		case err != nil:
			ps.Add(EnvIDsClaim, "%v", err)
		case rest != "":
			ps.Add(EnvIDsClaim, "unexpected %q after the claim path %s: give one claim path, such as app_metadata.playback_ids", clip(rest), path.text)
		default:
			p.idsClaim = &path
			p.detailIDsClaim = "the playback ID is listed in " + EnvIDsClaim + " (" + path.text + ")"
		}
	}

	if v := val(EnvViewerRules, maxRulesLen); v != "" {
		add := func(f string, a ...any) { ps.Add(EnvViewerRules, f, a...) }
		p.rules = parseViewerRules(v, add)
		p.hasRules = len(p.rules) > 0
		p.ruleByID = make(map[string]int)
		for i, r := range p.rules {
			if r.ids == nil {
				p.starRule = i + 1
			}
			for _, id := range r.ids {
				p.ruleByID[id] = i
			}
		}
	}

	allow := val(EnvCountryAllow, maxCountryLen)
	block := val(EnvCountryBlock, maxCountryLen)
	switch {
	case allow != "" && block != "":
		ps.Add(EnvCountryBlock, "is set together with %s: set one of them (an allow list already refuses every country it does not list)", EnvCountryAllow)
	case allow != "":
		codes, set, err := parseCountryList(allow)
		if err != nil {
			ps.Add(EnvCountryAllow, "%v", err)
		}
		p.site = countryRule{mode: countryAllow, codes: codes, set: set, text: "only " + strings.Join(codes, ","), src: EnvCountryAllow}
	case block != "":
		codes, set, err := parseCountryList(block)
		if err != nil {
			ps.Add(EnvCountryBlock, "%v", err)
		}
		p.site = countryRule{mode: countryBlock, codes: codes, set: set, text: "all but " + strings.Join(codes, ","), src: EnvCountryBlock}
	}

	if v := val(EnvCountryRules, maxRulesLen); v != "" {
		add := func(f string, a ...any) { ps.Add(EnvCountryRules, f, a...) }
		p.cRules = parseCountryRules(v, add)
		p.cRuleByID = make(map[string]int)
		for i, r := range p.cRules {
			for _, id := range r.ids {
				p.cRuleByID[id] = i
			}
		}
	}

	if err := ps.Err(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Vars lists the variables of the policy that were set (non-empty), in a
// fixed order: the ones that count toward AWS Lambda's 4 KB environment.
// Names lists every variable LoadPolicy reads.
func (p Policy) Vars() []string { return append([]string(nil), p.set...) }

// NeedsViewer reports whether any rule reads the viewer's claims (or needs
// a signed-in viewer). A policy that does, with no way configured to verify
// viewers, cannot work: the caller must refuse to start.
func (p Policy) NeedsViewer() bool {
	if len(p.require) > 0 || p.idsClaim != nil {
		return true
	}
	for i := range p.rules {
		if p.rules[i].kind != grantPublic {
			return true
		}
	}
	return false
}

// NeedsViewerFor reports whether playbackID can be watched only by a
// signed-in viewer: exactly when Decide refuses it to an anonymous viewer
// for want of claims. The caller may skip verifying a viewer (and accept
// requests without credentials) for IDs where it is false.
func (p Policy) NeedsViewerFor(playbackID string) bool {
	if len(p.require) > 0 {
		return true
	}
	if r := p.ruleFor(playbackID); r != nil {
		return r.kind != grantPublic
	}
	return p.idsClaim != nil
}

// UsesCountry reports whether any rule depends on the viewer's country;
// when false, the caller need not call Country at all.
func (p Policy) UsesCountry() bool {
	if p.site.mode == countryAllow || p.site.mode == countryBlock {
		return true
	}
	for i := range p.cRules {
		if p.cRules[i].mode != countryAnywhere {
			return true
		}
	}
	return false
}

// Countries returns every country code the country rules name, upper case,
// sorted, each once; nil when no rule reads the country. An answer depends
// on the viewer's country only through these (every other country is
// treated alike), which is what a cache key needs.
func (p Policy) Countries() []string {
	if !p.UsesCountry() {
		return nil
	}
	codes := slices.Clone(p.site.codes)
	for i := range p.cRules {
		codes = append(codes, p.cRules[i].codes...)
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// ruleFor is the viewer rule that applies to playbackID: its own rule, else
// the "*" rule, else nil.
func (p *Policy) ruleFor(playbackID string) *viewerRule {
	if i, ok := p.ruleByID[playbackID]; ok {
		return &p.rules[i]
	}
	if p.starRule > 0 {
		return &p.rules[p.starRule-1]
	}
	return nil
}

// countryFor is the country rule that applies to playbackID: its own rule,
// else the site-wide list.
func (p *Policy) countryFor(playbackID string) *countryRule {
	if i, ok := p.cRuleByID[playbackID]; ok {
		return &p.cRules[i]
	}
	return &p.site
}

// Describe says in plain lines what the policy does, for the `check`
// command.
func (p Policy) Describe() []string {
	var out []string
	if len(p.require) > 0 {
		parts := make([]string, len(p.require))
		for i := range p.require {
			parts[i] = describeRequirement(&p.require[i])
		}
		out = append(out, "Every playback ID: only signed-in viewers whose "+strings.Join(parts, ", and whose ")+" ("+EnvRequire+")")
	}
	for i := range p.rules {
		r := &p.rules[i]
		who := ""
		switch r.kind {
		case grantPublic:
			who = "anyone, signed in or not"
		case grantSignedIn:
			who = "any signed-in viewer"
		default:
			parts := make([]string, len(r.reqs))
			for j := range r.reqs {
				parts[j] = describeRequirement(&r.reqs[j])
			}
			who = "signed-in viewers whose " + strings.Join(parts, ", and whose ")
		}
		src := EnvViewerRules + " rule " + strconv.Itoa(r.n)
		if r.n == 0 {
			src = "because viewer sign-in is on"
		}
		out = append(out, describeIDs(r.ids)+": "+who+" ("+src+")")
	}
	if p.idsClaim != nil {
		line := "Viewers may watch the playback IDs listed in their claim " + p.idsClaim.text + " (" + EnvIDsClaim + ")"
		if p.hasRules {
			line += ", as well as what " + EnvViewerRules + " lets them watch"
		}
		out = append(out, line)
	}
	if p.site.mode != countryNone {
		out = append(out, "Countries, every playback ID: "+describeCountries(&p.site)+" ("+p.site.src+")")
	}
	for i := range p.cRules {
		r := &p.cRules[i]
		out = append(out, "Countries, "+describeIDs(r.ids)+": "+describeCountries(r)+" ("+EnvCountryRules+" rule "+strconv.Itoa(r.n)+", instead of any site-wide list)")
	}
	if len(out) == 0 {
		out = append(out, "No viewer or country rules: anyone may watch every playback ID the function signs, from anywhere")
	}
	return out
}

func describeRequirement(r *requirement) string {
	if len(r.values) == 1 {
		return r.path.text + " contains " + r.values[0]
	}
	return r.path.text + " contains one of " + strings.Join(r.values, ", ")
}

func describeIDs(ids []string) string {
	if ids == nil {
		return "Every playback ID without a rule of its own"
	}
	if len(ids) == 1 {
		return "Playback ID " + ids[0]
	}
	return "Playback IDs " + strings.Join(ids, ", ")
}

func describeCountries(r *countryRule) string {
	switch r.mode {
	case countryAllow:
		return "only from " + strings.Join(r.codes, ", ") + "; viewers whose country is unknown are refused"
	case countryBlock:
		return "from everywhere but " + strings.Join(r.codes, ", ") + "; viewers whose country is unknown are let through"
	}
	return "from anywhere"
}

// SignedInByDefault returns p where every playback ID that no rule
// governs needs a signed-in viewer: a "*:signed-in" rule is added when
// MUX_VIEWER_RULES has no "*" rule and MUX_VIEWER_IDS_CLAIM is not set
// (with an IDs claim, IDs without a rule are already open only to the
// viewers whose claim lists them). The endpoint uses it when viewer
// sign-in is configured, so that turning sign-in on protects every video
// unless a rule says `public`. p itself is not changed.
func (p Policy) SignedInByDefault() Policy {
	if p.starRule > 0 || p.idsClaim != nil {
		return p
	}
	p.rules = append(slices.Clip(p.rules), viewerRule{
		kind:   grantSignedIn,
		text:   "*: signed-in",
		detail: "viewer sign-in is on and no " + EnvViewerRules + " rule governs this ID: any signed-in viewer",
	})
	p.starRule = len(p.rules)
	p.hasRules = true
	return p
}
