// Package security holds the specs of the security phase: derived keys (structure, inputs,
// defaults, algorithm, nonces, unknown source), references to the SCT, the Security header,
// its Timestamp, the signature keyed from the SCT and what it must cover. A SUT responder is
// probed with crafted messages (re-signed after a change where needed) and must refuse the
// broken ones without taking them into the sequence; a SUT initiator's messages are checked
// against keys the suite recomputes from the captured issuance exchanges.
package security

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/beevik/etree"
	. "github.com/onsi/gomega" //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

// probe is a SUT responder with an open sequence whose message 1 was accepted.
type probe struct {
	s   *Spec
	c   *Client
	seq *Seq
	tok token.Token
	v   wsc.Version
	// ok are the SUT's answers to the conforming requests (CreateSequenceResponse, the
	// acknowledgement of message 1).
	ok []*Response
}

// open creates a sequence scoped to an SCT at the SUT responder and sends message 1 (with
// AckRequested), which must be accepted.
func open(ctx context.Context, s *Spec) *probe {
	c := s.Client(s.Responder())
	tok, err := c.SCT(ctx)
	// Obtaining an SCT and opening a sequence are judged by the issuance and establish phases;
	// without them the security behaviour under test cannot be reached.
	s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
	// The security specs judge the SCT scoping of a sequence: it must have been created the
	// conforming way (no fallback without UsesSequenceSTR, unlike the transfer phase).
	r, id, err := c.CreateSequence(ctx, Create{Token: tok})
	s.Precondition(err == nil && id != "", "a conforming CreateSequence was not accepted (judged by the establish phase): %v %v", err, r)
	p := &probe{s: s, c: c, seq: &Seq{ID: id, Token: tok, Next: 1}, tok: tok, v: c.Profile.SC(), ok: []*Response{r}}
	r, err = c.Message(ctx, p.seq, Msg{AckRequested: true})
	Expect(err).NotTo(HaveOccurred())
	Expect(r).To(HaveAckRanges(id, wsrm.AckRange{Lower: 1, Upper: 1}), "conforming message 1 is accepted and acknowledged")
	p.ok = append(p.ok, r)
	return p
}

// signed are the answers to the conforming requests that carry a signature (at least one
// must: the CreateSequenceResponse of a sequence scoped to the SCT).
func (p *probe) signed() []*Response {
	var out []*Response
	for _, r := range p.ok {
		if r != nil && r.Message != nil && r.Msg != nil && seckit.Signed(r.Msg) {
			out = append(out, r)
		}
	}
	Expect(out).NotTo(BeEmpty(), "the SUT secures its answers to the conforming requests")
	return out
}

// send sends message n of the sequence protected as p says (nil: conforming).
func (p *probe) send(ctx context.Context, n uint64, prot *Protection) *Response {
	r, err := p.c.Message(ctx, p.seq, Msg{Number: n, Protect: prot})
	Expect(err).NotTo(HaveOccurred(), "message %d reaches the SUT", n)
	return r
}

// refused expects r to be a security refusal (any WSS or WS-SC fault: the catalogue's codes
// are recalled or unconfirmed) and records the code.
func (p *probe) refused(r *Response, what string) {
	Expect(r).To(BeFault(seckit.SecurityFaults(p.v)...), what+" is refused with a WSS or WS-SC fault")
	p.s.Observe("%s: refused with %s", what, seckit.FaultCode(r))
}

// unacknowledged asks for an acknowledgement (conforming AckRequested) and expects exactly
// 1..upTo: the refused messages were not taken into the sequence.
func (p *probe) unacknowledged(ctx context.Context, upTo uint64, what string) {
	r, err := p.c.AckRequested(ctx, p.seq, nil)
	Expect(err).NotTo(HaveOccurred())
	Expect(r).To(HaveAckRanges(p.seq.ID, wsrm.AckRange{Lower: 1, Upper: upTo}), what+" is not acknowledged")
}

// mutate protects with the sequence's SCT (policy pol when set) and then applies f.
func (p *probe) mutate(pol func(*Protection), f func(doc *etree.Document) error) *Protection {
	prot := &Protection{Token: &p.tok, Mutate: f}
	if pol != nil {
		pol(prot)
	}
	return prot
}

// withToken includes the SCT element in the Security header.
func (p *probe) withToken(prot *Protection) {
	pol := p.c.Policy
	pol.IncludeToken = true
	prot.Policy = &pol
}

// randomToken is an SCT unknown to the SUT, or (same identifier) a wrong key for a known one.
func randomToken(v wsc.Version, identifier string) token.Token {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	if identifier == "" {
		identifier = NewID()
	}
	return token.Token{Identifier: identifier, Secret: secret, Version: v}
}

// reference returns the first wsse:Reference in the Security header whose URI is uri.
func reference(doc *etree.Document, uri string) *etree.Element {
	var found *etree.Element
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		for _, c := range el.ChildElements() {
			if found == nil && c.Tag == "Reference" && c.SelectAttrValue("URI", "") == uri {
				found = c
			}
			walk(c)
		}
	}
	walk(doc.Root())
	return found
}

// retarget changes the reference to the SCT (by Identifier) into uri.
func retarget(identifier string, uri func(doc *etree.Document) string) func(*etree.Document) error {
	return func(doc *etree.Document) error {
		r := reference(doc, identifier)
		if r == nil {
			return fmt.Errorf("no reference to %s in the protected message", identifier)
		}
		r.CreateAttr("URI", uri(doc))
		return nil
	}
}

// sctID is the wsu:Id of the SCT element in the protected message.
func sctID(doc *etree.Document) string {
	if el := seckit.Find(doc.Root(), "SecurityContextToken"); el != nil {
		for _, a := range el.Attr {
			if a.Key == "Id" {
				return a.Value
			}
		}
	}
	return ""
}

// mustUnderstood reports whether a Security header carries mustUnderstand as its SOAP version
// spells it: "1" (SOAP 1.1), "true" or "1" (SOAP 1.2).
func mustUnderstood(h *etree.Element, sv soap.Version) (string, bool) {
	for _, a := range h.Attr {
		if a.Key == "mustUnderstand" && a.NamespaceURI() == sv.Namespace() {
			return a.Value, a.Value == "1" || (sv == soap.V12 && a.Value == "true")
		}
	}
	return "", false
}

// ultimate are the Security headers for the ultimate receiver (no role/actor, or the
// ultimateReceiver role).
func ultimate(hs []*etree.Element, sv soap.Version) []*etree.Element {
	var out []*etree.Element
	for _, h := range hs {
		role := ""
		for _, a := range h.Attr {
			if (a.Key == "role" || a.Key == "actor") && a.NamespaceURI() == sv.Namespace() {
				role = a.Value
			}
		}
		if role == "" || role == "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver" {
			out = append(out, h)
		}
	}
	return out
}

// expired is a Timestamp an hour old (expired whatever the receiver's skew allowance).
func expired() time.Time { return time.Now().Add(-time.Hour) }
