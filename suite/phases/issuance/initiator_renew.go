package issuance

import (
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

var _ = Describe("issuance: a SUT initiator renews and cancels its SCT", func() {
	// SC-RNW-001: when its SCT nears expiry the SUT renews it: .../RST/SCT/Renew, RequestType
	// Renew, RenewTarget naming the SCT, signed with the current key (over the Body).
	Assert("SC-RNW-001", Initiator, func(ctx SpecContext, s *Spec) {
		s.Require(CapRenew)
		renewRun(ctx, s)
		v := s.Config().Profile.SC()
		tv := seckit.TrustVersion(v)
		toks := granted(s)
		renews := sent(s, wsc.BindingRenew)
		if len(renews) == 0 {
			Skip(NotApplicablePrefix + "the SUT sent no renewal in this run")
		}
		for _, x := range renews {
			what := describeMsg(x.Req)
			Expect(x.RST.RequestType).To(Equal(tv.RequestType(wst.Renew)), "%s: wst:RequestType is the Renew URI", what)
			id := targetID(x.Req, x.RST.RenewTarget)
			Expect(id).NotTo(BeEmpty(), "%s: wst:RenewTarget holds an STR naming the SCT", what)
			Expect(seckit.Instances(toks, id)).NotTo(BeEmpty(), "%s: the RenewTarget names an SCT the SUT obtained (%s)", what, id)
			_, _, err := seckit.VerifyKeyed(x.Req, v, wssec.PartBody, seckit.Instances(toks, id))
			Expect(err).NotTo(HaveOccurred(), "%s proves possession: signed with a key of %s covering the Body", what, id)
		}
	})

	// SC-RNW-003: renewal keeps the sequence: every message of a sequence, before and after
	// the renewal, is protected by an instance of the SCT its CreateSequence named.
	Assert("SC-RNW-003", Initiator, func(ctx SpecContext, s *Spec) {
		renewRun(ctx, s)
		v := s.Config().Profile.SC()
		toks := granted(s)
		bound := seckit.Bindings(s.Wire)
		if len(bound) == 0 {
			Skip(NotApplicablePrefix + "no sequence scoped to an SCT was created in this run")
		}
		renewed := false
		for _, m := range s.Wire.FromSUT() {
			id := SequenceOf(m.Msg)
			sct, ok := bound[id]
			if !ok {
				continue
			}
			_, t, err := seckit.VerifyKeyed(m, v, wssec.PartNone, seckit.Instances(toks, sct))
			Expect(err).NotTo(HaveOccurred(), "%s of sequence %s is protected by an instance of SCT %s", describeMsg(m), id, sct)
			renewed = renewed || t.Instance != seckit.Instances(toks, sct)[0].Instance
		}
		if !renewed {
			Skip(NotApplicablePrefix + "no message of the sequence was protected by a renewed instance")
		}
	})

	// SC-CNL-001: the SUT's Cancel: .../RST/SCT/Cancel, RequestType Cancel, CancelTarget naming
	// the SCT, signed with a key of that SCT over the Body.
	Assert("SC-CNL-001", Initiator, func(ctx SpecContext, s *Spec) {
		s.Require(CapCancel)
		run(ctx, s, Scenario{})
		v := s.Config().Profile.SC()
		tv := seckit.TrustVersion(v)
		toks := granted(s)
		cancels := sent(s, wsc.BindingCancel)
		if len(cancels) == 0 {
			Skip(NotApplicablePrefix + "the SUT sent no Cancel in this run")
		}
		for _, x := range cancels {
			what := describeMsg(x.Req)
			Expect(x.RST.RequestType).To(Equal(tv.RequestType(wst.Cancel)), "%s: wst:RequestType is the Cancel URI", what)
			id := targetID(x.Req, x.RST.CancelTarget)
			Expect(id).NotTo(BeEmpty(), "%s: wst:CancelTarget holds an STR naming the SCT", what)
			Expect(seckit.Instances(toks, id)).NotTo(BeEmpty(), "%s: the CancelTarget names an SCT the SUT obtained (%s)", what, id)
			_, _, err := seckit.VerifyKeyed(x.Req, v, wssec.PartBody, seckit.Instances(toks, id))
			Expect(err).NotTo(HaveOccurred(), "%s proves possession: signed with a key of %s covering the Body", what, id)
		}
	})

	// SC-CNL-004 (SHOULD): an SCT is cancelled only after every sequence scoped to it was
	// terminated (TerminateSequence sent and, in WS-RM 1.1, answered).
	Assert("SC-CNL-004", Initiator, func(ctx SpecContext, s *Spec) {
		s.Require(CapCancel)
		r := run(ctx, s, Scenario{})
		Expect(s.FlowViolations(r, "SC-CNL-004")).To(BeEmpty(), "the flow checker finds no message secured by an SCT after its Cancel, and no Cancel while a sequence bound to it is open")
		cancels := sent(s, wsc.BindingCancel)
		if len(cancels) == 0 {
			Skip(NotApplicablePrefix + "the SUT sent no Cancel in this run")
		}
		bound := seckit.Bindings(s.Wire)
		for _, x := range cancels {
			sct := targetID(x.Req, x.RST.CancelTarget)
			for seq, b := range bound {
				if b != sct {
					continue
				}
				sentAt, answeredAt := terminated(s, seq)
				Expect(sentAt).To(BeNumerically(">", 0), "sequence %s was terminated before %s cancelled its SCT", seq, describeMsg(x.Req))
				Expect(sentAt).To(BeNumerically("<", x.Req.N), "TerminateSequence for %s precedes the Cancel (%s)", seq, describeMsg(x.Req))
				if s.Config().Profile.RM() == wsrm.V200502 {
					continue // WS-RM 2005/02 TerminateSequence has no response
				}
				Expect(answeredAt).To(BeNumerically(">", 0), "TerminateSequence for %s was answered", seq)
				Expect(answeredAt).To(BeNumerically("<", x.Req.N), "TerminateSequenceResponse for %s precedes the Cancel (%s)", seq, describeMsg(x.Req))
			}
		}
	})
})

// targetID is the SCT Identifier a Renew/Cancel target STR names ("#id" resolved in m).
func targetID(m *Message, str *wsse.SecurityTokenReference) string {
	if str == nil || str.Reference == nil {
		return ""
	}
	uri := str.Reference.URI
	if id, ok := strings.CutPrefix(uri, "#"); ok {
		return seckit.LocalSCT(m.Msg, id)
	}
	if str.Reference.ValueType != "" && !seckit.IsSCTType(str.Reference.ValueType) {
		return ""
	}
	return uri
}

// terminated returns the log positions of the SUT's first TerminateSequence for seq and of its
// response (0 = none).
func terminated(s *Spec, seq string) (sentAt, answeredAt int) {
	for _, m := range s.Wire.Messages(func(m *Message) bool { return m.Msg != nil }) {
		switch b := m.Msg.Payload.(type) {
		case *wsrm.TerminateSequence:
			if m.Dir == FromSUT && b.Identifier == seq && sentAt == 0 {
				sentAt = m.N
			}
		case *wsrm.TerminateSequenceResponse:
			if m.Dir == ToSUT && b.Identifier == seq && answeredAt == 0 {
				answeredAt = m.N
			}
		}
	}
	return sentAt, answeredAt
}
