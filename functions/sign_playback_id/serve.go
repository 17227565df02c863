//go:build !lambda.norpc

package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/access"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/devserver"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/endpoint"
)

const functionName = "sign_playback_id"

// samplePlaybackID is the ID from Mux's documentation, used in examples.
const samplePlaybackID = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"

// runServe runs the function as a local server until ctx ends.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "address to listen on (default localhost:$PORT, PORT from the environment or .env, else 8888)")
	public := fs.String("public", "public", "folder of static files to serve at / (\"\" for none)")
	envFile := fs.String("env-file", ".env", "file of KEY=VALUE lines to read, if it exists; the environment wins")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}

	getenv, err := withDotenv(getenv, *envFile)
	if err != nil {
		return err
	}
	if *addr == "" { // after .env, so that PORT there counts
		port := getenv("PORT")
		if port == "" {
			port = "8888"
		}
		*addr = "localhost:" + port
	}
	getenv, err = withDevKey(getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	var fn http.Handler = endpoint.New(getenv, time.Now, log)
	if v := getenv(access.DevCountryVar); v != "" {
		geo, err := access.DevGeoHeader(v)
		if err != nil {
			return err
		}
		fn = withCountry(fn, geo)
		fmt.Fprintf(stderr, "%s: every request comes from %s, as Netlify's edge would say in %s\n",
			access.DevCountryVar, strings.ToUpper(strings.TrimSpace(v)), access.GeoHeader)
	}

	if *public != "" {
		if st, err := os.Stat(*public); err != nil || !st.IsDir() {
			*public = ""
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           devserver.New(map[string]http.Handler{functionName: fn}, *public),
		ReadHeaderTimeout: 10 * time.Second,
	}
	base := "http://" + displayAddr(*addr, ln.Addr())
	fmt.Fprintf(stdout, "sign_playback_id listening on %s%s%s\n", base, devserver.FunctionsPrefix, functionName)
	fmt.Fprintf(stdout, "try: curl -I '%s%s%s?playbackId=%s'\n", base, devserver.FunctionsPrefix, functionName, samplePlaybackID)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return err
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// withDotenv returns getenv backed by the file's values where the
// environment has none. A missing file is not an error.
func withDotenv(getenv func(string) string, path string) (func(string) string, error) {
	if path == "" {
		return getenv, nil
	}
	file, err := readDotenv(path)
	switch {
	case err != nil:
		return nil, err
	case file == nil:
		return getenv, nil
	}
	return overlayEnv(getenv, file), nil
}

// withDevKey returns getenv with a throwaway signing key when neither
// MUX_SIGNING_KEY nor MUX_PRIVATE_KEY is set, so the server runs out of the
// box. Its tokens are well-formed but will not play on Mux.
func withDevKey(getenv func(string) string, stderr io.Writer) (func(string) string, error) {
	if getenv(endpoint.EnvSigningKey) != "" || getenv(endpoint.EnvPrivateKey) != "" {
		return getenv, nil
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("making a development key: %w", err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	keyID := "devOnlyThrowawayKey" + hex.EncodeToString(id)
	writeBox(stderr,
		fmt.Sprintf("WARNING: %s and %s are not set.", endpoint.EnvSigningKey, endpoint.EnvPrivateKey),
		fmt.Sprintf("Using a throwaway development key (ID %s).", keyID),
		"Its tokens are well-formed but WILL NOT PLAY ON MUX. Set both variables",
		"(or put them in .env) with your Mux URL signing key to get real tokens.")
	return func(name string) string {
		switch name {
		case endpoint.EnvSigningKey:
			return keyID
		case endpoint.EnvPrivateKey:
			return pemKey
		}
		return getenv(name)
	}, nil
}

// writeBox writes lines framed in asterisks, padded to one width, between
// blank lines.
func writeBox(w io.Writer, lines ...string) {
	width := 0
	for _, l := range lines {
		width = max(width, len(l))
	}
	fmt.Fprintln(w)
	for _, l := range lines {
		fmt.Fprintf(w, "*** %-*s ***\n", width, l)
	}
	fmt.Fprintln(w)
}

// displayAddr is the address to print for a listener started on addr: the
// host as the user wrote it (localhost stays localhost), with the port the
// listener got; a wildcard host is shown as localhost.
func displayAddr(addr string, got net.Addr) string {
	host, _, err := net.SplitHostPort(addr)
	_, port, err2 := net.SplitHostPort(got.String())
	if err != nil || err2 != nil {
		return got.String()
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// withCountry makes every request to fn come from the country in geo (a
// GeoHeader value), as `netlify dev --country` does: a client's own header
// is replaced.
func withCountry(fn http.Handler, geo string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set(access.GeoHeader, geo)
		fn.ServeHTTP(w, r)
	})
}
