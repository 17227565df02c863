//go:build e2e

package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"debug/elf"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/bench/measure"
)

// The playback ID every test signs for: the one in Mux's documentation.
const playbackID = "qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w"

// The function's defaults, as the tests expect them.
const (
	defaultLife  = 7 * 24 * time.Hour
	defaultGrain = time.Hour
)

// need returns the value of an E2E_* variable run.sh sets, failing the test
// (never skipping it) when it is missing.
func need(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run these tests with make e2e (internal/e2e/run.sh), which installs the pinned tools and sets it", name)
	}
	return v
}

// repoRoot is the repository's top folder (tests run in internal/e2e).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from %s: %v", root, err)
	}
	return root
}

// testKey is a throwaway signing key made for one test run.
type testKey struct {
	ID   string
	Priv *rsa.PrivateKey
	// Env is the key as Mux's API returns it: base64 of a PKCS#1 PEM.
	Env string
}

func newKey(t *testing.T, id string) testKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	return testKey{ID: id, Priv: k, Env: base64.StdEncoding.EncodeToString(p)}
}

// randomKeyID returns a key ID shaped like Mux's.
func randomKeyID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "e2e" + hex.EncodeToString(b)
}

// secretPieces returns pieces of key material that must never appear in a
// response or a log: windows of the value as set, and of the PEM's body.
func secretPieces(k testKey) []string {
	pemText, _ := base64.StdEncoding.DecodeString(k.Env)
	var pieces []string
	add := func(s string) {
		const w = 24
		for i := 0; i+w <= len(s); i += w {
			pieces = append(pieces, s[i:i+w])
		}
	}
	add(k.Env)
	for _, line := range strings.Split(string(pemText), "\n") {
		if !strings.HasPrefix(line, "-----") {
			add(line)
		}
	}
	return pieces
}

// checkNoSecret fails if text holds any piece of secret.
func checkNoSecret(t *testing.T, where, text string, pieces []string) {
	t.Helper()
	for _, p := range pieces {
		if strings.Contains(text, p) {
			t.Errorf("%s holds key material", where)
			return
		}
	}
}

// env returns the test process's environment without any MUX_* variable,
// plus extra.
func env(extra map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MUX_") {
			continue
		}
		if _, ok := extra[name]; ok {
			continue
		}
		out = append(out, kv)
	}
	names := make([]string, 0, len(extra))
	for k := range extra {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		out = append(out, k+"="+extra[k])
	}
	return out
}

// freePorts returns n distinct ports in 18000-18999 that were free a moment
// ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	start := mrand.IntN(1000)
	var ports []int
	for i := 0; i < 1000 && len(ports) < n; i++ {
		p := 18000 + (start+i*7)%1000
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		ln.Close()
		ports = append(ports, p)
	}
	if len(ports) < n {
		t.Fatalf("found only %d free ports in 18000-18999", len(ports))
	}
	return ports
}

// proc is a process a test started, in its own process group, so that
// stopping it stops its children too.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
}

// start runs args in dir with env, logging to a file, and stops the whole
// process group when the test ends.
func start(t *testing.T, name, dir string, environ []string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, environ, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("last lines of the %s log:\n%s", name, tail(p.log(), 40))
		}
	})
	return p
}

// stop ends the process group: SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			t.Errorf("%s (pid %d) did not stop after SIGKILL", p.name, pgid)
		}
	}
	// Children that outlived their parent in the group get the same.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitHTTP polls url until it answers at all, the process exits, or
