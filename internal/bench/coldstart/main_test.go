package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRIELogPatterns reads a real log of aws-lambda-rie running the
// function once (testdata/rie-go.log) and checks that each pattern finds
// exactly its figure.
func TestRIELogPatterns(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "rie-go.log"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pattern interface{ FindStringSubmatch(string) []string }
		want    float64
	}{
		{"INIT REPORT", initReport, 4.937},
		{"INVOKE RTDONE", invokeDone, 2.989},
		{"REPORT Duration", reportLine, 8.13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found []float64
			for _, line := range strings.Split(string(raw), "\n") {
				if m := tt.pattern.FindStringSubmatch(line); m != nil {
					v, err := strconv.ParseFloat(m[1], 64)
					if err != nil {
						t.Fatal(err)
					}
					found = append(found, v)
				}
			}
			if len(found) != 1 || found[0] != tt.want {
				t.Errorf("found %v, want exactly [%v]", found, tt.want)
			}
		})
	}
}

func TestCheckResponse(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"go function", `{"statusCode":302,"headers":{"Location":"https://stream.mux.com/x.m3u8?token=eyJhbGc"}}`, true},
		{"node baseline", `{"statusCode":302,"headers":{"location":"https://stream.mux.com/x.m3u8?token=eyJhbGc"},"body":""}`, true},
		{"no token", `{"statusCode":302,"headers":{"Location":"https://stream.mux.com/x.m3u8"}}`, false},
		{"error", `{"statusCode":500,"body":"{\"errors\":[]}"}`, false},
		{"not JSON", `Internal Server Error`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkResponse([]byte(tt.body)); (err == nil) != tt.ok {
				t.Errorf("checkResponse = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
