// Package endpoint is the sign_playback_id function: it turns the event
// Netlify (or AWS Lambda) sends for an HTTP request into the response, with
// the HTTP semantics the function documents: statuses, CORS, caching headers
// and JSON errors. Configuration comes from the environment through
// LoadConfig; tokens come from internal/muxsign.
package endpoint
