package endpoint

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
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
		{"application/json;;;", false},
		{strings.Repeat("a", 2100) + ", application/json", false},
	}
	for _, tt := range tests {
		name := tt.accept
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			if got := acceptsJSON(tt.accept); got != tt.want {
				t.Fatalf("acceptsJSON(%q) = %v, want %v", tt.accept, got, tt.want)
			}
		})
	}
}

func TestQueryGet(t *testing.T) {
	tests := []struct {
		name         string
		single       map[string]string
		multi        map[string][]string
		value        string
		given, isErr bool
	}{
		{"absent", nil, nil, "", false, false},
		{"single only", map[string]string{"k": "v"}, nil, "v", true, false},
		{"multi only", nil, map[string][]string{"k": {"v"}}, "v", true, false},
		{"both agree", map[string]string{"k": "v"}, map[string][]string{"k": {"v"}}, "v", true, false},
		{"repeated", map[string]string{"k": "a, b"}, map[string][]string{"k": {"a", "b"}}, "", true, true},
		{"joined, no multi map", map[string]string{"k": "a, b"}, nil, "a, b", true, false},
		{"empty value", map[string]string{"k": ""}, map[string][]string{"k": {""}}, "", true, false},
		{"other key", map[string]string{"x": "v"}, nil, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newQuery(events.APIGatewayProxyRequest{QueryStringParameters: tt.single, MultiValueQueryStringParameters: tt.multi})
			v, given, err := q.get("k")
			if v != tt.value || given != tt.given || (err != nil) != tt.isErr {
				t.Fatalf("get = %q, %v, %v; want %q, %v, err=%v", v, given, err, tt.value, tt.given, tt.isErr)
			}
		})
	}
}

func TestQueryNames(t *testing.T) {
	q := newQuery(events.APIGatewayProxyRequest{
		QueryStringParameters:           map[string]string{"b": "1", "a": "2"},
		MultiValueQueryStringParameters: map[string][]string{"c": {"3"}, "a": {"2"}},
	})
	if got := strings.Join(q.names(), ","); got != "a,b,c" {
		t.Fatalf("names = %s, want a,b,c", got)
	}
}
