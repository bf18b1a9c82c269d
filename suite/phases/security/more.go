package security

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

// impliedDK is a Protection.Mutate that turns a message signed with the SCT key itself into
// one signed with an implied derived key (WS-SC 1.3 §7.3): the signature's KeyInfo STR gets
// wsc:Nonce and wsc:Length, and, unless keepKey, the signature is made again with
// P_SHA1(secret, default label + nonce) of that length.
func impliedDK(v wsc.Version, secret []byte, keepKey bool) func(*etree.Document) error {
	return func(doc *etree.Document) error {
		sig := seckit.Find(doc.Root(), "Signature")
		str := seckit.Find(seckit.Find(sig, "KeyInfo"), "SecurityTokenReference")
		if str == nil {
			return errors.New("no KeyInfo/SecurityTokenReference in the signature")
		}
		nonce := make([]byte, wsc.DefaultNonceLength)
		if _, err := rand.Read(nonce); err != nil {
			return err
		}
		str.CreateAttr("xmlns:wsc", v.Namespace())
		str.CreateAttr("wsc:Nonce", base64.StdEncoding.EncodeToString(nonce))
		str.CreateAttr("wsc:Length", strconv.Itoa(wsc.DefaultLength))
		if keepKey {
			return nil
		}
		key, err := psha1.DeriveKey(secret, wsc.DefaultLabel, nonce, 0, wsc.DefaultLength)
		if err != nil {
			return err
		}
		return seckit.Resign(doc, key)
	}
}

// signatureValues are the ds:SignatureValue texts of m's Security header.
func signatureValues(m *codec.Message) []string {
	var out []string
	for _, el := range seckit.SecurityItems(m) {
		if el.Tag == "Signature" {
			if sv := seckit.Find(el, "SignatureValue"); sv != nil {
				out = append(out, strings.Join(strings.Fields(sv.Text()), ""))
			}
		}
	}
	return out
}

// confirmations are the Value attributes of m's wsse11:SignatureConfirmation elements.
func confirmations(m *codec.Message) []string {
	var out []string
	for _, el := range seckit.SecurityItems(m) {
		if el.Tag == "SignatureConfirmation" {
			out = append(out, strings.Join(strings.Fields(el.SelectAttrValue("Value", "")), ""))
		}
	}
	return out
}

// dktOf is the wsc:DerivedKeyToken an STR inside el references by "#id" (nil when none).
func dktOf(m *codec.Message, el *etree.Element) *etree.Element {
	ref := seckit.Find(seckit.Find(el, "KeyInfo"), "Reference")
	if ref == nil {
		return nil
	}
	id, ok := strings.CutPrefix(ref.SelectAttrValue("URI", ""), "#")
	if !ok {
		return nil
	}
	if d := seckit.ByID(m, id); d != nil && d.Tag == "DerivedKeyToken" {
		return d
	}
	return nil
}

