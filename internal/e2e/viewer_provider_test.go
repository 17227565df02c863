//go:build e2e

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// viewerResource is the API the provider issues viewers' tokens for: their
// aud, and the function's MUX_VIEWER_AUDIENCE.
const viewerResource = "https://api.example.test"

// oidcProvider is one run of oidc/provider.mjs: panva's oidc-provider from
// the npm registry on a loopback port, with RS256 keys of its own.
type oidcProvider struct {
	p      *proc
	issuer string // the iss its tokens carry
	base   string // where it listens
	kid    string // its signing key's ID
}

// startProvider runs the provider on port, claiming issuer as its iss (an
// impostor may claim another's), and waits for its discovery document.
func startProvider(t *testing.T, name string, port int, issuer string) *oidcProvider {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("oidc", "provider.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(map[string]any{"port": port, "issuer": issuer, "resource": viewerResource})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p := start(t, name, filepath.Dir(script), env(map[string]string{"E2E_NODE_MODULES": need(t, "E2E_NODE_MODULES")}), "node", script, string(cfg))
	waitTCP(t, p, fmt.Sprintf("127.0.0.1:%d", port), 20*time.Second, port)
	op := &oidcProvider{p: p, issuer: issuer, base: base}
	// The ready line follows the listen callback; wait for it, bounded.
	deadline := time.Now().Add(10 * time.Second)
	ready := regexp.MustCompile(`(?m)^ready (\S+) kid=([0-9a-f]+)$`)
	for {
		if m := ready.FindStringSubmatch(p.log()); m != nil {
			if m[1] != issuer {
				t.Fatalf("%s says it is %s, want %s", name, m[1], issuer)
			}
			op.kid = m[2]
			break
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("%s did not say it was ready\n%s", name, tail(p.log(), 40))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return op
}

// served counts the discovery and JWKS requests the provider answered 200.
func (op *oidcProvider) served() (discovery, jwks int) {
	log := op.p.log()
	return strings.Count(log, "served GET /.well-known/openid-configuration 200\n"), strings.Count(log, "served GET /jwks 200\n")
}

// checkDiscovery checks the provider's OpenID discovery document and JWKS,
// the way the function will read them.
func (op *oidcProvider) checkDiscovery(t *testing.T) {
	t.Helper()
	resp, body := do(t, "GET", op.base+"/.well-known/openid-configuration", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %d %s", resp.StatusCode, body)
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal([]byte(body), &disc); err != nil {
		t.Fatalf("discovery document: %v: %s", err, body)
	}
	if disc.Issuer != op.issuer || disc.JWKSURI != op.issuer+"/jwks" {
		t.Fatalf("discovery: issuer %q jwks_uri %q, want %q and %q/jwks", disc.Issuer, disc.JWKSURI, op.issuer, op.issuer)
	}
	resp, body = do(t, "GET", disc.JWKSURI, nil)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &set) != nil {
		t.Fatalf("JWKS: %d %s", resp.StatusCode, body)
	}
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != op.kid || set.Keys[0]["kty"] != "RSA" || set.Keys[0]["d"] != nil {
		t.Fatalf("JWKS %s: want exactly the public RSA key %s", body, op.kid)
	}
}

// token gets a viewer's access token from the provider's token endpoint
// with the client_credentials grant for viewerResource. client is one of
// provider.mjs's clients: member, guest, brief.
func (op *oidcProvider) token(t *testing.T, client string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {viewerResource}}
	req, err := http.NewRequest("POST", op.base+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, client+"-secret")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("token endpoint: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var got struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &got) != nil || got.TokenType != "Bearer" {
		t.Fatalf("token endpoint for %s: %d %s", client, resp.StatusCode, raw)
	}
	// Read, not verified: what the provider put in it (the function
	// verifies it).
	claims := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(got.AccessToken, claims)
	if err != nil {
		t.Fatalf("the provider's token for %s is not a JWT: %v", client, err)
	}
	if tok.Method.Alg() != "RS256" || tok.Header["kid"] != op.kid || claims["iss"] != op.issuer || claims["aud"] != viewerResource || claims["client_id"] != client {
		t.Fatalf("the provider's token for %s: header %v claims %v", client, tok.Header, map[string]any(claims))
	}
	return got.AccessToken
}

// expiry returns a token's exp, read without verifying it.
func expiry(t *testing.T, tok string) time.Time {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		t.Fatalf("token without exp: %v", err)
	}
	return exp.Time
}

// tamperSignature changes one character in the middle of a token's
// signature.
func tamperSignature(tok string) string {
	i := strings.LastIndexByte(tok, '.') + (len(tok)-strings.LastIndexByte(tok, '.'))/2
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

// tamperClaims replaces a token's claims with edited ones (roles set to
// roles), keeping the header and the provider's signature.
func tamperClaims(t *testing.T, tok string, roles ...string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	claims["roles"] = roles
	edited, _ := json.Marshal(claims)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(edited) + "." + parts[2]
}

// viewerEnv is the function's viewer sign-in settings for a provider:
// discovery from its issuer, every playback ID for members only, the token
// also from the nf_jwt cookie, cookies allowed from origins.
func viewerEnv(issuer string, origins ...string) map[string]string {
	return map[string]string{
		"MUX_VIEWER_ISSUER":     issuer,
		"MUX_VIEWER_AUDIENCE":   viewerResource,
		"MUX_VIEWER_RULES":      "*:roles=member",
		"MUX_VIEWER_COOKIE":     "nf_jwt",
		"MUX_VIEWER_CLOCK_SKEW": "1s",
		"MUX_ALLOWED_ORIGINS":   strings.Join(origins, ","),
	}
}
