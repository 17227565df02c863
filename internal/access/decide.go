package access

import (
	"net/http"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// Decision codes.
const (
	// CodeSignIn: the video needs a signed-in viewer and there is none.
	// Answer 401 with `WWW-Authenticate: Bearer` and no error code
	// (RFC 6750 section 3.1: a request without credentials).
	CodeSignIn = "sign_in_required"
	// CodeInsufficientScope: the viewer is signed in but not entitled.
	// Answer 403 (RFC 6750's insufficient_scope).
	CodeInsufficientScope = "insufficient_scope"
	// CodeCountry: not available where the viewer is. Answer 403.
	CodeCountry = "country"
)

// Public reasons. Each speaks of this one video only, and names no rule,
// role, claim or country list.
const (
	ReasonSignIn          = "Sign in to watch this video."
	ReasonNotEntitled     = "Your account is not entitled to watch this video."
	ReasonCountry         = "This video is not available in your country."
	ReasonCountryUnknown  = "This video is available only in some countries, and your country could not be determined."
	detailCountryUnknown  = ": the viewer's country is unknown (no usable " + GeoHeader + " header) and an allow list applies"
	detailCountryNotAllow = ": the country is not on the allow list: "
	detailCountryBlocked  = ": the country is on the block list: "
)

// Decision is the answer for one request.
type Decision struct {
	Allowed bool
	// Reason is the public message for a refusal: it helps the viewer and
	// the site owner and reveals nothing about other videos or the rules.
	Reason string
	// Detail names the rule that decided, for the log. It never holds the
	// viewer's claim values.
	Detail string
	// Code is "" when allowed, else CodeSignIn, CodeInsufficientScope or
	// CodeCountry.
	Code string
}

// Status is the HTTP status a refusal answers: 401 for CodeSignIn, 403 for
// the others; 200 when allowed.
func (d Decision) Status() int {
	switch {
	case d.Allowed:
		return http.StatusOK
	case d.Code == CodeSignIn:
		return http.StatusUnauthorized
	}
	return http.StatusForbidden
}

// Decide says whether the viewer may watch playbackID from country.
//
// claims are the verified viewer's claims, nil for an anonymous viewer
// (an empty, non-nil map is a signed-in viewer with no claims); country is
// what Country returned: upper case, "" if unknown. The order of checks:
//
//  1. Country: the playback ID's own MUX_COUNTRY_RULES rule if it has one,
//     else MUX_COUNTRY_ALLOW or MUX_COUNTRY_BLOCK. Under an allow list an
//     unknown country is refused; under a block list it is let through.
//     Country comes first so that nobody is asked to sign in to a video
//     they could not watch anyway.
//  2. MUX_VIEWER_REQUIRE: every requirement must hold, for every ID.
//  3. Entitlement: if the ID has a rule of its own in MUX_VIEWER_RULES, that
//     rule applies, else the "*" rule. The viewer may watch when the rule
//     that applies is met, OR when MUX_VIEWER_IDS_CLAIM is set and the
//     viewer's claim lists the ID. With neither a rule nor an IDs claim,
//     the ID is open (subject to steps 1 and 2).
//
// A refusal for want of claims is CodeSignIn when claims is nil, else
// CodeInsufficientScope.
func (p Policy) Decide(claims map[string]any, playbackID, country string) Decision {
	// 1. Country.
	if cr := p.countryFor(playbackID); cr.mode == countryAllow || cr.mode == countryBlock {
		known := country != ""
		switch {
		case cr.mode == countryAllow && !known:
			return Decision{Reason: ReasonCountryUnknown, Code: CodeCountry, Detail: cr.src + detailCountryUnknown}
		case cr.mode == countryAllow && !cr.set.has(country):
			return Decision{Reason: ReasonCountry, Code: CodeCountry, Detail: cr.src + detailCountryNotAllow + safeCountry(country)}
		case cr.mode == countryBlock && known && cr.set.has(country):
			return Decision{Reason: ReasonCountry, Code: CodeCountry, Detail: cr.src + detailCountryBlocked + country}
		}
	}

	// 2. Site-wide requirements.
	for i := range p.require {
		if r := &p.require[i]; !r.holds(claims) {
			return p.refuse(claims, EnvRequire+": "+r.miss(claims))
		}
	}

	// 3. Entitlement.
	rule := p.ruleFor(playbackID)
	if rule == nil && p.idsClaim == nil {
		if len(p.require) > 0 {
			return Decision{Allowed: true, Detail: EnvRequire + " met; no viewer rule for this ID"}
		}
		return Decision{Allowed: true, Detail: p.detailOpen}
	}
	if rule != nil && rule.satisfied(claims) {
		return Decision{Allowed: true, Detail: rule.detail}
	}
	if p.idsClaim != nil {
		if v, ok := p.idsClaim.lookup(claims); ok && contains(v, playbackID) {
			return Decision{Allowed: true, Detail: p.detailIDsClaim}
		}
	}
	return p.refuse(claims, p.missDetail(claims, rule, playbackID))
}

func (p *Policy) refuse(claims map[string]any, detail string) Decision {
	if claims == nil {
		return Decision{Reason: ReasonSignIn, Code: CodeSignIn, Detail: detail}
	}
	return Decision{Reason: ReasonNotEntitled, Code: CodeInsufficientScope, Detail: detail}
}

// missDetail explains a refused entitlement, for the log.
func (p *Policy) missDetail(claims map[string]any, rule *viewerRule, playbackID string) string {
	d := ""
	if rule != nil {
		d = rule.detail + " not met: "
		switch {
		case claims == nil:
			d += "no signed-in viewer"
		case rule.kind == grantClaims:
			for i := range rule.reqs {
				if !rule.reqs[i].holds(claims) {
					d += rule.reqs[i].miss(claims)
					break
				}
			}
		}
	} else {
		d = "no " + EnvViewerRules + " rule for this ID"
	}
	if p.idsClaim != nil {
		v, ok := p.idsClaim.lookup(claims)
		switch {
		case claims == nil:
		case !ok:
			d += "; claim " + p.idsClaim.text + " (" + EnvIDsClaim + ") is missing"
		default:
			d += "; claim " + p.idsClaim.text + " (" + EnvIDsClaim + ", " + kindOf(v) + ") does not list " + safeID(playbackID)
		}
	}
	return d
}

// safeCountry is country for a log line: two letters, or a placeholder.
func safeCountry(c string) string {
	if len(c) == 2 && isASCIILetter(c[0]) && isASCIILetter(c[1]) {
		return c
	}
	return "(not a country code)"
}

// safeID is playbackID for a log line.
func safeID(id string) string {
	if muxsign.ValidPlaybackID(id) {
		return id
	}
	return "(not a playback ID)"
}
