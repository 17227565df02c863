// Package viewer decides WHO the viewer is: it verifies the viewer's sign-in
// token before the function signs a Mux playback token. It is transport-free:
// the endpoint hands it the raw Authorization and Cookie header values and the
// Netlify client context, and turns its *Error into a 401 or 503 answer.
//
// It is off unless a MUX_VIEWER_* variable is set (Config.Enabled). Three
// sources of trust can be configured, alone or together:
//
//   - An OpenID Connect provider (Auth0, Clerk, Okta, Cognito, Firebase,
//     Keycloak, Supabase with asymmetric keys...): MUX_VIEWER_ISSUER, whose
//     discovery document ISSUER/.well-known/openid-configuration names the
//     jwks_uri (the document's own "issuer" must equal the configured one), or
//     a direct MUX_VIEWER_JWKS_URL. RS256/384/512, PS256/384/512,
//     ES256/384/512 and EdDSA, each only with a key of the matching type.
//   - A shared secret, MUX_VIEWER_HS256_SECRET (at least 32 bytes): HS256
//     only, and the secret is never used for any other algorithm, nor is a
//     public key ever used as an HMAC secret (algorithm confusion).
//   - Netlify Identity, MUX_VIEWER_NETLIFY_IDENTITY=true: the user Netlify
//     itself verified (see "Netlify Identity" below).
//
// # Where the token comes from
//
// Authorization: Bearer TOKEN (the scheme in any case), or the cookie named by
// MUX_VIEWER_COOKIE. When the request carries a Bearer token the cookie is not
// read at all: the header is the explicit credential a script chose to send,
// the cookie is ambient. An Authorization header with another scheme (Basic,
// as Netlify's site password protection uses) is ignored, so the cookie still
// works behind it. Two cookies of the configured name are refused
// (invalid_request): which one a server picks differs between stacks, and a
// subdomain can plant a second one. Players, <video> and <img> elements send
// cookies but cannot add headers; fetch() from a page can do both. A token in
// the query string is refused by the endpoint (QueryTokenParams): it ends up in
// logs and Referer headers.
//
// # Keys
//
// JWKS keys are fetched lazily on the first token that needs them (never at
// construction), with a short timeout and a size cap, kept per Verifier, and
// fetched again when due (Cache-Control max-age, bounded, else hourly) or when
// a token names a key id the set lacks, but never more than once per
// RefreshMinInterval whatever the tokens say: a flood of random key ids costs
// the provider one request a minute. When the provider cannot be reached and
// no keys were ever fetched, Verify answers 503 with a Retry-After and never a
// viewer; the failure is logged once per attempt, so at most once per
// interval. Keys from an earlier fetch stay in use while a refresh fails.
//
// A verified token is remembered (by its SHA-256, never the token itself) until
// its own exp, in a bounded cache, so a player's repeated requests cost a map
// lookup.
//
// # Netlify Identity
//
// How Netlify hands a verified user to a Lambda-compatible (Go) function,
// from https://docs.netlify.com/functions/functions-and-identity/ ("Access
// Identity info with clientContext"): when Identity is enabled on the site, the
// invocation's client context carries custom["netlify"], the base64 (standard
// alphabet, padded) of a JSON object {"identity": {"url", "token"}, "user":
// {claims}}. "user" is present only when the request had an
// Authorization: Bearer header with a valid Identity JWT: Netlify has checked
// it. In Go, aws-lambda-go gives it as
// lambdacontext.FromContext(ctx).ClientContext.Custom["netlify"]; the endpoint
// passes that string as Credentials.NetlifyContext. This package decodes it
// strictly (size-capped, one JSON object, no trailing data), takes "user" as
// the viewer's claims and still checks their exp.
//
// `netlify dev` is different: netlify-cli builds that context itself
// (src/lib/functions/server.ts, buildClientContext) by jwtDecode-ing whatever
// follows "Bearer " (that exact spelling) WITHOUT verifying it, so locally any
// well-formed token, signed or not, becomes a "user". Trust MUX_VIEWER_NETLIFY_IDENTITY only on
// Netlify itself. Identity's own nf_jwt cookie cannot be verified by the
// function (Identity signs with a secret Netlify keeps); only the
// Authorization header path works for Identity.
package viewer
