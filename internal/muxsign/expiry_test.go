package muxsign_test

import (
	"strings"
	"testing"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"60", time.Minute},
		{"3600", time.Hour},
		{"604800", 7 * 24 * time.Hour},
		{"90m", 90 * time.Minute},
		{"12h", 12 * time.Hour},
		{"7d", 7 * 24 * time.Hour},
		{"1w", 7 * 24 * time.Hour},
		{"30s", 30 * time.Second},
		{"1h30m", 90 * time.Minute},
		{"1d12h", 36 * time.Hour},
		{"2w3d4h5m6s", (2*7+3)*24*time.Hour + 4*time.Hour + 5*time.Minute + 6*time.Second},
		{"0d", 0},
		{"3650d", muxsign.MaxExpiration},
		{"315360000", muxsign.MaxExpiration},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := muxsign.ParseDuration(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDurationRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", "-1", "-1h", "+3600", "1.5h", "1.5", "1y", "1M", "7 d", " 7d", "7d ", "7D", "1h-30m",
		"h", "abc", "1e3", "0x10", "3651d", "315360001", "522w", "999999999999",
		// values whose product overflows int64 nanoseconds
		"10000000000", "9999999999", "15251w", "999999999w", "999999999d", "999999999h",
		"999999999h999999999h999999999h", "999999999w999999999w",
	} {
		t.Run(in, func(t *testing.T) {
			got, err := muxsign.ParseDuration(in)
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %v, want an error", in, got)
			}
			if msg := err.Error(); len(msg) > 300 || strings.ContainsAny(msg, "\n\x00") {
				t.Fatalf("error not short and printable: %q", msg)
			}
		})
	}
}

func TestExpiresAt(t *testing.T) {
	now := time.Unix(1764500000, 0) // the conformance vectors' clock
	tests := []struct {
		name        string
		now         time.Time
		life, grain time.Duration
		want        int64
	}{
		{"no grain", now, 7 * 24 * time.Hour, 0, 1765104800},
		{"negative grain is off", now, time.Hour, -time.Minute, 1764503600},
		{"sub-second grain is off", now, time.Hour, 500 * time.Millisecond, 1764503600},
		{"sub-second now floors", now.Add(999 * time.Millisecond), time.Hour, 0, 1764503600},
		{"hour grain", now, 7 * 24 * time.Hour, time.Hour, 1765104800 - 1765104800%3600},
		{"minute grain", now.Add(59 * time.Second), time.Hour, time.Minute, (1764503659 / 60) * 60},
		{"on the grid already", time.Unix(1764500400, 0), time.Hour, time.Hour, 1764504000},
		{"exact grain of 6 min", now, time.Hour, 6 * time.Minute, (1764503600 / 360) * 360},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := muxsign.ExpiresAt(tt.now, tt.life, tt.grain)
			if got.Unix() != tt.want || got.Nanosecond() != 0 {
				t.Fatalf("ExpiresAt = %d (%v), want %d", got.Unix(), got, tt.want)
			}
			// The life left is within (life-grain, life].
			left := got.Sub(tt.now)
			lo := tt.life - max(tt.grain, time.Second)
			if left > tt.life || left <= lo {
				t.Fatalf("life left %v outside (%v, %v]", left, lo, tt.life)
			}
		})
	}
}

// TestExpiresAtSameWithinGrain: every request within one grain gets the same
// exp (so the same token), and the next grain a later one.
func TestExpiresAtSameWithinGrain(t *testing.T) {
	const grain = time.Hour
	base := time.Unix(1764500000, 0).Truncate(grain) // aligned: exp is aligned too with a 7d life
	life := 7 * 24 * time.Hour
	first := muxsign.ExpiresAt(base, life, grain)
	for _, off := range []time.Duration{time.Second, time.Minute, 59*time.Minute + 59*time.Second} {
		t.Run(off.String(), func(t *testing.T) {
			if got := muxsign.ExpiresAt(base.Add(off), life, grain); !got.Equal(first) {
				t.Fatalf("exp at +%v = %v, want %v", off, got, first)
			}
		})
	}
	if next := muxsign.ExpiresAt(base.Add(grain), life, grain); next.Sub(first) != grain {
		t.Fatalf("next grain exp = %v, want %v", next, first.Add(grain))
	}
}
