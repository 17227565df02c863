package access

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// loadClaims reads a claims fixture from testdata.
func loadClaims(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestParsePath(t *testing.T) {
	for _, tt := range []struct {
		in   string
		keys []string
		rest string
	}{
		{"roles", []string{"roles"}, ""},
		{"roles=member", []string{"roles"}, "=member"},
		{"app_metadata.roles=x", []string{"app_metadata", "roles"}, "=x"},
		{"https://example.com/roles=member", []string{"https://example.com/roles"}, "=member"},
		{"http://example.com/a.b.c", []string{"http://example.com/a.b.c"}, ""},
		{"[https://example.com/app].roles=staff", []string{"https://example.com/app", "roles"}, "=staff"},
		{"[a.b]", []string{"a.b"}, ""},
		{"[a.b].[c d]", []string{"a.b", "c d"}, ""},
		{"cognito:groups=staff", []string{"cognito:groups"}, "=staff"},
		{"a.b.c.d.e.f.g.h", []string{"a", "b", "c", "d", "e", "f", "g", "h"}, ""},
		{"rôles=x", []string{"rôles"}, "=x"},
		{"roles =x", []string{"roles"}, " =x"},
		{"https://example.com/roles|x", []string{"https://example.com/roles"}, "|x"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			p, rest, err := parsePath(tt.in)
			if err != nil {
				t.Fatalf("parsePath(%q): %v", tt.in, err)
			}
			if !slices.Equal(p.keys, tt.keys) || rest != tt.rest {
				t.Errorf("parsePath(%q) = %q, rest %q; want %q, rest %q", tt.in, p.keys, rest, tt.keys, tt.rest)
			}
			if p.text+rest != tt.in {
				t.Errorf("text %q + rest %q != input", p.text, rest)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "missing a key"},
		{"=x", "missing a key"},
		{"a..b", "missing a key"},
		{"a.", "missing a key"},
		{".a", "missing a key"},
		{"[a", "not closed"},
		{"[]", "empty"},
		{"a[b]", "dot before a bracketed key"},
		{"https://example.com/app.", "ends with a dot"},
		{"https://example.com/app.[roles]", "ends with a dot"},
		{"[x\x01]", "unprintable character"},
		{"a.b.c.d.e.f.g.h.i", "more than 8 keys"},
		{strings.Repeat("k", 257), "longer than 256"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			_, _, err := parsePath(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parsePath(%q) error = %v, want one containing %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestLookupAndContains(t *testing.T) {
	auth0 := loadClaims(t, "auth0.json")
	identity := loadClaims(t, "netlify_identity.json")
	cognito := loadClaims(t, "cognito.json")
	odd := loadClaims(t, "odd_types.json")
	for _, tt := range []struct {
		name   string
		claims map[string]any
		path   string
		value  string
		want   bool
	}{
		{"namespaced array", auth0, "https://example.com/roles", "critic", true},
		{"namespaced array miss", auth0, "https://example.com/roles", "staff", false},
		{"bracketed nested", auth0, "[https://example.com/app].roles", "staff", true},
		{"bracketed nested string key", auth0, "[https://example.com/app].plan", "gold", true},
		{"scope word first", auth0, "scope", "openid", true},
		{"scope word last", auth0, "scope", "watch:films", true},
		{"scope no prefix match", auth0, "scope", "watch", false},
		{"scope whole string is not a word", auth0, "scope", "openid profile", false},
		{"permissions array", auth0, "permissions", "read:catalog", true},
		{"nested identity roles", identity, "app_metadata.roles", "member", true},
		{"nested wrong case", identity, "app_metadata.roles", "Member", false},
		{"missing nested key", identity, "app_metadata.plan", "gold", false},
		{"through a string", identity, "email.x", "x", false},
		{"cognito groups", cognito, "cognito:groups", "staff", true},
		{"number claim", odd, "roles", "7", false},
		{"boolean claim", odd, "flag", "true", false},
		{"null claim", odd, "nothing", "null", false},
		{"object claim", odd, "obj", "member", false},
		{"mixed array string element", odd, "mixed", "member", true},
		{"mixed array nested object skipped", odd, "mixed", "staff", false},
		{"dotted key needs brackets", odd, "a.b", "dotted", false},
		{"dotted key bracketed", odd, "[a.b]", "dotted", true},
		{"scope with extra spaces", odd, "scope", "watch", true},
		{"scope empty word never matches", odd, "scope", "", false},
		{"nil claims", nil, "roles", "member", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, rest, err := parsePath(tt.path)
			if err != nil || rest != "" {
				t.Fatalf("parsePath(%q) = rest %q, %v", tt.path, rest, err)
			}
			v, ok := p.lookup(tt.claims)
			if got := ok && contains(v, tt.value); got != tt.want {
				t.Errorf("%s contains %q = %v, want %v", tt.path, tt.value, got, tt.want)
			}
		})
	}
}

func TestContainsTypedSlice(t *testing.T) {
	if !contains([]string{"a", "b"}, "b") || contains([]string{"a"}, "b") {
		t.Error("contains on []string is wrong")
	}
	if contains(float64(1), "1") || contains(map[string]any{"a": "a"}, "a") {
		t.Error("numbers and objects must contain nothing")
	}
}
