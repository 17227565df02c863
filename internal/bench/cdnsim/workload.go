package main

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
)

// workload is the shape of a day of views.
type workload struct {
	views      int
	ids        int
	zipf       float64 // Zipf exponent of the playback IDs' popularity
	negotiated float64 // share of views without response=, the mode from Accept
	bad        float64 // share of malformed requests
	noise      float64 // share of views with utm_* / fbclid noise
	start      time.Time
	day        time.Duration
}

// view is one viewer's request, as meant (the fields) and as sent (query
// pairs and headers with their noise).
type view struct {
	at         time.Time
	id         string
	typ        muxsign.Type
	json       bool
	negotiated bool
	format     string        // extension of a redirect ("" for the default)
	life       time.Duration // from ?expiration, 0 for the configured life
	drm        bool
	opts       map[muxsign.Type]map[string]string // options by the token they go to
	bad        string                             // why the request is malformed, "" if it is not
	origin     string
	country    string

	pairs   [][2]string // query parameters in the order sent
	headers map[string]string
}

var (
	origins   = []string{"https://www.example.com", "https://example.com", "https://blog.example.com"}
	countries = []string{"US", "US", "US", "DE", "FR", "BR", "JP", "IN", "GB", "CA"}
	// Accept headers of browsers for media, images and fetch, and of API
	// clients: none of them asks for JSON.
	browserAccepts = []string{
		"*/*",
		"image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
		"image/avif,image/webp,*/*",
		"image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"video/webm,video/ogg,video/*;q=0.9,application/ogg;q=0.7,audio/*;q=0.6,*/*;q=0.5",
	}
	jsonAccepts = []string{"application/json", "application/json, text/plain, */*", "application/json;q=1"}
)

// playbackID names the i-th video: 20 letters and digits, like Mux's.
func playbackID(i int) string {
	return fmt.Sprintf("Vd%04dqmXk02xZ3LwPa7", i)
}

// each calls f with the day's views in time order, the same for one seed,
// making each when it is needed: a million views do not fit in memory at
// once with their maps.
func (w workload) each(seed uint64, f func(*view) error) error {
	r := rand.New(rand.NewPCG(seed, 0x6d7578))
	zipf := rand.NewZipf(r, w.zipf, 1, uint64(w.ids-1))
	offsets := make([]time.Duration, w.views)
	for i := range offsets {
		offsets[i] = time.Duration(r.Int64N(int64(w.day)))
	}
	slices.Sort(offsets)
	for _, off := range offsets {
		v := w.one(r, zipf, w.start.Add(off))
		if err := f(&v); err != nil {
			return err
		}
	}
	return nil
}

func (w workload) one(r *rand.Rand, zipf *rand.Zipf, at time.Time) view {
	k := int(zipf.Uint64())
	v := view{at: at, id: playbackID(k), typ: muxsign.Video, opts: map[muxsign.Type]map[string]string{}}
	// Most views come from the site's own pages, a few from elsewhere
	// (origins[2] is not on the origin list when one is set), some send no
	// Origin at all (media elements without crossorigin).
	switch p := r.IntN(100); {
	case p < 60:
		v.origin = origins[0]
	case p < 85:
		v.origin = origins[1]
	case p < 90:
		v.origin = origins[2]
	}
	v.country = countries[r.IntN(len(countries))]
	opt := func(t muxsign.Type, name, value string) {
		if v.opts[t] == nil {
			v.opts[t] = map[string]string{}
		}
		v.opts[t][name] = value
	}
	// A page writes its URLs one way: the same video gets the same query
	// (in any order, with any noise) from every viewer of that page.
	switch p := r.IntN(100); {
	case p < 38: // the player's stream, as a redirect
		if k%10 == 0 && r.IntN(4) == 0 { // some pages cap the resolution
			opt(muxsign.Video, "max_resolution", "720p")
		}
	case p < 73: // Mux Player's tokens
		v.json = true
		if r.IntN(50) == 0 {
			v.drm = true
		}
	case p < 93: // posters, in two sizes
		v.typ = muxsign.Thumbnail
		if r.IntN(3) == 0 {
			opt(muxsign.Thumbnail, "width", "640")
		}
		if r.IntN(10) == 0 {
			v.format = "webp"
		}
	case p < 95:
		v.typ = muxsign.GIF
		opt(muxsign.GIF, "width", "320")
	case p < 99:
		v.typ = muxsign.Storyboard
	default: // a short-lived link
		v.life = time.Hour
	}
	v.negotiated = r.Float64() < w.negotiated
	if r.Float64() < w.bad {
		v.bad = []string{"missing", "badtype", "dup"}[r.IntN(3)]
	}
	v.pairs = v.query(r)
	if r.Float64() < w.noise {
		v.pairs = append(v.pairs, [2]string{"utm_source", []string{"newsletter", "twitter", "google"}[r.IntN(3)]})
		if r.IntN(2) == 0 {
			v.pairs = append(v.pairs, [2]string{"fbclid", fmt.Sprintf("IwAR%08x", r.Uint32())})
		}
	}
	r.Shuffle(len(v.pairs), func(i, j int) { v.pairs[i], v.pairs[j] = v.pairs[j], v.pairs[i] })
	v.headers = v.headerSet(r)
	return v
}

// query returns the parameters that ask for v.
func (v view) query(r *rand.Rand) [][2]string {
	var q [][2]string
	add := func(k, val string) { q = append(q, [2]string{k, val}) }
	switch v.bad {
	case "missing":
	case "dup":
		add("playbackId", v.id)
		add("playbackId", playbackID(0))
	default:
		add("playbackId", v.id)
	}
	switch {
	case v.bad == "badtype":
		add("type", "audio")
	default:
		add("type", string(v.typ))
	}
	if !v.negotiated {
		add("response", map[bool]string{true: "json", false: "redirect"}[v.json])
	}
	if v.format != "" {
		add("format", v.format)
	}
	if v.life > 0 {
		add("expiration", fmt.Sprint(int64(v.life/time.Second)))
	}
	if v.drm {
		add("drm", "true")
	}
	for _, t := range muxsign.Types {
		for k, val := range v.opts[t] {
			add(k, val)
		}
	}
	return q
}

// headerSet returns what the browser sends, with names in any case.
func (v view) headerSet(r *rand.Rand) map[string]string {
	h := map[string]string{}
	name := func(n string) string {
		switch r.IntN(3) {
		case 0:
			return strings.ToLower(n)
		case 1:
			return strings.ToUpper(n)
		}
		return n
	}
	accept := browserAccepts[r.IntN(len(browserAccepts))]
	if v.json && v.negotiated {
		accept = jsonAccepts[r.IntN(len(jsonAccepts))]
	}
	h[name("Accept")] = accept
	if v.origin != "" {
		h[name("Origin")] = v.origin
	}
	h[name("User-Agent")] = fmt.Sprintf("Mozilla/5.0 sim/%d", r.IntN(50))
	return h
}

// rawQuery encodes the pairs in the order sent.
func (v view) rawQuery() string {
	var b strings.Builder
	for i, p := range v.pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p[1]))
	}
	return b.String()
}
