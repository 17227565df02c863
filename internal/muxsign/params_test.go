package muxsign_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

func TestCheckParam(t *testing.T) {
	const (
		V = muxsign.Video
		T = muxsign.Thumbnail
		G = muxsign.GIF
		S = muxsign.Storyboard
		D = muxsign.DRMLicense
	)
	tests := []struct {
		typ         muxsign.Type
		name, value string
		ok          bool
	}{
		// thumbnail
		{T, "time", "0", true},
		{T, "time", "10", true},
		{T, "time", "12.345", true},
		{T, "time", "12.3456", false},
		{T, "time", "-1", false},
		{T, "time", "1e3", false},
		{T, "time", "", false},
		{T, "time", "NaN", false},
		{T, "time", "Inf", false},
		{T, "time", " 10", false},
		{T, "width", "1", true},
		{T, "width", "1920", true},
		{T, "width", "4096", true},
		{T, "width", "4097", false},
		{T, "width", "0", false},
		{T, "width", "10.5", false},
		{T, "width", "+10", false},
		{T, "height", "1080", true},
		{T, "height", "-1", false},
		{T, "rotate", "90", true},
		{T, "rotate", "180", true},
		{T, "rotate", "270", true},
		{T, "rotate", "0", false},
		{T, "rotate", "45", false},
		{T, "fit_mode", "preserve", true},
		{T, "fit_mode", "stretch", true},
		{T, "fit_mode", "crop", true},
		{T, "fit_mode", "smartcrop", true},
		{T, "fit_mode", "pad", true},
		{T, "fit_mode", "fill", false},
		{T, "fit_mode", "Pad", false},
		{T, "flip_v", "true", true},
		{T, "flip_h", "false", true},
		{T, "flip_h", "1", false},
		{T, "flip_v", "yes", false},
		// GIF
		{G, "start", "0", true},
		{G, "start", "2.5", true},
		{G, "start", "-2", false},
		{G, "end", "10", true},
		{G, "end", "abc", false},
		{G, "width", "640", true},
		{G, "width", "641", false},
		{G, "height", "640", true},
		{G, "height", "641", false},
		{G, "fps", "1", true},
		{G, "fps", "30", true},
		{G, "fps", "31", false},
		{G, "fps", "0", false},
		// video
		{V, "max_resolution", "720p", true},
		{V, "max_resolution", "2160p", true},
		{V, "max_resolution", "4k", false},
		{V, "min_resolution", "480p", true},
		{V, "min_resolution", "480", false},
		{V, "rendition_order", "desc", true},
		{V, "rendition_order", "asc", false},
		{V, "default_subtitles_lang", "en", true},
		{V, "default_subtitles_lang", "en-US", true},
		{V, "default_subtitles_lang", "zh-Hant-TW", true},
		{V, "default_subtitles_lang", "e", false},
		{V, "default_subtitles_lang", "en_US", false},
		{V, "default_subtitles_lang", "en US", false},
		{V, "redundant_streams", "true", true},
		{V, "redundant_streams", "on", false},
		{V, "asset_start_time", "10", true},
		{V, "asset_end_time", "20.5", true},
		{V, "program_start_time", "1764500000", true},
		{V, "program_end_time", "1764503600.5", true},
		{V, "program_end_time", "17645000000", false},
		// options of one type refused for every other
		{V, "time", "10", false},
		{V, "width", "640", false},
		{V, "start", "1", false},
		{T, "fps", "10", false},
		{T, "start", "1", false},
		{T, "max_resolution", "720p", false},
		{G, "time", "1", false},
		{G, "rotate", "90", false},
		{G, "fit_mode", "pad", false},
		{G, "max_resolution", "720p", false},
		{S, "time", "1", false},
		{S, "width", "100", false},
		{D, "time", "1", false},
		{D, "max_resolution", "720p", false},
		// claim names and unknown names are never options
		{V, "sub", "x", false},
		{V, "aud", "t", false},
		{V, "exp", "1", false},
		{V, "kid", "x", false},
		{V, "iat", "1", false},
		{V, "nbf", "1", false},
		{V, "custom", "{}", false},
		{V, "playback_restriction_id", "abc", false},
		{T, "token", "x", false},
		{V, "playbackId", "x", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ)+"/"+tt.name+"="+tt.value, func(t *testing.T) {
			err := muxsign.CheckParam(tt.typ, tt.name, tt.value)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckParam(%s, %s, %q) = %v, want ok=%v", tt.typ, tt.name, tt.value, err, tt.ok)
			}
			if err != nil {
				var pe *muxsign.ParamError
				if !errors.As(err, &pe) {
					t.Fatalf("error %T is not a *ParamError", err)
				}
				if !strings.HasPrefix(err.Error(), tt.name+": ") && !strings.Contains(err.Error(), tt.name) {
					t.Fatalf("error %q does not name the parameter", err)
				}
			}
		})
	}
}

