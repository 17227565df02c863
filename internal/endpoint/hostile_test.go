package endpoint_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
)

// hardReq builds the event Netlify sends for method and the query pairs
// k1, v1, k2, v2...: repeated keys joined with ", " in the single-value map
// and kept apart in the multi-value one.
func hardReq(method string, kv ...string) events.APIGatewayProxyRequest {
	req := events.APIGatewayProxyRequest{
		HTTPMethod:                      method,
		Headers:                         map[string]string{},
		QueryStringParameters:           map[string]string{},
		MultiValueQueryStringParameters: map[string][]string{},
		IsBase64Encoded:                 true,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.MultiValueQueryStringParameters[kv[i]] = append(req.MultiValueQueryStringParameters[kv[i]], kv[i+1])
	}
	for k, vs := range req.MultiValueQueryStringParameters {
		req.QueryStringParameters[k] = strings.Join(vs, ", ")
	}
	return req
}

func hardGet(kv ...string) events.APIGatewayProxyRequest { return hardReq("GET", kv...) }

// hardWith returns req with a header set.
func hardWith(req events.APIGatewayProxyRequest, name, value string) events.APIGatewayProxyRequest {
	req.Headers[name] = value
	return req
}

// Messages of the documented 400s and 403s.
const (
	msgBadID      = "playbackId must be 1 to 128 ASCII letters and digits"
	msgMissingID  = "Missing playbackId in query string"
	msgRepeated   = "is given more than once"
	msgBadType    = "unknown token type"
	msgNotAllowed = "playbackId is not allowed by this site's policy"
	msgOrigin     = "origin not allowed"
	msgMethod     = "method not allowed"
	msgTooLarge   = "query too large"
)

// hardManyParams returns the pairs of a query of n parameters: the playback
// ID and n-1 pieces of noise.
func hardManyParams(n int) []string {
	kv := []string{"playbackId", hardID}
	for i := 1; i < n; i++ {
		kv = append(kv, fmt.Sprintf("utm_%d", i), "x")
	}
	return kv
}

type hardCase struct {
	name   string
	setup  string // a hardSetups name; "" is default
	req    events.APIGatewayProxyRequest
	status int
	msg    string // a part of the error message, for errors
	// check, when set, makes further assertions on the response.
	check func(t *testing.T, resp events.APIGatewayProxyResponse)
}

