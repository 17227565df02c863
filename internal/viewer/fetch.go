package viewer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/safetext"
)

const (
	maxDocBytes  = 1 << 20 // discovery document or JWKS
	maxKeys      = 64      // usable keys kept from one JWKS
	maxRedirects = 3
)

// discoveryURL is where OpenID Connect Discovery 1.0 (section 4) puts the
// provider's configuration for an issuer.
func discoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// discover fetches the discovery document and returns its jwks_uri, after
// checking that the document speaks for the configured issuer.
func discover(ctx context.Context, client *http.Client, issuer string) (string, error) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if _, err := getJSON(ctx, client, discoveryURL(issuer), &doc); err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("discovery: the document's issuer %q is not the configured %q (check MUX_VIEWER_ISSUER, including any trailing slash)", clip(doc.Issuer), issuer)
	}
	if doc.JWKSURI == "" {
		return "", errors.New("discovery: the document has no jwks_uri")
	}
	if u, err := url.Parse(doc.JWKSURI); err != nil || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("discovery: jwks_uri %q is not an absolute URL", clip(doc.JWKSURI))
	} else if text := schemeProblem(u); text != "" {
		return "", fmt.Errorf("discovery: jwks_uri %s", text)
	}
	return doc.JWKSURI, nil
}

// fetchJWKS fetches a JWK Set and keeps the keys usable for signatures.
func fetchJWKS(ctx context.Context, client *http.Client, url string) ([]keyEntry, time.Duration, error) {
	var set jwkset.JWKSMarshal
	h, err := getJSON(ctx, client, url, &set)
	if err != nil {
		return nil, 0, fmt.Errorf("keys: %w", err)
	}
	var keys []keyEntry
	for _, m := range set.Keys {
		if len(keys) == maxKeys {
			break
		}
		if e, ok := usableKey(m); ok {
			keys = append(keys, e)
		}
	}
	if len(keys) == 0 {
		return nil, 0, fmt.Errorf("keys: %s holds no usable signing key (%d keys; RSA, EC P-256/384/521 and Ed25519 public keys are used)", url, len(set.Keys))
	}
	return keys, maxAge(h.Get("Cache-Control")), nil
}

// usableKey converts one JWK with jwkset. Symmetric ("oct") keys are never
// taken from a JWKS; a key whose alg does not fit its type is dropped.
func usableKey(m jwkset.JWKMarshal) (keyEntry, bool) {
	if m.USE != "" && m.USE != jwkset.UseSig {
		return keyEntry{}, false
	}
	switch m.KTY {
	case jwkset.KtyRSA, jwkset.KtyEC, jwkset.KtyOKP:
	default:
		return keyEntry{}, false
	}
	m.D, m.P, m.Q, m.DP, m.DQ, m.QI, m.OTH, m.K = "", "", "", "", "", "", nil, ""
	j, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	if err != nil {
		return keyEntry{}, false
	}
	key := j.Key()
	alg := string(m.ALG)
	if alg != "" {
		if !algFits(alg, key) {
			return keyEntry{}, false
		}
	} else if keyType(key) == "unsupported" {
		return keyEntry{}, false
	}
	return keyEntry{kid: m.KID, alg: alg, key: key}, true
}

// getJSON GETs url and decodes one JSON value of at most maxDocBytes.
func getJSON(ctx context.Context, client *http.Client, url string, v any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading: %w", url, err)
	}
	if len(body) > maxDocBytes {
		return nil, fmt.Errorf("GET %s: larger than %d bytes", url, maxDocBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("GET %s: not JSON: %w", url, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("GET %s: data after the JSON value", url)
	}
	return resp.Header, nil
}

// maxAge reads max-age from a Cache-Control value; 0 when absent or when the
// response must not be reused (no-store, no-cache).
func maxAge(cc string) time.Duration {
	for part := range strings.SplitSeq(cc, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(k) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
				return time.Duration(min(n, 7*24*3600)) * time.Second
			}
		}
	}
	return 0
}

// httpClient copies the given client (or makes one) with a timeout and a
// redirect policy that keeps to https (http only on loopback).
func httpClient(c *http.Client, timeout time.Duration) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	if cp.Timeout == 0 || cp.Timeout > timeout {
		cp.Timeout = timeout
	}
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("too many redirects")
		}
		if text := schemeProblem(req.URL); text != "" {
			return fmt.Errorf("redirect target %s", text)
		}
		return nil
	}
	return &cp
}

// clip shortens a value from a remote document or a token for a message,
// and makes it printable.
func clip(s string) string { return safetext.Printable(s, 120) }
