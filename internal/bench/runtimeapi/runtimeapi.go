// Package runtimeapi is a minimal AWS Lambda Runtime API, enough to run a
// function's bootstrap (aws-lambda-go, or the Node baseline's runtime.js)
// outside Lambda and time it: it hands out one event at a time on
// GET /2018-06-01/runtime/invocation/next and records the response the
// function posts back, with the time it arrived.
//
// It is a measuring tool for internal/bench, not an emulator: for the real
// thing use aws-lambda-rie.
package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const prefix = "/2018-06-01/runtime/"

// Result is what the function posted for one event.
type Result struct {
	Body     []byte
	Error    bool      // posted to .../error or init/error
	Received time.Time // when the post arrived
}

type invocation struct {
	id    string
	event []byte
}

// Server is a Runtime API on a local address. Invoke may be called from one
// goroutine at a time, like Lambda's one event at a time per instance.
type Server struct {
	ln      net.Listener
	srv     *http.Server
	next    chan invocation
	results chan resultFor

	mu   sync.Mutex
	seq  int
	done chan struct{}
}

type resultFor struct {
	id string
	Result
}

// Start listens on addr (such as 127.0.0.1:19001) and serves the API.
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		ln:      ln,
		next:    make(chan invocation),
		results: make(chan resultFor, 1),
		done:    make(chan struct{}),
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server; a function blocked on /next gets an error.
func (s *Server) Close() error {
	close(s.done)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return s.srv.Close()
	}
	return nil
}

// Invoke hands event to the function when it next asks for one and waits
// for its response, until ctx ends.
func (s *Server) Invoke(ctx context.Context, event []byte) (Result, error) {
	s.mu.Lock()
	s.seq++
	id := "bench-" + strconv.Itoa(s.seq)
	s.mu.Unlock()
	select {
	case s.next <- invocation{id: id, event: event}:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("waiting for the function to ask for an event: %w", ctx.Err())
	}
	for {
		select {
		case r := <-s.results:
			if r.id == id || r.id == "" { // "" is an init error
				return r.Result, nil
			}
		case <-ctx.Done():
			return Result{}, fmt.Errorf("waiting for the function's response: %w", ctx.Err())
		}
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		select {
		case inv := <-s.next:
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:sign_playback_id")
			h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
			h.Set("Content-Type", "application/json")
			_, _ = w.Write(inv.event)
		case <-s.done:
			http.Error(w, "shutting down", http.StatusGone)
		case <-r.Context().Done():
		}
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, ok := strings.Cut(rest, "/")
		if !ok || (kind != "response" && kind != "error") {
			http.NotFound(w, r)
			return
		}
		s.record(w, r, id, kind == "error")
	case r.Method == http.MethodPost && path == "init/error":
		s.record(w, r, "", true)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) record(w http.ResponseWriter, r *http.Request, id string, isErr bool) {
	received := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil && !errors.Is(err, io.EOF) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	select {
	case s.results <- resultFor{id: id, Result: Result{Body: body, Error: isErr, Received: received}}:
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
}
