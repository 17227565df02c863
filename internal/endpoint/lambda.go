package endpoint

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Handle is the Lambda adapter: Netlify (and API Gateway) send the request
// as an event and take the response as one. It never returns an error:
// every failure is an HTTP answer.
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	res := h.Answer(ctx, Incoming{
		Method: ev.HTTPMethod,
		Query:  eventQuery{single: ev.QueryStringParameters, multi: ev.MultiValueQueryStringParameters},
		Header: eventHeader(ev.Headers),
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
