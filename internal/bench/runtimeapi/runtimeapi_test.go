package runtimeapi

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fakeFunction does what a Lambda runtime does for one event: ask for it,
// then post the answer (to .../response, or .../error).
func fakeFunction(t *testing.T, base, kind string) {
	resp, err := http.Get(base + "/2018-06-01/runtime/invocation/next")
	if err != nil {
		t.Error(err)
		return
	}
	event, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	if id == "" || resp.Header.Get("Lambda-Runtime-Deadline-Ms") == "" {
		t.Errorf("next: headers %v lack the request ID or deadline", resp.Header)
	}
	post, err := http.Post(base+"/2018-06-01/runtime/invocation/"+id+"/"+kind, "application/json", strings.NewReader("echo:"+string(event)))
	if err != nil {
		t.Error(err)
		return
	}
	post.Body.Close()
	if post.StatusCode != http.StatusAccepted {
		t.Errorf("post: status %d", post.StatusCode)
	}
}

func TestInvoke(t *testing.T) {
	tests := []struct {
		kind    string
		wantErr bool
	}{
		{"response", false},
		{"error", true},
	}
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				fakeFunction(t, "http://"+s.Addr(), tt.kind)
			}()
			defer func() { <-done }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			before := time.Now()
			r, err := s.Invoke(ctx, []byte(`{"n":1}`))
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Body) != `echo:{"n":1}` || r.Error != tt.wantErr {
				t.Errorf("got body %q, error %v; want the echo, error %v", r.Body, r.Error, tt.wantErr)
			}
			if r.Received.Before(before) {
				t.Errorf("Received %v is before the invoke started", r.Received)
			}
		})
	}
}

// TestInvokeNobodyAsks checks that Invoke gives up when ctx ends.
func TestInvokeNobodyAsks(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Invoke(ctx, []byte(`{}`)); err == nil {
		t.Error("Invoke with an ended context returned no error")
	}
}
