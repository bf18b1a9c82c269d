package establish

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/peer"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// createWithOffer sends a conforming CreateSequence bound to tok with an Offer of rev whose
// reverse traffic goes to endpoint (the 1.1 Offer/Endpoint; the ReplyTo in 2005/02).
func createWithOffer(ctx context.Context, c *Client, tok token.Token, rev, endpoint string) *Response {
	v := c.RM()
	h := c.Addressing(v.Action(wsrm.KindCreateSequence))
	off := &wsrm.Offer{Identifier: rev}
	if v == wsrm.V200702 {
		off.Endpoint = &wsa.EPR{Address: endpoint}
	} else {
		h.ReplyTo = &wsa.EPR{Address: endpoint}
	}
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: h,
		Body: []any{&wsrm.CreateSequence{V: v, AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()}, STR: tok.Reference(false), Offer: off}}}
	if v == wsrm.V200702 {
		env.Headers = append(env.Headers, codec.Header{Value: &wsrm.UsesSequenceSTR{}, MustUnderstand: true})
	}
	r, err := c.Send(ctx, env, Protection{Token: &tok})
	Expect(err).NotTo(HaveOccurred())
	return r
}

// csrOf is the CreateSequenceResponse in r (nil when it is none).
func csrOf(r *Response) *wsrm.CreateSequenceResponse {
	if r == nil || r.Message == nil || r.Msg == nil {
		return nil
	}
	csr, _ := r.Msg.Payload.(*wsrm.CreateSequenceResponse)
	return csr
}

// awaitOn waits up to d for a message from the SUT in sequence id (a Sequence header).
func awaitOn(s *Spec, id string, d time.Duration) *Message {
	deadline := time.Now().Add(d)
	for {
		for _, m := range s.Wire.FromSUT() {
			if h, _ := codec.Find[*wsrm.Sequence](m.Msg); h != nil && h.Identifier == id {
				return m
			}
		}
		if time.Now().After(deadline) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var _ = Describe("establish: a SUT responder's scoped sequences (interop profiles)", func() {
	// RM-STR-004: an RMD either honours UsesSequenceSTR (the sequence is then bound to the
	// SCT: messages not secured by it are refused) or faults MustUnderstand on it; it never
	// creates an unscoped sequence.
	Assert("RM-STR-004", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		r, id, err := c.CreateSequence(ctx, Create{Token: tok})
		Expect(err).NotTo(HaveOccurred())
		if ok, _ := BeFault(soap.MustUnderstand.QName(soap.V11), soap.MustUnderstand.QName(soap.V12)).Match(r); ok {
			s.Observe("the RMD does not implement STR-scoped sequences: MustUnderstand fault (%s)", r.Fault().Reason)
			return
		}
		Expect(id).NotTo(BeEmpty(), "expected: a CreateSequenceResponse (UsesSequenceSTR honoured) or a MustUnderstand fault\nactual:   %s", r)
		seq := &Seq{ID: id, Token: tok, Next: 1}
		r, err = c.Message(ctx, seq, Msg{Number: 1, Protect: &Protection{}})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).NotTo(BeAccepted(), "expected: an unsecured message refused on a sequence created under UsesSequenceSTR (scoped to the SCT)")
		if other, err := c.Issue(ctx); err == nil {
			r, err = c.Message(ctx, seq, Msg{Number: 1, Protect: &Protection{Token: &other}})
			Expect(err).NotTo(HaveOccurred())
			Expect(r).NotTo(BeAccepted(), "expected: a message secured by another SCT refused on a sequence created under UsesSequenceSTR")
		}
		r, err = c.Message(ctx, seq, Msg{Number: 1, AckRequested: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeAccepted(), "expected: the message secured by the sequence's SCT accepted")
		s.Observe("UsesSequenceSTR honoured: sequence %s accepts only messages secured by %s", id, tok.Identifier)
	})

	// RM-STR-010: the reverse sequence of an accepted Offer is bound to the forward
	// sequence's SCT: the SUT's messages on it are secured by that SCT.
	Assert("RM-STR-010", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapOffer)
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		_, endpoint := kit.Listen(s)
		rev := NewID()
		r := createWithOffer(ctx, c, tok, rev, endpoint)
		csr := csrOf(r)
		s.Precondition(csr != nil && csr.Accept != nil, "the Offer was not accepted (%s): no reverse sequence", r)
		seq := &Seq{ID: csr.Identifier, Token: tok, Next: 1}
		r, err = c.Message(ctx, seq, Msg{AckRequested: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeAccepted())
		m := awaitOn(s, rev, 5*time.Second)
		s.Precondition(m != nil, "the SUT sent nothing on the reverse sequence %s within 5 s (its application may not answer)", rev)
		Expect(m).To(BeSignedBy(wssec.PartRM, tok), "message %d on the reverse sequence %s", m.N, rev)
		Expect(r).To(BeSignedBy(wssec.PartRM, tok), "the forward sequence's acknowledgement")
		s.Observe("forward %s and reverse %s both secured by %s", seq.ID, rev, tok.Identifier)
	})

	// RSP-R0011 (MAY): an RMD whose endpoint has only one-way operations may decline an
	// Offer: then without Accept, and the forward sequence is still created and works.
	Assert("RSP-R0011", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder(func(rc *peer.ResponderConfig) { rc.Duplex = false }))
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		r := createWithOffer(ctx, c, tok, NewID(), "http://127.0.0.1:9/rspcheck-offer")
		csr := csrOf(r)
		Expect(csr).NotTo(BeNil(), "expected: a CreateSequenceResponse, the Offer accepted or declined (not the sequence refused)\nactual:   %s", r)
		if csr.Accept != nil {
			Expect(csr.Accept.AcksTo.Address).NotTo(BeEmpty(), "expected: Accept/AcksTo with an Address\nactual:   empty")
			s.Observe("the Offer was accepted")
		} else {
			s.Observe("the Offer was declined (no wsrm:Accept)")
		}
		seq := &Seq{ID: csr.Identifier, Token: tok, Next: 1}
		r, err = c.Message(ctx, seq, Msg{AckRequested: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeAccepted(), "the forward sequence works whatever became of the Offer")
	})

	// RM-CSR-004 (INFO, WCF): a CreateSequenceResponse carries IncompleteSequenceBehavior, WCF
	// uses only DiscardFollowingFirstGap or NoDiscard.
	Assert("RM-CSR-004", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		r, id, err := c.CreateSequence(ctx, Create{Token: tok})
		Expect(err).NotTo(HaveOccurred())
		s.Precondition(id != "", "CreateSequence not accepted: %s", r)
		isb := csrOf(r).IncompleteSequenceBehavior
		s.Observe("CreateSequenceResponse IncompleteSequenceBehavior %q", isb)
		Expect(isb).To(BeElementOf(wcfISB),
			"expected: IncompleteSequenceBehavior %v in the CreateSequenceResponse (as WCF emits)\nactual:   %q", wcfISB, isb)
	})
})
