package endpoint

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/edgecache"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// grain is the grid a token of the given life is rounded to: the
// configured grain, and at most a tenth of a shorter requested life.
func (h *Handler) grain(life time.Duration) time.Duration {
	if life < h.cfg.Expiration {
		return min(h.cfg.Grain, life/10)
	}
	return h.cfg.Grain
}

// expiresAt is the exp of every token p gets: now plus the token life,
// rounded down to the grain.
func (h *Handler) expiresAt(p plan, now time.Time) time.Time {
	exp := muxsign.ExpiresAt(now, p.life, h.grain(p.life))
	if !p.capExp.IsZero() && p.capExp.Before(exp) {
		exp = time.Unix(p.capExp.Unix(), 0)
	}
	return exp
}

// sign makes the token of type t for r, expiring at exp.
func (h *Handler) sign(r Request, p plan, t muxsign.Type, exp time.Time) (string, error) {
	return h.tokens.Sign(muxsign.Claims{
		PlaybackID:            r.PlaybackID,
		Type:                  t,
		ExpiresAt:             exp,
		Params:                p.params[t],
		PlaybackRestrictionID: h.cfg.PlaybackRestrictionID,
	})
}

// resourceURL is the signed Mux URL of a token of type t. The ID and format
// have been checked against strict patterns; the token is base64url.
func (h *Handler) resourceURL(t muxsign.Type, id, format, token string) string {
	switch t {
	case muxsign.Video:
		return h.cfg.StreamBase + "/" + id + ".m3u8?token=" + token
	case muxsign.Thumbnail:
		return h.cfg.ImageBase + "/" + id + "/thumbnail." + format + "?token=" + token
	case muxsign.GIF:
		return h.cfg.ImageBase + "/" + id + "/animated." + format + "?token=" + token
	case muxsign.Storyboard:
		return h.cfg.ImageBase + "/" + id + "/storyboard." + format + "?token=" + token
	case muxsign.DRMLicense:
		return h.cfg.LicenseBase + "/license/" + format + "/" + id + "?token=" + token
	}
	return ""
}

// redirect answers 302 to the signed Mux URL.
func (h *Handler) redirect(r Request, p plan, now time.Time) Result {
	typ := r.Type
	if typ == "" {
		typ = muxsign.Video
	}
	exp := h.expiresAt(p, now)
	tok, err := h.sign(r, p, typ, exp)
	if err != nil {
		return h.signingFailed(r, err)
	}
	loc := h.resourceURL(typ, r.PlaybackID, p.format, tok)
	headers := h.baseHeaders(r)
	headers["Location"] = loc
	return Result{Status: http.StatusFound, Headers: headers, Location: loc, ExpiresAt: exp,
		kind: edgecache.Redirect, life: p.life, grain: h.grain(p.life)}
}

// signingFailed answers a token that could not be signed: a 500 whose
// detail goes to the log only.
func (h *Handler) signingFailed(r Request, err error) Result {
	h.log.Error("signing failed", "error", err.Error())
	return h.errorResult(r, http.StatusInternalServerError, "could not sign the token")
}

// PlayerTokens is the tokens object Mux Player's tokens property takes.
type PlayerTokens struct {
	Playback   string `json:"playback"`
	Thumbnail  string `json:"thumbnail"`
	Storyboard string `json:"storyboard"`
	DRM        string `json:"drm,omitempty"`
}

// PlayerURLs are the signed URLs of the same tokens.
type PlayerURLs struct {
	Playback   string   `json:"playback"`
	Thumbnail  string   `json:"thumbnail"`
	Storyboard string   `json:"storyboard"`
	DRM        *DRMURLs `json:"drm,omitempty"`
}

// DRMURLs are the license URLs of each DRM system.
type DRMURLs struct {
	Widevine  string `json:"widevine"`
	PlayReady string `json:"playready"`
	FairPlay  string `json:"fairplay"`
}

// TokensResponse is the JSON answer: everything Mux Player needs for one ID.
type TokensResponse struct {
	PlaybackID string       `json:"playbackId"`
	ExpiresAt  time.Time    `json:"expiresAt"`
	Tokens     PlayerTokens `json:"tokens"`
	URLs       PlayerURLs   `json:"urls"`
}

// jsonTokens answers 200 with a TokensResponse.
func (h *Handler) jsonTokens(r Request, p plan, now time.Time) Result {
	// One clock reading for all tokens, so they share one exp.
	exp := h.expiresAt(p, now)
	id := r.PlaybackID
	out := TokensResponse{PlaybackID: id, ExpiresAt: exp.UTC()}
	var err error
	if out.Tokens.Playback, err = h.sign(r, p, muxsign.Video, exp); err != nil {
		return h.signingFailed(r, err)
	}
	if out.Tokens.Thumbnail, err = h.sign(r, p, muxsign.Thumbnail, exp); err != nil {
		return h.signingFailed(r, err)
	}
	if out.Tokens.Storyboard, err = h.sign(r, p, muxsign.Storyboard, exp); err != nil {
		return h.signingFailed(r, err)
	}
	out.URLs = PlayerURLs{
		Playback:   h.resourceURL(muxsign.Video, id, "m3u8", out.Tokens.Playback),
		Thumbnail:  h.resourceURL(muxsign.Thumbnail, id, "jpg", out.Tokens.Thumbnail),
		Storyboard: h.resourceURL(muxsign.Storyboard, id, "vtt", out.Tokens.Storyboard),
	}
	if p.drm {
		if out.Tokens.DRM, err = h.sign(r, p, muxsign.DRMLicense, exp); err != nil {
			return h.signingFailed(r, err)
		}
		out.URLs.DRM = &DRMURLs{
			Widevine:  h.resourceURL(muxsign.DRMLicense, id, "widevine", out.Tokens.DRM),
			PlayReady: h.resourceURL(muxsign.DRMLicense, id, "playready", out.Tokens.DRM),
			FairPlay:  h.resourceURL(muxsign.DRMLicense, id, "fairplay", out.Tokens.DRM),
		}
	}
	body, err := json.Marshal(out)
	if err != nil {
		return h.signingFailed(r, err)
	}
	headers := h.baseHeaders(r)
	headers["Content-Type"] = "application/json; charset=utf-8"
	return Result{Status: http.StatusOK, Headers: headers, Body: string(body), Tokens: &out, ExpiresAt: exp,
		kind: edgecache.Tokens, life: p.life, grain: h.grain(p.life)}
}

// ErrorBody is the JSON shape of every error: {"errors":[{"message":"..."}]}.
type ErrorBody struct {
	Errors []ErrorMessage `json:"errors"`
}

// ErrorMessage is one entry of ErrorBody.
type ErrorMessage struct {
	Message string `json:"message"`
}

func errorBody(msg string) string {
	b, _ := json.Marshal(ErrorBody{Errors: []ErrorMessage{{Message: msg}}})
	return string(b)
}
