package endpoint

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/viewer"
)

// Handle is the Lambda adapter: Netlify (and API Gateway) send the request
// as an event and take the response as one. It never returns an error:
// every failure is an HTTP answer.
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	header := eventHeader(ev.Headers)
	res := h.Answer(ctx, Incoming{
		Method: ev.HTTPMethod,
		Query:  eventQuery{single: ev.QueryStringParameters, multi: ev.MultiValueQueryStringParameters},
		Header: header,
		Viewer: viewer.Credentials{
			Authorization:  header("authorization"),
			Cookie:         eventCookies(ev, header),
			NetlifyContext: netlifyContext(ctx),
		},
	})
	return events.APIGatewayProxyResponse{StatusCode: res.Status, Headers: res.Headers, Body: res.Body}, nil
}

// eventQuery reads parameters from both of the maps Netlify and API Gateway
// fill: Netlify joins a repeated name's values with ", " in the single-value
// map and keeps them apart in the multi-value one.
type eventQuery struct {
	single map[string]string
	multi  map[string][]string
}

func (q eventQuery) Values(name string) []string {
	if vs := q.multi[name]; len(vs) > 1 {
		return vs
	}
	if v, ok := q.single[name]; ok {
		return []string{v}
	}
	return q.multi[name]
}

func (q eventQuery) Len() (params, bytes int) {
	if len(q.single) > MaxQueryParams || len(q.multi) > MaxQueryParams {
		return max(len(q.single), len(q.multi)), 0
	}
	for k, vs := range q.multi {
		for _, v := range vs {
			params++
			bytes += len(k) + len(v)
			if params > MaxQueryParams || bytes > MaxQueryBytes {
				return params, bytes
			}
		}
	}
	for k, v := range q.single {
		if _, ok := q.multi[k]; !ok {
			params++
			bytes += len(k) + len(v)
		}
	}
	return params, bytes
}

// eventHeader looks headers up by lower-case name, as Netlify sends them,
// falling back to any case, as API Gateway may send them.
func eventHeader(h map[string]string) func(string) string {
	return func(name string) string {
		if v, ok := h[name]; ok {
			return v
		}
		for k, v := range h {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return ""
	}
}

// eventCookies returns the request's cookies as one Cookie value. A request
// may carry several Cookie headers (HTTP/2 sends one per cookie); the
// single-value map joins them with ", ", which is not how cookies are
// separated, so the multi-value map is read first.
func eventCookies(ev events.APIGatewayProxyRequest, header func(string) string) string {
	for k, vs := range ev.MultiValueHeaders {
		if strings.EqualFold(k, "cookie") && len(vs) > 0 {
			return strings.Join(vs, "; ")
		}
	}
	return header("cookie")
}

// netlifyContext returns what Netlify passes Lambda-compatible functions in
// the client context about Netlify Identity: clientContext.custom.netlify,
// base64 of {"identity":{...},"user":{...}}, with "user" present when the
// request carried an Identity token Netlify verified. Under `netlify dev`
// the CLI fills it by decoding the token without verifying it.
func netlifyContext(ctx context.Context) string {
	lc, ok := lambdacontext.FromContext(ctx)
	if !ok || lc == nil {
		return ""
	}
	return lc.ClientContext.Custom["netlify"]
}
