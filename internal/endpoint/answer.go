package endpoint

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/access"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/edgecache"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// Incoming is a request as a transport received it, before parsing.
type Incoming struct {
	Method string
	Query  Query
	// Header returns a request header's value by its lower-case name, ""
	// when absent.
	Header func(name string) string
	// Viewer is what the transport found of the viewer's credentials: the
	// Authorization and Cookie headers, and Netlify's verified Identity user.
	Viewer viewer.Credentials
}

// Answer is the whole function behind a transport: it parses in, serves it,
// logs one line, and turns a panic into a 500.
func (h *Handler) Answer(ctx context.Context, in Incoming) (res Result) {
	start := time.Now()
	r := Request{Method: strings.ToUpper(in.Method), Origin: in.Header("origin"), Viewer: in.Viewer}
	logErr := ""
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("panic", "value", fmt.Sprint(p))
			res = h.errorResult(r, http.StatusInternalServerError, "internal error")
			logErr = "panic"
			if r.Method == http.MethodHead {
				res.Body = ""
			}
			h.edge.Apply(res.Headers, edgecache.Answer{Method: r.Method, Kind: edgecache.ServerError}, time.Time{})
		}
		if logErr == "" {
			logErr = res.Error
		}
		h.logRequest(r, res.Status, logErr, time.Since(start))
	}()
	if h.cfgErr == nil && (r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodPost) {
		err := ParseQuery(&r, in.Query, in.Header("accept"))
		if err == nil && h.viewers != nil {
			err = refuseQueryToken(in.Query)
		}
		if err != nil {
			res = h.errorResult(r, err.Status, err.Message)
			if err.Status == http.StatusBadRequest && muxsign.ValidPlaybackID(r.PlaybackID) && h.idRefused(r.PlaybackID) {
				res = h.errorResult(r, http.StatusForbidden, msgIDNotAllowed)
				res.kind = edgecache.Refused
			}
			h.finish(r, &res, h.now())
			return res
		}
		if h.cfg.Access.UsesCountry() {
			r.Country = access.Country(in.Header)
		}
	}
	res = h.Serve(ctx, r)
	switch {
	case res.Status == http.StatusInternalServerError && h.cfgErr != nil:
		logErr = "configuration error: " + h.cfgErr.Error()
	case res.detail != "":
		logErr = res.Error + " (" + res.detail + ")"
	}
	return res
}

// refuseQueryToken refuses a sign-in token in the query string: it would end
// up in logs, browser history and Referer headers.
func refuseQueryToken(q Query) *RequestError {
	for _, name := range viewer.QueryTokenParams {
		if len(q.Values(name)) > 0 {
			return badRequest("a sign-in token does not belong in the query string (%s=): send it in the Authorization header or the sign-in cookie", name)
		}
	}
	return nil
}

// logRequest writes the request's log line. User input in it is shortened
// and made printable.
func (h *Handler) logRequest(r Request, status int, errMsg string, d time.Duration) {
	attrs := []any{
		"method", logSafe(r.Method, 16),
		"status", status,
		"playbackId", logSafe(r.PlaybackID, muxsign.MaxPlaybackIDLen),
		"durationMs", float64(d.Microseconds()) / 1000,
	}
	if r.Type != "" {
		attrs = append(attrs, "type", string(r.Type))
	}
	if errMsg != "" {
		attrs = append(attrs, "error", errMsg)
	}
	h.log.Info("request", attrs...)
}

// logSafe keeps user input in a log line short and printable.
func logSafe(s string, max int) string { return safetext.Printable(s, max) }
