// Package testkeys loads the throwaway keys under <repo>/testdata/keys for
// tests, from any package directory. Only tests import it: the keys are
// public and sign nothing real.
//
// Every function takes the test and fails it (t.Fatal) when a file is missing
// or does not hold what it should, so callers need no error handling.
package testkeys

import (
	"bufio"
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// module is the module path whose go.mod marks the repository root.
const module = "github.com/netlify-mux-signing/netlify-mux-signing"

// SetFile is the file of the key set: RSA-2048 keys, one a line, each the
// standard base64 of its PKCS#1 DER (see internal/testkeys/gen).
const SetFile = "rsa2048_set.der.b64"

// SetSize is how many keys SetFile holds.
const SetSize = 300

// Dir returns the absolute path of <repo>/testdata/keys.
func Dir(t testing.TB) string {
	t.Helper()
	return filepath.Join(Root(t), "testdata", "keys")
}

// Root returns the absolute path of the repository. It looks up from the
// working directory for the repository's go.mod, then beside this source
// file, so it works from any package directory and in any test binary run
// from its package directory.
func Root(t testing.TB) string {
	t.Helper()
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if isRoot(dir) {
				return dir
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		if root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..")); isRoot(root) {
			return root
		}
	}
	t.Fatalf("testkeys: no %s go.mod above the working directory or this package", module)
	return ""
}

// isRoot reports whether dir holds the go.mod of this module.
func isRoot(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(bytes.TrimSpace(line)) == "module "+module
}

// VectorsFile is the conformance file: tokens made by Mux's Node SDK with a
// throwaway key, the key itself (PKCS#1 PEM, and its public half) and the
// clock they were made at, relative to the repository.
const VectorsFile = "testdata/mux-node-sdk-vectors.json"

// Vectors returns the content of VectorsFile.
func Vectors(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Root(t), filepath.FromSlash(VectorsFile)))
	if err != nil {
		t.Fatalf("testkeys: %v", err)
	}
	return b
}

// Path returns the absolute path of testdata/keys/name.
func Path(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(Dir(t), name)
}

// PEM returns the text of testdata/keys/name, as it is in the file (the name
// says PEM because most of them are; it reads any file there).
func PEM(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(Path(t, name))
	if err != nil {
		t.Fatalf("testkeys: %v", err)
	}
	return string(b)
}

// block returns the only PEM block of testdata/keys/name.
func block(t testing.TB, name string) *pem.Block {
	t.Helper()
	b, rest := pem.Decode([]byte(PEM(t, name)))
	if b == nil || len(bytes.TrimSpace(rest)) > 0 {
		t.Fatalf("testkeys: %s does not hold exactly one PEM block", name)
	}
	return b
}

// RSA returns the RSA private key in testdata/keys/name, a PKCS#1 or PKCS#8
// PEM, parsed with crypto/x509 alone (not with the code under test).
func RSA(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	b := block(t, name)
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		must(t, name, err)
		return k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		must(t, name, err)
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk
		}
		t.Fatalf("testkeys: %s holds a %T, not an RSA key", name, k)
	}
	t.Fatalf("testkeys: %s holds a %s, not an RSA private key", name, b.Type)
	return nil
}

// must fails the test when err, met reading name, is not nil.
func must(t testing.TB, name string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("testkeys: %s: %v", name, err)
	}
}

// Public returns the RSA public key in testdata/keys/name, an SPKI
// ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY") PEM.
func Public(t testing.TB, name string) *rsa.PublicKey {
	t.Helper()
	b := block(t, name)
	switch b.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		must(t, name, err)
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk
		}
		t.Fatalf("testkeys: %s holds a %T, not an RSA key", name, k)
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(b.Bytes)
		must(t, name, err)
		return k
	}
	t.Fatalf("testkeys: %s holds a %s, not an RSA public key", name, b.Type)
	return nil
}

// SetDER returns the PKCS#1 DER of every key in SetFile, in file order.
func SetDER(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open(Path(t, SetFile))
	if err != nil {
		t.Fatalf("testkeys: %v", err)
	}
	defer f.Close()
	var ders [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<16)
	for sc.Scan() {
		der, err := base64.StdEncoding.DecodeString(sc.Text())
		if err != nil {
			t.Fatalf("testkeys: %s line %d: %v", SetFile, len(ders)+1, err)
		}
		ders = append(ders, der)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("testkeys: %s: %v", SetFile, err)
	}
	if len(ders) != SetSize {
		t.Fatalf("testkeys: %s holds %d keys, want %d", SetFile, len(ders), SetSize)
	}
	return ders
}

// Set returns every key in SetFile, parsed with crypto/x509.
func Set(t testing.TB) []*rsa.PrivateKey {
	t.Helper()
	ders := SetDER(t)
	keys := make([]*rsa.PrivateKey, len(ders))
	for i, der := range ders {
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			t.Fatalf("testkeys: %s line %d: %v", SetFile, i+1, err)
		}
		keys[i] = k
	}
	return keys
}
