package endpoint

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// expiresAt is the exp of every token r gets: now plus the token life,
// rounded down to the grain (at most a tenth of a shorter requested life).
func (h *Handler) expiresAt(r signRequest) time.Time {
	grain := h.cfg.Grain
	if r.life < h.cfg.Expiration {
		grain = min(grain, r.life/10)
	}
	return muxsign.ExpiresAt(h.now(), r.life, grain)
}

// sign makes the token of type t for r, expiring at exp.
func (h *Handler) sign(r signRequest, t muxsign.Type, exp time.Time) (string, error) {
	return h.tokens.Sign(muxsign.Claims{
		PlaybackID:            r.id,
		Type:                  t,
		ExpiresAt:             exp,
		Params:                r.params[t],
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
func (h *Handler) redirect(rc *reqCtx, r signRequest) events.APIGatewayProxyResponse {
	tok, err := h.sign(r, r.typ, h.expiresAt(r))
	if err != nil {
		h.log.Error("signing failed", "error", err.Error())
		return h.errorResponse(rc, http.StatusInternalServerError, "could not sign the token")
	}
	headers := h.baseHeaders(rc)
	headers["Location"] = h.resourceURL(r.typ, r.id, r.format, tok)
	return events.APIGatewayProxyResponse{StatusCode: http.StatusFound, Headers: headers}
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
func (h *Handler) jsonTokens(rc *reqCtx, r signRequest) events.APIGatewayProxyResponse {
	// One clock reading for all tokens, so they share one exp.
	exp := h.expiresAt(r)
	out := TokensResponse{PlaybackID: r.id, ExpiresAt: exp.UTC()}
	fail := func(err error) events.APIGatewayProxyResponse {
		h.log.Error("signing failed", "error", err.Error())
		return h.errorResponse(rc, http.StatusInternalServerError, "could not sign the token")
	}
	var err error
	if out.Tokens.Playback, err = h.sign(r, muxsign.Video, exp); err != nil {
		return fail(err)
	}
	if out.Tokens.Thumbnail, err = h.sign(r, muxsign.Thumbnail, exp); err != nil {
		return fail(err)
	}
	if out.Tokens.Storyboard, err = h.sign(r, muxsign.Storyboard, exp); err != nil {
		return fail(err)
	}
	out.URLs = PlayerURLs{
		Playback:   h.resourceURL(muxsign.Video, r.id, "m3u8", out.Tokens.Playback),
		Thumbnail:  h.resourceURL(muxsign.Thumbnail, r.id, "jpg", out.Tokens.Thumbnail),
		Storyboard: h.resourceURL(muxsign.Storyboard, r.id, "vtt", out.Tokens.Storyboard),
	}
	if r.drm {
		if out.Tokens.DRM, err = h.sign(r, muxsign.DRMLicense, exp); err != nil {
			return fail(err)
		}
		out.URLs.DRM = &DRMURLs{
			Widevine:  h.resourceURL(muxsign.DRMLicense, r.id, "widevine", out.Tokens.DRM),
			PlayReady: h.resourceURL(muxsign.DRMLicense, r.id, "playready", out.Tokens.DRM),
			FairPlay:  h.resourceURL(muxsign.DRMLicense, r.id, "fairplay", out.Tokens.DRM),
		}
	}
	body, err := json.Marshal(out)
	if err != nil {
		return fail(err)
	}
	headers := h.baseHeaders(rc)
	headers["Content-Type"] = "application/json; charset=utf-8"
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Headers: headers, Body: string(body)}
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
