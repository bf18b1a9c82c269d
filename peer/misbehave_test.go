package peer

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// contains reports whether any captured message contains s.
func (c *capture) contains(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.msgs {
		if bytes.Contains(m, []byte(s)) {
			return true
		}
	}
	return false
}

var quickGiveUp = rm.Backoff{Base: 20 * time.Millisecond, Factor: 1, Max: 20 * time.Millisecond, Limit: 3}

// TestOtherTokenRefused: application messages of a sequence bound to SCT A but signed with
// SCT B (initiator knob sign-with-other-token) are refused with a fault and never delivered
// nor acknowledged by a conforming responder (RM-STR-008/009).
func TestOtherTokenRefused(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{}, InitiatorConfig{Misbehave: []string{SignWithOtherToken}, Retransmit: quickGiveUp})
	sum, err := pr.run(t, Plan{Messages: 3, Sequences: 1, Size: 16}, 10*time.Second)
	if err == nil {
		t.Fatalf("run succeeded although every message was signed with another SCT (%s)", sum)
	}
	if d := pr.resp.Delivered(); len(d) != 0 {
		t.Errorf("delivered %v", d)
	}
	if !pr.cap.contains("FailedAuthentication") {
		t.Error("no wsse:FailedAuthentication fault for a message signed with another SCT")
	}
	if sum.Acknowledged != 0 {
		t.Errorf("acknowledged %d", sum.Acknowledged)
	}
}

// TestAcceptAnyToken: the responder knob accept-any-token takes the same messages (the
// violation the suite must catch).
func TestAcceptAnyToken(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{Misbehave: []string{"accept-any-token"}},
		InitiatorConfig{Misbehave: []string{SignWithOtherToken}, Retransmit: quickGiveUp})
	sum, err := pr.run(t, Plan{Messages: 3, Sequences: 1, Size: 16}, 10*time.Second)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
		t.Errorf("accept-any-token did not deliver the messages signed with another SCT: %v", err)
	}
}

// TestOmitSTR: the initiator knob omit-str sends CreateSequence without the STR; a conforming
// responder refuses it with wsrm:CreateSequenceRefused (RM-STR-007/012), while the responder
// knob skip-str-check creates the sequence anyway.
func TestOmitSTR(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		t.Run(p.String()+"/conforming", func(t *testing.T) {
			pr := newPair(t, p, soap.V12, ResponderConfig{}, InitiatorConfig{Misbehave: []string{"omit-str"}, Retransmit: quickGiveUp})
			_, err := pr.run(t, Plan{Messages: 2, Sequences: 1, Size: 16}, 10*time.Second)
			if err == nil || !strings.Contains(err.Error(), "CreateSequence failed") {
				t.Fatalf("run error %v, want a refused CreateSequence", err)
			}
			if !pr.cap.contains("CreateSequenceRefused") {
				t.Error("no wsrm:CreateSequenceRefused fault")
			}
			if bytes.Contains(pr.firstCreate(t), []byte("SecurityTokenReference URI")) {
				t.Error("omit-str still wrote an STR")
			}
		})
		t.Run(p.String()+"/skip-str-check", func(t *testing.T) {
			pr := newPair(t, p, soap.V12, ResponderConfig{Misbehave: []string{"skip-str-check"}},
				InitiatorConfig{Misbehave: []string{"omit-str"}, Retransmit: quickGiveUp})
			_, _ = pr.run(t, Plan{Messages: 2, Sequences: 1, Size: 16}, 10*time.Second)
			// The sequence is created and its messages delivered; whether the rest of the
			// run completes does not matter here.
			if !pr.cap.contains("CreateSequenceResponse") {
				t.Fatal("skip-str-check refused a CreateSequence without STR")
			}
			if d := pr.resp.Delivered(); len(d) != 2 {
				t.Errorf("delivered %d messages, want 2", len(d))
			}
		})
	}
}

// firstCreate returns the first captured CreateSequence.
func (p *pair) firstCreate(t *testing.T) []byte {
	t.Helper()
	p.cap.mu.Lock()
	defer p.cap.mu.Unlock()
	for _, m := range p.cap.msgs {
		if bytes.Contains(m, []byte("CreateSequence>")) || bytes.Contains(m, []byte("CreateSequence ")) {
			return m
		}
	}
	t.Fatal("no CreateSequence captured")
	return nil
}

// TestUnknownMisbehaviour: unknown knob names are refused.
func TestUnknownMisbehaviour(t *testing.T) {
	if _, err := NewResponder(ResponderConfig{Misbehave: []string{"no-such-knob"}}); err == nil {
		t.Error("responder accepted an unknown knob")
	}
	if _, err := NewInitiator(InitiatorConfig{To: "http://x", Misbehave: []string{"no-such-knob"}}); err == nil {
		t.Error("initiator accepted an unknown knob")
	}
}

// TestWrongDKLabel: with the responder knob wrong-dk-label, its signatures do not verify with
// the key a conforming receiver derives (default label), so the initiator never accepts the
// CreateSequenceResponse and the sequence is never established (SC-DKT-002).
func TestWrongDKLabel(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{Misbehave: []string{WrongDKLabel}}, InitiatorConfig{Retransmit: quickGiveUp})
	if _, err := pr.run(t, Plan{Messages: 1, Sequences: 1, Size: 8}, 10*time.Second); err == nil {
		t.Fatal("run succeeded although every responder signature used the wrong label")
	}
	raw := pr.captured(t, "CreateSequenceResponse>")
	m, err := codec.Decode(raw, codec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pr.init.mu.Lock()
	tokens := wssec.TokenMap{}
	for id, tok := range pr.init.tokens {
		tokens[id] = tok.Security()
	}
	pr.init.mu.Unlock()
	_, err = wssec.Check(m, wssec.CheckOptions{Policy: policy(P11), Tokens: tokens, Now: time.Now()})
	if !errors.Is(err, wssec.ErrSignature) {
		t.Errorf("check of a wrong-label signature: %v, want %v", err, wssec.ErrSignature)
	}
	// Naming the label the key was really derived with makes the same signature verify: the
	// knob changes the label and nothing else.
	for _, dkt := range m.Doc.FindElements("//DerivedKeyToken") {
		nonce := dkt.SelectElement("Nonce")
		label := etree.NewElement(dkt.Space + ":Label")
		label.SetText(wrongLabel)
		dkt.InsertChildAt(nonce.Index(), label)
	}
	fixed, err := m.Doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := codec.Decode(fixed, codec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wssec.Check(m2, wssec.CheckOptions{Policy: policy(P11), Tokens: tokens, Now: time.Now()}); err != nil {
		t.Errorf("signature does not verify with the label %q either: %v", wrongLabel, err)
	}
}

// captured returns the first captured message containing s.
func (p *pair) captured(t *testing.T, s string) []byte {
	t.Helper()
	p.cap.mu.Lock()
	defer p.cap.mu.Unlock()
	for _, m := range p.cap.msgs {
		if bytes.Contains(m, []byte(s)) {
			return m
		}
	}
	t.Fatalf("no message containing %q captured", s)
	return nil
}