// hardCases is the hostile-input table: every entry is something a stranger
// can send, with the answer the README documents for it.
func hardCases() []hardCase {
	var cases []hardCase
	add := func(c hardCase) { cases = append(cases, c) }

	// Playback IDs that are not letters and digits: 400, never echoed.
	for _, c := range []struct{ name, id string }{
		{"CRLF header injection", hardID + "\r\nLocation: https://evil.example"},
		{"escaped CRLF left encoded", hardID + "%0d%0aSet-Cookie:%20a=b"},
		{"escaped CRLF upper case", hardID + "%0D%0A"},
		{"LF", hardID + "\n"},
		{"CR", "\r" + hardID},
		{"NUL inside", hardID[:10] + "\x00" + hardID[10:]},
		{"NUL alone", "\x00"},
		{"non-UTF-8 bytes", "\xff\xfe\xfd"},
		{"truncated UTF-8", hardID + "\xc3"},
		{"Cyrillic a lookalike", "а" + hardID[1:]},
		{"Greek capital omicron lookalike", "Ο" + hardID[1:]},
		{"fullwidth digits", "１２３４５"},
		{"Arabic-Indic digits", "٣٤٥"},
		{"mathematical bold letters", "𝐀𝐁𝐂"},
		{"zero-width space", hardID[:5] + "\u200b" + hardID[5:]},
		{"byte order mark", "\ufeff" + hardID},
		{"right-to-left override", hardID + "\u202egpj"},
		{"emoji", "🎬" + hardID},
		{"129 characters", strings.Repeat("a", 129)},
		{"slash", hardID + "/thumbnail.jpg"},
		{"dot dot slash", "../" + hardID},
		{"encoded dot dot slash", "%2e%2e%2f" + hardID},
		{"at sign (userinfo)", "evil.example@" + hardID},
		{"scheme-relative host", "//evil.example/" + hardID},
		{"question mark", hardID + "?token=forged"},
		{"hash", hardID + "#x"},
		{"backslash", hardID + "\\..\\evil"},
		{"colon", "https:" + hardID},
		{"space", hardID[:4] + " " + hardID[4:]},
		{"leading space", " " + hardID},
		{"tab", hardID + "\t"},
		{"extension", hardID + ".m3u8"},
		{"ampersand", hardID + "&type=gif"},
		{"semicolon", hardID + ";x"},
		{"HTML", "<script>alert(1)</script>"},
		{"quotes", `a"b'c`},
		{"asterisk", "*"},
		{"base64url dash and underscore", "abc-def_ghi"},
		{"percent", "100%"},
		{"plus", "a+b"},
		{"comma joined repeat", hardID + ", " + hardID2},
	} {
		add(hardCase{name: "playbackId " + c.name, req: hardGet("playbackId", c.id), status: 400, msg: msgBadID,
			check: hardNoEcho(c.id)})
	}
	// A query past MaxQueryBytes is refused before any parameter is read.
	add(hardCase{name: "playbackId 10 KB", req: hardGet("playbackId", strings.Repeat("A1", 5*1024)), status: 414, msg: msgTooLarge,
		check: hardNoEcho(strings.Repeat("A1", 25))})
	add(hardCase{name: "201 parameters", req: hardGet(hardManyParams(201)...), status: 414, msg: msgTooLarge})
	add(hardCase{name: "100 parameters, one the ID", req: hardGet(hardManyParams(100)...), status: 302})
	// Letters and digits only, however odd: a valid ID shape is signed.
	for _, id := range []string{"0", "null", "undefined", strings.Repeat("Z", 128)} {
		add(hardCase{name: "playbackId shape " + id[:min(len(id), 8)], req: hardGet("playbackId", id), status: 302})
	}

	// Missing, empty, repeated, differently named.
	noQuery := hardGet()
	noQuery.QueryStringParameters, noQuery.MultiValueQueryStringParameters = nil, nil
	onlySingle := hardGet("playbackId", hardID)
	onlySingle.MultiValueQueryStringParameters = nil
	onlyMulti := hardGet("playbackId", hardID)
	onlyMulti.QueryStringParameters = nil
	joinedOnly := hardGet("playbackId", hardID, "playbackId", hardID2)
	joinedOnly.MultiValueQueryStringParameters = nil
	for _, c := range []hardCase{
		{name: "no parameters", req: hardGet(), status: 400, msg: msgMissingID},
		{name: "nil query maps", req: noQuery, status: 400, msg: msgMissingID},
		{name: "empty playbackId", req: hardGet("playbackId", ""), status: 400, msg: msgMissingID},
		{name: "repeated playbackId", req: hardGet("playbackId", hardID, "playbackId", hardID2), status: 400, msg: msgRepeated},
		{name: "repeated identical playbackId", req: hardGet("playbackId", hardID, "playbackId", hardID), status: 400, msg: msgRepeated},
		{name: "repeated joined, single map only", req: joinedOnly, status: 400, msg: msgBadID},
		{name: "single map only", req: onlySingle, status: 302},
		{name: "multi map only", req: onlyMulti, status: 302},
		{name: "lower-case name", req: hardGet("playbackid", hardID), status: 400, msg: msgMissingID},
		{name: "upper-case name", req: hardGet("PlaybackId", hardID), status: 400, msg: msgMissingID},
		{name: "name with []", req: hardGet("playbackId[]", hardID), status: 400, msg: msgMissingID},
		{name: "name with [0]", req: hardGet("playbackId[0]", hardID), status: 400, msg: msgMissingID},
		{name: "name with trailing space", req: hardGet("playbackId ", hardID), status: 400, msg: msgMissingID},
		{name: "snake-case name", req: hardGet("playback_id", hardID), status: 400, msg: msgMissingID},
		{name: "empty name and value", req: hardGet("", "", "playbackId", hardID), status: 302},
	} {
		add(c)
	}

	// type and format.
	for _, c := range []hardCase{
		{name: "type upper case", req: hardGet("playbackId", hardID, "type", "VIDEO"), status: 400, msg: msgBadType},
		{name: "type with space", req: hardGet("playbackId", hardID, "type", "video "), status: 400, msg: msgBadType},
		{name: "type with CRLF", req: hardGet("playbackId", hardID, "type", "video\r\nX: y"), status: 400, msg: msgBadType,
			check: hardNoEcho("\r\n")},
		{name: "type empty", req: hardGet("playbackId", hardID, "type", ""), status: 400, msg: msgBadType},
		{name: "type audience letter", req: hardGet("playbackId", hardID, "type", "t"), status: 400, msg: msgBadType},
		{name: "type 10 KB", req: hardGet("playbackId", hardID, "type", strings.Repeat("x", 10240)), status: 414, msg: msgTooLarge,
			check: hardNoEcho(strings.Repeat("x", 50))},
		{name: "type 4 KB", req: hardGet("playbackId", hardID, "type", strings.Repeat("x", 4096)), status: 400, msg: msgBadType,
			check: hardNoEcho(strings.Repeat("x", 50))},
		{name: "type repeated", req: hardGet("playbackId", hardID, "type", "video", "type", "gif"), status: 400, msg: msgRepeated},
		{name: "type name upper case is ignored", req: hardGet("playbackId", hardID, "TYPE", "gif"), status: 302},
		{name: "drm_license as redirect", req: hardGet("playbackId", hardID, "type", "drm_license"), status: 400, msg: "no redirect target"},
		{name: "gif as JSON", req: hardGet("playbackId", hardID, "type", "gif", "response", "json"), status: 400, msg: "only as a redirect"},
		{name: "format of another type", req: hardGet("playbackId", hardID, "type", "thumbnail", "format", "gif"), status: 400, msg: "format must be one of"},
		{name: "format with query", req: hardGet("playbackId", hardID, "format", "m3u8?x=1"), status: 400, msg: "format must be one of"},
		{name: "format path traversal", req: hardGet("playbackId", hardID, "type", "thumbnail", "format", "../../x"), status: 400, msg: "format must be one of"},
		{name: "format upper case", req: hardGet("playbackId", hardID, "type", "thumbnail", "format", "JPG"), status: 400, msg: "format must be one of"},
		{name: "format with JSON", req: hardGet("playbackId", hardID, "format", "m3u8", "response", "json"), status: 400, msg: "format applies only to redirects"},
		{name: "response xml", req: hardGet("playbackId", hardID, "response", "xml"), status: 400, msg: "response must be json or redirect"},
		{name: "response upper case", req: hardGet("playbackId", hardID, "response", "JSON"), status: 400, msg: "response must be json or redirect"},
		{name: "drm not a boolean", req: hardGet("playbackId", hardID, "response", "json", "drm", "maybe"), status: 400, msg: "drm must be true or false"},
	} {
		add(c)
	}

	// Option values out of range or of the wrong type.
	thumb := func(k, v string) events.APIGatewayProxyRequest {
		return hardGet("playbackId", hardID, "type", "thumbnail", k, v)
	}
	gif := func(kv ...string) events.APIGatewayProxyRequest {
		return hardGet(append([]string{"playbackId", hardID, "type", "gif"}, kv...)...)
	}
	video := func(kv ...string) events.APIGatewayProxyRequest {
		return hardGet(append([]string{"playbackId", hardID}, kv...)...)
	}
	for _, c := range []hardCase{
		{name: "width too big", req: thumb("width", "4097"), msg: "width: must be a whole number from 1 to 4096"},
		{name: "width zero", req: thumb("width", "0"), msg: "width: must be a whole number"},
		{name: "width negative", req: thumb("width", "-1"), msg: "width: must be a whole number"},
		{name: "width fraction", req: thumb("width", "1.5"), msg: "width: must be a whole number"},
		{name: "width word", req: thumb("width", "abc"), msg: "width: must be a whole number"},
		{name: "width exponent", req: thumb("width", "1e3"), msg: "width: must be a whole number"},
		{name: "width hex", req: thumb("width", "0x10"), msg: "width: must be a whole number"},
		{name: "width plus sign", req: thumb("width", "+10"), msg: "width: must be a whole number"},
		{name: "width leading space", req: thumb("width", " 10"), msg: "width: must be a whole number"},
		{name: "width trailing LF", req: thumb("width", "10\n"), msg: "width: must be a whole number"},
		{name: "width fullwidth digit", req: thumb("width", "１０"), msg: "width: must be a whole number"},
		{name: "width empty", req: thumb("width", ""), msg: "width: must be a whole number"},
		{name: "width huge", req: thumb("width", strings.Repeat("9", 400)), msg: "width: must be a whole number"},
		{name: "width repeated", req: hardGet("playbackId", hardID, "type", "thumbnail", "width", "1", "width", "2"), msg: msgRepeated},
		{name: "width on video", req: video("width", "640"), msg: "does not apply to type video"},
		{name: "rotate 45", req: thumb("rotate", "45"), msg: "rotate: must be one of"},
		{name: "fit_mode upper case", req: thumb("fit_mode", "SMARTCROP"), msg: "fit_mode: must be one of"},
		{name: "flip_v 1", req: thumb("flip_v", "1"), msg: "flip_v: must be one of"},
		{name: "time negative", req: thumb("time", "-1"), msg: "time: must be a number of seconds"},
		{name: "time NaN", req: thumb("time", "NaN"), msg: "time: must be a number of seconds"},
		{name: "time Inf", req: thumb("time", "Inf"), msg: "time: must be a number of seconds"},
		{name: "time exponent", req: thumb("time", "1e3"), msg: "time: must be a number of seconds"},
		{name: "time 11 digits", req: thumb("time", "10000000001"), msg: "time: must be a number of seconds"},
		{name: "time 4 decimals", req: thumb("time", "1.2345"), msg: "time: must be a number of seconds"},
		{name: "gif height over 640", req: gif("height", "641"), msg: "height: must be a whole number from 1 to 640"},
		{name: "gif fps 31", req: gif("fps", "31"), msg: "fps: must be a whole number from 1 to 30"},
		{name: "gif fps 0", req: gif("fps", "0"), msg: "fps: must be a whole number"},
		{name: "gif end before start", req: gif("start", "5", "end", "4"), msg: "a GIF must last"},
		{name: "gif too long", req: gif("start", "0", "end", "10.001"), msg: "a GIF must last"},
		{name: "gif too short", req: gif("start", "1", "end", "1.2"), msg: "a GIF must last"},
		{name: "gif option on thumbnail", req: thumb("fps", "10"), msg: "does not apply to type thumbnail"},
		{name: "gif option in JSON", req: video("start", "1", "response", "json"), msg: "applies only to gif redirects"},
		{name: "clip ends before it starts", req: video("asset_start_time", "20", "asset_end_time", "10"), msg: "asset_end_time: must be after asset_start_time"},
		{name: "program clip of zero length", req: video("program_start_time", "5", "program_end_time", "5"), msg: "must be after program_start_time"},
		{name: "max_resolution 4320p", req: video("max_resolution", "4320p"), msg: "max_resolution: must be one of"},
		{name: "rendition_order asc", req: video("rendition_order", "asc"), msg: "rendition_order: must be one of"},
		{name: "subtitles lang with underscore", req: video("default_subtitles_lang", "en_US"), msg: "default_subtitles_lang: must be a BCP 47"},
		{name: "subtitles lang with CRLF", req: video("default_subtitles_lang", "en\r\nX: y"), msg: "default_subtitles_lang: must be a BCP 47"},
		{name: "redundant_streams yes", req: video("redundant_streams", "yes"), msg: "redundant_streams: must be one of"},
	} {
		c.status = 400
		add(c)
	}
	// Valid options reach the token with the values asked for (hardCheck
	// compares every option claim with the query).
	for _, c := range []hardCase{
		{name: "every thumbnail option", req: hardGet("playbackId", hardID, "type", "thumbnail", "time", "12.5", "width", "4096",
			"height", "1", "rotate", "270", "fit_mode", "pad", "flip_v", "true", "flip_h", "false", "format", "webp")},
		{name: "every gif option", req: gif("start", "0.25", "end", "10.25", "width", "640", "height", "360", "fps", "30", "format", "webp")},
		{name: "every video option", req: video("max_resolution", "1080p", "min_resolution", "270p", "rendition_order", "desc",
			"default_subtitles_lang", "pt-BR", "redundant_streams", "true", "asset_start_time", "0", "asset_end_time", "9999999999.999")},
		{name: "storyboard json", req: hardGet("playbackId", hardID, "type", "storyboard", "format", "json")},
	} {
		c.status = 302
		add(c)
	}

	// Claim names sent as parameters never reach a token: hardCheck fails
	// on any claim outside the signer's and the option allowlist, and on
	// sub, aud, kid or playback_restriction_id differing from the policy.
	for _, name := range []string{"sub", "aud", "exp", "kid", "custom", "playback_restriction_id", "iat", "nbf", "jti", "iss", "token", "alg"} {
		for _, setup := range []string{"default", "policy"} {
			add(hardCase{name: "claim name " + name + " as a parameter (" + setup + ")", setup: setup, status: 302,
				req: hardGet("playbackId", hardID, name, "forged", "custom[session]", "x")})
		}
	}
	add(hardCase{name: "claim names in JSON", status: 200,
		req: hardGet("playbackId", hardID, "response", "json", "sub", hardID2, "aud", "t", "kid", "evil", "exp", "1")})

	// Option names with other case or brackets are unknown: ignored.
	for _, name := range []string{"Width", "WIDTH", "width[]", "width ", "max-resolution"} {
		add(hardCase{name: "option name " + name, status: 302,
			req: hardGet("playbackId", hardID, "type", "thumbnail", name, "10")})
	}

	// Expiration.
	for _, c := range []hardCase{
		{name: "expiration 30 s", req: video("expiration", "30"), status: 400, msg: "expiration must be at least 60 seconds"},
		{name: "expiration 0", req: video("expiration", "0"), status: 400, msg: "expiration must be at least 60 seconds"},
		{name: "expiration over the configured", req: video("expiration", "8d"), status: 400, msg: "expiration may be at most the configured 604800 seconds"},
		{name: "expiration overflowing int64", req: video("expiration", "9999999999"), status: 400, msg: "is longer than the 3650-day maximum"},
		{name: "expiration of many weeks", req: video("expiration", "999999999w"), status: 400, msg: "is longer than the 3650-day maximum"},
		{name: "expiration negative", req: video("expiration", "-60"), status: 400, msg: "is not a duration"},
		{name: "expiration fraction", req: video("expiration", "1.5h"), status: 400, msg: "is not a duration"},
		{name: "expiration repeated", req: video("expiration", "1h", "expiration", "2h"), status: 400, msg: msgRepeated},
		{name: "expiration one hour", req: video("expiration", "1h"), status: 302},
		{name: "expiration compound", req: video("expiration", "1d2h3m4s"), status: 302},
	} {
		add(c)
	}

	// Every HTTP method.
	for _, c := range []struct {
		method string
		status int
	}{
		{"GET", 302}, {"HEAD", 302}, {"POST", 302}, {"OPTIONS", 204}, {"get", 302}, {"Head", 302}, {"options", 204},
		{"PUT", 405}, {"DELETE", 405}, {"PATCH", 405}, {"TRACE", 405}, {"CONNECT", 405}, {"PROPFIND", 405},
		{"QUERY", 405}, {"", 405}, {"G\r\nET", 405}, {"GET ", 405}, {strings.Repeat("GET", 3000), 405}, {"\x00", 405},
	} {
		hc := hardCase{name: fmt.Sprintf("method %.12q", c.method), req: hardReq(c.method, "playbackId", hardID), status: c.status}
		if c.status == 405 {
			hc.msg = msgMethod
		}
		add(hc)
	}
	add(hardCase{name: "HEAD error has no body", req: hardReq("HEAD", "playbackId", "bad-id"), status: 400})
	add(hardCase{name: "HEAD JSON has no body", req: hardWith(hardReq("HEAD", "playbackId", hardID), "accept", "application/json"), status: 200})

	// Origin, without and with an origin list.
	ok := hardGet("playbackId", hardID)
	for _, c := range []struct {
		name, setup, origin string
		status              int
		acao                string // "" means absent
	}{
		{"any origin without a list", "default", "https://evil.example", 302, "*"},
		{"10 KB origin without a list", "default", "https://" + strings.Repeat("a", 10240) + ".example", 302, "*"},
		{"listed origin", "policy", "https://app.example.com", 302, "https://app.example.com"},
		{"wildcard subdomain", "policy", "https://a.b.example.org", 302, "https://a.b.example.org"},
		{"wildcard apex is not matched", "policy", "https://example.org", 302, ""},
		{"upper-case origin", "policy", "https://APP.example.com", 302, ""},
		{"suffix attack", "policy", "https://app.example.com.evil.example", 302, ""},
		{"prefix attack", "policy", "https://evilapp.example.com", 302, ""},
		{"wildcard suffix attack", "policy", "https://evil-example.org", 302, ""},
		{"wildcard domain inside another host", "policy", "https://x.example.org.evil.example", 302, ""},
		{"wildcard domain as a label", "policy", "https://example.org.evil.example", 302, ""},
		{"http scheme", "policy", "http://app.example.com", 302, ""},
		{"trailing slash", "policy", "https://app.example.com/", 302, ""},
		{"with path", "policy", "https://app.example.com/x", 302, ""},
		{"with userinfo", "policy", "https://app.example.com@evil.example", 302, ""},
		{"CRLF in origin", "policy", "https://app.example.com\r\nSet-Cookie: a=b", 302, ""},
		{"NUL in origin", "policy", "https://app.example.com\x00", 302, ""},
		{"null origin", "policy", "null", 302, ""},
		{"joined repeated header", "policy", "https://app.example.com, https://evil.example", 302, ""},
		{"10 KB origin", "policy", "https://" + strings.Repeat("a.", 5000) + "example.org", 302, ""},
		{"non-UTF-8 origin", "policy", "https://\xff.example.org", 302, ""},
		{"punycode-looking lookalike", "policy", "https://аpp.example.com", 302, ""},
	} {
		add(hardCase{name: "origin: " + c.name, setup: c.setup, req: hardWith(hardCopy(ok), "origin", c.origin), status: c.status,
			check: hardACAO(c.acao)})
	}
	preflight := hardReq("OPTIONS")
	for _, c := range []hardCase{
		{name: "preflight from a listed origin", setup: "policy", req: hardWith(hardCopy(preflight), "origin", "https://app.example.com"), status: 204,
			check: hardACAO("https://app.example.com")},
		{name: "preflight, header name in capitals", setup: "policy", req: hardWith(hardCopy(preflight), "ORIGIN", "https://x.example.org"), status: 204,
			check: hardACAO("https://x.example.org")},
		{name: "preflight from another origin", setup: "policy", req: hardWith(hardCopy(preflight), "origin", "https://evil.example"), status: 403, msg: msgOrigin},
		{name: "preflight without an origin", setup: "policy", req: hardCopy(preflight), status: 403, msg: msgOrigin},
		{name: "preflight without a list", req: hardWith(hardCopy(preflight), "origin", "https://evil.example"), status: 204, check: hardACAO("*")},
		{name: "ID not on the allowlist", setup: "policy", req: hardGet("playbackId", "notOnTheList1"), status: 403, msg: msgNotAllowed},
		{name: "allowlisted ID, other case", setup: "policy", req: hardGet("playbackId", strings.ToLower(hardID)), status: 403, msg: msgNotAllowed},
		{name: "allowlisted ID gets the restriction", setup: "policy", req: hardGet("playbackId", hardID2), status: 302},
		{name: "allowlisted ID as JSON with DRM", setup: "policy", req: hardGet("playbackId", hardID, "response", "json"), status: 200},
		{name: "bad ID before policy", setup: "policy", req: hardGet("playbackId", "../"+hardID), status: 400, msg: msgBadID},
		{name: "custom hosts", setup: "hosts", req: hardGet("playbackId", hardID, "type", "gif"), status: 302},
		{name: "custom hosts JSON", setup: "hosts", req: hardGet("playbackId", hardID, "response", "json", "drm", "on"), status: 200},
		{name: "no cache", setup: "nocache", req: hardGet("playbackId", hardID, "expiration", "59m"), status: 302},
	} {
		add(c)
	}

	// Accept.
	for _, c := range []struct {
		name, accept string
		status       int
	}{
		{"JSON", "application/json", 200},
		{"JSON upper case", "APPLICATION/JSON", 200},
		{"JSON among others", "text/html, application/json;q=0.9", 200},
		{"+json type", "application/vnd.api+json", 200},
		{"JSON with q=0", "application/json;q=0", 302},
		{"JSON with q=0.000", "application/json; q=0.000", 302},
		{"browser default", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 302},
		{"anything", "*/*", 302},
		{"garbage", ";;;,,,===", 302},
		{"NUL", "application/json\x00", 302},
		{"CRLF", "application/json\r\nX: y", 302},
		{"10 KB", strings.Repeat("application/json,", 600), 302},
	} {
		add(hardCase{name: "accept " + c.name, req: hardWith(hardGet("playbackId", hardID), "accept", c.accept), status: c.status})
	}
	add(hardCase{name: "accept JSON but response=redirect", status: 302,
		req: hardWith(hardGet("playbackId", hardID, "response", "redirect"), "accept", "application/json")})

	// Bodies are never read: the query decides.
	b64 := base64.StdEncoding.EncodeToString
	for _, c := range []struct {
		name string
		req  events.APIGatewayProxyRequest
		body string
		enc  bool
		want int
	}{
		{"base64 form body, no query", hardReq("POST"), b64([]byte("playbackId=" + hardID)), true, 400},
		{"JSON body, no query", hardReq("POST"), `{"playbackId":"` + hardID + `"}`, false, 400},
		{"body that is not base64", hardReq("POST", "playbackId", hardID), "%%%not base64%%%", true, 302},
		{"1 MB body", hardReq("POST", "playbackId", hardID), b64(make([]byte, 1<<20)), true, 302},
		{"body with a key-like text", hardReq("POST", "playbackId", hardID), b64([]byte("-----BEGIN RSA PRIVATE KEY-----")), true, 302},
	} {
		c.req.Body, c.req.IsBase64Encoded = c.body, c.enc
		hc := hardCase{name: "body: " + c.name, req: c.req, status: c.want}
		if c.want == 400 {
			hc.msg = msgMissingID
		}
		add(hc)
	}
	return cases
}

