package viewer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Where a Viewer's identity came from.
const (
	SourceBearer  = "bearer"  // Authorization: Bearer, verified here
	SourceCookie  = "cookie"  // the configured cookie, verified here
	SourceNetlify = "netlify" // the user Netlify verified (client context)
)

// Viewer is a verified viewer. Claims is shared with the token cache: read it,
// never modify it.
type Viewer struct {
	Subject   string
	Claims    map[string]any
	ExpiresAt time.Time
	Source    string
}

// Verifier verifies viewers for one configuration. It keeps the provider's
// keys and the verified tokens; make one per process and share it. It does no
// network work until a token needs keys.
type Verifier struct {
	cfg     Config
	keys    *keySource // nil without JWKS
	client  *http.Client
	log     *slog.Logger
	methods []string
	cache   tokenCache
}

// NewVerifier makes a Verifier. client may be nil (a client with FetchTimeout
// is made; a given one is copied with its timeout capped at FetchTimeout and
// redirects kept to https); log may be nil (slog.Default()).
func NewVerifier(cfg Config, client *http.Client, log *slog.Logger) *Verifier {
	if log == nil {
		log = slog.Default()
	}
	v := &Verifier{cfg: cfg, client: httpClient(client, FetchTimeout), log: log, methods: validMethods(cfg)}
	if cfg.usesJWKS() {
		v.keys = newKeySource(cfg, v.client, log)
	}
	return v
}

// Verify finds and verifies the viewer's credentials at time now. The error is
// always an *Error: 401 (no, malformed or refused credentials) or 503 (the
// provider's keys could not be fetched). It never returns a viewer on error.
func (v *Verifier) Verify(ctx context.Context, cred Credentials, now time.Time) (*Viewer, error) {
	if !v.cfg.Enabled() {
		return nil, &Error{Status: 401, Code: CodeInvalidToken, Description: "viewer sign-in is not configured", Detail: "Verify called without viewer settings"}
	}
	if v.cfg.NetlifyIdentity && cred.NetlifyContext != "" {
		nc, err := decodeNetlifyContext(cred.NetlifyContext)
		if err != nil {
			return nil, errToken("the sign-in details Netlify passed could not be read", err.Error())
		}
		if nc.User != nil {
			vw, e := netlifyViewer(nc.User, now, v.cfg.ClockSkew)
			if e != nil {
				return nil, e
			}
			return vw, nil
		}
	}
	tok, source, e := findToken(cred, v.cfg.Cookie)
	if e != nil {
		return nil, e
	}
	if tok == "" {
		return nil, errNoCredentials()
	}
	if !v.cfg.verifiesTokens() {
		return nil, errToken("Netlify Identity did not accept this token; sign in again", "no user in the Netlify client context")
	}
	key := tokenKey(tok)
	if vw := v.cache.get(key, now); vw != nil && !v.cfg.NoTokenCache {
		cp := *vw
		cp.Source = source
		return &cp, nil
	}
	vw, err := v.verifyToken(ctx, tok, now)
	if err != nil {
		return nil, err
	}
	if !v.cfg.NoTokenCache {
		v.cache.put(key, vw, now)
	}
	cp := *vw
	cp.Source = source
	return &cp, nil
}

// parser builds the jwt parser for now.
func (v *Verifier) parser(now time.Time, opts ...jwt.ParserOption) *jwt.Parser {
	o := append([]jwt.ParserOption{
		jwt.WithValidMethods(v.methods),
		jwt.WithIssuer(v.cfg.Issuer),
		jwt.WithLeeway(v.cfg.ClockSkew),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	}, opts...)
	if !v.cfg.AudienceOptOut {
		o = append(o, jwt.WithAudience(v.cfg.Audiences...))
	}
	return jwt.NewParser(o...)
}

