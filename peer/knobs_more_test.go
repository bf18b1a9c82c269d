package peer

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// ackOf returns the acknowledgement of sequence id that m carries, or nil.
func ackOf(m *codec.Message, id string) *wsrm.SequenceAcknowledgement {
	if m == nil {
		return nil
	}
	for _, a := range codec.FindAll[*wsrm.SequenceAcknowledgement](m) {
		if a.Identifier == id {
			return a
		}
	}
	return nil
}

// acked reports whether m acknowledges message n of sequence id.
func acked(m *codec.Message, id string, n uint64) bool {
	a := ackOf(m, id)
	if a == nil {
		return false
	}
	for _, rg := range a.Ranges {
		if rg.Lower <= n && n <= rg.Upper {
			return true
		}
	}
	return false
}

// isFault reports whether m is a fault with subcode (SOAP 1.1: faultcode) local name local.
func isFault(m *codec.Message, local string) bool {
	return m != nil && m.Fault() != nil && m.Fault().Subcode().Local == local
}

// delivered reports whether the responder's application received message n of sequence id.
func (r *rig) delivered(id string, n uint64) bool {
	for _, d := range r.pr.resp.Delivered() {
		if d.Sequence == id && d.MessageNumber == n {
			return true
		}
	}
	return false
}

// TestKnobSkipSTRCheck: a conforming responder refuses a CreateSequence whose STR names
// another SCT than the one securing it (RM-STR-005), one with an STR but no security
// (RM-STR-006) and one without STR (RM-STR-007); under skip-str-check each creates a
// sequence, bound to the token the STR names (unscoped without STR) — shown by which
// protection its first message needs to be acknowledged.
func TestKnobSkipSTRCheck(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		for _, knobs := range [][]string{nil, {"skip-str-check"}} {
			r := newRig(t, p, soap.V12, knobs...)
			b := r.other()
			cases := []struct {
				name  string
				env   *codec.Envelope
				tok   *token.Token
				bound *token.Token // the token the sequence must be bound to; nil = unscoped
				wrong *token.Token // a protection the bound sequence must refuse
			}{
				{"STR names SCT B, secured by SCT A", r.createSeq(b.Reference(false), p == P11), &r.tok, &b, &r.tok},
				{"STR names SCT A, unsecured", r.createSeq(r.tok.Reference(false), p == P11), nil, &r.tok, &b},
				{"no STR, secured by SCT A", r.createSeq(nil, false), &r.tok, nil, nil},
			}
			for _, c := range cases {
				name := p.String() + " " + strings.Join(knobs, ",") + ": " + c.name
				m, st := r.send(c.env, c.tok)
				if knobs == nil {
					r.expectFault(name, m, st, faultWant{code: rmCode(p, wsrm.CreateSequenceRefused)})
					continue
				}
				csr, ok := payloadOf[*wsrm.CreateSequenceResponse](m)
				if !ok {
					t.Errorf("%s: not created:\n%.400s", name, rawOf(m))
					continue
				}
				id := csr.Identifier
				if c.wrong != nil {
					if a, _ := r.send(r.app(id, 1, false), c.wrong); !isFault(a, "FailedAuthentication") {
						t.Errorf("%s: message 1 under the other SCT not refused:\n%.400s", name, rawOf(a))
					}
				}
				a, _ := r.send(r.app(id, 1, false), c.bound)
				if !acked(a, id, 1) || !r.delivered(id, 1) {
					t.Errorf("%s: message 1 under the STR's token (%v) not acknowledged and delivered:\n%.400s", name, c.bound != nil, rawOf(a))
				}
			}
		}
	}
}

