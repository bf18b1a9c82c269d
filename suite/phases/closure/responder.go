// Package closure holds the specs of the closure phase: CloseSequence and
// TerminateSequence in both directions, what happens after them, and the shape of the RM
// faults — for a SUT responder (RM Destination) and a SUT initiator (RM Source).
package closure

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// requestOf is the message the suite sent that r answers (the one recorded just before it).
func requestOf(s *Spec, r *Response) *Message {
	if r == nil || r.Message == nil {
		return nil
	}
	for _, m := range s.Wire.Messages(func(m *Message) bool { return m.Dir == ToSUT && m.N < r.N }) {
		if m.N == r.N-1 {
			return m
		}
	}
	return nil
}

// relatesTo checks that reply r relates to its request's MessageID.
func relatesTo(s *Spec, r *Response) {
	req := requestOf(s, r)
	Expect(req).NotTo(BeNil(), "the request of message %d", r.N)
	want := req.Msg.Addressing.MessageID
	got, _ := r.Msg.Addressing.RelatesToReply()
	Expect(got).To(Equal(want), "expected: wsa:RelatesTo %s (the request's MessageID)\nactual:   %q (%s)", want, got, r.Action())
}

// closeSeq closes sq with LastMsgNumber last and expects the CloseSequenceResponse.
func closeSeq(ctx SpecContext, c *Client, sq *Seq, last uint64) *Response {
	r, err := c.Close(ctx, sq, last, nil)
	Expect(err).NotTo(HaveOccurred())
	Expect(r).To(HaveAction(c.RM().Action(wsrm.KindCloseSequenceResponse)), "the CloseSequence must be answered")
	return r
}

// terminate terminates sq with LastMsgNumber last.
func terminate(ctx SpecContext, c *Client, sq *Seq, last uint64) *Response {
	r, err := c.Terminate(ctx, sq, last, nil)
	Expect(err).NotTo(HaveOccurred())
	return r
}

var _ = Describe("closure: a SUT responder closes and terminates sequences", func() {
	// RM-CL-002: CloseSequenceResponse: action, RelatesTo, identifier, and the final ack
	// (Final, full ranges).
	Assert("RM-CL-002", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapClose)
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		r := closeSeq(ctx, c, sq, 2)
		relatesTo(s, r)
		body, ok := r.Msg.Payload.(*wsrm.CloseSequenceResponse)
		Expect(ok && body.Identifier == sq.ID).To(BeTrue(),
			"expected: body wsrm:CloseSequenceResponse for %s\nactual:   %s", sq.ID, r.Msg.BodyName())
		a := kit.AckOf(r, sq.ID)
		Expect(a).NotTo(BeNil(), "expected: the final SequenceAcknowledgement on the CloseSequenceResponse\nactual:   none")
		Expect(a.Final).To(BeTrue(), "expected: wsrm:Final in the CloseSequenceResponse's ack\nactual:   ranges %s, no Final", kit.RangesText(a.Ranges))
		Expect(r).To(kit.AckExactly(sq.ID, 1, 2), "the final state")
	})

	// RM-CL-003: after close: new messages refused (SequenceClosed), AckRequested still
	// answered with Final, TerminateSequence still accepted.
	Assert("RM-CL-003", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapClose)
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		closeSeq(ctx, c, sq, 2)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 3})).To(BeFault(wsrm.SequenceClosed.QName(c.RM())), "message 3 after close")
		r := kit.AckReq(ctx, c, sq)
		Expect(r).To(kit.AckExactly(sq.ID, 1, 2), "AckRequested after close")
		Expect(kit.AckOf(r, sq.ID).Final).To(BeTrue(), "expected: wsrm:Final on the ack after close\nactual:   no Final")
		Expect(terminate(ctx, c, sq, 2)).To(HaveAction(c.RM().Action(wsrm.KindTerminateSequenceResponse)),
			"TerminateSequence after close")
	})

	// RM-TS-002: 1.1: TerminateSequenceResponse (action, RelatesTo, identifier); 2005/02:
	// one-way, an empty HTTP 2xx.
	Assert("RM-TS-002", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		if c.RM() == wsrm.V200502 {
			r := terminate(ctx, c, sq, 0)
			Expect(r.Status/100 == 2 && r.Message == nil).To(BeTrue(),
				"expected: no response message to the one-way 2005/02 TerminateSequence (HTTP 202)\nactual:   %s", kit.Summary(r))
			return
		}
		if s.Config().SUT.Has(CapClose) {
			closeSeq(ctx, c, sq, 2)
		}
		r := terminate(ctx, c, sq, 2)
		Expect(r).To(HaveAction(c.RM().Action(wsrm.KindTerminateSequenceResponse)))
		relatesTo(s, r)
		body, ok := r.Msg.Payload.(*wsrm.TerminateSequenceResponse)
		Expect(ok && body.Identifier == sq.ID).To(BeTrue(),
			"expected: body wsrm:TerminateSequenceResponse for %s\nactual:   %s", sq.ID, r.Msg.BodyName())
	})

	// RM-TS-003: after termination the identifier is unknown: UnknownSequence (a
	// SequenceTerminated is tolerated) for a new message and for AckRequested.
	Assert("RM-TS-003", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		if c.RM() == wsrm.V200702 && s.Config().SUT.Has(CapClose) {
			closeSeq(ctx, c, sq, 2)
		}
		terminate(ctx, c, sq, 2)
		gone := BeFault(wsrm.UnknownSequence.QName(c.RM()), wsrm.SequenceTerminated.QName(c.RM()))
		Expect(kit.Send(ctx, c, sq, Msg{Number: 3})).To(gone, "message 3 after TerminateSequence")
		Expect(kit.AckReq(ctx, c, sq)).To(gone, "AckRequested after TerminateSequence")
	})

	// RM-TS-004 (INFO): a TerminateSequence without a prior CloseSequence is answered.
	Assert("RM-TS-004", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		r := terminate(ctx, c, sq, 1)
		s.Observe("TerminateSequence without CloseSequence: %s", kit.Summary(r))
		Expect(r).To(HaveAction(c.RM().Action(wsrm.KindTerminateSequenceResponse)), "TerminateSequence without CloseSequence")
	})
})
