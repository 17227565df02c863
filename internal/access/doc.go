// Package access decides WHAT a viewer may watch and from WHERE: given the
// verified viewer's claims (or none), a playback ID and the viewer's
// country, Policy.Decide says yes or no, with a public reason and a detail
// for the log. Who the viewer is (verifying tokens) is internal/viewer's
// business; this package only reads the claims it is handed. It is
// transport-free and reads its configuration from environment variables.
//
// # Variables
//
// All are optional; with none set the function behaves as without this
// package. Parsing is strict: anything unclear is a start-up error naming
// the variable and the rule.
//
// MUX_VIEWER_REQUIRE — requirements every viewer must meet, for every
// playback ID. `CLAIM=VALUE`: the claim contains VALUE. `CLAIM=A|B`: it
// contains A or B. Several requirements separated by commas must ALL hold:
//
//	MUX_VIEWER_REQUIRE=roles=member
//	MUX_VIEWER_REQUIRE=scope=watch, https://example.com/roles=member|staff
//
// MUX_VIEWER_RULES — per playback ID: who may watch it. Rules separated by
// `;`, each `IDS:WHO`, where IDS is one or more playback IDs separated by
// spaces, or `*` for every ID without a rule of its own, and WHO is one of
//
//	public              anyone, signed in or not
//	signed-in           any signed-in viewer
//	CLAIM=A|B, CLAIM=C  signed-in viewers meeting every requirement (as above)
//
// for example
//
//	MUX_VIEWER_RULES=*:roles=member; trailer1 trailer2:public; film9:roles=staff|critic
//
// An ID's own rule replaces the `*` rule for it (it does not add to it); an
// ID may have one rule, and `*` may appear once. MUX_VIEWER_REQUIRE still
// applies on top of every rule, `public` ones included.
//
// MUX_VIEWER_IDS_CLAIM — a claim path; the viewer may also watch every
// playback ID that claim lists (an array of strings, or a string of IDs
// separated by spaces), for example `app_metadata.playback_ids`. It adds to
// MUX_VIEWER_RULES: a viewer may watch an ID when the rule that applies to
// it is met OR the claim lists it. IDs with no rule are then open only to
// viewers whose claim lists them.
//
// MUX_COUNTRY_ALLOW / MUX_COUNTRY_BLOCK — site-wide lists of ISO 3166-1
// alpha-2 codes (any case), separated by commas and/or spaces: only these
// countries, or every country but these. Set one, not both. Codes are
// checked against the officially assigned list (XK, EU, UK are refused).
//
//	MUX_COUNTRY_ALLOW=US,CA,MX
//
// MUX_COUNTRY_RULES — per playback ID, rules separated by `;`, each
// `IDS:allow=CODES`, `IDS:block=CODES` or `IDS:anywhere`; CODES separated
// by commas. An ID's rule replaces the site-wide list for that ID
// (`anywhere` lifts it). `*` is not allowed here: use the site-wide lists.
//
//	MUX_COUNTRY_RULES=film9:allow=US,CA; trailer1:anywhere
//
// # Claim paths
//
// A claim is named by a path of keys separated by dots, followed from the
// top of the token's claims: `roles`, `app_metadata.roles`. Keys may hold
// any printable character but . [ ] = | , ; quotes, backslash and spaces;
// colons and slashes are fine (`cognito:groups`). Two rules keep Auth0's
// namespaced claims, whose names are URLs with dots, unambiguous:
//
//   - A path that starts with http:// or https:// is ONE top-level claim
//     name, dots included: `https://example.com/roles`.
//   - Brackets quote one key verbatim: `[https://example.com/app].roles`
//     follows key "roles" inside the claim "https://example.com/app";
//     `[a.b]` is the top-level key "a.b".
//
// At most 8 keys, 256 bytes each; values at most 128 bytes, 32 per claim.
//
// # Contains
//
// A claim contains VALUE when it is the string VALUE, an array with the
// string VALUE as an element, or a string of words separated by spaces one
// of which is VALUE (the OAuth 2.0 `scope` form, RFC 6749 section 3.3).
// Comparison is exact (case-sensitive). A claim that is missing, a number,
// a boolean, null or an object contains nothing; non-string array elements
// are skipped. An anonymous viewer has no claims and meets no requirement.
//
// # Order and answers
//
// Decide checks the country first (so nobody is asked to sign in to a video
// they could not watch), then MUX_VIEWER_REQUIRE, then the rule for the ID
// and MUX_VIEWER_IDS_CLAIM. Refusals: no viewer where one is needed →
// CodeSignIn (401, "Sign in to watch this video."); a viewer without the
// claims → CodeInsufficientScope (403, "Your account is not entitled to
// watch this video."); the country → CodeCountry (403, "This video is not
// available in your country."). When the country is unknown (no usable
// header), an allow list refuses (fail closed: 403, "This video is
// available only in some countries, and your country could not be
// determined.") and a block list lets the viewer through: it cannot block
// what it cannot see; use an allow list where that matters.
//
// # Where the country comes from
//
// Country reads the x-nf-geo request header (base64 of JSON whose
// country.code is the code), which Netlify's own functions runtime decodes
// into context.geo and netlify-cli's local server sets on every function
// request. Netlify documents context.geo, not the header, and does not
// document whether a client can forge it; see GeoHeader for sources. Under
// `make dev` set MUX_DEV_COUNTRY=FR (see DevCountryVar) to simulate a
// country; under `netlify dev` use --country=FR.
//
// # Limits
//
// MUX_VIEWER_RULES and MUX_COUNTRY_RULES at most 2048 bytes, 64 rules and
// 256 playback IDs each; MUX_VIEWER_REQUIRE 512 bytes; MUX_VIEWER_IDS_CLAIM
// 256 bytes; the country lists 1024 bytes; at most 8 requirements per
// list. Playback IDs are 1-128 ASCII letters and digits. AWS Lambda allows
// 4 KB of environment in all, and the signing key takes about 2.3 KB of it.
package access