// TestKnobAckGaps: after messages 1 and 3 (2 never sent), a conforming responder
// acknowledges [1,1][3,3] (RM-ACK-003); under ack-gaps it claims [1,3], including 2, which
// neither arrived nor reached the application.
func TestKnobAckGaps(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		for _, knobs := range [][]string{nil, {"ack-gaps"}} {
			r := newRig(t, p, soap.V12, knobs...)
			id := r.create(&r.tok)
			r.send(r.app(id, 1, false), &r.tok)
			m3, _ := r.send(r.app(id, 3, false), &r.tok)
			mr, _ := r.send(r.ackRequested(id), &r.tok)
			want := []wsrm.AckRange{{Lower: 1, Upper: 1}, {Lower: 3, Upper: 3}}
			if knobs != nil {
				want = []wsrm.AckRange{{Lower: 1, Upper: 3}}
			}
			for what, m := range map[string]*codec.Message{"ack of message 3": m3, "answer to AckRequested": mr} {
				a := ackOf(m, id)
				if a == nil {
					t.Errorf("%s %v: no %s:\n%.400s", p, knobs, what, rawOf(m))
					continue
				}
				if !reflect.DeepEqual(a.Ranges, want) {
					t.Errorf("%s %v: %s ranges %v, want %v", p, knobs, what, a.Ranges, want)
				}
			}
			if r.delivered(id, 2) || r.delivered(id, 3) {
				t.Errorf("%s %v: delivered past the gap: %v", p, knobs, r.pr.resp.Delivered())
			}
		}
	}
}

// TestKnobAcceptAfterTerminate: after TerminateSequence, a conforming responder answers a
// new message and an AckRequested of that sequence with wsrm:UnknownSequence (RM-TS-003) and
// delivers nothing; under accept-after-terminate it acknowledges and delivers the message.
func TestKnobAcceptAfterTerminate(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		for _, knobs := range [][]string{nil, {"accept-after-terminate"}} {
			r := newRig(t, p, soap.V12, knobs...)
			id := r.create(&r.tok)
			r.send(r.app(id, 1, false), &r.tok)
			tm, _ := r.send(r.request(wsrm.KindTerminateSequence, &wsrm.TerminateSequence{V: p.RM(), Identifier: id}), &r.tok)
			if _, ok := payloadOf[*wsrm.TerminateSequenceResponse](tm); p == P11 && !ok {
				t.Fatalf("%s: TerminateSequence not answered:\n%s", p, rawOf(tm))
			}
			m2, st := r.send(r.app(id, 2, false), &r.tok)
			mr, str := r.send(r.ackRequested(id), &r.tok)
			name := p.String() + " " + strings.Join(knobs, ",")
			if knobs == nil {
				r.expectFault(name+": message 2 after terminate", m2, st, faultWant{code: rmCode(p, wsrm.UnknownSequence), seq: id})
				r.expectFault(name+": AckRequested after terminate", mr, str, faultWant{code: rmCode(p, wsrm.UnknownSequence), seq: id})
				if r.delivered(id, 2) {
					t.Errorf("%s: message 2 delivered after terminate", name)
				}
				continue
			}
			if m2 == nil || m2.Fault() != nil || !acked(m2, id, 2) {
				t.Errorf("%s: message 2 after terminate not acknowledged:\n%.400s", name, rawOf(m2))
			}
			if !acked(mr, id, 2) {
				t.Errorf("%s: AckRequested after terminate not answered with an ack of 2:\n%.400s", name, rawOf(mr))
			}
			if !r.delivered(id, 2) {
				t.Errorf("%s: message 2 not delivered: %v", name, r.pr.resp.Delivered())
			}
		}
	}
}

