package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// expected is the answer the function owes a view.
type expected struct {
	status int    // 302, 200, 400 or 403
	acao   string // Access-Control-Allow-Origin, "" for none
}

func expect(v *view, s site, allowedOrigins map[string]bool) expected {
	e := expected{acao: "*"}
	if s.originList {
		e.acao = ""
		if allowedOrigins[v.origin] {
			e.acao = v.origin
		}
	}
	// The function checks the playback ID (present, once, allowed) before
	// the rest of the query.
	switch {
	case v.bad == "missing" || v.bad == "dup":
		e.status = 400
	case s.allowed != nil && !s.allowed[v.id]:
		e.status = 403
	case v.bad != "":
		e.status = 400
	case v.json:
		e.status = 200
	default:
		e.status = 302
	}
	return e
}

// floorKey names the answer and its grain: two views with the same key get
// the same answer, so no cache can answer them with fewer invocations.
func (e expected) floorKey(v *view, exp time.Time, originList bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|", e.status)
	if originList {
		b.WriteString(e.acao)
	}
	switch e.status {
	case 400:
		fmt.Fprintf(&b, "|%s|%s", v.bad, v.id)
		return b.String()
	case 403:
		fmt.Fprintf(&b, "|%s", v.id)
		return b.String()
	}
	fmt.Fprintf(&b, "|%s|%s|%t|%s|%d|%t|%d", v.id, v.typ, v.json, v.format, v.life, v.drm, exp.Unix())
	for _, t := range muxsign.Types {
		for _, k := range slices.Sorted(maps.Keys(v.opts[t])) {
			fmt.Fprintf(&b, "|%s.%s=%s", t, k, v.opts[t][k])
		}
	}
	return b.String()
}
