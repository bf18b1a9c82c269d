package peer

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// messages returns the captured messages that decode and satisfy keep.
func (c *capture) messages(keep func(m *codec.Message) bool) []*codec.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*codec.Message
	for _, raw := range c.msgs {
		if m, err := codec.Decode(raw, codec.Options{}); err == nil && keep(m) {
			out = append(out, m)
		}
	}
	return out
}

func hasAction(v wsrm.Version, k wsrm.Kind) func(*codec.Message) bool {
	return func(m *codec.Message) bool { return m.HasAddressing && m.Addressing.Action == v.Action(k) }
}

// TestKnobOmitUsesSequenceSTR: a P11 CreateSequence with the STR but without UsesSequenceSTR
// is refused by a conforming responder (RM-STR-003) and accepted under
// ignore-uses-sequence-str.
func TestKnobOmitUsesSequenceSTR(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{}, InitiatorConfig{Misbehave: []string{"omit-uses-sequence-str"}, Retransmit: quickGiveUp})
	if _, err := pr.run(t, Plan{Messages: 1, Sequences: 1, Size: 8}, 10*time.Second); err == nil {
		t.Error("conforming responder accepted a CreateSequence without UsesSequenceSTR")
	}
	if !pr.cap.contains("CreateSequenceRefused") {
		t.Error("no CreateSequenceRefused")
	}
	for _, m := range pr.cap.messages(hasAction(wsrm.V200702, wsrm.KindCreateSequence)) {
		if _, h := codec.Find[*wsrm.UsesSequenceSTR](m); h != nil {
			t.Error("omit-uses-sequence-str still sent the header")
		}
	}
	pr = newPair(t, P11, soap.V12, ResponderConfig{Misbehave: []string{"ignore-uses-sequence-str"}},
		InitiatorConfig{Misbehave: []string{"omit-uses-sequence-str"}, Retransmit: quickGiveUp})
	sum, err := pr.run(t, Plan{Messages: 2, Sequences: 1, Size: 8}, 10*time.Second)
	if err != nil {
		t.Fatalf("ignore-uses-sequence-str refused: %v", err)
	}
	if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
		t.Error(err)
	}
}

// TestKnobUnsignedAcks: every acknowledgement goes out without wsse:Security; the conforming
// initiator drops them (RM-STR-008), so its messages are never acknowledged.
func TestKnobUnsignedAcks(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{Misbehave: []string{"unsigned-acks"}}, InitiatorConfig{Retransmit: quickGiveUp})
	if _, err := pr.run(t, Plan{Messages: 2, Sequences: 1, Size: 8}, 10*time.Second); err == nil {
		t.Error("run succeeded on unsigned acknowledgements")
	}
	acks := pr.cap.messages(func(m *codec.Message) bool {
		_, h := codec.Find[*wsrm.SequenceAcknowledgement](m)
		return h != nil
	})
	if len(acks) == 0 {
		t.Fatal("no acknowledgement captured")
	}
	for _, m := range acks {
		if bytes.Contains(m.Raw(), []byte("wsse:Security")) {
			t.Errorf("acknowledgement is secured:\n%.300s", m.Raw())
		}
	}
}

// TestKnobNoFinal: the P11 CloseSequenceResponse's acknowledgement lacks wsrm:Final.
func TestKnobNoFinal(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{Misbehave: []string{"no-final"}}, InitiatorConfig{Retransmit: quickGiveUp})
	_, _ = pr.run(t, Plan{Messages: 2, Sequences: 1, Size: 8}, 10*time.Second)
	csr := pr.cap.messages(hasAction(wsrm.V200702, wsrm.KindCloseSequenceResponse))
	if len(csr) == 0 {
		t.Fatal("no CloseSequenceResponse")
	}
	for _, m := range csr {
		if a, _ := codec.Find[*wsrm.SequenceAcknowledgement](m); a == nil || a.Final {
			t.Errorf("CloseSequenceResponse ack %+v, want one without Final", a)
		}
	}
}

// TestKnobSkipNumber: the second message is numbered 3, so number 2 never exists; with
// ack-gaps the responder claims it anyway.
func TestKnobSkipNumber(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{Misbehave: []string{"ack-gaps"}},
		InitiatorConfig{Misbehave: []string{"skip-number"}, Retransmit: quickGiveUp})
	_, _ = pr.run(t, Plan{Messages: 2, Sequences: 1, Size: 8}, 10*time.Second)
	nums := map[uint64]bool{}
	for _, m := range pr.cap.messages(func(m *codec.Message) bool { return m.HasAddressing && m.Addressing.Action == AppAction }) {
		if s, _ := codec.Find[*wsrm.Sequence](m); s != nil {
			nums[s.MessageNumber] = true
		}
	}
	if !nums[1] || nums[2] || !nums[3] {
		t.Errorf("numbers sent %v, want 1 and 3", nums)
	}
	if !pr.cap.contains(`Upper="3" Lower="1"`) && !pr.cap.contains(`Lower="1" Upper="3"`) {
		t.Error("ack-gaps did not acknowledge 1-3 as one range")
	}

}

