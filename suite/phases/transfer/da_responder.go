package transfer

import (
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// wait bounds how long delivery is awaited at an observable SUT.
const wait = 2 * time.Second

var _ = Describe("transfer: a SUT responder delivers per its delivery assurance", func() {
	// RM-DA-001 (SHOULD): every accepted message reaches the application.
	Assert("RM-DA-001", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapObservable)
		r := s.Responder()
		c := s.Client(r)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2, 2, 3)
		Eventually(func() []uint64 { return kit.DeliveredTo(r, sq.ID) }).WithTimeout(wait).WithPolling(20*time.Millisecond).
			Should(ContainElements(uint64(1), uint64(2), uint64(3)), "every accepted message delivered at least once")
	})

	// RM-DA-002: a duplicate is not delivered again, and both copies are acknowledged.
	Assert("RM-DA-002", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapObservable)
		r := s.Responder()
		c := s.Client(r)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		Eventually(func() []uint64 { return kit.DeliveredTo(r, sq.ID) }).WithTimeout(wait).WithPolling(20*time.Millisecond).
			Should(ContainElement(uint64(2)), "message 2 delivered once before its duplicate arrives")
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2, AckRequested: true})).To(kit.AckExactly(sq.ID, 1, 2),
			"the duplicate of message 2 still acknowledged")
		Expect(count(kit.DeliveredTo(r, sq.ID), 2)).To(Equal(1),
			"expected: message 2 delivered once (AtMostOnce)\nactual:   delivered %v", kit.DeliveredTo(r, sq.ID))
	})

	// RM-DA-003: duplicates filtered and nothing lost: 1,2,3,2,1 → 1,2,3 once each.
	Assert("RM-DA-003", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapObservable)
		r := s.Responder()
		c := s.Client(r)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2, 3, 2, 1)
		Eventually(func() []uint64 { return kit.DeliveredTo(r, sq.ID) }).WithTimeout(wait).WithPolling(20*time.Millisecond).
			Should(ContainElements(uint64(1), uint64(2), uint64(3)), "every message delivered")
		Expect(kit.DeliveredTo(r, sq.ID)).To(ConsistOf(uint64(1), uint64(2), uint64(3)), "each message delivered exactly once")
	})

	// RM-DA-004: InOrder: 1,3,2 reach the application as 1,2,3.
	Assert("RM-DA-004", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapObservable)
		r := s.Responder()
		c := s.Client(r)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 3, 2)
		Eventually(func() []uint64 { return kit.DeliveredTo(r, sq.ID) }).WithTimeout(wait).WithPolling(20*time.Millisecond).
			Should(HaveLen(3), "all three messages delivered")
		Expect(kit.DeliveredTo(r, sq.ID)).To(Equal([]uint64{1, 2, 3}), "delivery in message-number order")
	})

	// RM-DA-005: a duplicate is still acknowledged.
	Assert("RM-DA-005", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2, AckRequested: true})).To(kit.AckExactly(sq.ID, 1, 2),
			"the answer to a duplicate of message 2 (with AckRequested)")
		Expect(kit.AckReq(ctx, c, sq)).To(kit.AckExactly(sq.ID, 1, 2), "the next acknowledgement")
	})

	// RM-DA-006: the IncompleteSequenceBehavior the RMD declared decides what of 1,2,4 is
	// delivered once the sequence ends (NoDiscard when it declares none).
	Assert("RM-DA-006", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapObservable)
		s.Require(CapClose)
		r := s.Responder()
		c := s.Client(r)
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		resp, id, err := c.CreateSequence(ctx, Create{Token: tok})
		s.Precondition(err == nil && id != "", "a sequence could not be created (judged by the establish phase): %v %s", err, kit.Summary(resp))
		isb := resp.Msg.Payload.(*wsrm.CreateSequenceResponse).IncompleteSequenceBehavior
		sq := &Seq{ID: id, Token: tok, Next: 1}
		kit.SendAll(ctx, c, sq, 1, 2, 4)
		cl, err := c.Close(ctx, sq, 4, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(cl).To(HaveAction(c.RM().Action(wsrm.KindCloseSequenceResponse)), "the sequence must close")
		_, err = c.Terminate(ctx, sq, 4, nil)
		Expect(err).NotTo(HaveOccurred())
		var want []uint64
		switch isb {
		case wsrm.DiscardEntireSequence:
		case wsrm.DiscardFollowingFirstGap:
			want = []uint64{1, 2}
		default:
			isb, want = wsrm.NoDiscard, []uint64{1, 2, 4}
		}
		Eventually(func() []uint64 { return kit.DeliveredTo(r, sq.ID) }).WithTimeout(wait).WithPolling(20*time.Millisecond).
			Should(HaveLen(len(want)), "IncompleteSequenceBehavior %s", isb)
		Expect(kit.DeliveredTo(r, sq.ID)).To(ConsistOf(anyOf(want)...),
			"expected: %s delivers %v of 1,2,4", isb, want)
		s.Observe("IncompleteSequenceBehavior %s: delivered %v", isb, kit.DeliveredTo(r, sq.ID))
	})
})

func count(ns []uint64, k uint64) int {
	n := 0
	for _, x := range ns {
		if x == k {
			n++
		}
	}
	return n
}

func anyOf(ns []uint64) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
}
