// Package devserver runs a Lambda-style function as a local HTTP server, the
// way `netlify dev` does: each HTTP request becomes the event Netlify would
// send, and the function's response is written back. It also serves the
// site's static files, and reads .env files.
package devserver

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Func is a Lambda handler for API Gateway proxy events.
type Func func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// FunctionsPrefix is where Netlify serves functions.
const FunctionsPrefix = "/.netlify/functions/"

// maxBody is the largest request body passed on, as on Netlify.
const maxBody = 6 << 20

// New returns a handler serving each named function at
// /.netlify/functions/<name>, and the files under publicDir (if not "")
// everywhere else.
func New(functions map[string]Func, publicDir string) http.Handler {
	mux := http.NewServeMux()
	for name, fn := range functions {
		h := serveFunc(fn)
		mux.Handle(FunctionsPrefix+name, h)
		mux.Handle(FunctionsPrefix+name+"/", h)
	}
	if publicDir != "" {
		mux.Handle("/", http.FileServer(http.Dir(publicDir)))
	}
	return mux
}

func serveFunc(fn Func) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := Event(r)
		if err != nil {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		resp, err := fn(r.Context(), ev)
		if err != nil {
			http.Error(w, "function error", http.StatusBadGateway)
			return
		}
		WriteResponse(w, resp)
	})
}

// Event turns an HTTP request into the event Netlify sends: lower-case
// header names, repeated headers and parameters joined with ", " in the
// single-value maps and kept apart in the multi-value ones, and the body
// base64-encoded.
func Event(r *http.Request) (events.APIGatewayProxyRequest, error) {
	ev := events.APIGatewayProxyRequest{
		HTTPMethod:                      r.Method,
		Path:                            r.URL.Path,
		Headers:                         map[string]string{},
		MultiValueHeaders:               map[string][]string{},
		QueryStringParameters:           map[string]string{},
		MultiValueQueryStringParameters: map[string][]string{},
	}
	for k, vs := range r.Header {
		k = strings.ToLower(k)
		ev.Headers[k] = strings.Join(vs, ", ")
		ev.MultiValueHeaders[k] = vs
	}
	if r.Host != "" {
		ev.Headers["host"] = r.Host
		ev.MultiValueHeaders["host"] = []string{r.Host}
	}
	for k, vs := range r.URL.Query() {
		ev.QueryStringParameters[k] = strings.Join(vs, ", ")
		ev.MultiValueQueryStringParameters[k] = vs
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return ev, err
	}
	if len(body) > maxBody {
		return ev, errTooLarge
	}
	ev.Body = base64.StdEncoding.EncodeToString(body)
	ev.IsBase64Encoded = true
	ev.RequestContext.HTTPMethod = r.Method
	ev.RequestContext.Path = r.URL.Path
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ev.RequestContext.Identity.SourceIP = host // also for [::1]:port
	}
	return ev, nil
}

var errTooLarge = errors.New("request body too large")

// WriteResponse writes a function's response to w.
func WriteResponse(w http.ResponseWriter, resp events.APIGatewayProxyResponse) {
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if b, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			body = b
		}
	} else if !utf8.Valid(body) {
		body = []byte(strings.ToValidUTF8(resp.Body, "\uFFFD"))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
