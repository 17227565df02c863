// Package muxverify explains Mux playback tokens in plain words: it checks a
// token the way Mux does before serving what it unlocks (algorithm,
// signature, kid, sub, aud, exp, nbf) and reports every reason Mux would
// refuse it, and what it unlocks and until when ([Verify], [Report]).
//
// It is for diagnostics (the command line's check and verify, tests): the
// endpoint only signs, with package muxsign, whose types and option rules
// this package reads. Everything a [Report] holds is safe to print: user
// input is shortened and made printable, and it never holds key material.
package muxverify
