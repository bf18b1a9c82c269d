package closure

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// msgs is the number of application messages of the initiator scenarios.
const msgs = 3

// ending is what a SUT initiator did to end one sequence.
type ending struct {
	id        string
	highest   uint64     // highest number it sent (lost transmissions included)
	sent      []uint64   // every number it sent
	closes    []*Message // CloseSequence messages, in order
	terms     []*Message // TerminateSequence messages, in order
	afterTerm []*Message // other traffic for the sequence after the first TerminateSequence
}

// endings runs the lossy scenario and gathers, per sequence the scripted RMD granted, how the
// SUT ended it.
func endings(ctx SpecContext, s *Spec) (map[string]*ending, *InitiatorRun, *kit.Lossy) {
	run, l := kit.RunLossy(ctx, s, msgs)
	out := map[string]*ending{}
	for id := range kit.GrantedSeqs(s) {
		out[id] = &ending{id: id}
	}
	for _, t := range l.Transmissions() {
		if e := out[t.Seq.Identifier]; e != nil {
			e.highest = max(e.highest, t.Seq.MessageNumber)
			e.sent = append(e.sent, t.Seq.MessageNumber)
		}
	}
	for _, m := range s.Wire.FromSUT() {
		e := out[SequenceOf(m.Msg)]
		if e == nil {
			continue
		}
		switch m.Msg.Payload.(type) {
		case *wsrm.CloseSequence:
			e.closes = append(e.closes, m)
			if len(e.terms) > 0 {
				e.afterTerm = append(e.afterTerm, m)
			}
		case *wsrm.TerminateSequence:
			e.terms = append(e.terms, m)
		default:
			if len(e.terms) > 0 {
				e.afterTerm = append(e.afterTerm, m)
			}
		}
	}
	Precondition(len(out) > 0, "the SUT created no sequence (refused by the scripted responder, or none sent: judged by the establish phase)")
	return out, run, l
}

// lastOf is the LastMsgNumber of a Close or Terminate body (present, value).
func lastOf(m *Message) (bool, uint64) {
	switch b := m.Msg.Payload.(type) {
	case *wsrm.CloseSequence:
		return b.HasLast, b.LastMsgNumber
	case *wsrm.TerminateSequence:
		return b.HasLast, b.LastMsgNumber
	}
	return false, 0
}

// addressed checks that a request expecting a reply carries MessageID and ReplyTo.
func addressed(m *Message) {
	a := m.Msg.Addressing
	Expect(m.Msg.HasAddressing && a.MessageID != "" && a.ReplyTo != nil).To(BeTrue(),
		"expected: wsa:MessageID and wsa:ReplyTo on %s\nactual:   MessageID %q, ReplyTo present %t (message %d)", m.Action(), a.MessageID, a.ReplyTo != nil, m.N)
}

// ackedBefore is every number the scripted RMD acknowledged for id before message n.
func ackedBefore(s *Spec, id string, n int) map[uint64]bool {
	out := map[uint64]bool{}
	for _, m := range s.Wire.Messages(func(m *Message) bool { return m.Dir == ToSUT && m.Msg != nil && m.N < n }) {
		for _, a := range codec.FindAll[*wsrm.SequenceAcknowledgement](m.Msg) {
			if a.Identifier != id {
				continue
			}
			for _, k := range kit.NumbersOf(a) {
				out[k] = true
			}
		}
	}
	return out
}

var _ = Describe("closure: a SUT initiator ends its sequences", func() {
	// RM-CL-001 (SHOULD): CloseSequence before TerminateSequence, LastMsgNumber = the highest
	// number sent, MessageID and ReplyTo present, secured by the SCT.
	Assert("RM-CL-001", Initiator, func(ctx SpecContext, s *Spec) {
		es, run, l := endings(ctx, s)
		toks := kit.Issued(s, run, l.Keys)
		for id, e := range es {
			Expect(e.closes).NotTo(BeEmpty(), "expected: a CloseSequence for %s before TerminateSequence\nactual:   none", id)
			cl := e.closes[0]
			if len(e.terms) > 0 {
				Expect(cl.N).To(BeNumerically("<", e.terms[0].N),
					"expected: CloseSequence before TerminateSequence of %s\nactual:   TerminateSequence at message %d, CloseSequence at %d", id, e.terms[0].N, cl.N)
			}
			has, last := lastOf(cl)
			Expect(has && last == e.highest).To(BeTrue(),
				"expected: LastMsgNumber %d (the highest number sent on %s)\nactual:   present %t, %d", e.highest, id, has, last)
			addressed(cl)
			Expect(cl).To(BeSignedBy(wssec.PartBody, toks...), "the CloseSequence is secured by the SCT")
		}
	})

	// RM-CL-004: LastMsgNumber absent from every Close/Terminate of a sequence, or present
	// and identical in all of them.
	Assert("RM-CL-004", Initiator, func(ctx SpecContext, s *Spec) {
		es, _, _ := endings(ctx, s)
		n := 0
		for id, e := range es {
			all := append(append([]*Message{}, e.closes...), e.terms...)
			if len(all) == 0 {
				continue
			}
			n++
			has0, v0 := lastOf(all[0])
			for _, m := range all[1:] {
				has, v := lastOf(m)
				Expect(has == has0 && v == v0).To(BeTrue(),
					"expected: the same LastMsgNumber in every Close/Terminate of %s\nactual:   %s at message %d (present %t, %d), %s at message %d (present %t, %d)",
					id, all[0].Action(), all[0].N, has0, v0, m.Action(), m.N, has, v)
			}
		}
		if n == 0 {
			Skip(NotApplicablePrefix + "the SUT sent no CloseSequence or TerminateSequence")
		}
	})

	// RM-TS-001 (SHOULD): TerminateSequence once everything is acknowledged, with the
	// identifier (1.1: MessageID, ReplyTo, LastMsgNumber = highest if present), secured by the
	// SCT, and the last RM message of the sequence.
	Assert("RM-TS-001", Initiator, func(ctx SpecContext, s *Spec) {
		es, run, l := endings(ctx, s)
		toks := kit.Issued(s, run, l.Keys)
		for id, e := range es {
			Expect(e.terms).NotTo(BeEmpty(), "expected: a TerminateSequence for %s\nactual:   none", id)
			t := e.terms[0]
			acked := ackedBefore(s, id, t.N)
			for _, k := range e.sent {
				Expect(acked[k]).To(BeTrue(),
					"expected: TerminateSequence of %s after every message was acknowledged\nactual:   message %d unacknowledged when TerminateSequence was sent (message %d)", id, k, t.N)
			}
			if s.Config().Profile.RM() == wsrm.V200702 {
				addressed(t)
				if has, last := lastOf(t); has {
					Expect(last).To(Equal(e.highest), "expected: LastMsgNumber %d (the highest number sent)\nactual:   %d", e.highest, last)
				}
			}
			Expect(t).To(BeSignedBy(wssec.PartBody, toks...), "the TerminateSequence is secured by the SCT")
			for _, m := range e.afterTerm {
				Expect(m.N).To(BeNumerically("<", t.N),
					"expected: no traffic for %s after its TerminateSequence (message %d)\nactual:   %s at message %d", id, t.N, m.Action(), m.N)
			}
		}
	})
})
