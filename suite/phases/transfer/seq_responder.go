package transfer

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

var _ = Describe("transfer: a SUT responder numbers, refuses and acknowledges sequence messages", func() {
	// RM-SEQ-003: a number above 9223372036854775807 is answered with MessageNumberRollover.
	Assert("RM-SEQ-003", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		r := kit.Send(ctx, c, sq, Msg{Number: wsrm.MaxMessageNumber + 1})
		Expect(r).To(BeFault(wsrm.MessageNumberRollover.QName(c.RM())),
			"MessageNumber 9223372036854775808 exceeds the number space")
	})

	// RM-SEQ-004: a Sequence, AckRequested, Close or Terminate naming an identifier the RMD
	// never issued is answered with UnknownSequence.
	Assert("RM-SEQ-004", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c) // the token is a valid one, bound to a live sequence
		kit.SendAll(ctx, c, sq, 1)
		unknown := &Seq{ID: NewID(), Token: sq.Token, Next: 1}
		q := wsrm.UnknownSequence.QName(c.RM())
		Expect(kit.Send(ctx, c, unknown, Msg{})).To(BeFault(q), "application message for %s", unknown.ID)
		Expect(kit.AckReq(ctx, c, unknown)).To(BeFault(q), "AckRequested for %s", unknown.ID)
		if c.RM() != wsrm.V200702 {
			return
		}
		if s.Config().SUT.Has(CapClose) {
			r, err := c.Close(ctx, unknown, 0, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r).To(BeFault(q), "CloseSequence for %s", unknown.ID)
		}
		r, err := c.Terminate(ctx, unknown, 0, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(q), "TerminateSequence for %s", unknown.ID)
	})

	// RM-SEQ-005: after CloseSequence a new message is refused with SequenceClosed.
	Assert("RM-SEQ-005", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapClose)
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		r, err := c.Close(ctx, sq, 2, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(HaveAction(c.RM().Action(wsrm.KindCloseSequenceResponse)), "the sequence must be closed first")
		Expect(kit.Send(ctx, c, sq, Msg{Number: 3})).To(BeFault(wsrm.SequenceClosed.QName(c.RM())),
			"message 3 after CloseSequenceResponse")
	})

	// RM-SEQ-006 (2005/02): a number above the one that carried LastMessage is refused with
	// LastMessageNumberExceeded.
	Assert("RM-SEQ-006", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2, LastMessage: true})).To(BeAccepted(), "LastMessage as message 2")
		Expect(kit.Send(ctx, c, sq, Msg{Number: 3})).To(BeFault(wsrm.LastMessageNumberExceeded.QName(c.RM())),
			"message 3 after LastMessage 2")
	})

	// RM-AR-001: a stand-alone AckRequested is answered with an acknowledgement of what arrived.
	Assert("RM-AR-001", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		Expect(kit.AckReq(ctx, c, sq)).To(kit.AckExactly(sq.ID, 1, 2), "the answer to a stand-alone AckRequested")
	})

	// RM-AR-002 and WS-I RSP R0540: the SequenceAcknowledgement (and AckRequested) headers the
	// RMD sends carry no mustUnderstand="true".
	noMU := func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		kit.Send(ctx, c, sq, Msg{Number: 2, AckRequested: true})
		kit.AckReq(ctx, c, sq)
		if c.RM() == wsrm.V200702 && s.Config().SUT.Has(CapClose) {
			_, err := c.Close(ctx, sq, 2, nil)
			Expect(err).NotTo(HaveOccurred())
		}
		checkNoMU(s)
	}
	Assert("RM-AR-002", Responder, noMU)
	Assert("RSP-R0540", Responder, noMU)
})

// checkNoMU fails for any AckRequested or SequenceAcknowledgement header from the SUT marked
// mustUnderstand, and skips when the SUT sent none.
func checkNoMU(s *Spec) {
	seen := 0
	for _, m := range s.Wire.FromSUT() {
		for _, h := range m.Msg.Headers {
			switch h.Value.(type) {
			case *wsrm.SequenceAcknowledgement, *wsrm.AckRequested:
			default:
				continue
			}
			seen++
			Expect(h.MustUnderstand).To(BeFalse(),
				"expected: wsrm:%s without mustUnderstand=\"true\" (WS-I RSP R0540)\nactual:   mustUnderstand=%q (message %d, %s)",
				h.Name.Local, h.MustUnderstandRaw, m.N, m.Action())
		}
	}
	if seen == 0 {
		Skip(NotApplicablePrefix + "the SUT sent no AckRequested or SequenceAcknowledgement header")
	}
	s.Observe("%d AckRequested/SequenceAcknowledgement headers, none mustUnderstand", seen)
}
