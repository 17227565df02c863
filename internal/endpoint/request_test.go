package endpoint

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAcceptsJSON(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"application/json", true},
		{"Application/JSON", true},
		{"application/json; charset=utf-8", true},
		{"application/json, text/plain, */*", true},
		{"text/html, application/json;q=0.5", true},
		{"application/ld+json", true},
		{"application/vnd.api+json", true},
		{"", false},
		{"*/*", false},
		{"application/*", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"image/avif,image/webp,*/*", false},
		{"application/json;q=0", false},
		{"application/json;q=0.000", false},
		{"application/jsonp", false},
		{"text/json", false},
		// RFC 9110: empty parameters are allowed (*( OWS ";" OWS [ parameter ] )).
		{"application/json;;;", true},
		{"application/json ; q=0.5 ; charset=\"utf-8\"", true},
		{"application/json;q=1.000", true},
		{"application/json;Q=0.001", true},
		// Malformed media ranges are skipped, not matched by substring.
		{"application/json;q=abc", false},
		{"application/json;q=1.5", false},
		{"application/json;q=0.0001", false},
		{"application/json;q=", false},
		{"application/json;q", false},
		{"application/json;charset=\"unterminated", false},
		{"application/json;char set=utf-8", false},
		{"application/json junk", false},
		{"application/js(on", false},
		{"application/json;q=abc, application/json;q=0.2", true},
		{"text/html;q=abc, application/json", true},
		{"application/+json", false},
		{strings.Repeat("a", 2100) + ", application/json", false},
	}
	for _, tt := range tests {
		name := tt.accept
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			if got := AcceptsJSON(tt.accept); got != tt.want {
				t.Fatalf("AcceptsJSON(%q) = %v, want %v", tt.accept, got, tt.want)
			}
		})
	}
}

func TestEventQueryValues(t *testing.T) {
	tests := []struct {
		name   string
		single map[string]string
		multi  map[string][]string
		want   []string
	}{
		{"absent", nil, nil, nil},
		{"single only", map[string]string{"k": "v"}, nil, []string{"v"}},
		{"multi only", nil, map[string][]string{"k": {"v"}}, []string{"v"}},
		{"both agree", map[string]string{"k": "v"}, map[string][]string{"k": {"v"}}, []string{"v"}},
		{"repeated", map[string]string{"k": "a, b"}, map[string][]string{"k": {"a", "b"}}, []string{"a", "b"}},
		{"joined, no multi map", map[string]string{"k": "a, b"}, nil, []string{"a, b"}},
		{"empty value", map[string]string{"k": ""}, map[string][]string{"k": {""}}, []string{""}},
		{"other key", map[string]string{"x": "v"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := eventQuery{single: tt.single, multi: tt.multi}.Values("k")
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Values = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseQueryBounds(t *testing.T) {
	many := map[string]string{"playbackId": "abc"}
	for i := range MaxQueryParams {
		many[fmt.Sprintf("utm_%d", i)] = "x"
	}
	repeated := make([]string, 200_000)
	tests := []struct {
		name   string
		q      Query
		status int
	}{
		{"101 names", eventQuery{single: many}, http.StatusRequestURITooLong},
		{"one name 200000 times", eventQuery{multi: map[string][]string{"a": repeated}}, http.StatusRequestURITooLong},
		{"9 KB value", eventQuery{single: map[string]string{"playbackId": "abc", "x": strings.Repeat("y", 9<<10)}}, http.StatusRequestURITooLong},
		{"raw query over 8 KB", urlQuery{size: MaxQueryBytes + 1}, http.StatusRequestURITooLong},
		{"100 parameters in all", eventQuery{single: func() map[string]string {
			m := map[string]string{"playbackId": "abc"}
			for i := range MaxQueryParams - 1 {
				m[fmt.Sprintf("utm_%d", i)] = "x"
			}
			return m
		}()}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Request
			err := ParseQuery(&r, tt.q, "")
			switch {
			case tt.status == 0 && err != nil:
				t.Fatalf("ParseQuery refused: %v", err)
			case tt.status != 0 && (err == nil || err.Status != tt.status):
				t.Fatalf("ParseQuery = %v, want status %d", err, tt.status)
			}
		})
	}
}

func TestLogSafe(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 10, "abc"},
		{"abcdef", 3, "abc…"},
		{"a\nb\x00c\x7f", 10, "a?b?c?"},
		{"héllo", 2, "h…"}, // é is 2 bytes: never cut in half
		{"héllo", 3, "hé…"},
		{"\xff\xfeok", 10, "??ok"},
		{"日本語", 4, "日…"},
		{"\u202eevil", 20, "?evil"},
	}
	for _, tt := range tests {
		if got := logSafe(tt.in, tt.max); got != tt.want {
			t.Errorf("logSafe(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if got := logSafe(tt.in, tt.max); !utf8.ValidString(got) {
			t.Errorf("logSafe(%q, %d) = %q is not valid UTF-8", tt.in, tt.max, got)
		}
	}
}
