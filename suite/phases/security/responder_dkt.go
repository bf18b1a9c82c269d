package security

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

var _ = Describe("security: a SUT responder derives keys from the SCT", func() {
	// SC-DKT-001: each DerivedKeyToken of the SUT's secured answers (CreateSequenceResponse,
	// acknowledgement) precedes its use and names the SCT as its source.
	Assert("SC-DKT-001", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapDerivedKeys)
		p := open(ctx, s)
		n := 0
		for _, r := range p.signed() {
			n += dktLayout(r.Message, []string{p.tok.Identifier})
		}
		if n == 0 {
			Skip(UnsupportedPrefix + "the SUT's secured responses carry no DerivedKeyToken")
		}
	})

	// SC-DKT-002: derived key = P_SHA1(SCT key, label ‖ nonce) with the 42-octet default
	// label: the SUT's signatures verify with keys the suite derives so, and a message signed
	// with a key derived under the single "WS-SecureConversation" label is refused.
	Assert("SC-DKT-002", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapDerivedKeys)
		p := open(ctx, s)
		for _, r := range p.signed() {
			Expect(r).To(BeSignedBy(wssec.PartTimestamp, p.tok), "the SUT's response verifies with the keys the suite derives from the SCT")
		}
		wrong := seckit.EditDKT(p.tok.Secret, func(*etree.Element) seckit.Derivation {
			return seckit.Derivation{Label: "WS-SecureConversation", Length: wsc.DefaultLength}
		})
		p.refused(p.send(ctx, 2, p.mutate(nil, wrong)), "message 2 signed with a key derived under the single label")
		p.unacknowledged(ctx, 1, "message 2 (wrong label)")
	})

	// SC-DKT-003: Generation g means offset g × Length, neither means 0, Length defaults to 32
	// octets; Offset and Generation together are refused.
	Assert("SC-DKT-003", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapDerivedKeys)
		p := open(ctx, s)
		gen := seckit.EditDKT(p.tok.Secret, func(d *etree.Element) seckit.Derivation {
			seckit.RemoveChild(d, "Offset")
			seckit.SetChild(d, "Generation", "1", "Length")
			return seckit.Derivation{Offset: 32, Length: 32}
		})
		Expect(p.send(ctx, 2, p.mutate(nil, gen))).To(BeAccepted(), "message 2 signed with octets 32..63 (Generation 1, Length 32) is accepted")
		defaults := seckit.EditDKT(p.tok.Secret, func(d *etree.Element) seckit.Derivation {
			seckit.RemoveChild(d, "Offset")
			seckit.RemoveChild(d, "Length")
			return seckit.Derivation{Offset: 0, Length: 32}
		})
		Expect(p.send(ctx, 3, p.mutate(nil, defaults))).To(BeAccepted(), "message 3 with neither Offset, Generation nor Length (octets 0..31) is accepted")
		both := seckit.EditDKT(p.tok.Secret, func(d *etree.Element) seckit.Derivation {
			seckit.SetChild(d, "Generation", "0", "Length")
			return seckit.Derivation{Offset: 0, Length: 32}
		})
		p.refused(p.send(ctx, 4, p.mutate(nil, both)), "message 4 whose DerivedKeyToken has both Offset and Generation")
		p.unacknowledged(ctx, 3, "message 4 (Offset and Generation)")
	})

	// SC-DKT-004: the algorithm defaults to P_SHA1 (explicit is accepted); an unknown
	// algorithm is not guessed at.
	Assert("SC-DKT-004", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapDerivedKeys)
		p := open(ctx, s)
		alg := func(uri string) *Protection {
			return p.mutate(nil, seckit.EditDKT(p.tok.Secret, func(d *etree.Element) seckit.Derivation {
				d.CreateAttr("Algorithm", uri)
				return seckit.Derivation{Length: wsc.DefaultLength}
			}))
		}
		Expect(p.send(ctx, 2, alg(p.v.PSHA1()))).To(BeAccepted(), "message 2 naming the P_SHA1 algorithm explicitly is accepted")
		p.refused(p.send(ctx, 3, alg("urn:x-unknown")), "message 3 whose DerivedKeyToken names an unknown algorithm")
		p.unacknowledged(ctx, 2, "message 3 (unknown algorithm)")
	})

	// SC-DKT-005 (SHOULD): every DerivedKeyToken of the SUT's responses has a fresh nonce.
	Assert("SC-DKT-005", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapDerivedKeys)
		p := open(ctx, s)
		for n := uint64(2); n <= 3; n++ {
			r, err := p.c.Message(ctx, p.seq, Msg{Number: n, AckRequested: true})
			Expect(err).NotTo(HaveOccurred())
			Expect(r).To(BeAccepted())
		}
		_, id, err := p.c.CreateSequence(ctx, Create{Token: p.tok})
		Expect(err).NotTo(HaveOccurred())
		Expect(id).NotTo(BeEmpty(), "a second sequence is created")
		nonces := map[string]int{}
		for _, m := range s.Wire.FromSUT() {
			for _, el := range seckit.SecurityItems(m.Msg) {
				if el.Tag == "DerivedKeyToken" {
					nonce := strings.TrimSpace(childText(el, "Nonce"))
					Expect(nonce).NotTo(BeEmpty(), "message %d: the DerivedKeyToken carries a nonce", m.N)
					Expect(nonces).NotTo(HaveKey(nonce), "message %d reuses the nonce of message %d", m.N, nonces[nonce])
					nonces[nonce] = m.N
				}
			}
		}
		if len(nonces) < 2 {
			Skip(NotApplicablePrefix + "the SUT's responses carry fewer than two DerivedKeyTokens")
		}
	})

	// SC-DKT-006: a DerivedKeyToken whose source is an unknown SCT is refused
	// (wsc:UnknownDerivationSource, or wsc:BadContextToken / wsse:SecurityTokenUnavailable).
	Assert("SC-DKT-006", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapDerivedKeys)
		p := open(ctx, s)
		unknown := randomToken(p.v, "")
		r := p.send(ctx, 2, &Protection{Token: &unknown})
		Expect(r).To(BeFault(seckit.DKTSourceFaults(p.v)...), "message 2 keyed from an unknown SCT is refused")
		s.Observe("unknown derivation source refused with %s", seckit.FaultCode(r))
		p.unacknowledged(ctx, 1, "message 2 (unknown derivation source)")
	})
})

