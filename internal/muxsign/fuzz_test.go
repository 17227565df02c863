package muxsign_test

// Fuzz targets for everything in muxsign that reads untrusted text: keys
// pasted into the environment, playback IDs and token types from the query
// string, token options and durations. Seeds live in testdata/fuzz/FuzzXxx;
// `make fuzz` (internal/fuzz/run.sh) runs each target in turn.

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/muxsign"
	"github.com/netlify-mux-signing/netlify-mux-signing/internal/testkeys"
)

// fuzzKeys are the keys the key-parsing seeds are made of: the committed
// fixtures under testdata/keys, so that every run starts from the same seeds.
type fuzzKeys struct {
	rsa2048      *rsa.PrivateKey
	pkcs1PEM     string // RSA 2048, PKCS#1
	pkcs8PEM     string // RSA 2048, PKCS#8
	smallPEM     string // RSA 1024
	ecPEM, edPEM string
	publicPEM    string
}

func loadFuzzKeys(tb testing.TB) fuzzKeys {
	tb.Helper()
	return fuzzKeys{
		rsa2048:   testkeys.RSA(tb, "rsa2048_pkcs1.pem"),
		pkcs1PEM:  testkeys.PEM(tb, "rsa2048_pkcs1.pem"),
		pkcs8PEM:  testkeys.PEM(tb, "rsa2048_pkcs8.pem"),
		smallPEM:  testkeys.PEM(tb, "rsa1024_pkcs1.pem"),
		ecPEM:     testkeys.PEM(tb, "ec_p256.pem"),
		edPEM:     testkeys.PEM(tb, "ed25519.pem"),
		publicPEM: testkeys.PEM(tb, "rsa2048_public.pem"),
	}
}

// keyErrorTexts is every fixed piece of text a key error is made of. A run
// of input bytes in an error message is fine only when it is part of these
// (the input happened to contain the same words); anything else is the
// input echoed back.
var keyErrorTexts = strings.Join([]string{
	muxsign.ErrKeyEmpty.Error(), muxsign.ErrKeyEncoding.Error(), muxsign.ErrKeyTruncated.Error(),
	muxsign.ErrKeyPublic.Error(), muxsign.ErrKeyEncrypted.Error(), muxsign.ErrKeyNotRSA.Error(),
	muxsign.ErrKeyMultiple.Error(), muxsign.ErrKeyCorrupt.Error(), muxsign.ErrKeyBase64Of.Error(),
	muxsign.ErrKeyTooSmall.Error(),
	`(PEM block "EC PRIVATE KEY")`, `(PEM block "DSA PRIVATE KEY")`, `(PEM block "OPENSSH PRIVATE KEY")`,
	"(it is an ECDSA key)", "(it is an Ed25519 key)", "(unexpected PEM block type)",
	// the labels keys.go names when it meets them
	`(unexpected PEM block "CERTIFICATE REQUEST")`, `(unexpected PEM block "NEW CERTIFICATE REQUEST")`,
	`(unexpected PEM block "X509 CRL")`, `(unexpected PEM block "PKCS7")`, `(unexpected PEM block "CMS")`,
	`(unexpected PEM block "DH PARAMETERS")`, `(unexpected PEM block "EC PARAMETERS")`,
	`(unexpected PEM block "PGP PRIVATE KEY BLOCK")`, `(unexpected PEM block "PGP PUBLIC KEY BLOCK")`,
	`(unexpected PEM block "SSH2 ENCRYPTED PRIVATE KEY")`, `(unexpected PEM block "PUTTY-USER-KEY-FILE-2")`,
	`(unexpected PEM block "TRUSTED CERTIFICATE")`,
	"RSA key of ", " bits, at least 2048 required",
}, "\x00")

// echoWindow is the longest run of input bytes an error message may repeat
// unless it is part of keyErrorTexts.
const echoWindow = 8

