package establish

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

var _ = Describe("establish: a SUT initiator scopes its sequences to the SCT", func() {
	// RM-STR-001: the STR is a direct child of CreateSequence, after AcksTo/Expires/Offer.
	Assert("RM-STR-001", Initiator, func(ctx SpecContext, s *Spec) {
		s.RunInitiator(ctx, Scenario{Messages: 2, Sequences: 2})
		cs := creates(s)
		Expect(cs).NotTo(BeEmpty(), "the SUT sent no CreateSequence")
		for _, m := range cs {
			var order []string
			for _, ch := range m.Msg.BodyElem.ChildElements() {
				order = append(order, ch.NamespaceURI()+" "+ch.Tag)
			}
			strAt, last := -1, -1
			for i, o := range order {
				switch o {
				case wsse.NS + " SecurityTokenReference":
					if strAt >= 0 {
						strAt = -2 // two STRs
					} else if strAt == -1 {
						strAt = i
					}
				case m.Msg.Payload.(*wsrm.CreateSequence).V.Namespace() + " AcksTo",
					m.Msg.Payload.(*wsrm.CreateSequence).V.Namespace() + " Expires",
					m.Msg.Payload.(*wsrm.CreateSequence).V.Namespace() + " Offer":
					last = i
				}
			}
			Expect(strAt).To(BeNumerically(">", last),
				"expected: one wsse:SecurityTokenReference as a child of wsrm:CreateSequence after AcksTo/Expires/Offer\nactual:   children %v (message %d)", order, m.N)
		}
	})

	// RM-STR-002: the STR is a direct reference to the issued SCT's Identifier.
	Assert("RM-STR-002", Initiator, func(ctx SpecContext, s *Spec) {
		run := s.RunInitiator(ctx, Scenario{Messages: 2})
		cs := creates(s)
		Expect(cs).NotTo(BeEmpty(), "the SUT sent no CreateSequence")
		want := s.Config().Profile.SC().SCTTokenType()
		for _, m := range cs {
			str := createOf(m).STR
			Expect(str).NotTo(BeNil(), "expected: a wsse:SecurityTokenReference in CreateSequence\nactual:   none (message %d)", m.N)
			Expect(str.Reference).NotTo(BeNil(), "expected: a direct wsse:Reference\nactual:   %+v", str)
			_, issued := tokenNamed(run.Tokens(), str.Reference.URI)
			Expect(issued).To(BeTrue(), "expected: URI = the Identifier of the SCT issued to the SUT\nactual:   %q", str.Reference.URI)
			Expect(str.Reference.ValueType).To(Equal(want), "expected: ValueType %s\nactual:   %q", want, str.Reference.ValueType)
		}
	})

	// RM-STR-003: P11 CreateSequence with an STR carries UsesSequenceSTR, empty, mustUnderstand, signed.
	Assert("RM-STR-003", Initiator, func(ctx SpecContext, s *Spec) {
		run := s.RunInitiator(ctx, Scenario{Messages: 1})
		cs := creates(s)
		Expect(cs).NotTo(BeEmpty(), "the SUT sent no CreateSequence")
		withSTR := 0
		for _, m := range cs {
			if createOf(m).STR == nil {
				continue
			}
			withSTR++
			var hdr *wsrm.UsesSequenceSTR
			mu := false
			for _, h := range m.Msg.Headers {
				if u, ok := h.Value.(*wsrm.UsesSequenceSTR); ok {
					hdr, mu = u, h.MustUnderstand
				}
			}
			Expect(hdr).NotTo(BeNil(), "expected: a wsrm:UsesSequenceSTR header\nactual:   none (message %d)", m.N)
			Expect(mu).To(BeTrue(), "expected: UsesSequenceSTR with mustUnderstand true\nactual:   without (message %d)", m.N)
			Expect(m).To(BeSignedBy(wssec.PartRM, run.Tokens()...))
		}
		if withSTR == 0 {
			Skip(NotApplicablePrefix + "no CreateSequence carried an STR (RM-STR-001 and RM-STR-002 judge that)")
		}
	})

	// RM-STR-005: the CreateSequence is signed with (a key derived from) the SCT its STR names,
	// covering the Body.
	Assert("RM-STR-005", Initiator, func(ctx SpecContext, s *Spec) {
		run := s.RunInitiator(ctx, Scenario{Messages: 1, Sequences: 2})
		cs := creates(s)
		Expect(cs).NotTo(BeEmpty(), "the SUT sent no CreateSequence")
		for _, m := range cs {
			tok, ok := tokenNamed(run.Tokens(), strURI(createOf(m)))
			Expect(ok).To(BeTrue(), "expected: an STR naming an SCT issued to the SUT\nactual:   %q", strURI(createOf(m)))
			Expect(m).To(BeSignedBy(wssec.PartBody|wssec.PartRM, tok))
		}
	})

	// RM-STR-008: every later message of a sequence is secured by the SCT its CreateSequence named.
	Assert("RM-STR-008", Initiator, func(ctx SpecContext, s *Spec) {
		run := s.RunInitiator(ctx, Scenario{Messages: 4, Sequences: 2})
		seqs := granted(s)
		s.Precondition(len(seqs) > 0, "no sequence was created")
		n := 0
		for _, m := range s.Wire.FromSUT() {
			id := SequenceOf(m.Msg)
			sct, ok := seqs[id]
			if !ok {
				continue
			}
			tok, _ := tokenNamed(run.Tokens(), sct)
			Expect(m).To(BeSignedBy(wssec.PartRM, tok), "message %d of sequence %s", m.N, id)
			n++
		}
		Expect(n).To(BeNumerically(">", 0), "no sequence message from the SUT")
	})

	// RM-STR-011: the SCT is established (RST/RSTR complete) before the first CreateSequence.
	Assert("RM-STR-011", Initiator, func(ctx SpecContext, s *Spec) {
		s.RequireWSTrust()
		run := s.RunInitiator(ctx, Scenario{Messages: 1})
		firstRSTR, firstCS := -1, -1
		for _, m := range s.Wire.Messages(func(m *Message) bool { return m.Msg != nil }) {
			if _, _, resp, ok := wsc.BindingOfAction(m.Action()); ok && resp && m.Dir == ToSUT && firstRSTR < 0 && m.Msg.Fault() == nil {
				firstRSTR = m.N
			}
			if _, ok := m.Msg.Payload.(*wsrm.CreateSequence); ok && m.Dir == FromSUT && firstCS < 0 {
				firstCS = m.N
			}
		}
		Expect(firstCS).To(BeNumerically(">", 0), "the SUT sent no CreateSequence")
		Expect(firstRSTR).To(SatisfyAll(BeNumerically(">", 0), BeNumerically("<", firstCS)),
			"expected: the RSTR issuing the SCT before the first CreateSequence\nactual:   RSTR at message %d, CreateSequence at %d", firstRSTR, firstCS)
		Expect(s.FlowViolations(run, "RM-STR-011")).To(BeEmpty(), "the flow checker finds no CreateSequence before an SCT was issued")
	})
})
