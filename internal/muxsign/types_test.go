package muxsign_test

import (
	"strings"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

func TestParseTypeAndAudience(t *testing.T) {
	tests := []struct {
		in   string
		want muxsign.Type
		aud  string
	}{
		{"video", muxsign.Video, "v"},
		{"thumbnail", muxsign.Thumbnail, "t"},
		{"gif", muxsign.GIF, "g"},
		{"storyboard", muxsign.Storyboard, "s"},
		{"drm_license", muxsign.DRMLicense, "d"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := muxsign.ParseType(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseType(%q) = %q, %v", tt.in, got, err)
			}
			if a := got.Audience(); a != tt.aud {
				t.Fatalf("Audience = %q, want %q", a, tt.aud)
			}
			back, ok := muxsign.TypeForAudience(tt.aud)
			if !ok || back != tt.want {
				t.Fatalf("TypeForAudience(%q) = %q, %v", tt.aud, back, ok)
			}
		})
	}
	if n := len(muxsign.Types); n != len(tests) {
		t.Fatalf("Types has %d entries, the table %d", n, len(tests))
	}
}

func TestParseTypeRejects(t *testing.T) {
	for _, in := range []string{"", "Video", "v", "drm", "image", "video ", "thumbnail\x00", strings.Repeat("x", 500)} {
		t.Run(in, func(t *testing.T) {
			if got, err := muxsign.ParseType(in); err == nil {
				t.Fatalf("ParseType(%q) = %q, want an error", in, got)
			} else if len(err.Error()) > 200 || strings.ContainsRune(err.Error(), 0) {
				t.Fatalf("error not kept short and printable: %q", err)
			}
		})
	}
	if a := muxsign.Type("nope").Audience(); a != "" {
		t.Fatalf("unknown type audience = %q", a)
	}
	if _, ok := muxsign.TypeForAudience("x"); ok {
		t.Fatal("TypeForAudience(x) found a type")
	}
}

func TestValidPlaybackID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w", true},
		{"DS00Spx1CV902MCtPj5WknGlR102V5HFkDe", true},
		{"a", true},
		{strings.Repeat("a", muxsign.MaxPlaybackIDLen), true},
		{strings.Repeat("a", muxsign.MaxPlaybackIDLen+1), false},
		{"", false},
		{"abc, def", false},
		{"abc def", false},
		{"abc\n", false},
		{"abc/../def", false},
		{"abc.m3u8", false},
		{"abc?token=x", false},
		{"abc#x", false},
		{"abc%2F", false},
		{"abc-def", false},
		{"abc_def", false},
		{"abcé", false},
		{"ａｂｃ", false}, // full-width letters
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := muxsign.ValidPlaybackID(tt.id); got != tt.want {
				t.Fatalf("ValidPlaybackID(%q) = %v", tt.id, got)
			}
		})
	}
}
