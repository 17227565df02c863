package viewer

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
)

// asymmetricAlgs are the algorithms accepted with a provider's public keys;
// HS256 is accepted only with the configured shared secret. Never "none".
func asymmetricAlgs() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
}

// validMethods is the parser's allowlist for a configuration.
func validMethods(c Config) []string {
	var m []string
	if c.usesJWKS() {
		m = asymmetricAlgs()
	}
	if len(c.HS256Secret) > 0 {
		m = append(m, "HS256")
	}
	return m
}

// algFits reports whether a public key may verify alg: RSA keys for RS*/PS*,
// each ECDSA curve for its one ES* algorithm, Ed25519 for EdDSA.
func algFits(alg string, key any) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return k.Curve == elliptic.P256()
		case "ES384":
			return k.Curve == elliptic.P384()
		case "ES512":
			return k.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// keyType names a public key's type for messages.
func keyType(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return "unsupported"
}
