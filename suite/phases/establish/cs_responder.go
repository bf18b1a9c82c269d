package establish

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

// acceptOffer returns a conforming Offer for the run's version.
func acceptOffer(v wsrm.Version, endpoint string) *wsrm.Offer {
	off := &wsrm.Offer{Identifier: NewID()}
	if v == wsrm.V200702 {
		off.Endpoint = &wsa.EPR{Address: endpoint}
	}
	return off
}

var _ = Describe("establish: a SUT responder's CreateSequenceResponse", func() {
	// RM-CSR-001: action, RelatesTo, a fresh absolute-URI Identifier, secured by the SCT.
	Assert("RM-CSR-001", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		var ids []string
		for range 2 {
			r, id, err := c.CreateSequence(ctx, Create{Token: tok})
			Expect(err).NotTo(HaveOccurred())
			Expect(r).To(HaveAction(c.RM().Action(wsrm.KindCreateSequenceResponse)))
			Expect(r).To(BeSchemaValid())
			Expect(wsrm.AbsoluteURI(id)).To(BeTrue(), "expected: an absolute-URI sequence Identifier\nactual:   %q", id)
			req := s.Wire.Messages(func(m *Message) bool { return m.Dir == ToSUT })
			last := req[len(req)-1].Msg.Addressing.MessageID
			Expect(r.Msg.Addressing.RelatesTo).NotTo(BeEmpty(), "expected: wsa:RelatesTo %s\nactual:   none", last)
			Expect(r.Msg.Addressing.RelatesTo[0].URI).To(Equal(last), "expected: wsa:RelatesTo = the CreateSequence's MessageID")
			Expect(r).To(BeSignedBy(wssec.PartBody, tok))
			ids = append(ids, id)
		}
		Expect(ids[0]).NotTo(Equal(ids[1]), "expected: a unique Identifier per sequence\nactual:   %s twice", ids[0])
	})

	// RM-CSR-002: no Accept without an Offer; with an accepted Offer, Accept carries AcksTo.
	Assert("RM-CSR-002", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		r, id, err := c.CreateSequence(ctx, Create{Token: tok})
		Expect(err).NotTo(HaveOccurred())
		s.Precondition(id != "", "CreateSequence not accepted")
		Expect(r.Msg.Payload.(*wsrm.CreateSequenceResponse).Accept).To(BeNil(),
			"expected: no wsrm:Accept in answer to a CreateSequence without Offer\nactual:   an Accept")
		if !s.Config().SUT.Has(CapOffer) {
			return
		}
		r, id, err = c.CreateSequence(ctx, Create{Token: tok, Offer: acceptOffer(c.RM(), "http://127.0.0.1:9/rspcheck-offer")})
		Expect(err).NotTo(HaveOccurred())
		s.Precondition(id != "", "CreateSequence with Offer not accepted")
		if acc := r.Msg.Payload.(*wsrm.CreateSequenceResponse).Accept; acc != nil {
			Expect(acc.AcksTo.Address).NotTo(BeEmpty(), "expected: Accept/AcksTo with an Address\nactual:   empty")
		}
	})

	// RM-CS-003: the responder may shorten the requested Expires, never lengthen it.
	Assert("RM-CS-003", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		r, id, err := c.CreateSequence(ctx, Create{Token: tok, Expires: "PT1H"})
		Expect(err).NotTo(HaveOccurred())
		s.Precondition(id != "", "CreateSequence not accepted")
		exp := r.Msg.Payload.(*wsrm.CreateSequenceResponse).Expires
		if exp == "" {
			s.Observe("no Expires granted for a PT1H request (reads as PT0S, never; ambiguity recorded)")
			return
		}
		d, err := rm.ParseDuration(exp)
		Expect(err).NotTo(HaveOccurred(), "expected: a valid xs:duration\nactual:   %q", exp)
		Expect(d).To(SatisfyAll(BeNumerically(">", 0), BeNumerically("<=", 3600e9)),
			"expected: granted Expires within the requested PT1H\nactual:   %s", exp)
	})

	// RM-CS-005 (SHOULD): an Offer whose Identifier is already in use is refused.
	Assert("RM-CS-005", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapOffer)
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		off := acceptOffer(c.RM(), "http://127.0.0.1:9/rspcheck-offer")
		r, id, err := c.CreateSequence(ctx, Create{Token: tok, Offer: off})
		Expect(err).NotTo(HaveOccurred())
		s.Precondition(id != "" && r.Msg.Payload.(*wsrm.CreateSequenceResponse).Accept != nil, "the first Offer was not accepted")
		r, _, err = c.CreateSequence(ctx, Create{Token: tok, Offer: off})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(wsrm.CreateSequenceRefused.QName(c.RM())), "a second Offer of the same identifier")
	})

	// RM-CS-006: an invalid IncompleteSequenceBehavior value is refused (1.1).
	Assert("RM-CS-006", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapOffer)
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		off := acceptOffer(c.RM(), "http://127.0.0.1:9/rspcheck-offer")
		off.IncompleteSequenceBehavior = "Discard"
		r, id, err := c.CreateSequence(ctx, Create{Token: tok, Offer: off})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(wsrm.CreateSequenceRefused.QName(c.RM())), "IncompleteSequenceBehavior \"Discard\"")
		Expect(id).To(BeEmpty())
	})

	// RM-CS-008: every CreateSequence, acceptable or not, gets exactly one correlated answer.
	Assert("RM-CS-008", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		for _, cr := range []Create{{Token: tok}, {Token: tok, NoSTR: true, NoUsesSequenceSTR: true}, {Token: tok, Protect: &Protection{}}} {
			r, _, err := c.CreateSequence(ctx, cr)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Message).NotTo(BeNil(), "expected: a CreateSequenceResponse or a fault\nactual:   %d without a body", r.Status)
			Expect(r.Msg).NotTo(BeNil(), "expected: a SOAP envelope\nactual:   %v", r.Err)
			if r.Msg.Fault() == nil {
				Expect(r).To(HaveAction(c.RM().Action(wsrm.KindCreateSequenceResponse)))
			}
		}
	})
})
