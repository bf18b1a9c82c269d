package dsig

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
)

// Namespaces and algorithm identifiers (XML-DSig §6; RFC 4051 for the xmldsig-more URIs;
// CONSTANTS §8).
const (
	NS = "http://www.w3.org/2000/09/xmldsig#"

	ExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	ExcC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"

	HMACSHA1   = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
	HMACSHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
	RSASHA1    = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	RSASHA256  = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

	SHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
)

// Algorithms is an allow-list.
type Algorithms struct {
	SignatureMethods []string
	DigestMethods    []string
	C14NMethods      []string
}

// DefaultAlgorithms accepts what WS-SecureConversation peers use: HMAC-SHA1/256, RSA-SHA256,
// RSA-SHA1 (input only: Sign refuses it), SHA-1/256 digests, exclusive c14n.
var DefaultAlgorithms = Algorithms{
	SignatureMethods: []string{HMACSHA1, HMACSHA256, RSASHA256, RSASHA1},
	DigestMethods:    []string{SHA1, SHA256},
	C14NMethods:      []string{ExcC14N, ExcC14NWithComments},
}

func allowed(list []string, alg string) bool {
	for _, a := range list {
		if a == alg {
			return true
		}
	}
	return false
}

// knownDigest reports whether alg is a digest method this package implements.
func knownDigest(alg string) bool { return alg == SHA1 || alg == SHA256 }

// digests reuses one hash per algorithm across the references of one signature.
type digests struct{ sha1, sha256 hash.Hash }

func (d *digests) get(alg string) (hash.Hash, bool) {
	var h *hash.Hash
	switch alg {
	case SHA1:
		h = &d.sha1
	case SHA256:
		h = &d.sha256
	default:
		return nil, false
	}
	if *h == nil {
		*h, _ = newDigest(alg)
	} else {
		(*h).Reset()
	}
	return *h, true
}

func newDigest(alg string) (hash.Hash, bool) {
	switch alg {
	case SHA1:
		return sha1.New(), true
	case SHA256:
		return sha256.New(), true
	}
	return nil, false
}

// signatureHash returns the hash behind a signature method and whether it is an HMAC.
func signatureHash(alg string) (func() hash.Hash, crypto.Hash, bool, bool) {
	switch alg {
	case HMACSHA1:
		return sha1.New, crypto.SHA1, true, true
	case HMACSHA256:
		return sha256.New, crypto.SHA256, true, true
	case RSASHA1:
		return sha1.New, crypto.SHA1, false, true
	case RSASHA256:
		return sha256.New, crypto.SHA256, false, true
	}
	return nil, 0, false, false
}
