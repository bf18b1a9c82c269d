package transfer

import (
	"bytes"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// numKey names one message of one sequence.
type numKey struct {
	seq string
	n   uint64
}

// byNumber groups transmissions by sequence and number, in arrival order.
func byNumber(ts []*kit.Tx) map[numKey][]*kit.Tx {
	out := map[numKey][]*kit.Tx{}
	for _, t := range ts {
		k := numKey{t.Seq.Identifier, t.Seq.MessageNumber}
		out[k] = append(out[k], t)
	}
	return out
}

// retransmissions keeps the transmissions carrying the first one's payload (all of them when
// payloads cannot be compared).
func retransmissions(ts []*kit.Tx) []*kit.Tx {
	p0, ok0 := kit.PayloadKey(ts[0].Msg)
	out := []*kit.Tx{ts[0]}
	for _, t := range ts[1:] {
		if p, ok := kit.PayloadKey(t.Msg); !ok0 || !ok || p == p0 {
			out = append(out, t)
		}
	}
	return out
}

var _ = Describe("transfer: a SUT initiator retransmits what was not acknowledged", func() {
	// RM-SEQ-008: a retransmission keeps identifier, number and payload, with a fresh
	// Timestamp and a fresh signature by the SCT.
	Assert("RM-SEQ-008", Initiator, func(ctx SpecContext, s *Spec) {
		run, l := kit.RunLossy(ctx, s, msgs)
		toks := kit.Issued(s, run, l.Keys)
		n := 0
		for k, all := range byNumber(l.Transmissions()) {
			// A copy with another payload is not a retransmission but a reused number
			// (RM-SEQ-002's failure): only copies of the first payload are judged here.
			ts := retransmissions(all)
			for i := 1; i < len(ts); i++ {
				n++
				prev, cur := ts[i-1], ts[i]
				c0, raw0, sig0 := kit.Stamp(prev.Msg)
				c1, raw1, sig1 := kit.Stamp(cur.Msg)
				Expect(raw1).NotTo(BeEmpty(), "expected: a wsu:Timestamp on the retransmission of %d\nactual:   none", k.n)
				// Within the same clock second a SUT writing whole seconds cannot do better.
				sameTick := c1.Equal(c0) && !strings.Contains(raw1, ".") && cur.At.Sub(prev.At) < time.Second
				Expect(c1.After(c0) || sameTick).To(BeTrue(),
					"expected: a fresh Timestamp on the retransmission of message %d (sent %s after the previous copy)\nactual:   Created %s, previous copy %s",
					k.n, cur.At.Sub(prev.At).Round(time.Millisecond), raw1, raw0)
				if sig0 != nil && sig1 != nil {
					Expect(bytes.Equal(sig0, sig1)).To(BeFalse(),
						"expected: a fresh signature on the retransmission of message %d\nactual:   the previous copy's SignatureValue", k.n)
				}
				Expect(cur.Msg).To(BeSignedBy(wssec.PartTimestamp|wssec.PartRM|wssec.PartBody, toks...),
					"the retransmission of message %d verifies with the SCT", k.n)
			}
		}
		if n == 0 {
			Skip(NotApplicablePrefix + "the SUT did not retransmit (see RM-ACK-009)")
		}
		s.Observe("%d retransmissions judged", n)
	})

	// RM-ACK-009: the message whose first transmission was lost is retransmitted, same
	// number and sequence, until acknowledged (delivered).
	Assert("RM-ACK-009", Initiator, func(ctx SpecContext, s *Spec) {
		run, l := kit.RunLossy(ctx, s, msgs)
		lost := l.Lost
		if lost.Seq == "" {
			Skip(NotApplicablePrefix + "the SUT sent fewer than two application messages: nothing was lost")
		}
		ts := byNumber(l.Transmissions())[numKey{lost.Seq, lost.N}]
		Expect(len(ts)).To(BeNumerically(">=", 2),
			"expected: message %d of %s retransmitted after its first transmission was lost\nactual:   sent once", lost.N, lost.Seq)
		arrived := false
		for _, t := range ts {
			arrived = arrived || !t.Dropped
		}
		Expect(arrived).To(BeTrue(), "expected: a retransmission of message %d reaching the RMD\nactual:   none of %d copies", lost.N, len(ts))
		Expect(kit.RunDelivered(run, lost.Seq)).To(ContainElement(lost.N),
			"expected: message %d of %s delivered after retransmission\nactual:   not delivered", lost.N, lost.Seq)
		s.Observe("message %d: %d transmissions", lost.N, len(ts))
	})

	// RM-DA-001 (SHOULD) and RM-DA-003: despite the loss, every message the RMS sent reaches
	// the application (the scripted RMD filters duplicates).
	everyDelivered := func(ctx SpecContext, s *Spec) {
		run, l := kit.RunLossy(ctx, s, msgs)
		sent := map[numKey]bool{}
		for _, t := range l.Transmissions() {
			if !t.Seq.LastMessage {
				sent[numKey{t.Seq.Identifier, t.Seq.MessageNumber}] = true
			}
		}
		s.Precondition(len(sent) > 0, "the SUT sent no application message in a sequence (no sequence was created: judged by the establish phase)")
		for k := range sent {
			Expect(kit.RunDelivered(run, k.seq)).To(ContainElement(k.n),
				"expected: message %d of %s delivered\nactual:   delivered %v", k.n, k.seq, kit.RunDelivered(run, k.seq))
		}
	}
	Assert("RM-DA-001", Initiator, everyDelivered)
	Assert("RM-DA-003", Initiator, everyDelivered)
})