// TestKnobIgnoreUsesSequenceSTR (P11; the header is 1.1 only): a conforming responder
// refuses a CreateSequence whose STR comes without wsrm:UsesSequenceSTR (RM-STR-003);
// under ignore-uses-sequence-str it creates the sequence, scoped to the STR's token. The
// knob's other half — the header without an STR — is refused anyway by the responder's
// RequireSTR (RM-STR-007) and shows only together with skip-str-check.
func TestKnobIgnoreUsesSequenceSTR(t *testing.T) {
	for _, knobs := range [][]string{nil, {"ignore-uses-sequence-str"}} {
		r := newRig(t, P11, soap.V12, knobs...)
		name := "STR without header " + strings.Join(knobs, ",")
		env := r.createSeq(r.tok.Reference(false), false)
		m, st := r.send(env, &r.tok)
		if knobs == nil {
			r.expectFault(name, m, st, faultWant{code: rmCode(P11, wsrm.CreateSequenceRefused)})
			continue
		}
		csr, ok := payloadOf[*wsrm.CreateSequenceResponse](m)
		if !ok {
			t.Fatalf("%s: refused:\n%.400s", name, rawOf(m))
		}
		b := r.other()
		if a, _ := r.send(r.app(csr.Identifier, 1, false), &b); !isFault(a, "FailedAuthentication") {
			t.Errorf("%s: the sequence is not scoped to the STR's token:\n%.400s", name, rawOf(a))
		}
		if a, _ := r.send(r.app(csr.Identifier, 1, false), &r.tok); !acked(a, csr.Identifier, 1) {
			t.Errorf("%s: message 1 not acknowledged:\n%.400s", name, rawOf(a))
		}
	}
	// The header without an STR.
	for _, c := range []struct {
		knobs  []string
		accept bool
	}{
		{nil, false},
		{[]string{"ignore-uses-sequence-str"}, false}, // RequireSTR still refuses (RM-STR-007)
		{[]string{"skip-str-check"}, false},           // RM-STR-003: the header announces an STR
		{[]string{"skip-str-check", "ignore-uses-sequence-str"}, true},
	} {
		r := newRig(t, P11, soap.V12, c.knobs...)
		name := "header without STR " + strings.Join(c.knobs, ",")
		m, st := r.send(r.createSeq(nil, true), &r.tok)
		if !c.accept {
			r.expectFault(name, m, st, faultWant{code: rmCode(P11, wsrm.CreateSequenceRefused)})
		} else if _, ok := payloadOf[*wsrm.CreateSequenceResponse](m); !ok {
			t.Errorf("%s: refused:\n%.400s", name, rawOf(m))
		}
	}
}

// TestKnobRepeatNumber: the conforming initiator puts every payload under its own number,
// 1, 2, 3 (retransmissions repeat number and payload together); under repeat-number the
// second message goes out under number 1 again with a different payload (RM-SEQ-002), so the
// responder takes it for a duplicate and the application never gets it.
func TestKnobRepeatNumber(t *testing.T) {
	for _, knobs := range [][]string{nil, {"repeat-number"}} {
		pr := newPair(t, P11, soap.V12, ResponderConfig{}, InitiatorConfig{Misbehave: knobs, Retransmit: quickGiveUp})
		sum, err := pr.run(t, Plan{Messages: 3, Sequences: 1, Size: 8}, 10*time.Second)
		if knobs == nil && err != nil {
			t.Fatalf("conforming run: %v", err)
		}
		payloads := map[uint64]map[string]bool{} // number -> distinct payloads on the wire
		for _, m := range pr.cap.messages(func(m *codec.Message) bool { return m.HasAddressing && m.Addressing.Action == AppAction }) {
			s, _ := codec.Find[*wsrm.Sequence](m)
			if s == nil || m.BodyElem == nil {
				t.Fatalf("application message without Sequence header:\n%.300s", m.Raw())
			}
			if payloads[s.MessageNumber] == nil {
				payloads[s.MessageNumber] = map[string]bool{}
			}
			payloads[s.MessageNumber][m.BodyElem.Text()] = true
		}
		counts := map[uint64]int{}
		for n, ps := range payloads {
			counts[n] = len(ps)
		}
		want := map[uint64]int{1: 1, 2: 1, 3: 1}
		if knobs != nil {
			want = map[uint64]int{1: 2, 2: 1}
		}
		if !reflect.DeepEqual(counts, want) {
			t.Errorf("%v: distinct payloads per message number %v, want %v", knobs, counts, want)
		}
		verr := trace.Verify(pr.resp.Delivered(), sum.Expect)
		if (verr == nil) != (knobs == nil) {
			t.Errorf("%v: delivered log check: %v", knobs, verr)
		}
	}
}