// hardCopy returns req with its own header map.
func hardCopy(req events.APIGatewayProxyRequest) events.APIGatewayProxyRequest {
	h := make(map[string]string, len(req.Headers))
	for k, v := range req.Headers {
		h[k] = v
	}
	req.Headers = h
	return req
}

// hardNoEcho checks that an error message does not repeat s.
func hardNoEcho(s string) func(*testing.T, events.APIGatewayProxyResponse) {
	return func(t *testing.T, resp events.APIGatewayProxyResponse) {
		t.Helper()
		msg, err := hardErrorMessage(resp.Body)
		if err != nil {
			t.Fatalf("error body: %v", err)
		}
		if strings.Contains(msg, s) || len(resp.Body) > 1000 {
			t.Errorf("the error repeats the input: %.200q", msg)
		}
	}
}

// hardACAO checks Access-Control-Allow-Origin ("" for absent).
func hardACAO(want string) func(*testing.T, events.APIGatewayProxyResponse) {
	return func(t *testing.T, resp events.APIGatewayProxyResponse) {
		t.Helper()
		if got := resp.Headers["Access-Control-Allow-Origin"]; got != want {
			t.Errorf("Access-Control-Allow-Origin %q, want %q", got, want)
		}
	}
}

// TestHostileInput sends every case of hardCases and checks its documented
// status and message, and every promise hardCheck holds (no 5xx, redirects
// only to Mux, tokens only with allowlisted claims, no key material in any
// response or log line).
func TestHostileInput(t *testing.T) {
	cases := hardCases()
	if len(cases) < 100 {
		t.Fatalf("only %d hostile cases", len(cases))
	}
	instances := map[string]*hardInstance{}
	for _, in := range hardInstances(t) {
		instances[in.name] = in
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("two cases named %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			setup := c.setup
			if setup == "" {
				setup = "default"
			}
			in := instances[setup]
			resp := hardDo(in, c.req)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d; body %.300q", resp.StatusCode, c.status, resp.Body)
			}
			if c.msg != "" {
				msg, err := hardErrorMessage(resp.Body)
				if err != nil || !strings.Contains(msg, c.msg) {
					t.Fatalf("message %q (%v), want it to contain %q", msg, err, c.msg)
				}
			}
			if c.check != nil {
				c.check(t, resp)
			}
			hardCheck(t, in, c.req, resp)
		})
	}
}

