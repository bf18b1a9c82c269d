// Package establish holds the specs of the establish phase: CreateSequence scoped to the SCT
// (STR, UsesSequenceSTR, proof of possession), refusals, Offer/Accept, the response.
package establish

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

var _ = Describe("establish: a SUT responder scopes sequences to the SCT", func() {
	// RM-STR-006: an STR without any security context is refused.
	Assert("RM-STR-006", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		r, id, err := c.CreateSequence(ctx, Create{Token: tok, Protect: &Protection{}})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(wsrm.CreateSequenceRefused.QName(c.RM())))
		Expect(id).To(BeEmpty(), "no sequence may be created")
	})

	// RM-STR-007: secured by the SCT but without the STR: refused; in 1.1 also the STR
	// without the UsesSequenceSTR header.
	Assert("RM-STR-007", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		r, id, err := c.CreateSequence(ctx, Create{Token: tok, NoSTR: true, NoUsesSequenceSTR: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(wsrm.CreateSequenceRefused.QName(c.RM())), "CreateSequence without the STR")
		Expect(id).To(BeEmpty(), "no sequence may be created without the STR")
		if c.RM() == wsrm.V200702 {
			r, id, err = c.CreateSequence(ctx, Create{Token: tok, NoUsesSequenceSTR: true})
			Expect(err).NotTo(HaveOccurred())
			Expect(r).To(BeFault(wsrm.CreateSequenceRefused.QName(c.RM())), "CreateSequence with the STR but without UsesSequenceSTR")
			Expect(id).To(BeEmpty(), "no sequence may be created without UsesSequenceSTR")
		}
	})

	// RM-STR-008: the responder secures everything it sends about the sequence with the
	// sequence's SCT, and refuses an unsecured message of the sequence.
	Assert("RM-STR-008", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		r, id, err := c.CreateSequence(ctx, Create{Token: tok})
		Expect(err).NotTo(HaveOccurred())
		s.Precondition(id != "", "CreateSequence not accepted: %v", r.Fault())
		Expect(r).To(BeSignedBy(wssec.PartBody, tok), "CreateSequenceResponse")
		seq := &Seq{ID: id, Token: tok, Next: 1}
		r, err = c.Message(ctx, seq, Msg{AckRequested: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeAccepted())
		if len(Acks(r, id)) == 0 {
			r, err = c.AckRequested(ctx, seq, nil)
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(Acks(r, id)).NotTo(BeEmpty(), "expected: an acknowledgement of message 1\nactual:   %v", r.Action())
		Expect(r).To(BeSignedBy(wssec.PartRM, tok), "the acknowledgement")
		r, err = c.Message(ctx, seq, Msg{Protect: &Protection{}})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).NotTo(BeAccepted(), "an unsecured message of a scoped sequence must be refused")
	})

	// RM-STR-009: a later message of the sequence secured by another SCT is refused and not
	// acknowledged.
	Assert("RM-STR-009", Responder, func(ctx SpecContext, s *Spec) {
		resp := s.Responder()
		c := s.Client(resp)
		seq, err := c.Open(ctx)
		s.Precondition(err == nil, "a sequence scoped to the SCT could not be created (judged by RM-CSR-001, RM-STR-005): %v", err)
		other, err := c.Issue(ctx)
		if err != nil {
			Skip(UnsupportedPrefix + "a second SCT cannot be obtained: " + err.Error())
		}
		r, err := c.Message(ctx, seq, Msg{Number: 1, Protect: &Protection{Token: &other}})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).NotTo(BeAccepted(), "a message secured by another SCT must be refused")
		r, err = c.AckRequested(ctx, seq, nil)
		Expect(err).NotTo(HaveOccurred())
		for _, a := range Acks(r, seq.ID) {
			if a.IsEmpty200502() {
				continue // 2005/02: the sole range 0-0 acknowledges nothing (RM-ACK-005)
			}
			Expect(a.Ranges).To(BeEmpty(), "expected: message 1 (secured by another SCT) not acknowledged\nactual:   ranges %v", a.Ranges)
		}
		if s.Config().SUT.Has(CapObservable) && resp.Embedded != nil {
			Expect(resp.Delivered()).To(BeEmpty(), "a message secured by another SCT must not be delivered")
		}
	})

	// RM-STR-005: the STR names SCT A but the message is signed with SCT B: refused.
	Assert("RM-STR-005", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		a, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		b, err := c.Issue(ctx)
		if err != nil {
			Skip(UnsupportedPrefix + "a second SCT cannot be obtained: " + err.Error())
		}
		r, id, err := c.CreateSequence(ctx, Create{Token: a, Protect: &Protection{Token: &b}})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(wsrm.CreateSequenceRefused.QName(c.RM())))
		Expect(id).To(BeEmpty(), "no sequence may be created")
	})
})
