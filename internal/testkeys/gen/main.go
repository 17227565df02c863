// Command gen writes testdata/keys/rsa2048_set.der.b64: throwaway RSA-2048
// keys, one a line, each the standard base64 of its PKCS#1 DER. It is run
// once by hand and its output committed, so that tests read fixed keys
// instead of generating their own:
//
//	go run ./internal/testkeys/gen -n 300 -o testdata/keys/rsa2048_set.der.b64
//
// The set is meant to catch parsers that treat binary as text. A DER key
// that starts or ends with a whitespace byte, or holds the bytes `\n` or
// `\r` (0x5c 0x6e, 0x5c 0x72), is changed by text clean-up (trimming,
// unescaping line breaks); about one key in sixteen is. So the generator
// keeps every key such clean-up would change, in its PKCS#1 or PKCS#8 DER,
// and fills the rest of the set with keys it would not, until at least
// -textlike of the keys are of the first kind.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
)

func main() {
	n := flag.Int("n", 300, "how many keys")
	textlike := flag.Int("textlike", 60, "how many of them at least text clean-up must change")
	out := flag.String("o", "testdata/keys/rsa2048_set.der.b64", "output file")
	flag.Parse()
	if *textlike > *n {
		log.Fatal("-textlike must not exceed -n")
	}

	var changed, unchanged [][]byte
	for tries := 0; len(changed)+len(unchanged) < *n || len(changed) < *textlike; tries++ {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			log.Fatal(err)
		}
		p1 := x509.MarshalPKCS1PrivateKey(k)
		p8, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			log.Fatal(err)
		}
		switch {
		case cleanupChanges(p1) || cleanupChanges(p8):
			changed = append(changed, p1)
		case len(unchanged) < *n-*textlike:
			unchanged = append(unchanged, p1)
		}
		if tries%50 == 0 {
			fmt.Fprintf(os.Stderr, "%d tried, %d changed by clean-up, %d not\n", tries+1, len(changed), len(unchanged))
		}
	}
	keys := append(changed, unchanged...)[:*n]

	var b bytes.Buffer
	for _, der := range keys {
		b.WriteString(base64.StdEncoding.EncodeToString(der))
		b.WriteByte('\n')
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %d keys to %s (%d changed by text clean-up)\n", len(keys), *out, min(len(changed), *n))
}

// cleanupChanges reports whether the text clean-up muxsign once ran on
// decoded keys (strings.TrimSpace, then `\r\n`, `\n` and `\r` escapes
// replaced) would change der.
func cleanupChanges(der []byte) bool {
	s := strings.TrimSpace(string(der))
	s = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\r`, "").Replace(s)
	return s != string(der)
}
