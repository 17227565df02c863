// Package muxsign makes the tokens that unlock Mux signed playback.
//
// A Mux playback ID with a "signed" policy plays only with a token: an RS256
// JWT signed with the private half of a Mux URL signing key. This package
// parses such keys in the forms people paste them ([ParsePrivateKey]), builds
// the claim set Mux expects for each kind of resource ([Claims], [Type]),
// validates the options Mux reads from the claims and writes numbers in one
// canonical form ([CheckParams], [CanonicalParam]), signs ([Signer]) and
// caches ([Cache]) tokens. Explaining a token (why Mux would refuse it) is
// package muxverify's job.
//
// It knows nothing of HTTP, Lambda or environment variables: callers pass in
// the key, the clock and the options. Nothing is computed at package
// initialisation: what a first request does not need costs a cold start
// nothing.
package muxsign
