// Package edgecache decides, for one answer of the function, what Netlify's
// CDN may do with it: the Netlify-CDN-Cache-Control, Netlify-Vary and
// Netlify-Cache-Tag headers, while browsers and every other shared cache keep
// getting Cache-Control: private, no-store.
//
// It is transport-free: the endpoint describes the configuration once (Site)
// and each answer (Answer), and gets headers back. Nothing here reads a
// request or a clock.
//
// What is cached, and why it is safe (docs/caching.md has the long form):
//
//   - Only GET answers that are the same for everyone who sends the same key:
//     the 302 to a signed URL and the 200 JSON tokens, when the request names
//     its response mode (response=redirect or response=json). An answer whose
//     mode was negotiated from Accept is not cached: Netlify-Vary cannot key on
//     Accept, and a standard Vary: Accept would split the cache by every
//     browser's Accept string.
//   - A token answer is fresh at the edge only until the end of its grain:
//     exp + grain - life. A viewer served from the edge therefore always gets
//     at least life - grain, the same promise the function makes. One second
//     before a grain boundary, that is at most one second.
//   - The key (Netlify-Vary) holds every query parameter the function reads,
//     Origin when an origin list is set, and the countries named by country
//     rules. It is the same on every answer of a configuration, as Netlify
//     requires of one URL.
//   - Never cached: HEAD, POST and OPTIONS; 400s (Netlify's keying of a
//     repeated parameter is undocumented, so a cached 400 could poison the
//     key of a valid request); configuration and server errors; anything under
//     viewer sign-in. A 403 by the site's own playback ID policy may be cached
//     for MUX_EDGE_CACHE_ERRORS seconds (default 0: not cached).
package edgecache
