package endpoint_test

import (
	"strings"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
)

func TestParseOriginList(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://www.example.com", true},
		{"https://www.example.com/", true},
		{"HTTPS://WWW.EXAMPLE.COM", true},
		{"http://localhost:8888", true},
		{"https://*.example.com", true},
		{"https://*.example.com:8443", true},
		{"https://a.example.com, https://b.example.com", true},
		{"https://a.example.com https://b.example.com\nhttps://c.example.com", true},
		{"", false},
		{" , ", false},
		{"*", false},
		{"example.com", false},
		{"https://", false},
		{"https://example.com/path", false},
		{"https://example.com?x", false},
		{"ftp://example.com", false},
		{"https://*example.com", false},
		{"https://a.*.example.com", false},
		{"https://*.*.example.com", false},
		{"https://*", false},
		{"https://-bad.example.com", false},
		{"https://user@example.com", false},
		{"https://a.example.com, nonsense", false},
		{strings.Repeat("https://a.example.com,", 1001), false},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			l, err := endpoint.ParseOriginList(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseOriginList(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && strings.Contains(err.Error(), "nonsense") {
				t.Fatalf("error quotes the value: %v", err)
			}
			if tt.ok && l == nil {
				t.Fatal("nil list")
			}
		})
	}
}

func TestOriginListAllows(t *testing.T) {
	l, err := endpoint.ParseOriginList("https://www.example.com/, HTTPS://App.Example.NET, https://*.example.org, http://*.local.test:3000")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origin string
		want   bool
	}{
		{"https://www.example.com", true},
		{"https://app.example.net", true},
		{"https://a.example.org", true},
		{"https://deep.sub.example.org", true},
		{"http://x.local.test:3000", true},
		{"https://example.com", false},
		{"https://www.example.com:443", false},
		{"https://www.example.com/", false},
		{"https://www.example.com.evil.com", false},
		{"http://www.example.com", false},
		{"https://App.Example.NET", false}, // browsers send lower case
		{"https://example.org", false},
		{"https://.example.org", false},
		{"https://evilexample.org", false},
		{"https://a.example.org.evil.com", false},
		{"http://a.example.org", false},
		{"https://a.example.org:8443", false},
		{"http://x.local.test", false},
		{"http://x.local.test:3001", false},
		{"null", false},
		{"", false},
		{"https://www.example.com\r\nX-Evil: 1", false},
		{"https://" + strings.Repeat("a", 300) + ".example.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			if got := l.Allows(tt.origin); got != tt.want {
				t.Fatalf("Allows(%q) = %v, want %v", tt.origin, got, tt.want)
			}
		})
	}
}

func TestOriginListDefaultPorts(t *testing.T) {
	l, err := endpoint.ParseOriginList("https://secure.example.com:443, http://plain.example.com:80, https://*.example.net:443")
	if err != nil {
		t.Fatal(err)
	}
	for origin, want := range map[string]bool{
		"https://secure.example.com":     true, // browsers omit the default port
		"http://plain.example.com":       true,
		"https://a.example.net":          true,
		"https://secure.example.com:443": false, // not what a browser sends
		"http://secure.example.com":      false,
	} {
		if got := l.Allows(origin); got != want {
			t.Errorf("Allows(%q) = %v, want %v", origin, got, want)
		}
	}
}
