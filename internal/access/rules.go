package access

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// Limits on the per-ID variables.
const (
	maxRules       = 64  // rules in one variable
	maxRuleIDs     = 256 // playback IDs named in one variable, in all
	maxRulesLen    = 2048
	maxRequireLen  = 512
	maxIDsClaimLen = 256
	maxCountryLen  = 1024
)

// grantKind says who a viewer rule lets watch.
type grantKind uint8

const (
	grantClaims   grantKind = iota // viewers whose claims meet every requirement
	grantPublic                    // anyone, signed in or not
	grantSignedIn                  // any signed-in viewer
)

// Keywords a viewer rule may use instead of requirements.
const (
	keywordPublic   = "public"
	keywordSignedIn = "signed-in"
	keywordAnywhere = "anywhere"
)

// viewerRule is one rule of MUX_VIEWER_RULES.
type viewerRule struct {
	n    int      // 1-based position in the variable
	ids  []string // nil for "*"
	kind grantKind
	reqs []requirement
	text string // "ids: grant", for messages
	// detail is the Decision.Detail when this rule lets a viewer watch.
	detail string
}

// satisfied reports whether claims meet the rule.
func (r *viewerRule) satisfied(claims map[string]any) bool {
	switch r.kind {
	case grantPublic:
		return true
	case grantSignedIn:
		return claims != nil
	}
	if claims == nil {
		return false
	}
	for i := range r.reqs {
		if !r.reqs[i].holds(claims) {
			return false
		}
	}
	return true
}

// rawRule is one `ids:body` of a per-ID variable.
type rawRule struct {
	n    int
	ids  []string // nil for "*"
	body string
}

// splitRules splits `ids:body; ids:body` and checks the ID lists: every ID
// valid, none twice, "*" alone and at most once (only where star is true).
// Problems are added under name; rules with problems are left out.
func splitRules(name, v string, star bool, add func(string, ...any)) []rawRule {
	var out []rawRule
	seen := map[string]int{}
	ids := 0
	parts := strings.Split(v, ";")
	for i, part := range parts {
		n := i + 1
		part = strings.TrimSpace(part)
		if part == "" {
			if i == len(parts)-1 && i > 0 {
				continue // a trailing ';'
			}
			add("rule %d is empty: separate rules with a single ;", n)
			continue
		}
		if len(out) >= maxRules {
			add("has more than %d rules", maxRules)
			return out
		}
		colon := strings.IndexByte(part, ':')
		if colon < 0 {
			add("rule %d (%q) has no colon: write IDS:WHO, such as %s", n, clip(part), example(name))
			continue
		}
		idText, body := strings.TrimSpace(part[:colon]), strings.TrimSpace(part[colon+1:])
		if idText == "" {
			add("rule %d names no playback ID before the colon (use * for all IDs)", n)
			continue
		}
		if body == "" {
			add("rule %d (%s) says nothing after the colon", n, clip(idText))
			continue
		}
		if strings.HasPrefix(body, "//") {
			// "https://example.com/roles=x" read as IDs "https" and a claim
			// "//example.com/roles": surely a rule without its IDs.
			add("rule %d (%q) reads as playback ID %q followed by //: a rule starts with its IDs, such as *:%s", n, clip(part), clip(idText), clip(part))
			continue
		}
		fields := strings.Fields(idText)
		ok := true
		var list []string
		for _, id := range fields {
			switch {
			case id == "*" && !star:
				add("rule %d: * is not allowed here; for all IDs use MUX_COUNTRY_ALLOW or MUX_COUNTRY_BLOCK", n)
				ok = false
			case id == "*" && len(fields) > 1:
				add("rule %d: * stands alone; a rule names either * or playback IDs", n)
				ok = false
			case id == "*":
			case !muxsign.ValidPlaybackID(id):
				add("rule %d: %q is not a playback ID (1-%d ASCII letters and digits)", n, clip(id), muxsign.MaxPlaybackIDLen)
				ok = false
			default:
				list = append(list, id)
			}
		}
		if !ok {
			continue
		}
		keys := list
		if keys == nil {
			keys = []string{"*"}
		}
		for _, id := range keys {
			if prev, dup := seen[id]; dup {
				add("rule %d names %s again (already in rule %d): each ID may have one rule", n, clip(id), prev)
				ok = false
				continue
			}
			seen[id] = n
		}
		ids += len(list)
		if ids > maxRuleIDs {
			add("names more than %d playback IDs", maxRuleIDs)
			return out
		}
		if ok {
			out = append(out, rawRule{n: n, ids: list, body: body})
		}
	}
	return out
}