// encryptionKeys checks the keys of an encrypted message (WSS-005): each EncryptedData is
// keyed by a DerivedKeyToken other than the signature's, with another nonce, derived from the
// same SCT. It returns what is wrong ("" when nothing is).
func encryptionKeys(m *codec.Message) string {
	sig := seckit.Find(seckit.SecurityHeaders(m)[0], "Signature")
	sigDK := dktOf(m, sig)
	if sigDK == nil {
		return "the signature is not keyed by a DerivedKeyToken"
	}
	var bad []string
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		if el.Tag == "EncryptedData" {
			encDK := dktOf(m, el)
			switch {
			case encDK == nil:
				bad = append(bad, "an EncryptedData not keyed by a DerivedKeyToken")
			case encDK == sigDK:
				bad = append(bad, "the EncryptedData keyed by the signature's DerivedKeyToken")
			case strings.TrimSpace(childText(encDK, "Nonce")) == strings.TrimSpace(childText(sigDK, "Nonce")):
				bad = append(bad, "the encryption DerivedKeyToken has the signature's nonce")
			case refURI(encDK) != refURI(sigDK):
				bad = append(bad, "the encryption key derived from "+refURI(encDK)+", the signing key from "+refURI(sigDK))
			}
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	walk(m.Envelope)
	return strings.Join(bad, "; ")
}

func refURI(dkt *etree.Element) string {
	if r := seckit.Find(dkt, "Reference"); r != nil {
		return r.SelectAttrValue("URI", "")
	}
	return ""
}

// encrypted reports whether m carries an xenc:EncryptedData.
func encrypted(m *codec.Message) bool {
	return m != nil && seckit.Find(m.Envelope, "EncryptedData") != nil
}

var _ = Describe("security: optional protections (implied keys, encryption, signature confirmation)", func() {
	// SC-DKT-007 (MAY, 1.3): an STR with wsc:Nonce/wsc:Length means a key derived from the SCT
	// with the default label. A SUT may refuse the form; one that accepts it must really use
	// the implied key: the same form signed with the SCT key itself is then refused.
	Assert("SC-DKT-007", Responder, func(ctx SpecContext, s *Spec) {
		p := open(ctx, s)
		pol := p.c.Policy
		pol.DerivedKeys = false
		r := p.send(ctx, 2, &Protection{Token: &p.tok, Policy: &pol, Mutate: impliedDK(p.v, p.tok.Secret, false)})
		if ok, _ := BeAccepted().Match(r); !ok {
			s.Observe("the implied-derived-key form is not accepted (optional): %s", r)
			return
		}
		s.Observe("message 2, signed with an implied derived key, accepted")
		r = p.send(ctx, 3, &Protection{Token: &p.tok, Policy: &pol, Mutate: impliedDK(p.v, p.tok.Secret, true)})
		p.refused(r, "a message whose STR claims an implied derived key but is signed with the SCT key itself")
	})

	// WSS-005 (MAY): encryption uses a second derived key (another nonce) from the same SCT.
	// The suite sends an encrypted message that way; a SUT that accepts it must have decrypted
	// it (the delivered payload is the plaintext); whatever the SUT encrypts itself is keyed so.
	Assert("WSS-005", Responder, func(ctx SpecContext, s *Spec) {
		resp := s.Responder()
		c := s.Client(resp)
		seq, err := c.Open(ctx)
		s.Precondition(err == nil, "a sequence scoped to the SCT could not be created (judged by the establish phase): %v", err)
		pol := c.Policy
		pol.EncryptBody = true
		payload := []byte("rspcheck WSS-005 encrypted payload")
		r, err := c.Message(ctx, seq, Msg{Payload: payload, AckRequested: true, Protect: &Protection{Token: &seq.Token, Policy: &pol}})
		Expect(err).NotTo(HaveOccurred())
		req := s.Wire.Messages(func(m *Message) bool { return m.Dir == ToSUT })
		Expect(encryptionKeys(req[len(req)-1].Msg)).To(BeEmpty(), "the suite's own encrypted message is keyed as WSS-005 says")
		verdict := "accepted"
		if ok, _ := BeAccepted().Match(r); !ok {
			verdict = "not accepted (encryption is optional): " + r.String()
		} else if s.Config().SUT.Has(CapObservable) && resp.Embedded != nil {
			want := trace.PayloadDigest(payload)
			var got []string
			for _, d := range resp.Delivered() {
				got = append(got, d.SHA256)
			}
			Expect(got).To(ContainElement(want), "expected: the decrypted payload delivered (sha256 %s)\nactual:   %v", want, got)
		}
		n := 0
		for _, m := range s.Wire.FromSUT() {
			if !encrypted(m.Msg) {
				continue
			}
			n++
			Expect(encryptionKeys(m.Msg)).To(BeEmpty(), "expected: message %d encrypted with a second DerivedKeyToken of the same SCT\nactual:   see above", m.N)
			_, _, err := seckit.Verify(m, c.Profile.SC(), wssec.PartNone, []token.Token{seq.Token})
			Expect(err).NotTo(HaveOccurred(), "message %d decrypts and verifies with keys derived from the SCT", m.N)
		}
		s.Observe("the encrypted message (a second DerivedKeyToken) was %s; %d encrypted messages from the SUT", verdict, n)
	})

	// WSS-006: when its policy requires it, the SUT echoes a wsse11:SignatureConfirmation of
	// every signature of the request in its response (the reference peers' policy does not:
	// capability "signature-confirmation").
	Assert("WSS-006", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapSignatureConfirmation)
		p := open(ctx, s)
		reqs := s.Wire.Messages(func(m *Message) bool { return m.Dir == ToSUT && m.Msg != nil })
		for i, r := range p.ok {
			checkConfirmed(reqs, r, i, p.tok)
		}
	})
})

// checkConfirmed expects r, the answer to a signed request, to confirm the request's
// signatures.
func checkConfirmed(reqs []*Message, r *Response, i int, tok token.Token) {
	Expect(r.Message).NotTo(BeNil(), "answer %d has a body", i+1)
	var req *Message
	for _, m := range reqs {
		if m.N < r.N && m.Msg.HasAddressing && r.Msg.HasAddressing && len(r.Msg.Addressing.RelatesTo) > 0 &&
			m.Msg.Addressing.MessageID == r.Msg.Addressing.RelatesTo[0].URI {
			req = m
		}
	}
	if req == nil { // an acknowledgement: the request just before it
		for _, m := range reqs {
			if m.N < r.N {
				req = m
			}
		}
	}
	want, got := signatureValues(req.Msg), confirmations(r.Msg)
	for _, v := range want {
		Expect(got).To(ContainElement(v), "expected: wsse11:SignatureConfirmation Value=%s... echoing message %d's signature\nactual:   %d confirmations in message %d (%s)",
			v[:min(12, len(v))], req.N, len(got), r.N, r.Action())
	}
	Expect(r).To(BeSignedBy(wssec.PartNone, tok), "the confirming answer is signed with the SCT")
}
