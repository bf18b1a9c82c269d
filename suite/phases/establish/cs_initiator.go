package establish

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/peer"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

var _ = Describe("establish: a SUT initiator's CreateSequence", func() {
	// RM-CS-001: Action, MessageID, ReplyTo and To are present.
	Assert("RM-CS-001", Initiator, func(ctx SpecContext, s *Spec) {
		s.RunInitiator(ctx, Scenario{Messages: 1})
		cs := creates(s)
		Expect(cs).NotTo(BeEmpty(), "the SUT sent no CreateSequence")
		for _, m := range cs {
			Expect(m).To(HaveAction(createOf(m).V.Action(wsrm.KindCreateSequence)))
			a := m.Msg.Addressing
			Expect(a.MessageID).NotTo(BeEmpty(), "expected: wsa:MessageID\nactual:   none (message %d)", m.N)
			Expect(a.ReplyTo).NotTo(BeNil(), "expected: wsa:ReplyTo\nactual:   none (message %d)", m.N)
			Expect(a.To).NotTo(BeEmpty(), "expected: wsa:To\nactual:   none (message %d)", m.N)
		}
	})

	// RM-CS-002: AcksTo is present with an address.
	Assert("RM-CS-002", Initiator, func(ctx SpecContext, s *Spec) {
		s.RunInitiator(ctx, Scenario{Messages: 1})
		cs := creates(s)
		Expect(cs).NotTo(BeEmpty(), "the SUT sent no CreateSequence")
		for _, m := range cs {
			Expect(createOf(m).AcksTo.Address).NotTo(BeEmpty(), "expected: wsrm:AcksTo with an Address\nactual:   none (message %d)", m.N)
		}
	})

	// RM-CS-004: an Offer carries a fresh absolute-URI Identifier and, in 1.1, an Endpoint.
	Assert("RM-CS-004", Initiator, func(ctx SpecContext, s *Spec) {
		s.Require(CapOffer)
		s.RunInitiator(ctx, Scenario{Messages: 2, Offer: true, Responder: peer.ResponderConfig{Duplex: true}})
		var offers int
		for _, m := range creates(s) {
			off := createOf(m).Offer
			if off == nil {
				continue
			}
			offers++
			Expect(wsrm.AbsoluteURI(off.Identifier)).To(BeTrue(), "expected: an absolute-URI Offer Identifier\nactual:   %q", off.Identifier)
			Expect(off.Identifier).NotTo(Equal(createOf(m).AcksTo.Address))
			if createOf(m).V == wsrm.V200702 {
				Expect(off.Endpoint).NotTo(BeNil(), "expected: a 1.1 Offer with wsrm:Endpoint\nactual:   none (message %d)", m.N)
			}
		}
		if offers == 0 {
			Skip(NotApplicablePrefix + "the SUT made no Offer")
		}
	})

	// RM-CSR-005: no Sequence header, Close or Terminate for an identifier not granted by a
	// CreateSequenceResponse the SUT had received.
	Assert("RM-CSR-005", Initiator, func(ctx SpecContext, s *Spec) {
		run := s.RunInitiator(ctx, Scenario{Messages: 4, Sequences: 2})
		Expect(s.FlowViolations(run, "RM-CSR-005")).To(BeEmpty(), "the flow checker finds no sequence traffic before its CreateSequenceResponse")
		known := map[string]bool{}
		for _, m := range s.Wire.Messages(func(m *Message) bool { return m.Msg != nil }) {
			if r, ok := m.Msg.Payload.(*wsrm.CreateSequenceResponse); ok && m.Dir == ToSUT {
				known[r.Identifier] = true
			}
			if m.Dir != FromSUT {
				continue
			}
			if id := SequenceOf(m.Msg); id != "" {
				if ar, _ := codec.Find[*wsrm.AckRequested](m.Msg); ar != nil && !known[id] {
					continue // AckRequested for a reverse sequence the SUT receives on
				}
				Expect(known[id]).To(BeTrue(), "expected: sequence traffic only after its CreateSequenceResponse\nactual:   message %d (%s) for %s", m.N, m.Action(), id)
			}
		}
	})

	// RM-CSR-003: an RMS copes with a declined Offer: the forward sequence still completes.
	Assert("RM-CSR-003", Initiator, func(ctx SpecContext, s *Spec) {
		s.Require(CapOffer)
		s.RunInitiator(ctx, Scenario{Messages: 3, Offer: true, Responder: peer.ResponderConfig{Duplex: false}})
		offered := false
		for _, m := range creates(s) {
			offered = offered || createOf(m).Offer != nil
		}
		if !offered {
			Skip(NotApplicablePrefix + "the SUT made no Offer")
		}
		fwd := granted(s)
		s.Precondition(len(fwd) > 0, "the forward sequence was not created")
		numbers := map[uint64]bool{}
		for _, m := range s.Wire.FromSUT() {
			if h, _ := codec.Find[*wsrm.Sequence](m.Msg); h != nil && !h.LastMessage {
				if _, ok := fwd[h.Identifier]; ok {
					numbers[h.MessageNumber] = true
				}
			}
		}
		Expect(numbers).To(HaveLen(3), "expected: the SUT goes on with its 3 messages on the forward sequence after the declined Offer\nactual:   message numbers %v", numbers)
		Expect(terminated(s)).To(BeTrue(), "expected: the forward sequence terminated\nactual:   no TerminateSequence")
	})
})

// terminated reports whether the SUT sent a TerminateSequence.
func terminated(s *Spec) bool {
	for _, m := range s.Wire.FromSUT() {
		if _, ok := m.Msg.Payload.(*wsrm.TerminateSequence); ok {
			return true
		}
	}
	return false
}
