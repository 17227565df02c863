package devserver_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/netlify-mux-signing/netlify-mux-signing/internal/devserver"
)

const dotenvPEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAqVis+w+C9CUSPuTtKhTZsNFAUKKhCnmRN8vSUTKUA4QVVgj4\nKCJmsIP84rTUvYHDsG4n2h+PaoOIYTavPTCJ65w+p5bZf7C+kl79x54qthnNB3Ud\n-----END RSA PRIVATE KEY-----"

func TestParseDotenv(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
	}{
		{"plain", "A=1\nB=two", map[string]string{"A": "1", "B": "two"}},
		{"blank lines and comments", "\n# a comment\n  # indented comment\nA=1\n\n", map[string]string{"A": "1"}},
		{"export", "export A=1\nexport  B=2", map[string]string{"A": "1", "B": "2"}},
		{"spaces around", "  A = 1  ", map[string]string{"A": "1"}},
		{"empty value", "A=\nB=''\nC=\"\"", map[string]string{"A": "", "B": "", "C": ""}},
		{"equals in value", "A=b=c", map[string]string{"A": "b=c"}},
		{"bare trailing comment", "A=1 # the first", map[string]string{"A": "1"}},
		{"hash without space is kept", "A=abc#def", map[string]string{"A": "abc#def"}},
		{"single quotes taken as is", `A='a\nb "c" # d'`, map[string]string{"A": `a\nb "c" # d`}},
		{"single quotes and a comment", `A='x' # note`, map[string]string{"A": "x"}},
		{"single quotes and a comment with a quote", `A='x' # it's`, map[string]string{"A": "x"}},
		{"double quotes unescape", `A="a\nb\tc\"d\\e"`, map[string]string{"A": "a\nb\tc\"d\\e"}},
		{"double quotes and a comment", `A="x y" # note` + "\nB=2", map[string]string{"A": "x y", "B": "2"}},
		{"double quotes keep a hash", `A="x # y"`, map[string]string{"A": "x # y"}},
		{"multi-line PEM in double quotes", "MUX_SIGNING_KEY=abc\nMUX_PRIVATE_KEY=\"" + dotenvPEM + "\"\nPORT=9999\n",
			map[string]string{"MUX_SIGNING_KEY": "abc", "MUX_PRIVATE_KEY": dotenvPEM, "PORT": "9999"}},
		{"PEM with literal \\n in double quotes", `MUX_PRIVATE_KEY="` + strings.ReplaceAll(dotenvPEM, "\n", `\n`) + `"`,
			map[string]string{"MUX_PRIVATE_KEY": dotenvPEM}},
		{"PEM with literal \\n bare stays literal", `MUX_PRIVATE_KEY=` + strings.ReplaceAll(dotenvPEM, "\n", `\n`),
			map[string]string{"MUX_PRIVATE_KEY": strings.ReplaceAll(dotenvPEM, "\n", `\n`)}},
		{"CRLF file", "A=1\r\nB=\"x\r\ny\"\r\nC=3\r\n", map[string]string{"A": "1", "B": "x\ny", "C": "3"}},
		{"last wins", "A=1\nA=2", map[string]string{"A": "2"}},
		{"BOM", "\uFEFFA=1", map[string]string{"A": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := devserver.ParseDotenv(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseDotenvErrors(t *testing.T) {
	const secret = "s3cr3tV4lue"
	tests := []struct {
		name, in, line string
	}{
		{"no equals", "A=1\n" + secret, "line 2"},
		{"bad name", "A=1\nB=2\n9X=" + secret, "line 3"},
		{"name with dash", "MY-KEY=" + secret, "line 1"},
		{"unclosed double quote", "A=1\nB=\"" + secret + "\nC=2", "line 2"},
		{"unclosed single quote", "A='" + secret, "line 1"},
		{"text after a closing quote", `A="` + secret + `" trailing`, "line 1"},
		{"text after a closing single quote", `A='` + secret + `' trailing`, "line 1"},
		{"text after a multi-line value", "A=\"x\n" + secret + "\" trailing", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := devserver.ParseDotenv(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("accepted: %q", env)
			}
			if !strings.Contains(err.Error(), tt.line) {
				t.Fatalf("error %q does not name %s", err, tt.line)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:5]) {
				t.Fatalf("error %q quotes the value", err)
			}
		})
	}
}
