package endpoint

import (
	"context"

	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// TokenSource signs claims: a *muxsign.Signer, or a *muxsign.Cache in front
// of one.
type TokenSource interface {
	Sign(muxsign.Claims) (string, error)
}

// Handler answers the function's requests. It is safe for concurrent use.
type Handler struct {
	cfg    Config
	cfgErr error
	tokens TokenSource
	now    func() time.Time
	log    *slog.Logger
}

// New returns the Handler for the configuration in getenv. A configuration
// error is logged once, here, and then answered to every request as a 500
// that names the variable and the problem; the handler stays up so that the
// message reaches whoever is looking. now is the clock for token expiry.
func New(getenv func(string) string, now func() time.Time, log *slog.Logger) *Handler {
	cfg, err := LoadConfig(getenv)
	h := &Handler{cfg: cfg, cfgErr: err, now: now, log: log}
	if err != nil {
		log.Error("configuration error: every request will get a 500 until it is fixed", "error", err.Error())
		return h
	}
	signer, err := muxsign.NewSigner(cfg.KeyID, cfg.Key)
	if err != nil { // LoadConfig checked both; kept for safety
		h.cfgErr = &ConfigError{Problems: []string{EnvSigningKey + ": " + err.Error()}}
		log.Error("configuration error", "error", h.cfgErr.Error())
		return h
	}
	h.tokens = signer
	if cfg.CacheSize > 0 {
		h.tokens = muxsign.NewCache(signer, cfg.CacheSize)
	}
	return h
}

// Config returns the configuration the handler runs with, and the error
// that made it unusable, if any.
func (h *Handler) Config() (Config, error) { return h.cfg, h.cfgErr }

// Allowed methods, as sent in Allow and Access-Control-Allow-Methods.
const allowedMethods = "GET, HEAD, POST, OPTIONS"

// Handle answers one request. It never returns an error: every failure is an
// HTTP response, and a panic becomes a 500.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (resp events.APIGatewayProxyResponse, err error) {
	start := time.Now()
	rc := &reqCtx{method: strings.ToUpper(req.HTTPMethod), headers: lowerKeys(req.Headers)}
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic", "value", fmt.Sprint(p))
			resp = h.errorResponse(rc, http.StatusInternalServerError, "internal error")
			rc.err = "panic"
		}
		if rc.method == http.MethodHead {
			resp.Body = ""
			resp.IsBase64Encoded = false
		}
		h.logRequest(rc, resp.StatusCode, time.Since(start))
	}()
	return h.handle(rc, req), nil
}

// reqCtx carries what the request log line reports.
type reqCtx struct {
	method     string
	headers    map[string]string
	playbackID string
	tokenType  muxsign.Type
	err        string
}

func (h *Handler) handle(rc *reqCtx, req events.APIGatewayProxyRequest) events.APIGatewayProxyResponse {
	if h.cfgErr != nil {
		return h.errorResponse(rc, http.StatusInternalServerError, "configuration error: "+h.cfgErr.Error())
	}
	switch rc.method {
	case http.MethodOptions:
		return h.preflight(rc)
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		resp := h.errorResponse(rc, http.StatusMethodNotAllowed, "method not allowed: use GET, HEAD, POST or OPTIONS")
		resp.Headers["Allow"] = allowedMethods
		return resp
	}

	q := newQuery(req)
	r, status, msg := h.parse(rc, q)
	if status != 0 {
		return h.errorResponse(rc, status, msg)
	}
	if r.json {
		return h.jsonTokens(rc, r)
	}
	return h.redirect(rc, r)
}

// preflight answers a CORS preflight.
func (h *Handler) preflight(rc *reqCtx) events.APIGatewayProxyResponse {
	headers := h.baseHeaders(rc)
	if h.cfg.AllowedOrigins != nil && headers["Access-Control-Allow-Origin"] == "" {
		return h.errorResponse(rc, http.StatusForbidden, "origin not allowed")
	}
	headers["Access-Control-Allow-Methods"] = allowedMethods
	headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
	headers["Access-Control-Max-Age"] = "7200"
	return events.APIGatewayProxyResponse{StatusCode: http.StatusNoContent, Headers: headers}
}

// baseHeaders are sent on every response: CORS per the origin policy, and
// caching that keeps shared caches from storing a token.
func (h *Handler) baseHeaders(rc *reqCtx) map[string]string {
	headers := map[string]string{
		"Cache-Control":          "private, no-store",
		"X-Content-Type-Options": "nosniff",
		"Vary":                   "Accept",
	}
	if h.cfg.AllowedOrigins == nil {
		headers["Access-Control-Allow-Origin"] = "*"
		return headers
	}
	headers["Vary"] = "Accept, Origin"
	if origin := rc.headers["origin"]; h.cfg.AllowedOrigins.Allows(origin) {
		headers["Access-Control-Allow-Origin"] = origin
	}
	return headers
}

// errorResponse is the JSON error every failure answers with:
// {"errors":[{"message":"..."}]}.
func (h *Handler) errorResponse(rc *reqCtx, status int, msg string) events.APIGatewayProxyResponse {
	rc.err = msg
	headers := h.baseHeaders(rc)
	headers["Content-Type"] = "application/json; charset=utf-8"
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, Body: errorBody(msg)}
}

func (h *Handler) logRequest(rc *reqCtx, status int, d time.Duration) {
	attrs := []any{
		"method", logSafe(rc.method, 16),
		"status", status,
		"playbackId", logSafe(rc.playbackID, muxsign.MaxPlaybackIDLen),
		"durationMs", float64(d.Microseconds()) / 1000,
	}
	if rc.tokenType != "" {
		attrs = append(attrs, "type", string(rc.tokenType))
	}
	if rc.err != "" {
		attrs = append(attrs, "error", rc.err)
	}
	h.log.Info("request", attrs...)
}

// logSafe keeps user input in a log line short and printable.
func logSafe(s string, max int) string {
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}
