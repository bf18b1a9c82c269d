package bootstrap

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/xenc"
)

const nsTrust13 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"

// TestEntropyRoundTrip: the issuer entropy, encrypted for the requestor's certificate and
// carried in wst:Entropy through serialization, decrypts with the requestor's key.
func TestEntropyRoundTrip(t *testing.T) {
	p := fixturePKI(t)
	entropy := make([]byte, 32)
	rand.Read(entropy)
	ek, err := EncryptEntropy(entropy, p.initiator.Cert, "EK-1")
	if err != nil {
		t.Fatal(err)
	}
	rstr := etree.NewDocument()
	e := rstr.CreateElement("t:RequestSecurityTokenResponse")
	e.CreateAttr("xmlns:t", nsTrust13)
	e.CreateElement("t:Entropy").AddChild(ek)
	s, err := rstr.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "BinarySecret") {
		t.Fatal("entropy in the clear")
	}
	back := parse(t, s)
	got := find(back.Root(), xenc.NS, "EncryptedKey")
	if got == nil || got.Parent().Tag != "Entropy" || got.SelectAttrValue("Id", "") != "EK-1" {
		t.Fatalf("EncryptedKey not inside wst:Entropy:\n%s", s)
	}
	if alg := find(got, xenc.NS, "EncryptionMethod").SelectAttrValue("Algorithm", ""); alg != xenc.RSAOAEPMGF1P {
		t.Fatalf("algorithm %s", alg)
	}
	ki := find(got, wsse.NS, "KeyIdentifier")
	if ki == nil || ki.SelectAttrValue("ValueType", "") != wsse.ValueTypeThumbprintSHA1 || ki.Text() != xenc.ThumbprintSHA1(p.initiator.Cert) {
		t.Fatalf("KeyInfo does not name the initiator by thumbprint:\n%s", s)
	}
	plain, err := DecryptEntropy(got, p.initiator)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, entropy) {
		t.Fatal("entropy changed")
	}
}

func TestEntropyRejects(t *testing.T) {
	p := fixturePKI(t)
	entropy := []byte("0123456789abcdef0123456789abcdef")
	fresh := func() *etree.Element {
		ek, err := EncryptEntropy(entropy, p.responder.Cert, "")
		if err != nil {
			t.Fatal(err)
		}
		return ek
	}
	// Wrong recipient: the initiator cannot use what was encrypted for the responder, and
	// the error says whose thumbprint the key names.
	_, err := DecryptEntropy(fresh(), p.initiator)
	if !errors.Is(err, ErrEntropy) || !strings.Contains(err.Error(), xenc.ThumbprintSHA1(p.responder.Cert)) || !strings.Contains(err.Error(), "initiator") {
		t.Fatalf("wrong recipient: %v", err)
	}
	// Thumbprint rewritten to the initiator's: the RSA decryption itself fails.
	ek := fresh()
	find(ek, wsse.NS, "KeyIdentifier").SetText(xenc.ThumbprintSHA1(p.initiator.Cert))
	if _, err := DecryptEntropy(ek, p.initiator); !errors.Is(err, xenc.ErrDecrypt) {
		t.Fatalf("rewritten thumbprint: %v", err)
	}
	cases := map[string]func(ek *etree.Element){
		"no KeyInfo": func(ek *etree.Element) { ek.RemoveChild(find(ek, wsse.NSDS, "KeyInfo")) },
		"issuer serial instead of thumbprint": func(ek *etree.Element) {
			find(ek, wsse.NS, "KeyIdentifier").CreateAttr("ValueType", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier")
		},
		"thumbprint not base64": func(ek *etree.Element) { find(ek, wsse.NS, "KeyIdentifier").SetText("!!") },
		"rsa-1_5": func(ek *etree.Element) {
			find(ek, xenc.NS, "EncryptionMethod").CreateAttr("Algorithm", xenc.NS+"rsa-1_5")
		},
	}
	for name, mutate := range cases {
		ek := fresh()
		mutate(ek)
		if _, err := DecryptEntropy(ek, p.responder); !errors.Is(err, ErrEntropy) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := DecryptEntropy(etree.NewElement("x"), p.responder); !errors.Is(err, ErrEntropy) {
		t.Errorf("not an EncryptedKey: %v", err)
	}
	if _, err := EncryptEntropy(nil, p.responder.Cert, ""); !errors.Is(err, ErrEntropy) {
		t.Errorf("empty entropy: %v", err)
	}
	if _, err := EncryptEntropy(entropy, p.ca.Cert, ""); !errors.Is(err, ErrEntropy) {
		t.Errorf("CA certificate without keyEncipherment: %v", err)
	}
	if _, err := EncryptEntropy(entropy, nil, ""); !errors.Is(err, ErrEntropy) {
		t.Errorf("nil recipient: %v", err)
	}
}
