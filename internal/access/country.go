package access

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// GeoHeader is the request header from which Country reads the viewer's
// country: base64 of a JSON object whose country.code is the ISO 3166-1
// alpha-2 code, for example
//
//	{"city":"Council Bluffs","country":{"code":"US","name":"United States"},...}
//
// What is known, and from where (see also doc.go, "Where the country comes
// from"):
//
//   - Netlify documents the viewer's location for functions only as the
//     `geo` property of the Context given to its own (JavaScript) Functions
//     API (https://docs.netlify.com/functions/api: "An object containing
//     geolocation data for the client"); it documents no header for
//     Lambda-compatible (Go) functions.
//   - Netlify's runtime for its JavaScript functions,
//     @netlify/serverless-functions-api (npm; bundled code of 1.19.1 as shown
//     by socket.dev's diff view), declares the header names
//     `T="x-nf-client-connection-ip",H="x-nf-geo"` beside a helper that
//     base64-decodes and JSON-parses a header value (`null` -> `{}`): the
//     Context's geo is built from an x-nf-geo request header. (That the
//     helper is applied to x-nf-geo is read from minified code: inference.)
//   - netlify-cli's local functions server (src/lib/functions/server.ts)
//     sets the same header on every function event it builds, including
//     Go ones: `[efHeaders.Geo]: Buffer.from(JSON.stringify(geoLocation)).toString('base64')`,
//     with efHeaders.Geo = 'x-nf-geo' (src/lib/edge-functions/headers.ts);
//     `netlify dev --country=FR` makes it {"country":{"code":"FR",...}}.
//     It is written after the client's headers are copied, so locally a
//     client-sent x-nf-geo is replaced.
//   - A captured production request to a Netlify function (the headers
//     echo.hoppscotch.io returned, kept as sample data in a public
//     repository) carries both `"x-country": "US"` and an x-nf-geo whose
//     JSON is {"city":"Council Bluffs","country":{"code":"US",...},...}.
//     x-country is documented nowhere; Country does not read it.
//
// Whether a client can forge x-nf-geo on Netlify's production edge is NOT
// settled by anything found: Netlify's docs are silent, and its 2022
// announcement of stripping X-Nf- headers from function requests
// (answers.netlify.com/t/52665) concerns headers Netlify itself added. If
// Netlify's runtime builds context.geo from it, Netlify must overwrite it;
// a refusal that rests on it is at best as strong as context.geo. Country
// rules keep honest viewers within a licence; a VPN moves anyone.
const GeoHeader = "x-nf-geo"

// DevCountryVar is the variable the local development server (`make dev`)
// reads to pretend every request comes from one country: it sets GeoHeader
// to DevGeoHeader(value) on each request, replacing any the client sent.
// The deployed function never reads it.
const DevCountryVar = "MUX_DEV_COUNTRY"

// maxGeoHeader bounds the header Country decodes.
const maxGeoHeader = 4096

// Country returns the viewer's country as an upper-case two-letter code,
// from GeoHeader, or "" when the header is missing, too long, not base64 of
// a JSON object, or its country.code is not exactly two ASCII letters.
// header looks a request header up by name (case-insensitively, as the
// caller's event allows). The code is not checked against the ISO list
// here: an unassigned code simply matches no configured list.
func Country(header func(name string) string) string {
	v := strings.TrimSpace(header(GeoHeader))
	if v == "" || len(v) > maxGeoHeader {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(v)
		if err != nil {
			return ""
		}
	}
	var geo struct {
		Country *struct {
			Code string `json:"code"`
		} `json:"country"`
	}
	if json.Unmarshal(raw, &geo) != nil || geo.Country == nil {
		return ""
	}
	c := geo.Country.Code
	if len(c) != 2 || !isASCIILetter(c[0]) || !isASCIILetter(c[1]) {
		return ""
	}
	return strings.ToUpper(c)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// DevGeoHeader returns the GeoHeader value that says a request comes from
// country (an ISO 3166-1 alpha-2 code, any case), in the form Netlify uses,
// for the local development server. It refuses anything else.
func DevGeoHeader(country string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(country))
	if !isCountryCode(c) {
		return "", fmt.Errorf("%s: %q is not an ISO 3166-1 alpha-2 country code (two letters, such as US, GB, DE)", DevCountryVar, clip(country))
	}
	js := `{"country":{"code":"` + c + `","name":"Simulated by ` + DevCountryVar + `"}}`
	return base64.StdEncoding.EncodeToString([]byte(js)), nil
}