// echoed returns a run of at least echoWindow bytes of input that msg
// repeats and that is not part of the fixed error texts, or "".
func echoed(msg, input, fixed string) string {
	for i := 0; i+echoWindow <= len(msg); i++ {
		w := msg[i : i+echoWindow]
		if strings.Contains(input, w) && !strings.Contains(fixed, w) {
			return w
		}
	}
	return ""
}

func FuzzParsePrivateKey(f *testing.F) {
	k := loadFuzzKeys(f)
	b64 := base64.StdEncoding.EncodeToString
	for _, s := range []string{
		k.pkcs1PEM, k.pkcs8PEM, b64([]byte(k.pkcs1PEM)), b64([]byte(k.pkcs8PEM)),
		base64.RawURLEncoding.EncodeToString([]byte(k.pkcs1PEM)),
		b64(x509.MarshalPKCS1PrivateKey(k.rsa2048)),
		strings.ReplaceAll(k.pkcs1PEM, "\n", `\n`), `"` + k.pkcs1PEM + `"`,
		"  \n" + b64([]byte(k.pkcs1PEM)) + "\n\t",
		k.pkcs1PEM[:len(k.pkcs1PEM)/2], k.pkcs1PEM + k.pkcs8PEM,
		b64([]byte(b64([]byte(k.pkcs1PEM)))),
		k.smallPEM, k.ecPEM, k.edPEM, k.publicPEM,
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
		"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nMIIB\n-----END RSA PRIVATE KEY-----\n",
		"-----BEGIN SECRETSAUCE42-----\nMIIB\n-----END SECRETSAUCE42-----\n",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n",
		"", " ", "''", `""`, "\\n", "not a key", "MIIE", "=====", "-----BEGIN", "\x00\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := muxsign.ParsePrivateKey(s)
		if err != nil {
			if key != nil {
				t.Fatal("a key and an error")
			}
			msg := err.Error()
			if w := echoed(msg, s, keyErrorTexts); w != "" {
				t.Fatalf("error message repeats input %q: %q", w, msg)
			}
			if !utf8.ValidString(msg) || strings.ContainsAny(msg, "\r\n\x00") {
				t.Fatalf("error message is not one printable line: %q", msg)
			}
			return
		}
		if bits := key.N.BitLen(); bits < muxsign.MinKeyBits {
			t.Fatalf("accepted a %d-bit key", bits)
		}
		if err := key.Validate(); err != nil {
			t.Fatalf("accepted an invalid key: %v", err)
		}
	})
}

// wantValidID is the reference rule for playback IDs, written independently
// of the package's loop: what is left after trimming every letter and digit
// from both ends must be nothing.
func wantValidID(s string) bool {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	return s != "" && len(s) <= muxsign.MaxPlaybackIDLen && strings.Trim(s, alnum) == ""
}

func FuzzValidPlaybackID(f *testing.F) {
	for _, s := range []string{
		"qIJBqaJPkhNXiHbed8j2jyx02tQQWBI5fL6WkIQYL63w", "a", "", "abc\n", "abc\r\nLocation: x",
		"abc%0d%0a", "abc/../x", "a.b", "a b", "аbc", "１２３", "abc\x00", "\xff", strings.Repeat("a", 128),
		strings.Repeat("a", 129), "video", "thumbnail", "gif", "storyboard", "drm_license", "VIDEO", "video ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := muxsign.ValidPlaybackID(s), wantValidID(s); got != want {
			t.Fatalf("ValidPlaybackID(%q) = %v, want %v", s, got, want)
		}
		if got, want := muxsign.ValidKeyID(s), wantValidID(s); got != want {
			t.Fatalf("ValidKeyID(%q) = %v, want %v", s, got, want)
		}
		typ, err := muxsign.ParseType(s)
		if known := slices.Contains(muxsign.Types[:], muxsign.Type(s)); known != (err == nil) {
			t.Fatalf("ParseType(%q) error %v, known type %v", s, err, known)
		}
		if err == nil {
			if typ.Audience() == "" || typ != muxsign.Type(s) {
				t.Fatalf("ParseType(%q) = %q with audience %q", s, typ, typ.Audience())
			}
		} else if msg := err.Error(); !printableMessage(msg) || len(msg) > 200 {
			t.Fatalf("ParseType error is not short and printable: %q", msg)
		}
	})
}

