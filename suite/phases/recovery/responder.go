package recovery

import (
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/peer"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

// deliveredTo lists the numbers of sequence id the observable SUT delivered across its
// restarts, in order.
func deliveredTo(r *RestartableResponder, id string) []uint64 {
	var out []uint64
	for _, d := range r.Delivered() {
		if d.Sequence == id {
			out = append(out, d.MessageNumber)
		}
	}
	return out
}

// observable reports whether the spec can see what the SUT delivered.
func observable(s *Spec, r *RestartableResponder) bool {
	return s.Config().SUT.Has(CapObservable) && r.Embedded != nil
}

// gone are the refusals of a message for a sequence whose SCT is gone: any WSS or WS-SC
// fault, or the sequence ended (SequenceTerminated, UnknownSequence).
func gone(c *Client) []wire.QName {
	return seckit.SecurityFaults(c.Profile.SC(), wsrm.SequenceTerminated.QName(c.RM()), wsrm.UnknownSequence.QName(c.RM()))
}

var _ = Describe("recovery: a SUT responder restarted mid-sequence", func() {
	// RM-PER-003: restarted with messages 1, 2 and 4 received (4 held for in-order delivery):
	// a resent 2 is acknowledged and not delivered again, the received ranges survive, 3 then
	// releases 3 and 4; a closed sequence stays closed across a second restart (1.1).
	Assert("RM-PER-003", Responder, func(ctx SpecContext, s *Spec) {
		rr := s.RestartableResponder()
		c := s.Client(rr.SUTResponder)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1, 2, 4)
		rr.Restart(ctx)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2})).To(BeAccepted(), "message 2 resent after the restart")
		Expect(kit.AckReq(ctx, c, sq)).To(kit.AckExactly(sq.ID, 1, 2, 4), "the received ranges after the restart")
		Expect(kit.Send(ctx, c, sq, Msg{Number: 3})).To(BeAccepted(), "message 3 after the restart")
		Expect(kit.AckReq(ctx, c, sq)).To(kit.AckExactly(sq.ID, 1, 2, 3, 4), "the received ranges after message 3")
		if observable(s, rr) {
			Expect(deliveredTo(rr, sq.ID)).To(Equal([]uint64{1, 2, 3, 4}),
				"expected: messages 1-4 delivered once each, in order, across the restart (2 not again, the held 4 after 3)\nactual:   delivered %v", deliveredTo(rr, sq.ID))
		}
		if c.RM() != wsrm.V200702 || !s.Config().SUT.Has(CapClose) {
			s.Observe("restarted with 1, 2, 4 received: ranges and the held message survived")
			return
		}
		r, err := c.Close(ctx, sq, 4, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(HaveAction(c.RM().Action(wsrm.KindCloseSequenceResponse)), "CloseSequence after the restart")
		rr.Restart(ctx)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 5})).To(BeFault(wsrm.SequenceClosed.QName(c.RM())),
			"message 5 to the sequence closed before a second restart")
		r = kit.AckReq(ctx, c, sq)
		Expect(r).To(kit.AckExactly(sq.ID, 1, 2, 3, 4), "AckRequested to the closed sequence after the second restart")
		Expect(kit.AckOf(r, sq.ID).Final).To(BeTrue(), "expected: wsrm:Final on the ack of the closed sequence after the restart\nactual:   no Final")
		s.Observe("restarted with 1, 2, 4 received: ranges and the held message survived; restarted closed: still closed")
	})

	// RM-PER-004: after the restart the sequence is still bound to its SCT: a message secured
	// by it is accepted and the acknowledgement is signed with its key (re-loaded from the
	// store); a message secured by another SCT, issued after the restart, is refused.
	Assert("RM-PER-004", Responder, func(ctx SpecContext, s *Spec) {
		rr := s.RestartableResponder()
		c := s.Client(rr.SUTResponder)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		rr.Restart(ctx)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2})).To(BeAccepted(), "message 2, secured by the sequence's SCT, after the restart")
		r := kit.AckReq(ctx, c, sq)
		Expect(r).To(kit.AckExactly(sq.ID, 1, 2), "the acknowledgement after the restart")
		Expect(r).To(BeSignedBy(wssec.PartRM, sq.Token), "the acknowledgement after the restart is signed with the sequence's SCT")
		other, err := c.Issue(ctx)
		if err != nil {
			s.Observe("no second SCT could be obtained (%v): the refusal of another SCT was not tried", err)
			return
		}
		Expect(other.Identifier).NotTo(Equal(sq.Token.Identifier), "a second SCT")
		Expect(kit.Send(ctx, c, sq, Msg{Number: 3, Protect: &Protection{Token: &other}})).NotTo(BeAccepted(),
			"message 3 secured by another SCT (issued after the restart) must be refused")
		Expect(kit.AckReq(ctx, c, sq)).To(kit.AckExactly(sq.ID, 1, 2), "message 3 (another SCT) not acknowledged")
		if observable(s, rr) {
			Expect(deliveredTo(rr, sq.ID)).To(Equal([]uint64{1, 2}),
				"expected: only messages 1-2 (secured by the bound SCT) delivered\nactual:   delivered %v", deliveredTo(rr, sq.ID))
		}
		s.Observe("after the restart: %s accepted and acknowledged under %s; another SCT refused", sq.ID, sq.Token.Identifier)
	})

	// RM-PER-005: the embedded responder's state directory, read while it is down: the SCT
	// of the open sequence is there, sealed (no key material in the clear); a tampered record
	// or another storage key stops it from starting; restarted on the intact store, the
	// sequence goes on.
	Assert("RM-PER-005", Responder, func(ctx SpecContext, s *Spec) {
		if !s.Config().Embedded() {
			Skip(UnsupportedPrefix + "the suite can inspect the store of the embedded responder only")
		}
		rr := s.RestartableResponder()
		c := s.Client(rr.SUTResponder)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		secrets := append([]token.Token{sq.Token}, rr.Embedded.Tokens()...)
		rr.Stop()
		checkAtRest(rr.StoreDir(), sq.Token.Identifier, secrets, rr.StoreKey(), rr.Reopen)
		rr.Start()
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2})).To(BeAccepted(), "message 2 after the restart on the intact store")
		Expect(kit.AckReq(ctx, c, sq)).To(kit.AckExactly(sq.ID, 1, 2), "the acknowledgement after the restart")
		s.Observe("SCT %s sealed in the store; tampering and a wrong key refused; the intact store restarted", sq.Token.Identifier)
	})

	// RM-PER-006: the SCT expires while the responder is down; after the restart the issuer
	// still renews it (same Identifier) and the recovered sequence accepts messages secured
	// by the renewed instance.
	Assert("RM-PER-006", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapRenew)
		const lifetime = 1500 * time.Millisecond
		rr := s.RestartableResponder(func(rc *peer.ResponderConfig) { rc.Lifetime = lifetime })
		c := s.Client(rr.SUTResponder)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		expires := sq.Token.Expires
		if expires.IsZero() {
			expires = time.Now().Add(lifetime) // the RSTR stated no lifetime: the latest it can end
		}
		if s.Config().Embedded() {
			rr.Stop()
			time.Sleep(time.Until(expires) + 50*time.Millisecond) // the outage outlasts the SCT
			rr.Start()
			r := kit.Send(ctx, c, sq, Msg{Number: 2})
			s.Observe("message 2 secured by the expired SCT: %s", kit.Summary(r))
			Expect(r).NotTo(BeAccepted(), "message 2 secured by the SCT that expired during the outage")
		} else {
			rr.Restart(ctx)
			s.Observe("the SCT (lifetime set by the SUT, expires %s) was renewed after the restart, not necessarily expired", expires.UTC().Format(time.RFC3339))
		}
		renewed, err := c.Renew(ctx, sq.Token)
		Expect(err == nil).To(BeTrue(), "expected: the SCT %s of the recovered sequence renewed after the restart\nactual:   %v", sq.Token.Identifier, err)
		Expect(renewed.Identifier).To(Equal(sq.Token.Identifier), "expected: the renewed SCT keeps its Identifier\nactual:   %s", renewed.Identifier)
		sq.Token = renewed
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2})).To(BeAccepted(), "message 2 secured by the renewed SCT after the restart")
		r := kit.AckReq(ctx, c, sq)
		Expect(r).To(kit.AckExactly(sq.ID, 1, 2), "the acknowledgement after the renewal")
		Expect(r).To(BeSignedBy(wssec.PartRM, renewed), "the acknowledgement is signed with the renewed SCT")
		if observable(s, rr) {
			Expect(deliveredTo(rr, sq.ID)).To(Equal([]uint64{1, 2}),
				"expected: messages 1-2 delivered once each\nactual:   delivered %v", deliveredTo(rr, sq.ID))
		}
	})

	// RM-PER-007 (SHOULD): the SCT is cancelled mid-sequence, then the responder restarts:
	// the sequence cannot go on — neither with the cancelled SCT nor re-bound to a new one.
	Assert("RM-PER-007", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapCancel)
		rr := s.RestartableResponder()
		c := s.Client(rr.SUTResponder)
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		err := c.Cancel(ctx, sq.Token)
		s.Precondition(err == nil, "the SCT could not be cancelled (%v; SC-CNL-* judge that)", err)
		rr.Restart(ctx)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2})).To(BeFault(gone(c)...),
			"message 2 secured by the SCT cancelled before the restart")
		if other, err := c.Issue(ctx); err == nil {
			Expect(kit.Send(ctx, c, sq, Msg{Number: 2, Protect: &Protection{Token: &other}})).To(BeFault(gone(c)...),
				"message 2 secured by a new SCT (the sequence must not be re-bound to it)")
		} else {
			s.Observe("no new SCT could be obtained (%v): re-binding was not tried", err)
		}
		if observable(s, rr) {
			Expect(deliveredTo(rr, sq.ID)).To(Equal([]uint64{1}),
				"expected: nothing delivered after the SCT was cancelled\nactual:   delivered %v", deliveredTo(rr, sq.ID))
		}
		s.Observe("after the cancellation and the restart, %s refused further messages", sq.ID)
	})

	// RM-PER-009 (MAY): a sequence created with a short Expires, across a restart when the SUT
	// can be restarted: once expired, a message is either refused with UnknownSequence or
	// SequenceTerminated (the RMD reclaimed it) or accepted (it keeps it, which it may).
	Assert("RM-PER-009", Responder, func(ctx SpecContext, s *Spec) {
		var resp *SUTResponder
		var rr *RestartableResponder
		if s.Config().SUT.Has(CapRestart) {
			rr = s.RestartableResponder()
			resp = rr.SUTResponder
		} else {
			resp = s.Responder()
		}
		c := s.Client(resp)
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		r, id, err := c.CreateSequence(ctx, Create{Token: tok, Expires: "PT1S"})
		s.Precondition(err == nil && id != "", "the CreateSequence with Expires PT1S was not accepted (creation is judged by the establish phase): %v %s", err, kit.Summary(r))
		at := time.Now()
		granted := r.Msg.Payload.(*wsrm.CreateSequenceResponse).Expires
		d, err := rm.ParseDuration(granted)
		if err != nil || d <= 0 || d > 3*time.Second {
			Skip(NotApplicablePrefix + "the SUT granted Expires " + quote(granted) + ", not a short one: expiry cannot be observed here")
		}
		sq := &Seq{ID: id, Token: tok, Next: 1}
		kit.SendAll(ctx, c, sq, 1)
		if rr != nil {
			rr.Restart(ctx)
		}
		time.Sleep(time.Until(at.Add(d)) + 300*time.Millisecond)
		r = kit.Send(ctx, c, sq, Msg{Number: 2})
		if r.Fault() == nil {
			s.Observe("the sequence expired %s after its creation; message 2 afterwards: %s (kept: allowed)", granted, kit.Summary(r))
			Expect(r).To(BeAccepted(), "message 2 after the sequence expired")
			return
		}
		Expect(r).To(BeFault(wsrm.UnknownSequence.QName(c.RM()), wsrm.SequenceTerminated.QName(c.RM())),
			"message 2 after the sequence expired (%s): a reclaimed sequence is unknown or terminated", granted)
		s.Observe("the sequence expired (%s); message 2 afterwards: %s", granted, kit.Summary(r))
	})
})

func quote(s string) string {
	if s == "" {
		return "(none)"
	}
	return "\"" + s + "\""
}
