package establish

import (
	"fmt"
	"reflect"
	"slices"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/peer"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

// wcfISB are the IncompleteSequenceBehavior values WCF emits (RM-CSR-004).
var wcfISB = []string{"DiscardFollowingFirstGap", "NoDiscard"}

// offerScenario is a duplex run when the SUT declares Offers, else a plain one.
func offerScenario(s *Spec, msgs int) Scenario {
	if s.Config().SUT.Has(CapOffer) {
		return Scenario{Messages: msgs, Offer: true, Responder: peer.ResponderConfig{Duplex: true}}
	}
	return Scenario{Messages: msgs}
}

// replyToOf is the ReplyTo of m (WS-Addressing 1.0: absent = anonymous).
func replyToOf(m *Message) wsa.EPR {
	if a := m.Msg.Addressing; m.Msg.HasAddressing && a.ReplyTo != nil {
		return *a.ReplyTo
	}
	return wsa.EPR{Address: wsa.V10.Anonymous()}
}

// headerNamed reports whether m has a SOAP header block with the given local name in one of
// the WS-RM namespaces.
func headerNamed(m *codec.Message, local string) bool {
	if m.Doc == nil || m.Doc.Root() == nil {
		return false
	}
	for _, h := range m.Doc.Root().ChildElements() {
		if h.Tag != "Header" {
			continue
		}
		for _, b := range h.ChildElements() {
			if _, rm := wsrm.VersionOf(b.NamespaceURI()); rm && b.Tag == local {
				return true
			}
		}
	}
	return false
}

var _ = Describe("establish: a SUT initiator's CreateSequence (interop profiles)", func() {
	// RM-CS-007 (WCF): AcksTo, ReplyTo and the Offer's Endpoint are the same address, with the
	// same reference parameters.
	Assert("RM-CS-007", Initiator, func(ctx SpecContext, s *Spec) {
		s.RunInitiator(ctx, offerScenario(s, 2))
		cs := creates(s)
		Expect(cs).NotTo(BeEmpty(), "the SUT sent no CreateSequence")
		for _, m := range cs {
			c := createOf(m)
			reply := replyToOf(m)
			Expect(reply.Address).To(Equal(c.AcksTo.Address),
				"expected: wsa:ReplyTo octet-identical to wsrm:AcksTo %q\nactual:   ReplyTo %q (message %d)", c.AcksTo.Address, reply.Address, m.N)
			Expect(reflect.DeepEqual(reply.ReferenceParameters, c.AcksTo.ReferenceParameters)).To(BeTrue(),
				"expected: the same reference parameters in ReplyTo and AcksTo\nactual:   %v and %v (message %d)", reply.ReferenceParameters, c.AcksTo.ReferenceParameters, m.N)
			if c.Offer != nil && c.Offer.Endpoint != nil {
				ep := c.Offer.Endpoint
				Expect(ep.Address).To(Equal(c.AcksTo.Address),
					"expected: Offer/Endpoint octet-identical to AcksTo %q\nactual:   %q (message %d)", c.AcksTo.Address, ep.Address, m.N)
				Expect(reflect.DeepEqual(ep.ReferenceParameters, c.AcksTo.ReferenceParameters)).To(BeTrue(),
					"expected: the same reference parameters in Offer/Endpoint and AcksTo\nactual:   %v and %v (message %d)", ep.ReferenceParameters, c.AcksTo.ReferenceParameters, m.N)
				s.Observe("message %d: AcksTo = ReplyTo = Offer/Endpoint = %s", m.N, c.AcksTo.Address)
			}
		}
	})

	// RSP-R0010: an RMS tolerates a CreateSequenceResponse that does not accept its Offer: no
	// fault, the forward sequence carries all its messages and ends normally.
	Assert("RSP-R0010", Initiator, func(ctx SpecContext, s *Spec) {
		s.Require(CapOffer)
		const n = 3
		run := s.RunInitiator(ctx, Scenario{Messages: n, Offer: true, Responder: peer.ResponderConfig{Duplex: false}})
		offered := slices.ContainsFunc(creates(s), func(m *Message) bool { return createOf(m).Offer != nil })
		if !offered {
			Skip(NotApplicablePrefix + "the SUT made no Offer")
		}
		declined := false
		for _, m := range s.Wire.Messages(func(m *Message) bool { return m.Dir == ToSUT && m.Msg != nil }) {
			if r, ok := m.Msg.Payload.(*wsrm.CreateSequenceResponse); ok && r.Accept == nil {
				declined = true
			}
		}
		s.Precondition(declined, "no CreateSequenceResponse declined an Offer")
		for _, m := range s.Wire.FromSUT() {
			Expect(m.Msg.Fault()).To(BeNil(), "expected: no fault from the SUT after its Offer was declined\nactual:   message %d is a fault (%s)", m.N, m.Action())
		}
		if run.Err != nil {
			// the SUT's own verdict on its run (the embedded initiator reports that no reverse
			// traffic came): what it did on the wire is judged, not what it says
			s.Observe("the SUT reported: %v", run.Err)
		}
		fwd := granted(s)
		Expect(fwd).NotTo(BeEmpty(), "expected: the forward sequence created\nactual:   none")
		got := map[uint64]bool{}
		for _, d := range run.Delivered() {
			if _, ok := fwd[d.Sequence]; ok {
				got[d.MessageNumber] = true
			}
		}
		Expect(got).To(HaveLen(n), "expected: all %d messages delivered on the forward sequence after the declined Offer\nactual:   numbers %v", n, got)
		Expect(terminated(s)).To(BeTrue(), "expected: the forward sequence terminated\nactual:   no TerminateSequence")
	})

	// RM-STR-010: a sequence, and the pair of a sequence and its offered reverse sequence, is
	// bound to one SCT for its whole life: everything the SUT sends about either is secured
	// by the SCT the forward CreateSequence named.
	Assert("RM-STR-010", Initiator, func(ctx SpecContext, s *Spec) {
		run := s.RunInitiator(ctx, offerScenario(s, 3))
		bound := map[string]string{} // sequence (forward and reverse) -> SCT identifier
		for _, m := range creates(s) {
			c := createOf(m)
			if c.Offer != nil {
				bound[c.Offer.Identifier] = strURI(c) // accepted or not: no traffic if not
			}
		}
		for id, sct := range granted(s) {
			bound[id] = sct
		}
		s.Precondition(len(granted(s)) > 0, "no sequence was created (judged by the establish phase)")
		n := 0
		for _, m := range s.Wire.FromSUT() {
			ids := []string{SequenceOf(m.Msg)}
			for _, a := range codec.FindAll[*wsrm.SequenceAcknowledgement](m.Msg) {
				ids = append(ids, a.Identifier)
			}
			for _, id := range ids {
				sct, ok := bound[id]
				if id == "" || !ok {
					continue
				}
				n++
				Expect(m).To(BeSignedBy(wssec.PartRM, instances(run.Tokens(), sct)...), "message %d about sequence %s (bound to %s)", m.N, id, sct)
			}
		}
		Expect(n).To(BeNumerically(">", 0), "expected: messages of the SUT about its sequences\nactual:   none")
		s.Observe("%d messages about %d sequences, each secured by its sequence's SCT", n, len(bound))
	})

	// RM-CSR-004 (INFO, WCF): an Offer carries IncompleteSequenceBehavior, WCF uses only
	// DiscardFollowingFirstGap or NoDiscard.
	Assert("RM-CSR-004", Initiator, func(ctx SpecContext, s *Spec) {
		s.Require(CapOffer)
		s.RunInitiator(ctx, Scenario{Messages: 1, Offer: true, Responder: peer.ResponderConfig{Duplex: true}})
		var seen []string
		for _, m := range creates(s) {
			if off := createOf(m).Offer; off != nil {
				seen = append(seen, fmt.Sprintf("message %d: %q", m.N, off.IncompleteSequenceBehavior))
				Expect(off.IncompleteSequenceBehavior).To(BeElementOf(wcfISB),
					"expected: an Offer with IncompleteSequenceBehavior %v (as WCF emits)\nactual:   %q (message %d)", wcfISB, off.IncompleteSequenceBehavior, m.N)
			}
		}
		if len(seen) == 0 {
			Skip(NotApplicablePrefix + "the SUT made no Offer")
		}
		s.Observe("Offer IncompleteSequenceBehavior: %v", seen)
	})

	// RM-STR-013: a sequence scoped to the SCT is not also bound to the transport: no
	// wsrm:UsesSequenceSSL in the CreateSequence (WCF refuses it).
	Assert("RM-STR-013", Initiator, func(ctx SpecContext, s *Spec) {
		s.RunInitiator(ctx, Scenario{Messages: 1, Sequences: 2})
		cs := creates(s)
		Expect(cs).NotTo(BeEmpty(), "the SUT sent no CreateSequence")
		for _, m := range cs {
			Expect(headerNamed(m.Msg, "UsesSequenceSSL")).To(BeFalse(),
				"expected: no wsrm:UsesSequenceSSL header in an SCT-scoped CreateSequence\nactual:   UsesSequenceSSL present (message %d, STR %q)", m.N, strURI(createOf(m)))
		}
	})
})

// instances are the token instances with identifier id (a renewed SCT keeps it).
func instances(toks []token.Token, id string) []token.Token {
	var out []token.Token
	for _, t := range toks {
		if t.Identifier == id {
			out = append(out, t)
		}
	}
	return out
}