// printableMessage reports whether msg is valid UTF-8 made only of printable
// runes (unicode.IsPrint: no controls, line breaks, format characters such
// as bidirectional overrides), as safetext.Printable makes quoted input.
func printableMessage(msg string) bool {
	return utf8.ValidString(msg) && !strings.ContainsFunc(msg, func(r rune) bool { return !unicode.IsPrint(r) })
}

// numericOptions are the options whose values are numbers, with the bounds
// Mux documents, per type.
var numericOptions = map[string]map[muxsign.Type][2]float64{
	"time":               {muxsign.Thumbnail: {0, 1e10}},
	"width":              {muxsign.Thumbnail: {1, 4096}, muxsign.GIF: {1, 640}},
	"height":             {muxsign.Thumbnail: {1, 4096}, muxsign.GIF: {1, 640}},
	"start":              {muxsign.GIF: {0, 1e10}},
	"end":                {muxsign.GIF: {0, 1e10}},
	"fps":                {muxsign.GIF: {1, 30}},
	"asset_start_time":   {muxsign.Video: {0, 1e10}},
	"asset_end_time":     {muxsign.Video: {0, 1e10}},
	"program_start_time": {muxsign.Video: {0, 1e10}},
	"program_end_time":   {muxsign.Video: {0, 1e10}},
}

// safeValue is what any accepted option value must look like: short, and
// nothing that could break out of a claim or a URL.
var safeValue = regexp.MustCompile(`^[A-Za-z0-9._-]{1,32}$`)

func FuzzCheckParams(f *testing.F) {
	for _, s := range []struct{ typ, n1, v1, n2, v2 string }{
		{"thumbnail", "width", "640", "time", "12.5"},
		{"thumbnail", "rotate", "90", "fit_mode", "smartcrop"},
		{"thumbnail", "width", "5000", "flip_v", "true"},
		{"gif", "start", "1", "end", "3.5"},
		{"gif", "start", "1", "end", "30"},
		{"gif", "fps", "31", "width", "641"},
		{"video", "max_resolution", "720p", "default_subtitles_lang", "en-US"},
		{"video", "asset_start_time", "10", "asset_end_time", "5"},
		{"video", "program_start_time", "1e3", "program_end_time", "NaN"},
		{"video", "sub", "x", "aud", "t"},
		{"storyboard", "width", "10", "kid", "x"},
		{"drm_license", "playback_restriction_id", "x", "custom", "{}"},
		{"thumbnail", "time", "-1", "time", "0x10"},
		{"thumbnail", "width", "+1", "height", " 1"},
		{"thumbnail", "width", "1\n", "height", "١"},
		{"bogus", "width", "1", "", ""},
	} {
		f.Add(s.typ, s.n1, s.v1, s.n2, s.v2)
	}
	f.Fuzz(func(t *testing.T, typ, n1, v1, n2, v2 string) {
		tp := muxsign.Type(typ)
		params := map[string]string{n1: v1, n2: v2}
		err := muxsign.CheckParams(tp, params)
		for name, value := range params {
			one := muxsign.CheckParam(tp, name, value)
			if one == nil && !slices.Contains(muxsign.ParamNames(tp), name) {
				t.Fatalf("CheckParam(%s, %q) accepted an option not listed for the type", tp, name)
			}
			if one != nil {
				if err == nil {
					t.Fatalf("CheckParams accepted %q=%q that CheckParam refuses: %v", name, value, one)
				}
				var pe *muxsign.ParamError
				if !errors.As(one, &pe) {
					t.Fatalf("CheckParam error is a %T, want *ParamError", one)
				}
				if msg := one.Error(); !printableMessage(msg) || len(msg) > 300 {
					t.Fatalf("CheckParam error is not short and printable: %q", msg)
				}
				continue
			}
			if !muxsign.IsParam(name) {
				t.Fatalf("CheckParam accepted %q, which IsParam denies", name)
			}
			if !safeValue.MatchString(value) {
				t.Fatalf("CheckParam(%s, %q) accepted the unsafe value %q", tp, name, value)
			}
			if bounds, ok := numericOptions[name][tp]; ok {
				x, perr := strconv.ParseFloat(value, 64)
				if perr != nil || x < bounds[0] || x > bounds[1] {
					t.Fatalf("CheckParam(%s, %s) accepted %q, outside %v", tp, name, value, bounds)
				}
			}
		}
		if err != nil {
			return
		}
		if tp.Audience() == "" {
			t.Fatalf("CheckParams accepted options for the unknown type %q", typ)
		}
		num := func(name string) (float64, bool) {
			v, ok := params[name]
			x, _ := strconv.ParseFloat(v, 64)
			return x, ok
		}
		if tp == muxsign.GIF {
			// Values have at most 3 decimals: compare whole milliseconds, as
			// float subtraction makes 0.35-0.1 less than 0.25.
			start, _ := num("start")
			if end, ok := num("end"); ok {
				if ms := math.Round(end*1000) - math.Round(start*1000); ms < 250 || ms > 10000 {
					t.Fatalf("accepted a GIF from %g to %g", start, end)
				}
			}
		}
		for _, pair := range [][2]string{{"asset_start_time", "asset_end_time"}, {"program_start_time", "program_end_time"}} {
			s, okS := num(pair[0])
			e, okE := num(pair[1])
			if okS && okE && e <= s {
				t.Fatalf("accepted %s=%g before %s=%g", pair[1], e, pair[0], s)
			}
		}
	})
}

