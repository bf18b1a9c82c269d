package transfer

import (
	"slices"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// msgs is the number of application messages of the initiator scenarios.
const msgs = 3

var _ = Describe("transfer: a SUT initiator numbers, retransmits and addresses its messages", func() {
	// RM-SEQ-001: every application message carries exactly one Sequence header, marked
	// mustUnderstand, naming a sequence the RMD granted.
	Assert("RM-SEQ-001", Initiator, func(ctx SpecContext, s *Spec) {
		kit.RunLossy(ctx, s, msgs)
		seqs := kit.GrantedSeqs(s)
		n := 0
		for _, m := range s.Wire.FromSUT() {
			if m.Msg.Fault() != nil || kit.ProtocolAction(m.Action()) {
				continue
			}
			n++
			var hs []*codec.Header
			for i := range m.Msg.Headers {
				if _, ok := m.Msg.Headers[i].Value.(*wsrm.Sequence); ok {
					hs = append(hs, &m.Msg.Headers[i])
				}
			}
			Expect(hs).To(HaveLen(1), "expected: exactly one wsrm:Sequence header\nactual:   %d (message %d, %s)", len(hs), m.N, m.Action())
			h := hs[0]
			Expect(mustUnderstandTrue(h, m.Msg.SOAP)).To(BeTrue(),
				"expected: mustUnderstand %s on wsrm:Sequence\nactual:   %q (message %d)", muTrue(m.Msg.SOAP), h.MustUnderstandRaw, m.N)
			id := h.Value.(*wsrm.Sequence).Identifier
			Expect(seqs).To(HaveKey(id), "expected: a sequence identifier the RMD granted\nactual:   %q (message %d)", id, m.N)
		}
		s.Precondition(n > 0, "the SUT sent no application message in a sequence (no sequence was created: judged by the establish phase)")
	})

	// RM-SEQ-002: numbers 1, 2, 3, ... with no gap, and a number never carries two payloads.
	Assert("RM-SEQ-002", Initiator, func(ctx SpecContext, s *Spec) {
		_, l := kit.RunLossy(ctx, s, msgs)
		bySeq := map[string]map[uint64][]*kit.Tx{}
		for _, t := range l.Transmissions() {
			if bySeq[t.Seq.Identifier] == nil {
				bySeq[t.Seq.Identifier] = map[uint64][]*kit.Tx{}
			}
			bySeq[t.Seq.Identifier][t.Seq.MessageNumber] = append(bySeq[t.Seq.Identifier][t.Seq.MessageNumber], t)
		}
		s.Precondition(len(bySeq) > 0, "the SUT sent no application message in a sequence (no sequence was created: judged by the establish phase)")
		for id, nums := range bySeq {
			var got []uint64
			for k := range nums {
				got = append(got, k)
			}
			max := uint64(len(nums))
			for k := uint64(1); k <= max; k++ {
				_, ok := nums[k]
				Expect(ok).To(BeTrue(), "expected: numbers 1..%d without gap on %s\nactual:   %v", max, id, sorted(got))
			}
			for k, ts := range nums {
				first, ok := kit.PayloadKey(ts[0].Msg)
				for _, t := range ts[1:] {
					p, ok2 := kit.PayloadKey(t.Msg)
					if !ok || !ok2 {
						continue
					}
					Expect(p == first).To(BeTrue(),
						"expected: message number %d of %s never reused for another payload\nactual:   two different payloads under number %d", k, id, k)
				}
			}
		}
	})

	// RM-SEQ-006 (2005/02): the sequence's traffic ends with a LastMessage, numbered highest,
	// before TerminateSequence.
	Assert("RM-SEQ-006", Initiator, func(ctx SpecContext, s *Spec) {
		kit.RunLossy(ctx, s, msgs)
		for id, ms := range kit.SeqMessages(s) {
			var last *wsrm.Sequence
			var lastN int
			var maxNum uint64
			for _, m := range ms {
				h, _ := codec.Find[*wsrm.Sequence](m.Msg)
				maxNum = max(maxNum, h.MessageNumber)
				if h.LastMessage && last == nil {
					last, lastN = h, m.N
				}
			}
			Expect(last).NotTo(BeNil(), "expected: a message with wsrm:LastMessage on %s\nactual:   none", id)
			Expect(last.MessageNumber).To(Equal(maxNum),
				"expected: LastMessage carries the highest number of %s\nactual:   LastMessage %d, highest %d", id, last.MessageNumber, maxNum)
			for _, m := range s.Wire.FromSUT() {
				if t, ok := m.Msg.Payload.(*wsrm.TerminateSequence); ok && t.Identifier == id {
					Expect(m.N).To(BeNumerically(">", lastN), "expected: LastMessage before TerminateSequence of %s\nactual:   TerminateSequence first (message %d)", id, m.N)
				}
			}
		}
	})

	// RM-SEQ-007: every message of a sequence goes to the wsa:To of its CreateSequence.
	Assert("RM-SEQ-007", Initiator, func(ctx SpecContext, s *Spec) {
		kit.RunLossy(ctx, s, msgs)
		seqs := kit.GrantedSeqs(s)
		s.Precondition(len(seqs) > 0, "the SUT created no sequence (refused by the scripted responder, or none sent: judged by the establish phase)")
		for _, m := range s.Wire.FromSUT() {
			id := SequenceOf(m.Msg)
			cs := seqs[id]
			if id == "" || cs == nil {
				continue
			}
			Expect(m.Msg.Addressing.To).To(Equal(cs.Msg.Addressing.To),
				"expected: wsa:To %q as on the CreateSequence of %s\nactual:   %q (message %d, %s)", cs.Msg.Addressing.To, id, m.Msg.Addressing.To, m.N, m.Action())
		}
	})

	// RM-AR-002 and WS-I RSP R0540: AckRequested (and SequenceAcknowledgement) headers the RMS
	// sends carry no mustUnderstand="true".
	noMU := func(ctx SpecContext, s *Spec) {
		kit.RunLossy(ctx, s, msgs)
		checkNoMU(s)
	}
	Assert("RM-AR-002", Initiator, noMU)
	Assert("RSP-R0540", Initiator, noMU)
})

// mustUnderstandTrue reports whether h is marked mustUnderstand with the lexical form of its
// SOAP version (SOAP 1.1: "1"; SOAP 1.2: "true" or "1").
func mustUnderstandTrue(h *codec.Header, v soap.Version) bool {
	if v == soap.V11 {
		return h.MustUnderstandRaw == "1"
	}
	return h.MustUnderstandRaw == "true" || h.MustUnderstandRaw == "1"
}

func muTrue(v soap.Version) string {
	if v == soap.V11 {
		return `"1"`
	}
	return `"true" (or "1")`
}

func sorted(ns []uint64) []uint64 {
	out := slices.Clone(ns)
	slices.Sort(out)
	return out
}