// TestConcurrentRequests runs the handler, with a small token cache that
// evicts all the time, under many goroutines at once: the same IDs, unique
// IDs, errors and preflights. Under -race it proves the handler and cache
// share no unguarded state; each answer must be for its own request, and one
// ID's token must be the same whoever asked (fixed clock, deterministic
// signatures).
func TestConcurrentRequests(t *testing.T) {
	const goroutines, perGoroutine = 16, 24
	rec := &hardRecorder{}
	h := endpoint.New(hardEnv(t, map[string]string{endpoint.EnvCacheSize: "4"}), hardClock, rec.logger())
	if _, err := h.Config(); err != nil {
		t.Fatal(err)
	}
	shared := []string{hardID, hardID2, "sharedId3", "sharedId4", "sharedId5", "sharedId6"}
	var (
		mu     sync.Mutex
		tokens = map[string]string{}
		wg     sync.WaitGroup
	)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perGoroutine {
				id := shared[(g+i)%len(shared)]
				if i%3 == 1 {
					id = fmt.Sprintf("unique%dx%d", g, i)
				}
				req, want := hardGet("playbackId", id), http.StatusFound
				switch i % 8 {
				case 5:
					req, want = hardGet("playbackId", id+"/.."), http.StatusBadRequest
				case 6:
					req, want = hardReq("OPTIONS"), http.StatusNoContent
				case 7:
					req = hardGet("playbackId", id, "type", "thumbnail", "width", fmt.Sprint(100+g))
				}
				resp := hardDo(&hardInstance{name: "concurrent", h: h, rec: rec}, req)
				if resp.StatusCode != want {
					t.Errorf("%v: status %d, want %d: %s", req.QueryStringParameters, resp.StatusCode, want, resp.Body)
					continue
				}
				if want != http.StatusFound {
					continue
				}
				loc := resp.Headers["Location"]
				tok := loc[strings.Index(loc, "?token=")+len("?token="):]
				claims := hardClaims(t, tok)
				if claims["sub"] != id {
					t.Errorf("asked for %s, got a token for %v", id, claims["sub"])
				}
				if i%8 == 7 && claims["width"] != fmt.Sprint(100+g) {
					t.Errorf("asked for width %d, got %v", 100+g, claims["width"])
				}
				if i%8 != 7 {
					mu.Lock()
					if prev, ok := tokens[id]; ok && prev != tok {
						t.Errorf("two different tokens for %s at the same instant", id)
					}
					tokens[id] = tok
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if out := rec.String(); strings.Contains(out, `"msg":"panic"`) {
		t.Fatalf("a request panicked: %s", out)
	}
	hardNoKeyMaterial(t, "concurrent responses and logs", rec.String())
}

// hardClaims decodes a token's claims without checking the signature (the
// hostile and fuzz tests check it through hardCheck).
func hardClaims(t *testing.T, tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Errorf("token %q does not have three parts", tok)
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Errorf("claims: %v", err)
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Errorf("claims: %v", err)
	}
	return m
}