// wantDuration is the reference parser for ParseDuration, in big integers so
// that it cannot overflow. ok is false when s is not a duration or is over
// the maximum.
func wantDuration(s string) (time.Duration, bool) {
	units := map[byte]int64{'w': 7 * 86400, 'd': 86400, 'h': 3600, 'm': 60, 's': 1}
	total := new(big.Int)
	if s == "" {
		return 0, false
	}
	if allDigits(s) {
		if len(s) > 12 {
			return 0, false
		}
		total.SetString(s, 10)
	} else {
		rest := s
		for rest != "" {
			i := 0
			for i < len(rest) && '0' <= rest[i] && rest[i] <= '9' {
				i++
			}
			if i == 0 || i > 9 || i == len(rest) || units[rest[i]] == 0 {
				return 0, false
			}
			n, _ := new(big.Int).SetString(rest[:i], 10)
			total.Add(total, n.Mul(n, big.NewInt(units[rest[i]])))
			rest = rest[i+1:]
		}
	}
	if total.Cmp(big.NewInt(int64(muxsign.MaxExpiration/time.Second))) > 0 {
		return 0, false
	}
	return time.Duration(total.Int64()) * time.Second, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{
		"3600", "0", "60", "90m", "12h", "7d", "1w", "1h30m", "3650d", "3651d", "521w", "522w",
		"315360000", "315360001", "9999999999", "999999999999", "999999999w", "1000000000s",
		"-1", "1.5h", "1e3", "1H", "1 h", "h", "", "07d", "1d1d1d", "0x10", "١٢", "1h\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := muxsign.ParseDuration(s)
		want, ok := wantDuration(s)
		if ok != (err == nil) {
			t.Fatalf("ParseDuration(%q) = %v, %v; want ok=%v (%v)", s, got, err, ok, want)
		}
		if err != nil {
			if msg := err.Error(); !printableMessage(msg) || len(msg) > 300 {
				t.Fatalf("error is not short and printable: %q", msg)
			}
			return
		}
		if got != want {
			t.Fatalf("ParseDuration(%q) = %v, want %v", s, got, want)
		}
		if got < 0 || got > muxsign.MaxExpiration || got%time.Second != 0 {
			t.Fatalf("ParseDuration(%q) = %v: out of range or not whole seconds", s, got)
		}
	})
}
