package trust

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec/bootstrap"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// The optional X.509 path (FLOW M1/M2 without TLS): key material travels as an
// xenc:EncryptedKey (RSA-OAEP) for the recipient's certificate, inside wst:Entropy
// (WS-Trust 1.3 §3.3) or as the proof token (§4.4.3, SC-ISS-011). package bootstrap writes and
// reads the element; these helpers carry it in and out of the typed wire values.

const xencNS = "http://www.w3.org/2001/04/xmlenc#"

// encryptFor encrypts secret for cert and returns it as a typed EncryptedKey.
func encryptFor(tv wst.Version, secret []byte, cert *x509.Certificate) (*wsse.EncryptedKey, error) {
	el, err := bootstrap.EncryptEntropy(secret, cert, "")
	if err != nil {
		return nil, err
	}
	// Read the element back through the codec: place it where the typed reader expects an
	// EncryptedKey (a proof token) in a throw-away envelope.
	doc := etree.NewDocument()
	env := doc.CreateElement("s:Envelope")
	env.CreateAttr("xmlns:s", soap.NS12)
	rstr := env.CreateElement("s:Body").CreateElement("wst:RequestSecurityTokenResponse")
	rstr.CreateAttr("xmlns:wst", tv.Namespace())
	rstr.CreateElement("wst:RequestedProofToken").AddChild(el)
	m, err := codec.Wrap(doc)
	if err != nil {
		return nil, err
	}
	r, ok := m.Payload.(*wst.RequestSecurityTokenResponse)
	if !ok || r.RequestedProofToken == nil || r.RequestedProofToken.EncryptedKey == nil {
		return nil, errors.New("trust: encrypted key could not be read back")
	}
	return r.RequestedProofToken.EncryptedKey, nil
}

// encryptedKeyUnder finds the xenc:EncryptedKey that is a child of the first wst element
// named parent below root (wst:Entropy or wst:RequestedProofToken) in the raw tree.
func encryptedKeyUnder(root *etree.Element, tv wst.Version, parent string) *etree.Element {
	if root == nil {
		return nil
	}
	stack := []*etree.Element{root}
	for len(stack) > 0 {
		el := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if el.Tag == parent && el.NamespaceURI() == tv.Namespace() {
			for c := range el.ChildElementsSeq() {
				if c.Tag == "EncryptedKey" && c.NamespaceURI() == xencNS {
					return c
				}
			}
			return nil
		}
		stack = append(stack, el.ChildElements()...)
	}
	return nil
}

// decryptEntropy recovers the requestor's encrypted entropy of an RST with the issuer's
// identity.
func decryptEntropy(m *codec.Message, id *pki.Identity) ([]byte, error) {
	rst, _ := m.Payload.(*wst.RequestSecurityToken)
	if rst == nil {
		return nil, errors.New("trust: no RST")
	}
	ek := encryptedKeyUnder(m.BodyElem, rst.V, "Entropy")
	if ek == nil {
		return nil, errors.New("trust: the encrypted entropy element is missing")
	}
	b, err := bootstrap.DecryptEntropy(ek, id)
	if err != nil {
		return nil, fmt.Errorf("trust: requestor entropy: %w", err)
	}
	return b, nil
}
