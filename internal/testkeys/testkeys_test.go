package testkeys_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

func TestDirFromAnyWorkingDirectory(t *testing.T) {
	want := testkeys.Dir(t)
	if _, err := os.Stat(filepath.Join(want, "README.md")); err != nil {
		t.Fatalf("Dir = %s: %v", want, err)
	}
	t.Chdir(filepath.Join(want, "..", "..", "internal"))
	if got := testkeys.Dir(t); got != want {
		t.Errorf("from internal/: Dir = %s, want %s", got, want)
	}
	t.Chdir(os.TempDir()) // no go.mod above: found beside the source file
	if got := testkeys.Dir(t); got != want {
		t.Errorf("from %s: Dir = %s, want %s", os.TempDir(), got, want)
	}
}

func TestKeysMatch(t *testing.T) {
	k1 := testkeys.RSA(t, "rsa2048_pkcs1.pem")
	k8 := testkeys.RSA(t, "rsa2048_pkcs8.pem")
	if !k1.Equal(k8) {
		t.Error("rsa2048_pkcs1.pem and rsa2048_pkcs8.pem hold different keys")
	}
	for _, name := range []string{"rsa2048_public.pem", "rsa2048_public_pkcs1.pem"} {
		if !testkeys.Public(t, name).Equal(&k1.PublicKey) {
			t.Errorf("%s is not the public half of rsa2048_pkcs1.pem", name)
		}
	}
}

func TestSet(t *testing.T) {
	keys := testkeys.Set(t)
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		if k.N.BitLen() != 2048 {
			t.Errorf("key %d: %d bits", i, k.N.BitLen())
		}
		if seen[k.N.String()] {
			t.Errorf("key %d repeats an earlier key", i)
		}
		seen[k.N.String()] = true
	}
}