func TestClaimNamesAreNeverParams(t *testing.T) {
	for _, name := range []string{"sub", "aud", "exp", "kid", "iat", "nbf", "custom", "playback_restriction_id", "playbackId", "type", "format", "response", "expiration", "drm"} {
		t.Run(name, func(t *testing.T) {
			if muxsign.IsParam(name) {
				t.Fatalf("IsParam(%q) = true", name)
			}
			for _, typ := range muxsign.Types {
				if slices.Contains(muxsign.ParamNames(typ), name) {
					t.Fatalf("ParamNames(%s) lists %q", typ, name)
				}
			}
		})
	}
}

func TestParamNames(t *testing.T) {
	tests := []struct {
		typ  muxsign.Type
		want []string
	}{
		{muxsign.Video, []string{"asset_end_time", "asset_start_time", "default_subtitles_lang", "max_resolution", "min_resolution", "program_end_time", "program_start_time", "redundant_streams", "rendition_order"}},
		{muxsign.Thumbnail, []string{"fit_mode", "flip_h", "flip_v", "height", "rotate", "time", "width"}},
		{muxsign.GIF, []string{"end", "fps", "height", "start", "width"}},
		{muxsign.Storyboard, nil},
		{muxsign.DRMLicense, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			got := muxsign.ParamNames(tt.typ)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ParamNames = %v, want %v", got, tt.want)
			}
			for _, n := range got {
				if !muxsign.IsParam(n) {
					t.Fatalf("IsParam(%q) = false", n)
				}
			}
		})
	}
}

func TestCheckParams(t *testing.T) {
	tests := []struct {
		name    string
		typ     muxsign.Type
		params  map[string]string
		badName string // "" when the set is good
	}{
		{"no params", muxsign.Video, nil, ""},
		{"gif 4 s", muxsign.GIF, map[string]string{"start": "2", "end": "6"}, ""},
		{"gif exactly 10 s", muxsign.GIF, map[string]string{"start": "5", "end": "15"}, ""},
		{"gif exactly 0.25 s", muxsign.GIF, map[string]string{"start": "1", "end": "1.25"}, ""},
		{"gif 0.25 s at decimal start", muxsign.GIF, map[string]string{"start": "0.1", "end": "0.35"}, ""},
		{"gif 10 s at decimal start", muxsign.GIF, map[string]string{"start": "0.3", "end": "10.3"}, ""},
		{"gif 10 s at start 6.004", muxsign.GIF, map[string]string{"start": "6.004", "end": "16.004"}, ""},
		{"gif end only, 10 s", muxsign.GIF, map[string]string{"end": "10"}, ""},
		{"gif start only", muxsign.GIF, map[string]string{"start": "120"}, ""},
		{"gif too long", muxsign.GIF, map[string]string{"start": "0", "end": "10.001"}, "end"},
		{"gif too short", muxsign.GIF, map[string]string{"start": "1", "end": "1.249"}, "end"},
		{"gif end before start", muxsign.GIF, map[string]string{"start": "6", "end": "2"}, "end"},
		{"gif end equals start", muxsign.GIF, map[string]string{"start": "6", "end": "6"}, "end"},
		{"gif end only, too long", muxsign.GIF, map[string]string{"end": "11"}, "end"},
		{"gif full set", muxsign.GIF, map[string]string{"start": "1", "end": "3", "width": "320", "height": "240", "fps": "15"}, ""},
		{"gif bad fps reported", muxsign.GIF, map[string]string{"start": "1", "end": "3", "fps": "60"}, "fps"},
		{"thumbnail full set", muxsign.Thumbnail, map[string]string{"time": "10", "width": "640", "height": "360", "rotate": "90", "fit_mode": "smartcrop", "flip_v": "true", "flip_h": "false"}, ""},
		{"clip", muxsign.Video, map[string]string{"asset_start_time": "10", "asset_end_time": "20"}, ""},
		{"clip end before start", muxsign.Video, map[string]string{"asset_start_time": "20", "asset_end_time": "10"}, "asset_end_time"},
		{"clip empty", muxsign.Video, map[string]string{"asset_start_time": "20", "asset_end_time": "20"}, "asset_end_time"},
		{"program clip", muxsign.Video, map[string]string{"program_start_time": "1764500000", "program_end_time": "1764503600"}, ""},
		{"program clip reversed", muxsign.Video, map[string]string{"program_start_time": "1764503600", "program_end_time": "1764500000"}, "program_end_time"},
		{"one bad among good", muxsign.Video, map[string]string{"max_resolution": "720p", "time": "1"}, "time"},
		{"unknown name", muxsign.Video, map[string]string{"sub": "other"}, "sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := muxsign.CheckParams(tt.typ, tt.params)
			if tt.badName == "" {
				if err != nil {
					t.Fatalf("CheckParams = %v, want nil", err)
				}
				return
			}
			var pe *muxsign.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("CheckParams = %v, want a *ParamError", err)
			}
			if pe.Name != tt.badName {
				t.Fatalf("error names %q (%v), want %q", pe.Name, err, tt.badName)
			}
		})
	}
}

func TestCheckParamQuotesUnknownNamesSafely(t *testing.T) {
	err := muxsign.CheckParam(muxsign.Video, "bad\x00name\n"+strings.Repeat("x", 300), "v")
	if err == nil {
		t.Fatal("accepted an unknown option")
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\x00\n") || len(msg) > 200 {
		t.Fatalf("message not kept short and printable: %q", msg)
	}
}
