package issuance

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

var _ = Describe("issuance: a SUT responder renews and cancels SCTs", func() {
	// SC-RNW-002: RSTR/SCT/Renew with the same Identifier, a new Instance, a new Lifetime and
	// new proof material computed as in issuance (proven by use).
	Assert("SC-RNW-002", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		s.Require(CapRenew)
		v, _ := versions(c)
		cur, _ := issue(ctx, c)
		if !s.Config().SUT.Has(CapRenew) {
			return
		}
		x := send(ctx, c, seckit.RST{Binding: wsc.BindingRenew, Target: cur.Reference(false)}, proof(c, &cur))
		answered(x, "the renewal is answered")
		Expect(x.Resp).To(HaveAction(v.ResponseAction(wsc.BindingRenew)), "the renewal response action")
		next, how := grant(c, x, "the renewal")
		Expect(next.Identifier).To(Equal(cur.Identifier), "the renewed SCT keeps its Identifier")
		Expect(next.Instance).NotTo(Equal(cur.Instance), "the re-keyed SCT has a new wsc:Instance")
		Expect(x.RSTR.Lifetime).NotTo(BeNil(), "the renewal states the new wst:Lifetime")
		if !cur.Expires.IsZero() {
			Expect(next.Expires).NotTo(BeTemporally("<", cur.Expires), "the new Lifetime does not end before the old one")
		}
		Expect(next.Secret).NotTo(Equal(cur.Secret), "the renewal brings new key material")
		s.Observe("renewed %s: instance %q, proof %s", next.Identifier, next.Instance, how)
		usable(ctx, c, next, "the renewed key")
	})

	// SC-RNW-003: messages protected by the renewed instance stay in the sequence scoped to the
	// SCT; a brand-new SCT (another Identifier) does not.
	Assert("SC-RNW-003", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		s.Require(CapRenew)
		seq, err := c.Open(ctx)
		s.Precondition(err == nil, "a sequence scoped to the SCT could not be created (judged by the establish phase): %v", err)
		for i := 0; i < 2; i++ {
			r, err := c.Message(ctx, seq, Msg{})
			Expect(err).NotTo(HaveOccurred())
			Expect(r).To(BeAccepted(), "message %d before the renewal", i+1)
		}
		renewed, err := c.Renew(ctx, seq.Token)
		Expect(err).NotTo(HaveOccurred(), "the SCT is renewed")
		p := &Protection{Token: &renewed}
		r, err := c.Message(ctx, seq, Msg{Protect: p})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeAccepted(), "message 3, protected by the renewed instance")
		r, err = c.Message(ctx, seq, Msg{Protect: p, AckRequested: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(HaveAckRanges(seq.ID, wsrm.AckRange{Lower: 1, Upper: 4}), "messages 1-4 are acknowledged across the renewal")
		other, err := c.Issue(ctx)
		Expect(err).NotTo(HaveOccurred(), "a second SCT is issued")
		_, err = c.Message(ctx, seq, Msg{Protect: &Protection{Token: &other}})
		Expect(err).NotTo(HaveOccurred())
		r, err = c.AckRequested(ctx, seq, p)
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(HaveAckRanges(seq.ID, wsrm.AckRange{Lower: 1, Upper: 4}),
			"message 5, protected by a brand-new SCT instead of a renewal, is not taken into the sequence")
	})

	// SC-CNL-002: RSTR/SCT/Cancel carrying wst:RequestedTokenCancelled.
	Assert("SC-CNL-002", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		s.Require(CapCancel)
		v, _ := versions(c)
		t, _ := issue(ctx, c)
		x := send(ctx, c, seckit.RST{Binding: wsc.BindingCancel, Target: t.Reference(false)}, proof(c, &t))
		answered(x, "the cancel request is answered")
		Expect(x.Resp).To(HaveAction(v.ResponseAction(wsc.BindingCancel)), "the cancel response action")
		Expect(x.RSTR.RequestedTokenCancelled).To(BeTrue(), "the cancel response carries wst:RequestedTokenCancelled")
		s.Observe("cancel response in an RSTRC: %t", x.Collection)
	})

	// SC-CNL-003: after cancellation any message protected by the SCT is refused, including
	// late RM traffic, and the context cannot be renewed.
	Assert("SC-CNL-003", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		s.Require(CapCancel)
		v, _ := versions(c)
		seq, err := c.Open(ctx)
		s.Precondition(err == nil, "a sequence scoped to the SCT could not be created (judged by the establish phase): %v", err)
		r, err := c.Message(ctx, seq, Msg{})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeAccepted(), "message 1 before the cancellation")
		Expect(c.Cancel(ctx, seq.Token)).To(Succeed(), "the SCT is cancelled")
		codes := seckit.SecurityFaults(v)
		r, err = c.AckRequested(ctx, seq, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(codes...), "an AckRequested protected by the cancelled SCT is refused")
		s.Observe("AckRequested after cancel refused with %s", seckit.FaultCode(r))
		r, err = c.Message(ctx, seq, Msg{AckRequested: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(codes...), "a message protected by the cancelled SCT is refused")
		Expect(Acks(r, seq.ID)).To(BeEmpty(), "nothing is acknowledged under the cancelled SCT")
		if !s.Config().SUT.Has(CapRenew) {
			return
		}
		x := send(ctx, c, seckit.RST{Binding: wsc.BindingRenew, Target: seq.Token.Reference(false)}, proof(c, &seq.Token))
		Expect(x.RSTR).To(BeNil(), "the cancelled context is not renewed (%s)", seckit.FaultCode(x.Resp))
	})
})