func example(name string) string {
	if name == EnvCountryRules {
		return "abc123 def456:allow=US,CA"
	}
	return "abc123 def456:roles=member|staff"
}

// idsText is the ID list of a rule as written, "*" for all.
func idsText(ids []string) string {
	if ids == nil {
		return "*"
	}
	return strings.Join(ids, " ")
}

// parseViewerRules reads MUX_VIEWER_RULES.
func parseViewerRules(v string, add func(string, ...any)) []viewerRule {
	var out []viewerRule
	for _, raw := range splitRules(EnvViewerRules, v, true, add) {
		r := viewerRule{n: raw.n, ids: raw.ids}
		switch raw.body {
		case keywordPublic:
			r.kind = grantPublic
		case keywordSignedIn:
			r.kind = grantSignedIn
		default:
			if !strings.Contains(raw.body, "=") {
				add("rule %d (%s): %q is not a rule: write public, signed-in, or CLAIM=VALUE such as roles=member", raw.n, clip(idsText(raw.ids)), clip(raw.body))
				continue
			}
			reqs, err := parseRequirements(raw.body)
			if err != nil {
				add("rule %d: %v", raw.n, err)
				continue
			}
			r.kind, r.reqs = grantClaims, reqs
		}
		r.text = idsText(raw.ids) + ": " + raw.body
		if r.kind == grantClaims {
			parts := make([]string, len(r.reqs))
			for i := range r.reqs {
				parts[i] = r.reqs[i].text
			}
			r.text = idsText(raw.ids) + ": " + strings.Join(parts, ", ")
		}
		r.detail = EnvViewerRules + " rule " + strconv.Itoa(r.n) + " (" + r.text + ")"
		out = append(out, r)
	}
	return out
}

// countryMode says how a country list applies.
type countryMode uint8

const (
	countryNone     countryMode = iota // no restriction
	countryAllow                       // only the listed countries
	countryBlock                       // every country but the listed ones
	countryAnywhere                    // no restriction, overriding the site-wide list
)

// countryRule is a site-wide list or one rule of MUX_COUNTRY_RULES.
type countryRule struct {
	n     int // 0 for the site-wide list
	ids   []string
	mode  countryMode
	set   countrySet
	codes []string
	text  string // for messages and Describe
	src   string // where it comes from, for Detail
}

// parseCountryList reads codes separated by commas and/or spaces, each an
// officially assigned ISO 3166-1 alpha-2 code (any case; stored upper-case).
func parseCountryList(v string) ([]string, countrySet, error) {
	var set countrySet
	var codes []string
	fields := strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	if len(fields) == 0 {
		return nil, set, fmt.Errorf("lists no country: give ISO 3166-1 alpha-2 codes such as US, CA")
	}
	for _, f := range fields {
		c := strings.ToUpper(f)
		if len(f) != 2 || !isCountryCode(c) {
			return nil, set, fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code (two letters, such as US, GB, DE)", clip(f))
		}
		if set.has(c) {
			return nil, set, fmt.Errorf("%s is listed twice", c)
		}
		set.add(c)
		codes = append(codes, c)
	}
	return codes, set, nil
}

// parseCountryRules reads MUX_COUNTRY_RULES.
func parseCountryRules(v string, add func(string, ...any)) []countryRule {
	var out []countryRule
	for _, raw := range splitRules(EnvCountryRules, v, false, add) {
		r := countryRule{n: raw.n, ids: raw.ids}
		body := raw.body
		switch {
		case body == keywordAnywhere:
			r.mode = countryAnywhere
			r.text = idsText(raw.ids) + ": anywhere"
		case strings.HasPrefix(body, "allow="), strings.HasPrefix(body, "block="):
			codes, set, err := parseCountryList(body[len("allow="):])
			if err != nil {
				add("rule %d: %s %v", raw.n, body[:len("allow")], err)
				continue
			}
			r.mode, r.set, r.codes = countryAllow, set, codes
			if body[0] == 'b' {
				r.mode = countryBlock
			}
			r.text = idsText(raw.ids) + ": " + body[:len("allow=")] + strings.Join(codes, ",")
		default:
			add("rule %d (%s): write allow=CODES, block=CODES or anywhere after the colon, such as %s", raw.n, clip(idsText(raw.ids)), example(EnvCountryRules))
			continue
		}
		r.src = EnvCountryRules + " rule " + strconv.Itoa(r.n) + " (" + r.text + ")"
		out = append(out, r)
	}
	return out
}
