package endpoint

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// ServeHTTP is the adapter for a plain HTTP server, such as the local
// development server: the same parsing and answers as under Lambda. The
// request body is never read (POST is answered like GET).
func (h *Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	q := urlQuery{size: len(req.URL.RawQuery)}
	if q.size <= MaxQueryBytes {
		q.values, _ = url.ParseQuery(req.URL.RawQuery) // a malformed pair is left out, as browsers' servers do
	}
	res := h.Answer(req.Context(), Incoming{
		Method: req.Method,
		Query:  q,
		Header: req.Header.Get,
		Viewer: viewer.Credentials{
			Authorization: req.Header.Get("Authorization"),
			Cookie:        strings.Join(req.Header.Values("Cookie"), "; "),
		},
	})
	for k, v := range res.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(res.Status)
	_, _ = io.WriteString(w, res.Body)
}

// urlQuery is a parsed URL query and the size of its raw form.
type urlQuery struct {
	values url.Values
	size   int
}

func (q urlQuery) Values(name string) []string { return q.values[name] }

func (q urlQuery) Len() (params, bytes int) {
	for _, vs := range q.values {
		params += len(vs)
	}
	return params, q.size
}