// dktLayout checks the DerivedKeyTokens of m's Security header (SC-DKT-001): the first child
// is an STR naming one of the SCTs (by Identifier or by a local reference to the SCT
// element), and every local reference to a DKT comes after it. It returns how many it saw.
func dktLayout(m *Message, scts []string) int {
	items := seckit.SecurityItems(m.Msg)
	pos := map[string]int{}
	n := 0
	for i, el := range items {
		if el.Tag != "DerivedKeyToken" {
			continue
		}
		n++
		id := el.SelectAttrValue("wsu:Id", "")
		for _, a := range el.Attr {
			if a.Key == "Id" {
				id = a.Value
			}
		}
		pos[id] = i
		kids := el.ChildElements()
		Expect(kids).NotTo(BeEmpty(), "%s: the DerivedKeyToken has children", what(m))
		Expect(kids[0].Tag).To(Equal("SecurityTokenReference"), "%s: the DerivedKeyToken starts with the STR to its source", what(m))
		ref := seckit.Find(kids[0], "Reference")
		Expect(ref).NotTo(BeNil(), "%s: the source STR has a wsse:Reference", what(m))
		uri := ref.SelectAttrValue("URI", "")
		if local, ok := strings.CutPrefix(uri, "#"); ok {
			uri = seckit.LocalSCT(m.Msg, local)
		}
		Expect(scts).To(ContainElement(uri), "%s: the DerivedKeyToken's source is the SCT", what(m))
	}
	for i, el := range items {
		for _, r := range keyRefs(el) {
			if at, ok := pos[strings.TrimPrefix(r, "#")]; ok {
				Expect(at).To(BeNumerically("<", i), "%s: DerivedKeyToken %s precedes the %s that uses it", what(m), r, el.Tag)
			}
		}
	}
	return n
}

// keyRefs are the URIs of the STRs inside el's KeyInfo elements (a Signature, a
// ReferenceList's EncryptedData is elsewhere).
func keyRefs(el *etree.Element) []string {
	var out []string
	var walk func(e *etree.Element, inKeyInfo bool)
	walk = func(e *etree.Element, inKeyInfo bool) {
		for _, c := range e.ChildElements() {
			if inKeyInfo && c.Tag == "Reference" {
				out = append(out, c.SelectAttrValue("URI", ""))
			}
			walk(c, inKeyInfo || c.Tag == "KeyInfo")
		}
	}
	walk(el, false)
	return out
}

func childText(el *etree.Element, local string) string {
	for _, c := range el.ChildElements() {
		if c.Tag == local {
			return c.Text()
		}
	}
	return ""
}

func what(m *Message) string { return fmt.Sprintf("message %d (%s)", m.N, m.Action()) }