// verifyToken verifies a token with golang-jwt: allowlisted algorithm, key
// of the matching type, signature, then iss, aud, exp (required), nbf, iat.
func (v *Verifier) verifyToken(ctx context.Context, tok string, now time.Time) (*Viewer, *Error) {
	if len(tok) > MaxTokenBytes {
		return nil, errToken("the sign-in token is too large", "token over the size cap")
	}
	claims := jwt.MapClaims{}
	t, err := v.parser(now).ParseWithClaims(tok, claims, v.keyfunc(ctx, now))
	if err != nil || t == nil || !t.Valid {
		return nil, v.refusal(t, err)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return nil, errToken("the sign-in token has no expiry", "exp missing after validation")
	}
	sub, _ := claims["sub"].(string)
	return &Viewer{Subject: sub, Claims: map[string]any(claims), ExpiresAt: exp.Time, Source: SourceBearer}, nil
}

// unknownKidError: the token names a key id the provider does not publish.
type unknownKidError struct{ kid string }

func (e *unknownKidError) Error() string { return fmt.Sprintf("unknown key id %q", clip(e.kid)) }

// noKeyError: no published key fits the token's algorithm.
type noKeyError struct{ alg string }

func (e *noKeyError) Error() string { return "no published key fits algorithm " + e.alg }

// errAlg: the algorithm is not accepted for this configuration.
var errAlg = errors.New("algorithm not allowed")

// keyfunc picks the key for a token: the shared secret for HS256 only, else
// the provider's public keys of the matching type, looked up by kid. jku, x5u
// and jwk headers are never read.
func (v *Verifier) keyfunc(ctx context.Context, now time.Time) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		if !slices.Contains(v.methods, alg) {
			return nil, errAlg
		}
		if _, ok := t.Header["crit"]; ok {
			// RFC 7515 4.1.11: extensions the recipient does not understand
			// make the token invalid; this function understands none.
			return nil, fmt.Errorf("%w: crit header extensions are not supported", jwt.ErrTokenMalformed)
		}
		if alg == "HS256" {
			return v.cfg.HS256Secret, nil // validMethods holds HS256 only with a secret
		}
		if v.keys == nil {
			return nil, errAlg
		}
		kid := ""
		if raw, ok := t.Header["kid"]; ok {
			s, isString := raw.(string)
			if !isString {
				return nil, fmt.Errorf("%w: kid is not a string", jwt.ErrTokenMalformed)
			}
			kid = s
		}
		keys, err := v.keys.get(ctx, kid, now)
		if err != nil {
			return nil, err
		}
		set := make([]jwt.VerificationKey, 0, 1)
		for _, k := range keys {
			if kid != "" && k.kid != kid || k.alg != "" && k.alg != alg || !algFits(alg, k.key) {
				continue
			}
			set = append(set, k.key)
		}
		switch {
		case len(set) == 1:
			return set[0], nil
		case len(set) > 1:
			return jwt.VerificationKeySet{Keys: set}, nil
		case kid != "" && !hasKid(keys, kid):
			return nil, &unknownKidError{kid: kid}
		}
		return nil, &noKeyError{alg: alg}
	}
}

// refusal turns a golang-jwt error into the public answer.
func (v *Verifier) refusal(t *jwt.Token, err error) *Error {
	if err == nil {
		return errToken("the sign-in token could not be verified", "token not valid")
	}
	var ue *unavailableError
	var uk *unknownKidError
	var nk *noKeyError
	detail := err.Error()
	switch {
	case errors.As(err, &ue):
		return errUnavailable(ue.retry, detail)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errToken("the sign-in token is malformed", detail)
	case errors.Is(err, errAlg) || t == nil || t.Method == nil || !slices.Contains(v.methods, t.Method.Alg()):
		return errToken("the sign-in token's signing algorithm is not accepted", detail)
	case errors.As(err, &uk):
		return errToken("the sign-in token was signed with a key the provider does not publish; sign in again", detail)
	case errors.As(err, &nk):
		return errToken("no key of the provider fits the sign-in token's algorithm", detail)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return errToken("the sign-in token's signature does not match", detail)
	case errors.Is(err, jwt.ErrTokenExpired):
		return errToken("the sign-in token has expired; sign in again", detail)
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return errToken("the sign-in token is not valid yet; check the device's clock", detail)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return errToken("the sign-in token comes from another issuer", detail)
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return errToken("the sign-in token is meant for another audience", detail)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return errToken("the sign-in token lacks a required claim (exp, iss or aud)", detail)
	}
	return errToken("the sign-in token could not be verified", detail)
}
