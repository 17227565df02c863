package muxsign_test

import (
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

func TestCanonicalParam(t *testing.T) {
	tests := []struct {
		typ         muxsign.Type
		name, value string
		want        string // "" when the value is refused
	}{
		{muxsign.Thumbnail, "width", "640", "640"},
		{muxsign.Thumbnail, "width", "0640", "640"},
		{muxsign.Thumbnail, "width", "00001", "1"},
		{muxsign.GIF, "fps", "030", "30"},
		{muxsign.GIF, "height", "0640", "640"},
		{muxsign.Thumbnail, "time", "010.500", "10.5"},
		{muxsign.Thumbnail, "time", "1.0", "1"},
		{muxsign.Thumbnail, "time", "1.000", "1"},
		{muxsign.Thumbnail, "time", "0.0", "0"},
		{muxsign.Thumbnail, "time", "000", "0"},
		{muxsign.Thumbnail, "time", "0.250", "0.25"},
		{muxsign.Thumbnail, "time", "12.345", "12.345"},
		{muxsign.Thumbnail, "time", "0", "0"},
		{muxsign.GIF, "start", "00.10", "0.1"},
		{muxsign.Video, "program_start_time", "0170000000.000", "170000000"},
		{muxsign.Video, "program_start_time", "01700000000", ""}, // 11 digits, though 1700000000 is fine
		// not numbers: as given
		{muxsign.Thumbnail, "rotate", "90", "90"},
		{muxsign.Thumbnail, "fit_mode", "smartcrop", "smartcrop"},
		{muxsign.Video, "default_subtitles_lang", "en-US", "en-US"},
		{muxsign.Video, "max_resolution", "0720p", ""}, // an enum, not a number
		// refused
		{muxsign.Thumbnail, "width", "00000", ""},
		{muxsign.Thumbnail, "width", "004097", ""}, // six digits
		{muxsign.Thumbnail, "time", "1.0000", ""},
		{muxsign.Thumbnail, "time", "+1", ""},
		{muxsign.Thumbnail, "rotate", "090", ""},
		{muxsign.Video, "width", "640", ""},
		{muxsign.Video, "nope", "1", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ)+"/"+tt.name+"="+tt.value, func(t *testing.T) {
			got, err := muxsign.CanonicalParam(tt.typ, tt.name, tt.value)
			if tt.want == "" {
				var pe *muxsign.ParamError
				if !errors.As(err, &pe) || got != "" {
					t.Fatalf("CanonicalParam = %q, %v; want a *ParamError", got, err)
				}
				if cerr := muxsign.CheckParam(tt.typ, tt.name, tt.value); cerr == nil || cerr.Error() != err.Error() {
					t.Errorf("CheckParam says %v, CanonicalParam %v", cerr, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CanonicalParam = %q, %v; want %q", got, err, tt.want)
			}
			if again, err := muxsign.CanonicalParam(tt.typ, tt.name, got); err != nil || again != got {
				t.Errorf("canonical form %q is not stable: %q, %v", got, again, err)
			}
		})
	}
}

func TestCheckParamsRewritesToCanonical(t *testing.T) {
	params := map[string]string{"width": "0640", "time": "010.500", "fit_mode": "pad"}
	if err := muxsign.CheckParams(muxsign.Thumbnail, params); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"width": "640", "time": "10.5", "fit_mode": "pad"}
	if !maps.Equal(params, want) {
		t.Errorf("params = %v, want %v", params, want)
	}

	bad := map[string]string{"width": "0640", "time": "x"}
	if err := muxsign.CheckParams(muxsign.Thumbnail, bad); err == nil {
		t.Fatal("accepted time=x")
	}
	if bad["width"] != "0640" {
		t.Errorf("params changed on error: %v", bad)
	}
	if err := muxsign.CheckParams(muxsign.Video, nil); err != nil {
		t.Errorf("no options: %v", err)
	}
}

// Two spellings of the same numbers give the same token, signed directly or
// through the Cache, where they are one entry; the caller's map is not
// written to.
func TestCanonicalSpellingsOneToken(t *testing.T) {
	s := fixtureSigner(t, "KeyID123")
	c := muxsign.NewCache(s, 8)
	exp := time.Unix(1764500000, 0)
	spellings := []map[string]string{
		{"width": "640", "time": "10.5"},
		{"width": "0640", "time": "010.500"},
		{"width": "00640", "time": "10.50"},
	}
	var first string
	for i, p := range spellings {
		given := maps.Clone(p)
		cl := muxsign.Claims{PlaybackID: "abc123", Type: muxsign.Thumbnail, ExpiresAt: exp, Params: p}
		direct, err := s.Sign(cl)
		if err != nil {
			t.Fatal(err)
		}
		cached, err := c.Sign(cl)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = direct
		}
		if direct != first || cached != first {
			t.Errorf("spelling %v: a different token", given)
		}
		if !maps.Equal(p, given) {
			t.Errorf("Sign wrote to the caller's options: %v, was %v", p, given)
		}
	}
	if st := c.Stats(); st.Misses != 1 || st.Hits != 2 || st.Len != 1 {
		t.Errorf("cache stats %+v: want one miss, two hits, one entry", st)
	}
	claims := decodeJWTForTest(t, first).claims
	if claims["width"] != "640" || claims["time"] != "10.5" {
		t.Errorf("signed claims %v, want width 640 and time 10.5", claims)
	}
}
