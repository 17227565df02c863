// Package devserver runs functions as a local HTTP server, at the paths
// Netlify serves them (/.netlify/functions/<name>), next to the site's static
// files, the way `netlify dev` does. It also reads .env files.
package devserver

import (
	"net/http"
)

// FunctionsPrefix is where Netlify serves functions.
const FunctionsPrefix = "/.netlify/functions/"

// New returns a handler serving each named function at
// /.netlify/functions/<name>, and the files under publicDir (if not "")
// everywhere else.
func New(functions map[string]http.Handler, publicDir string) http.Handler {
	mux := http.NewServeMux()
	for name, fn := range functions {
		mux.Handle(FunctionsPrefix+name, fn)
		mux.Handle(FunctionsPrefix+name+"/", fn)
	}
	if publicDir != "" {
		mux.Handle("/", http.FileServer(http.Dir(publicDir)))
	}
	return mux
}
