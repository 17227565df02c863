// Command inittrace imports muxsign and does nothing else, so that the cost
// of its package initialisation can be read on a cold start:
//
//	go build -o /tmp/inittrace ./internal/muxsign/testdata/inittrace
//	GODEBUG=inittrace=1 /tmp/inittrace 2>&1 | grep -E 'muxsign|regexp'
//
// It lives under testdata so that ./... builds and tests skip it.
package main

import (
	"fmt"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

func main() { fmt.Println(muxsign.Video.Audience()) }
