// Package standin is a local stand-in for Mux's edge (stream.mux.com and
// image.mux.com) used by the end-to-end tests. It checks every token the way
// Mux does: an RS256 signature by the configured public key, the key ID, the
// audience of the resource, the playback ID as subject, and an expiry in the
// future. Anything else gets a 403. It serves one HLS stream and one
// thumbnail, whatever the playback ID, and writes the token into the
// playlist's segment URLs, as Mux's own playlists carry their tokens.
package standin

import (
	"bufio"
	"bytes"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Files the stream folder holds: an HLS media playlist whose segment lines
// are bare file names, its segments, and a JPEG thumbnail.
const (
	PlaylistFile  = "index.m3u8"
	ThumbnailFile = "thumbnail.jpg"
)

// Request is what the stand-in saw of one request and what it answered.
type Request struct {
	Method     string
	Path       string
	PlaybackID string
	Audience   string // the audience the resource needs: "v" or "t"
	Status     int
	// Reason is why the token was refused ("" when it was accepted).
	Reason string
	Token  string
	Origin string
	Time   time.Time
}

// Server is the stand-in. Its zero value is not usable: set Key and Dir.
type Server struct {
	// Key is the public half of the signing key Mux would hold.
	Key *rsa.PublicKey
	// KeyID is the signing key's ID; tokens naming another kid are refused.
	KeyID string
	// Dir holds PlaylistFile, its segments and ThumbnailFile.
	Dir string
	// Now is the stand-in's clock for exp; nil means time.Now.
	Now func() time.Time

	mu   sync.Mutex
	seen []Request
}

// Requests returns a copy of every request seen so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.seen...)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	s.seen = append(s.seen, r)
	s.mu.Unlock()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

var (
	manifestPath  = regexp.MustCompile(`^/([A-Za-z0-9]+)\.m3u8$`)
	segmentPath   = regexp.MustCompile(`^/([A-Za-z0-9]+)/(seg[0-9]{1,4}\.ts)$`)
	thumbnailPath = regexp.MustCompile(`^/([A-Za-z0-9]+)/thumbnail\.jpg$`)
)

// Errors Verify returns, wrapped with detail.
var (
	ErrNoToken   = errors.New("no token")
	ErrSignature = errors.New("bad signature")
	ErrKeyID     = errors.New("unknown kid")
	ErrAudience  = errors.New("wrong aud")
	ErrSubject   = errors.New("wrong sub")
	ErrExpired   = errors.New("expired")
	ErrMalformed = errors.New("malformed token")
)

// Verify checks token as Mux would for the resource of playbackID that
// needs audience aud, and returns its claims.
func (s *Server) Verify(token, playbackID, aud string) (jwt.MapClaims, error) {
	if token == "" {
		return nil, ErrNoToken
	}
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		return s.Key, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(s.now), jwt.WithExpirationRequired())
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, ErrSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, ErrExpired
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	kid, _ := claims["kid"].(string)
	if h, ok := parsed.Header["kid"].(string); ok && kid == "" {
		kid = h
	}
	if kid != s.KeyID {
		return nil, ErrKeyID
	}
	if got, _ := claims["aud"].(string); got != aud {
		return nil, fmt.Errorf("%w: %q, want %q", ErrAudience, got, aud)
	}
	if got, _ := claims["sub"].(string); got != playbackID {
		return nil, ErrSubject
	}
	return claims, nil
}

// ServeHTTP answers the manifest, segment and thumbnail URLs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	rec := Request{Method: r.Method, Path: r.URL.Path, Token: r.URL.Query().Get("token"), Origin: r.Header.Get("Origin"), Time: s.now()}
	defer func() { s.record(rec) }()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		rec.Status = http.StatusMethodNotAllowed
		http.Error(w, "method not allowed", rec.Status)
		return
	}

	var file, ctype string
	switch p := r.URL.Path; {
	case manifestPath.MatchString(p):
		rec.PlaybackID, rec.Audience = manifestPath.FindStringSubmatch(p)[1], "v"
		file, ctype = PlaylistFile, "application/vnd.apple.mpegurl"
	case segmentPath.MatchString(p):
		m := segmentPath.FindStringSubmatch(p)
		rec.PlaybackID, rec.Audience = m[1], "v"
		file, ctype = m[2], "video/mp2t"
	case thumbnailPath.MatchString(p):
		rec.PlaybackID, rec.Audience = thumbnailPath.FindStringSubmatch(p)[1], "t"
		file, ctype = ThumbnailFile, "image/jpeg"
	default:
		rec.Status = http.StatusNotFound
		http.Error(w, "not found", rec.Status)
		return
	}

	if _, err := s.Verify(rec.Token, rec.PlaybackID, rec.Audience); err != nil {
		rec.Status, rec.Reason = http.StatusForbidden, err.Error()
		http.Error(w, "403 Forbidden: "+err.Error(), rec.Status)
		return
	}
	body, err := os.ReadFile(filepath.Join(s.Dir, file))
	if err != nil {
		rec.Status, rec.Reason = http.StatusNotFound, "no such file in the stream folder"
		http.Error(w, "not found", rec.Status)
		return
	}
	if file == PlaylistFile {
		body = RewritePlaylist(body, "/"+rec.PlaybackID+"/", rec.Token)
	}
	rec.Status = http.StatusOK
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// RewritePlaylist prefixes each URI line of an HLS playlist with base and
// appends ?token=token, the way Mux's playlists carry the token to segments.
func RewritePlaylist(playlist []byte, base, token string) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(playlist))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			line = base + line + "?token=" + token
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}
