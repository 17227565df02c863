package endpoint

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/access"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/edgecache"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// authorize decides whether the viewer of r may watch its playback ID: who
// the viewer is (viewer sign-in), then what the policy allows from where
// (access). It returns the refusal to answer, or nil; on success it may
// cap p's tokens at the viewer's session. It fails closed: a provider that
// cannot be reached is a 503, never a token.
func (h *Handler) authorize(ctx context.Context, r Request, p *plan, now time.Time) *Result {
	if h.viewers == nil && !h.cfg.Access.UsesCountry() {
		return nil
	}
	var claims map[string]any // nil: anonymous
	var bad *viewer.Error     // credentials sent but refused
	if h.viewers != nil {
		v, err := h.viewers.Verify(ctx, r.Viewer, now)
		var verr *viewer.Error
		switch {
		case err == nil:
			claims = v.Claims
			if h.cfg.Viewer.CapTokenLife {
				p.capExp = v.ExpiresAt
			}
		case !errors.As(err, &verr):
			return h.refusal(r, http.StatusServiceUnavailable, "the sign-in check failed; try again shortly", err.Error(), "")
		case verr.Status == http.StatusServiceUnavailable:
			res := h.refusal(r, http.StatusServiceUnavailable, verr.Description, verr.Detail, "")
			res.Headers["Retry-After"] = strconv.Itoa(int(verr.RetryAfter.Seconds()))
			return res
		case verr.Code != "":
			// A token that is expired, forged or malformed is refused even
			// for a video anyone may watch: the viewer should know.
			bad = verr
		}
	}
	if bad != nil {
		return h.refusal(r, http.StatusUnauthorized, bad.Description, bad.Detail, bad.WWWAuthenticate())
	}
	d := h.cfg.Access.Decide(claims, r.PlaybackID, r.Country)
	switch {
	case d.Allowed:
		return nil
	case d.Code == access.CodeSignIn:
		return h.refusal(r, http.StatusUnauthorized, d.Reason, d.Detail, "Bearer")
	case d.Code == access.CodeInsufficientScope:
		return h.refusal(r, http.StatusForbidden, d.Reason, d.Detail, `Bearer error="insufficient_scope"`)
	}
	return h.refusal(r, d.Status(), d.Reason, d.Detail, "")
}

// refusal is an error answer of viewer sign-in or access: the public
// message, the detail for the log, and WWW-Authenticate when given.
func (h *Handler) refusal(r Request, status int, msg, detail, wwwAuthenticate string) *Result {
	res := h.errorResult(r, status, msg)
	res.detail = detail
	res.kind = edgecache.ViewerAnswer
	if wwwAuthenticate != "" {
		res.Headers["WWW-Authenticate"] = wwwAuthenticate
	}
	return &res
}
