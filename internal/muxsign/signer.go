package muxsign

import (
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// ValidKeyID reports whether id looks like a Mux signing key ID: 1 to 128
// ASCII letters and digits.
func ValidKeyID(id string) bool { return alphanumeric(id, 128) }

// Signer signs tokens with one Mux URL signing key. It is safe for
// concurrent use.
type Signer struct {
	keyID string
	key   *rsa.PrivateKey
}

// NewSigner returns a Signer for the key with the given ID, as Mux shows it
// next to the key.
func NewSigner(keyID string, key *rsa.PrivateKey) (*Signer, error) {
	if !ValidKeyID(keyID) {
		return nil, errors.New("key ID must be 1 to 128 ASCII letters and digits")
	}
	if key == nil {
		return nil, errors.New("no private key")
	}
	return &Signer{keyID: keyID, key: key}, nil
}

// KeyID returns the ID of the signing key.
func (s *Signer) KeyID() string { return s.keyID }

// PublicKey returns the public half of the signing key.
func (s *Signer) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// Sign returns the RS256 JWT for c. The JOSE header is
// {"alg":"RS256","kid":...,"typ":"JWT"} and kid is repeated in the claims, as
// the 2019 and current Mux SDKs respectively expect; neither iat nor nbf is
// set. Numeric options are signed in canonical form (see CanonicalParam).
// Signing is deterministic: the same claims give the same token, and so do
// two spellings of the same number.
func (s *Signer) Sign(c Claims) (string, error) {
	c, err := c.canonical()
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c.jwtClaims(s.keyID))
	t.Header["kid"] = s.keyID
	tok, err := t.SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("signing token: %w", err)
	}
	return tok, nil
}
