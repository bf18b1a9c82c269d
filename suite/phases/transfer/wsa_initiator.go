package transfer

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// identity names what a message from the SUT is, so that two transmissions of the same
// message (a retransmission) can share a MessageID and two different messages cannot; ""
// when it cannot be told (CreateSequence, WS-Trust requests: a retransmission looks alike).
func identity(m *codec.Message) string {
	if h, _ := codec.Find[*wsrm.Sequence](m); h != nil {
		return fmt.Sprintf("message %d of %s", h.MessageNumber, h.Identifier)
	}
	switch b := m.Payload.(type) {
	case *wsrm.CloseSequence:
		return "CloseSequence of " + b.Identifier
	case *wsrm.TerminateSequence:
		return "TerminateSequence of " + b.Identifier
	}
	if m.BodyCount == 0 {
		if h, _ := codec.Find[*wsrm.AckRequested](m); h != nil {
			return "AckRequested for " + h.Identifier
		}
	}
	return ""
}

// expectsReply reports whether m is a request the SUT expects a reply to: a WS-Trust SCT
// request, CreateSequence, CloseSequence, or a 1.1 TerminateSequence.
func expectsReply(v wsrm.Version, m *codec.Message) bool {
	switch m.Payload.(type) {
	case *wsrm.CreateSequence, *wsrm.CloseSequence:
		return true
	case *wsrm.TerminateSequence:
		return v == wsrm.V200702
	}
	if m.HasAddressing {
		if _, _, resp, ok := wsc.BindingOfAction(m.Addressing.Action); ok && !resp {
			return true
		}
	}
	return false
}

var _ = Describe("transfer: a SUT initiator follows the WS-Addressing rules of the flow", func() {
	// WSA-001: every message the RMS sends has a wsa:Action, the exact one for RM messages.
	Assert("WSA-001", Initiator, func(ctx SpecContext, s *Spec) {
		kit.RunLossy(ctx, s, msgs)
		s.Observe("%d messages with their actions", checkActions(s))
	})

	// WSA-002: requests expecting a reply carry a wsa:MessageID; different messages never
	// share one.
	Assert("WSA-002", Initiator, func(ctx SpecContext, s *Spec) {
		kit.RunLossy(ctx, s, msgs)
		v := s.Config().Profile.RM()
		owner := map[string]string{}
		n := 0
		for _, m := range s.Wire.FromSUT() {
			id := ""
			if m.Msg.HasAddressing {
				id = m.Msg.Addressing.MessageID
			}
			if expectsReply(v, m.Msg) {
				n++
				Expect(id).NotTo(BeEmpty(), "expected: a wsa:MessageID on %s (a reply is expected)\nactual:   none (message %d)", m.Action(), m.N)
			}
			what := identity(m.Msg)
			if id == "" || what == "" {
				continue
			}
			if prev, ok := owner[id]; ok {
				Expect(prev).To(Equal(what), "expected: a unique wsa:MessageID per message\nactual:   %s used for %q and %q", id, prev, what)
			}
			owner[id] = what
		}
		Expect(n).To(BeNumerically(">", 0), "expected: requests from the SUT\nactual:   none")
	})

	// WSA-005: one WS-Addressing version for everything about a sequence.
	Assert("WSA-005", Initiator, func(ctx SpecContext, s *Spec) {
		kit.RunLossy(ctx, s, msgs)
		seqs := kit.GrantedSeqs(s)
		s.Precondition(len(seqs) > 0, "the SUT created no sequence (refused by the scripted responder, or none sent: judged by the establish phase)")
		for _, m := range s.Wire.FromSUT() {
			cs := seqs[SequenceOf(m.Msg)]
			if cs == nil || !m.Msg.HasAddressing {
				continue
			}
			Expect(m.Msg.Addressing.Version).To(Equal(cs.Msg.Addressing.Version),
				"expected: the WS-Addressing version of the CreateSequence (%s)\nactual:   %s (message %d)", cs.Msg.Addressing.Version, m.Msg.Addressing.Version, m.N)
		}
	})
})
