package transfer

import (
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

var _ = Describe("transfer: a SUT responder acknowledges what it received", func() {
	// RM-ACK-001: with an anonymous AcksTo the ack rides the HTTP response; with an
	// addressable one it is a new request to the AcksTo address, carrying its reference
	// parameters as headers.
	Assert("RM-ACK-001", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 1, AckRequested: true})).To(kit.AckExactly(sq.ID, 1),
			"anonymous AcksTo: the acknowledgement in the HTTP response of message 1")
		if !s.Config().SUT.Has(CapAddressableAT) {
			s.Observe("anonymous AcksTo only: the SUT does not declare %s", CapAddressableAT)
			return
		}
		k, url := kit.Listen(s)
		aq := kit.CreateTo(ctx, c, sq.Token, wsa.EPR{Address: url, ReferenceParameters: kit.RefParams("acks")}, nil)
		r := kit.Send(ctx, c, aq, Msg{Number: 1, AckRequested: true})
		Expect(kit.AckOf(r, aq.ID)).To(BeNil(),
			"expected: no acknowledgement of %s in the HTTP response (AcksTo is %s)\nactual:   %s", aq.ID, url, kit.Summary(r))
		m := k.Await(aq.ID, 3*time.Second)
		Expect(m).NotTo(BeNil(), "expected: a SequenceAcknowledgement of %s sent to AcksTo %s\nactual:   none within 3 s", aq.ID, url)
		Expect(kit.RefParamHeader(m, "acks")).To(kit.BeOK(), "the AcksTo reference parameter as a header")
	})

	// RM-ACK-002: a stand-alone ack has the SequenceAcknowledgement action, an empty Body and
	// is secured by the sequence's SCT.
	Assert("RM-ACK-002", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		n := 0
		for _, r := range []*Response{kit.Send(ctx, c, sq, Msg{Number: 1, AckRequested: true}), kit.AckReq(ctx, c, sq)} {
			if r.Fault() != nil || kit.AckOf(r, sq.ID) == nil {
				continue
			}
			if _, _, rm := wsrm.KindOfAction(r.Action()); !rm && r.Msg.BodyCount > 0 {
				continue // piggy-backed on an application reply (judged by RM-ACK-008)
			}
			n++
			Expect(r).To(HaveAction(c.RM().Action(wsrm.KindSequenceAcknowledgement)))
			Expect(r.Msg.BodyCount).To(BeZero(), "expected: an empty Body\nactual:   %d Body children", r.Msg.BodyCount)
			Expect(r).To(BeSignedBy(wssec.PartRM, sq.Token))
		}
		if n == 0 {
			Skip(NotApplicablePrefix + "the SUT sent no stand-alone acknowledgement (see RM-AR-001)")
		}
	})

	// RM-ACK-003: the ranges claim every received number and nothing else: 1,2,4 → [1,2][4,4];
	// after 3 → [1,4].
	Assert("RM-ACK-003", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2, 4)
		r := kit.AckReq(ctx, c, sq)
		kit.Acked(r, sq.ID)
		Expect(r).To(kit.AckExactly(sq.ID, 1, 2, 4), "after messages 1, 2 and 4 (3 missing)")
		kit.SendAll(ctx, c, sq, 3)
		Expect(kit.AckReq(ctx, c, sq)).To(kit.AckExactly(sq.ID, 1, 2, 3, 4), "after message 3 filled the gap")
	})

	// RM-ACK-005: nothing received yet: wsrm:None in 1.1; no number claimed in 2005/02 (WCF's
	// range 0-0).
	Assert("RM-ACK-005", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		// No other spec asks for the empty acknowledgement: its absence fails here.
		r := kit.AckReq(ctx, c, sq)
		a := kit.AckOf(r, sq.ID)
		Expect(a).NotTo(BeNil(), "expected: an acknowledgement of the empty sequence %s\nactual:   %s", sq.ID, kit.Summary(r))
		got := "ranges " + kit.RangesText(a.Ranges) + " None=" + strconv.FormatBool(a.None)
		if c.RM() == wsrm.V200702 {
			Expect(a.None && len(a.Ranges) == 0 && len(a.Nacks) == 0).To(BeTrue(),
				"expected: wsrm:None (nothing received)\nactual:   %s", got)
			return
		}
		ok := !a.None && len(a.Nacks) == 0
		for _, x := range a.Ranges {
			ok = ok && x.Lower == 0 && x.Upper == 0
		}
		Expect(ok).To(BeTrue(), "expected: no number acknowledged (2005/02: range 0-0)\nactual:   %s", got)
	})

	// RM-ACK-006: after CloseSequence the acks carry Final and the full ranges, never a Nack.
	Assert("RM-ACK-006", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapClose)
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		r, err := c.Close(ctx, sq, 2, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(HaveAction(c.RM().Action(wsrm.KindCloseSequenceResponse)), "the sequence must be closed first")
		if a := kit.AckOf(r, sq.ID); a != nil {
			Expect(a.Final).To(BeTrue(), "expected: wsrm:Final on the CloseSequenceResponse's ack\nactual:   no Final")
			Expect(r).To(kit.AckExactly(sq.ID, 1, 2))
		}
		r = kit.AckReq(ctx, c, sq)
		a := kit.Acked(r, sq.ID)
		Expect(a.Final).To(BeTrue(), "expected: wsrm:Final on acks after CloseSequence\nactual:   no Final (%s)", kit.Summary(r))
		Expect(r).To(kit.AckExactly(sq.ID, 1, 2), "the final ranges")
	})

	// RM-ACK-007 (MAY): a Nack lists only numbers not received and stands alone.
	Assert("RM-ACK-007", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 3)
		a := kit.Acked(kit.AckReq(ctx, c, sq), sq.ID)
		if len(a.Nacks) == 0 {
			Skip(NotApplicablePrefix + "the SUT acknowledges with ranges, not Nack")
		}
		Expect(a.Nacks).To(ConsistOf(uint64(2)), "expected: Nack 2 only (1 and 3 arrived)")
		Expect(a.Ranges).To(BeEmpty(), "a Nack never comes with AcknowledgementRange")
		Expect(a.None || a.Final).To(BeFalse(), "a Nack never comes with None or Final")
	})

	// RM-ACK-008: a piggy-backed AckRequested is processed like a stand-alone one.
	Assert("RM-ACK-008", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2, AckRequested: true})).To(kit.AckExactly(sq.ID, 1, 2),
			"AckRequested piggy-backed on message 2")
	})

	// RM-ACK-010 (INFO): WCF's netrm:BufferRemaining, when present, is 0..4096.
	Assert("RM-ACK-010", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		a := kit.Acked(kit.Send(ctx, c, sq, Msg{Number: 1, AckRequested: true}), sq.ID)
		for _, x := range a.Extra {
			if x.Name.Local != "BufferRemaining" {
				continue
			}
			n, err := strconv.Atoi(x.Text)
			Expect(err == nil && n >= 0 && n <= 4096).To(BeTrue(),
				"expected: netrm:BufferRemaining 0..4096\nactual:   %q", x.Text)
			s.Observe("BufferRemaining %d", n)
			return
		}
		s.Observe("no BufferRemaining extension")
	})
})