// TestKnobTerminateEarly: TerminateSequence goes out without CloseSequence first.
func TestKnobTerminateEarly(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{}, InitiatorConfig{Misbehave: []string{"terminate-early"}, Retransmit: quickGiveUp})
	_, _ = pr.run(t, Plan{Messages: 2, Sequences: 1, Size: 8}, 10*time.Second)
	if len(pr.cap.messages(hasAction(wsrm.V200702, wsrm.KindTerminateSequence))) == 0 {
		t.Fatal("no TerminateSequence")
	}
	if n := len(pr.cap.messages(hasAction(wsrm.V200702, wsrm.KindCloseSequence))); n != 0 {
		t.Errorf("%d CloseSequence sent under terminate-early", n)
	}
}

// TestKnobStaleRetransmit: a retransmission repeats the first transmission byte for byte
// (old Timestamp and signature) instead of being protected afresh.
func TestKnobStaleRetransmit(t *testing.T) {
	tap := transport.NewTap(1, transport.Rule{Action: AppAction, Nth: []int{1}, Effect: transport.DropResponse})
	pr := newPair(t, P11, soap.V12, ResponderConfig{}, InitiatorConfig{Misbehave: []string{"stale-retransmit"},
		RoundTripper: tap.RoundTripper(transport.NewHTTPTransport())})
	if _, err := pr.run(t, Plan{Messages: 1, Sequences: 1, Size: 8}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	apps := pr.cap.messages(func(m *codec.Message) bool { return m.HasAddressing && m.Addressing.Action == AppAction })
	seen := map[string]int{}
	for _, m := range apps {
		seen[string(m.Raw())]++
	}
	stale := false
	for _, n := range seen {
		stale = stale || n > 1
	}
	if !stale {
		t.Errorf("no application message was sent twice byte for byte (%d sent)", len(apps))
	}
}

// TestKnobDeliverDuplicates: a retransmission of a message already received (its response
// was lost) reaches the application a second time.
func TestKnobDeliverDuplicates(t *testing.T) {
	tap := transport.NewTap(1, transport.Rule{Action: AppAction, Limit: 2, Effect: transport.DropResponse},
		transport.Rule{Action: wsrm.V200702.Action(wsrm.KindAckRequested), Limit: 3, Effect: transport.DropResponse})
	pr := newPair(t, P11, soap.V12, ResponderConfig{Misbehave: []string{"deliver-duplicates"}},
		InitiatorConfig{RoundTripper: tap.RoundTripper(transport.NewHTTPTransport())})
	sum, err := pr.run(t, Plan{Messages: 1, Sequences: 1, Size: 8}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err == nil {
		t.Error("deliver-duplicates delivered exactly once")
	}
}

// TestKnobSilentUnknownSequence: a message for an unknown sequence gets no fault.
func TestKnobSilentUnknownSequence(t *testing.T) {
	for _, knobs := range [][]string{nil, {"silent-unknown-sequence"}} {
		pr := newPair(t, P11, soap.V12, ResponderConfig{Misbehave: knobs}, InitiatorConfig{})
		ctx := context.Background()
		tok, err := pr.init.prov.SCT(ctx, pr.init.cfg.To)
		if err != nil {
			t.Fatal(err)
		}
		sec := tok.Security()
		env := &codec.Envelope{SOAP: soap.V12, Addressing: addressing(AppAction, pr.init.cfg.To),
			Headers: []codec.Header{{Value: &wsrm.Sequence{V: wsrm.V200702, Identifier: "urn:uuid:00000000-0000-4000-8000-000000000009", MessageNumber: 1}, MustUnderstand: true}},
			Body:    []any{appBody([]byte("x"))}}
		raw, err := build(env, &sec, policy(P11), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		resp, err := transport.NewClient(nil).Post(ctx, pr.init.cfg.To, soap.V12, AppAction, raw)
		if err != nil {
			t.Fatal(err)
		}
		faulted := regexp.MustCompile(`UnknownSequence`).Match(resp.Body)
		if faulted != (knobs == nil) {
			t.Errorf("misbehave %v: status %d, UnknownSequence fault %t", knobs, resp.Status, faulted)
		}
	}
}