// timeout passes.
func waitHTTP(t *testing.T, p *proc, url string, timeout time.Duration) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		if p.exited() {
			t.Fatalf("%s exited before answering %s: %v\n%s", p.name, url, p.err, tail(p.log(), 40))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer %s within %s: %v\n%s", p.name, url, timeout, err, tail(p.log(), 40))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitTCP polls addr until it accepts a connection. If the process exits
// or the time runs out first, it says which of ports (the ones the process
// was to listen on) another program holds, and which.
func waitTCP(t *testing.T, p *proc, addr string, timeout time.Duration, ports ...int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if p.exited() || time.Now().After(deadline) {
			var held []string
			for _, port := range ports {
				if who := measure.PortHolder(port); who != "" && (p.exited() || !strings.HasPrefix(who, fmt.Sprintf("pid %d ", p.cmd.Process.Pid))) {
					held = append(held, fmt.Sprintf("port %d is held by %s", port, who))
				}
			}
			why := "did not listen on " + addr + " within " + timeout.String()
			if p.exited() {
				why = fmt.Sprintf("exited (%v) before listening on %s", p.err, addr)
			}
			if len(held) > 0 {
				why += "; " + strings.Join(held, "; ")
			}
			t.Fatalf("%s %s\n%s", p.name, why, tail(p.log(), 40))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runCmd runs a command to completion within timeout and returns its
// combined output.
func runCmd(t *testing.T, timeout time.Duration, dir string, environ []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir, cmd.Env = dir, environ
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", args[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s failed: %v\n%s", strings.Join(args, " "), err, tail(out.String(), 60))
		}
	case <-time.After(timeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("%s did not finish within %s\n%s", strings.Join(args, " "), timeout, tail(out.String(), 60))
	}
	return out.String()
}

// noRedirects returns an HTTP client that returns redirects instead of
// following them, as curl -I does.
func noRedirects() *http.Client {
	return &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends one request and returns the response with its body read.
func do(t *testing.T, method, url string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp, string(body)
}

// want describes a token the function should have made.
type want struct {
	key      testKey
	aud      string
	life     time.Duration // the token's life as asked
	grain    time.Duration // exp is rounded down to a multiple of it
	from, to time.Time     // when the request was sent and answered
	// params are the option claims expected besides kid, sub, aud and exp;
	// nil means none.
	params map[string]string
}

// verifyToken checks a token the way a user of the function would: the
// signature against the public half of the configured key, the JOSE
// header, every claim, and exp within the window the settings allow.
func verifyToken(t *testing.T, tok string, w want) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) {
		return &w.key.Priv.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithExpirationRequired(), jwt.WithAudience(w.aud), jwt.WithSubject(playbackID))
	if err != nil {
		t.Fatalf("token does not verify against the configured key: %v", err)
	}
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": w.key.ID}
	if fmt.Sprint(parsed.Header) != fmt.Sprint(header) {
		t.Errorf("JOSE header %v, want %v", parsed.Header, header)
	}
	exp, ok := claims["exp"].(float64)
	if !ok || exp != float64(int64(exp)) {
		t.Fatalf("exp %v is not whole seconds", claims["exp"])
	}
	latest := w.to.Add(w.life).Unix()
	earliest := w.from.Add(w.life - w.grain).Unix()
	if e := int64(exp); e > latest || e < earliest {
		t.Errorf("exp %d (%s) outside [%d, %d]: life %s, grain %s", e, time.Unix(e, 0).UTC(), earliest, latest, w.life, w.grain)
	}
	if g := int64(w.grain / time.Second); g > 0 && int64(exp)%g != 0 {
		t.Errorf("exp %d is not on the %s grid", int64(exp), w.grain)
	}
	wantClaims := map[string]any{"kid": w.key.ID, "sub": playbackID, "aud": w.aud, "exp": exp}
	for k, v := range w.params {
		wantClaims[k] = v
	}
	if fmt.Sprint(map[string]any(claims)) != fmt.Sprint(wantClaims) {
		t.Errorf("claims %v, want %v", map[string]any(claims), wantClaims)
	}
	return claims
}

// tokenFrom returns the token of a signed Mux URL with the given prefix.
func tokenFrom(t *testing.T, url, prefix string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(url, prefix+"?token=")
	if !ok || rest == "" || strings.ContainsAny(rest, "?&#") {
		t.Fatalf("URL %q is not %s?token=<JWT>", url, prefix)
	}
	return rest
}

// checkHeaders compares every header of a response, except those in skip,
// with want.
func checkHeaders(t *testing.T, got map[string]string, want map[string]string, skip ...string) {
	t.Helper()
	g := map[string]string{}
	for k, v := range got {
		g[http.CanonicalHeaderKey(k)] = v
	}
	for _, k := range skip {
		delete(g, http.CanonicalHeaderKey(k))
	}
	w := map[string]string{}
	for k, v := range want {
		w[http.CanonicalHeaderKey(k)] = v
	}
	if fmt.Sprint(g) != fmt.Sprint(w) {
		t.Errorf("headers\n got %v\nwant %v", g, w)
	}
}

// errorMessage decodes the function's JSON error body.
func errorMessage(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || len(e.Errors) != 1 {
		t.Fatalf("body %q is not {\"errors\":[{\"message\":...}]}", body)
	}
	return e.Errors[0].Message
}

// checkStaticELF checks that path is a static, stripped linux/amd64
// executable, as Netlify's build makes and AWS's provided.al2 runs.
func checkStaticELF(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s is not an ELF executable: %v", path, err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_X86_64 || f.Type != elf.ET_EXEC {
		t.Errorf("%s: class %v machine %v type %v, want a 64-bit x86-64 executable", path, f.Class, f.Machine, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s is dynamically linked (%v)", path, p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", path, libs)
	}
	if f.Section(".symtab") != nil || f.Section(".debug_info") != nil {
		t.Errorf("%s is not stripped: built without -ldflags \"-s -w\"", path)
	}
}

// procAttr puts a child in its own process group, so that killGroup ends
// its children too.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
