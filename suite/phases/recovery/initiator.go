package recovery

import (
	"bytes"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// securedByBound checks that every transmission of ts verifies with an instance of the SCT
// the sequence is bound to.
func securedByBound(ts []*Transmission, sct string, toks []token.Token, what string) {
	for _, t := range ts {
		_, err := SecuredBy(t.Msg, wssec.PartRM, toks...)
		Expect(err == nil).To(BeTrue(),
			"expected: %s message %d of %s secured by SCT %s, the token the sequence is bound to\nactual:   %v",
			what, t.Seq.MessageNumber, t.Seq.Identifier, sct, err)
	}
}

var _ = Describe("recovery: a SUT initiator killed mid-sequence and started again", func() {
	// RM-PER-001: killed after sending 3 of 5 (acknowledged: 1-2), restarted: it resends 3
	// and continues with 4 and 5 on the same sequence; everything is delivered exactly once,
	// in order.
	Assert("RM-PER-001", Initiator, func(ctx SpecContext, s *Spec) {
		g, id := crashRun(ctx, s, RestartScenario{}, nil)
		resumed(s, g)
		after := txsOf(g, id, 2)
		Expect(numbers(after)).To(ContainElement(uint64(crashAt)),
			"expected: message %d of %s (lost at the crash, never acknowledged) sent again after the restart\nactual:   numbers %v sent on it after the restart", crashAt, id, numbers(after))
		for _, t := range g.Transmissions() {
			if t.Run == 2 && t.Seq.Identifier != id {
				Expect(t.Seq.Identifier).To(Equal(id),
					"expected: the restarted SUT continues the job on sequence %s\nactual:   message %d sent on another sequence %s", id, t.Seq.MessageNumber, t.Seq.Identifier)
			}
		}
		deliveredOnce(s, g, id)
		s.Observe("sequence %s: numbers %v before the crash, %v after", id, numbers(txsOf(g, id, 1)), numbers(after))
	})

	// RM-PER-002: a number keeps its payload across the restart (byte-identical Body on every
	// transmission, lost ones included), and numbers are not assigned again: the restarted SUT
	// resends what was sent and goes on from the next number.
	Assert("RM-PER-002", Initiator, func(ctx SpecContext, s *Spec) {
		g, id := crashRun(ctx, s, RestartScenario{}, nil)
		first := map[uint64]*Transmission{}
		type pair struct{ a, b *Transmission }
		var again []pair
		for _, t := range txsOf(g, id, -1) {
			n := t.Seq.MessageNumber
			if f, seen := first[n]; seen {
				again = append(again, pair{f, t})
			} else {
				first[n] = t
			}
		}
		var before, fresh []uint64
		for n, t := range first {
			if t.Run == 1 {
				before = append(before, n)
			} else {
				fresh = append(fresh, n)
			}
		}
		before, fresh = sortU(before), sortU(fresh)
		s.Precondition(len(txsOf(g, id, 2)) > 0, "the restarted SUT sent nothing on %s (RM-PER-001 judges that)", id)
		compared := 0
		for _, p := range again {
			p0, ok0 := kit.PayloadKey(p.a.Msg)
			p1, ok1 := kit.PayloadKey(p.b.Msg)
			if !ok0 || !ok1 {
				continue // encrypted bodies: not comparable
			}
			compared++
			Expect(p1 == p0).To(BeTrue(),
				"expected: message %d of %s carries the same payload on every transmission (run %d and run %d)\nactual:   %s\n   then   %s",
				p.a.Seq.MessageNumber, id, p.a.Run, p.b.Run, clip(p0), clip(p1))
		}
		// Numbers first used after the restart continue the sequence: no gap, no restart at 1.
		next := uint64(1)
		if len(before) > 0 {
			next = before[len(before)-1] + 1
		}
		for i, n := range fresh {
			Expect(n).To(Equal(next+uint64(i)),
				"expected: after the restart, new messages of %s numbered from %d on, without gaps (numbers used before the crash: %v)\nactual:   new numbers %v", id, next, before, fresh)
		}
		s.Observe("numbers %v before the crash, new numbers %v after; %d repeated transmissions with identical payloads", before, fresh, compared)
	})

	// RM-PER-004: after the restart the recovered sequence is protected by the same SCT (same
	// Identifier, its key re-loaded from the store): every message on it verifies with that
	// token.
	Assert("RM-PER-004", Initiator, func(ctx SpecContext, s *Spec) {
		g, id := crashRun(ctx, s, RestartScenario{}, nil)
		sct, toks := bound(s, g, id)
		after := txsOf(g, id, 2)
		s.Precondition(len(after) > 0, "the restarted SUT sent nothing on %s (RM-PER-001 judges that)", id)
		securedByBound(after, sct, toks, "after the restart,")
		s.Observe("%d messages on %s after the restart, all secured by %s", len(after), id, sct)
	})

	// RM-PER-005: the embedded initiator's state directory, read while it is down: the SCT
	// of the interrupted sequence is there, sealed (no key material in the clear), and a
	// tampered record or another storage key stops the initiator from starting.
	Assert("RM-PER-005", Initiator, func(ctx SpecContext, s *Spec) {
		if !s.Config().Embedded() {
			Skip(UnsupportedPrefix + "the suite can inspect the store of the embedded initiator only")
		}
		g := s.RestartableInitiator(RestartScenario{Messages: msgs, CrashAt: crashAt, Size: size})
		s.Precondition(g.Crash(ctx), "the initiator's run ended (%v) before the crash point", g.First.Err)
		id := crashSeq(g)
		sct, toks := bound(s, g, id)
		checkAtRest(g.StoreDir(), sct, toks, g.StoreKey(), g.Reopen)
		s.Observe("sequence %s: SCT %s sealed in the store; tampering and a wrong key refused", id, sct)
	})

	// RM-PER-006: the SCT expires while the SUT is down; on restart the SUT renews it (same
	// Identifier, a new instance) rather than binding the sequence to a new one, and the
	// sequence completes.
	Assert("RM-PER-006", Initiator, func(ctx SpecContext, s *Spec) {
		sc := RestartScenario{}
		if !s.Config().Embedded() {
			sc.Responder.Lifetime = 3 * time.Second // an external SUT's clock cannot be moved
		}
		g, id := crashRun(ctx, s, sc, func(g *RestartRig) {
			if s.Config().Embedded() {
				g.Advance(2 * time.Hour) // beyond the SCT's lifetime (1 h), within the issuer's grace
				return
			}
			var last time.Time
			for _, t := range g.Tokens() {
				if t.Expires.After(last) {
					last = t.Expires
				}
			}
			time.Sleep(time.Until(last) + 100*time.Millisecond)
		})
		sct, toks := bound(s, g, id)
		var renewed []string
		for _, m := range s.Wire.Messages(func(m *Message) bool { return m.N > g.ResumedAt() && m.Msg != nil }) {
			if _, b, resp, ok := wsc.BindingOfAction(m.Action()); ok && resp && b == wsc.BindingRenew && m.Msg.Fault() == nil {
				renewed = append(renewed, m.Action())
			}
		}
		Expect(renewed).NotTo(BeEmpty(),
			"expected: the SCT %s (expired during the outage) renewed after the restart, before the sequence goes on\nactual:   no successful renewal in the wire log", sct)
		resumed(s, g)
		toks = instancesOf(g.Tokens(), sct)
		after := txsOf(g, id, 2)
		securedByBound(after, sct, toks, "after the restart,")
		for _, t := range after {
			tok, err := SecuredBy(t.Msg, wssec.PartRM, toks...)
			if err == nil {
				Expect(tok.Expires.IsZero() || tok.Expires.After(SentAt(t.Msg))).To(BeTrue(),
					"expected: message %d of %s secured by a live instance of %s (the renewed one)\nactual:   secured by an instance that expired at %s, before the message (%s)",
					t.Seq.MessageNumber, id, sct, tok.Expires.UTC().Format(time.RFC3339), SentAt(t.Msg).UTC().Format(time.RFC3339))
			}
		}
		deliveredOnce(s, g, id)
		s.Observe("SCT %s renewed after the outage; sequence %s completed", sct, id)
	})

	// RM-PER-007 (SHOULD): the responder lost the SCT (and the sequence) while the SUT was
	// down. The SUT must not re-bind the sequence to another SCT: every message it sends on
	// the sequence stays secured by the original one, and it reports the sequence as failed.
	Assert("RM-PER-007", Initiator, func(ctx SpecContext, s *Spec) {
		g, id := crashRun(ctx, s, RestartScenario{}, func(g *RestartRig) { g.LoseState() })
		sct, toks := bound(s, g, id)
		after := txsOf(g, id, 2)
		securedByBound(after, sct, toks, "after the restart (the SCT lost at the responder),")
		Expect(g.ResumeTimedOut).To(BeFalse(),
			"expected: the SUT reports the sequence %s as failed (its SCT is unknown to the responder now)\nactual:   still retrying when the suite stopped it (%v)", id, g.Second.Err)
		Expect(g.Second.Err != nil).To(BeTrue(),
			"expected: the SUT reports the sequence %s as failed (its SCT is unknown to the responder now)\nactual:   the run succeeded (%s)%s", id, g.Second.Summary, tail(g.Second.Output))
		s.Observe("the restarted SUT sent %d messages on %s, all secured by %s, and failed: %v", len(after), id, sct, g.Second.Err)
	})

	// RM-PER-008: a message resent after the restart is protected afresh: other bytes, a
	// later Timestamp, a new signature, still by the sequence's SCT.
	Assert("RM-PER-008", Initiator, func(ctx SpecContext, s *Spec) {
		g, id := crashRun(ctx, s, RestartScenario{}, nil)
		sct, toks := bound(s, g, id)
		last := map[uint64]*Transmission{}
		judged := 0
		for _, t := range txsOf(g, id, -1) {
			n := t.Seq.MessageNumber
			prev := last[n]
			if t.Run == 1 {
				last[n] = t
				continue
			}
			if t.Run != 2 || prev == nil || prev.Run != 1 {
				continue
			}
			last[n] = t
			judged++
			Expect(bytes.Equal(prev.Raw, t.Raw)).To(BeFalse(),
				"expected: message %d resent after the restart protected afresh\nactual:   the bytes of its transmission before the crash, replayed", n)
			c0, raw0, sig0 := kit.Stamp(prev.Msg)
			c1, raw1, sig1 := kit.Stamp(t.Msg)
			Expect(raw1).NotTo(BeEmpty(), "expected: a wsu:Timestamp on message %d resent after the restart\nactual:   none", n)
			sameTick := c1.Equal(c0) && !strings.Contains(raw1, ".") && t.At.Sub(prev.At) < time.Second
			Expect(c1.After(c0) || sameTick).To(BeTrue(),
				"expected: a fresh Timestamp on message %d resent after the restart (%s after the transmission before the crash)\nactual:   Created %s, before the crash %s",
				n, t.At.Sub(prev.At).Round(time.Millisecond), raw1, raw0)
			if sig0 != nil && sig1 != nil {
				Expect(bytes.Equal(sig0, sig1)).To(BeFalse(),
					"expected: a fresh signature on message %d resent after the restart\nactual:   the SignatureValue of its transmission before the crash", n)
			}
			_, err := SecuredBy(t.Msg, wssec.PartTimestamp|wssec.PartRM|wssec.PartBody, toks...)
			Expect(err == nil).To(BeTrue(),
				"expected: message %d resent after the restart verifies with SCT %s (Timestamp, wsrm headers and Body signed)\nactual:   %v", n, sct, err)
		}
		s.Precondition(judged > 0, "the restarted SUT resent no message it had sent before the crash (RM-PER-001 judges that)")
		s.Observe("%d messages resent after the restart, each protected afresh by %s", judged, sct)
	})
})

// clip shortens a payload for messages.
func clip(p string) string {
	if len(p) > 160 {
		return p[:160] + "…"
	}
	return p
}

// sortU returns ns sorted.
func sortU(ns []uint64) []uint64 {
	out := slices.Clone(ns)
	slices.Sort(out)
	return out
}
