// Package e2e holds the end-to-end tests of make e2e (run.sh): the function
// built as Netlify builds it and run under AWS's Lambda Runtime Interface
// Emulator, under the Netlify CLI (functions:serve, dev, build), and behind
// hls.js in headless Chromium against a local stand-in for Mux's edge
// (package standin), and viewer sign-in against a real OpenID provider on
// loopback (oidc/provider.mjs: oidc-provider from npm) under the emulator,
// `netlify dev` and Chromium (the viewer stage). The tests carry the build tag e2e, so go test ./...
// does not run them; run.sh installs the pinned tools they need and passes
// their paths in E2E_* environment variables.
package e2e
