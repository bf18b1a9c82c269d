package framework

import (
	"fmt"
	"slices"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// FlowViolation is a forbidden ordering in a captured exchange (FLOW.md §3-§5).
type FlowViolation struct {
	N    int    // the offending message
	Rule string // the catalogue ID the ordering belongs to
	Text string
}

func (v FlowViolation) String() string {
	return fmt.Sprintf("message %d: %s (%s)", v.N, v.Text, v.Rule)
}

// Flow checks the ordering of everything the SUT (as initiator, or as the side that sends
// sequence traffic) sent, against the allowed orderings of FLOW.md: alternatives such as
// piggybacked or stand-alone acknowledgements and an optional CloseSequence are allowed;
// these are not:
//
//   - a CreateSequence before the SCT exists (RM-STR-011);
//   - sequence traffic (Sequence, AckRequested, Close, Terminate) for an identifier before the
//     CreateSequenceResponse that granted it (RM-CSR-005);
//   - sequence traffic after the sequence's TerminateSequence (RM-TS-001: it is the last RM
//     message of the sequence);
//   - any message secured by an SCT after that SCT's cancellation (SC-CNL-004: cancelling
//     first leaves the rest unverifiable);
//   - the SCT cancelled while a sequence bound to it is still open (FLOW §5, SC-CNL-004).
//
// tokens are the SCTs involved (to tell which one secures a message).
func Flow(w *Wire, tokens []token.Token) []FlowViolation {
	st := flowState{granted: map[string]bool{}, ended: map[string]int{}, open: map[string]string{},
		cancelled: map[string]int{}, tokens: tokens}
	for _, m := range w.Messages(func(m *Message) bool { return m.Msg != nil }) {
		st.step(m)
	}
	return st.out
}

// FlowViolations checks the spec's capture of an initiator run with Flow and returns the
// violations of the given rules (all of them when none is given), each recorded in the report.
func (s *Spec) FlowViolations(run *InitiatorRun, rules ...string) []FlowViolation {
	var out []FlowViolation
	for _, v := range Flow(s.Wire, run.Tokens()) {
		if len(rules) == 0 || slices.Contains(rules, v.Rule) {
			out = append(out, v)
		}
	}
	return out
}

type flowState struct {
	issued    bool
	granted   map[string]bool   // sequence -> CreateSequenceResponse seen
	open      map[string]string // sequence -> the SCT its CreateSequence named (until terminated)
	ended     map[string]int    // sequence -> message number of its TerminateSequence
	cancelled map[string]int    // SCT -> message of its cancellation
	refs      map[string]string // CreateSequence MessageID -> STR URI
	tokens    []token.Token
	out       []FlowViolation
}

func (f *flowState) add(m *Message, rule, format string, args ...any) {
	f.out = append(f.out, FlowViolation{N: m.N, Rule: rule, Text: fmt.Sprintf(format, args...)})
}

func (f *flowState) step(m *Message) {
	msg := m.Msg
	if _, b, resp, ok := wsc.BindingOfAction(m.Action()); ok {
		switch {
		case resp && msg.Fault() == nil && b == wsc.BindingIssue:
			f.issued = true
		case !resp && b == wsc.BindingCancel && m.Dir == FromSUT:
			if id := f.securedBy(msg); id != "" {
				for seq, sct := range f.open {
					if sct == id {
						f.add(m, "SC-CNL-004", "SCT %s cancelled while sequence %s is open", id, seq)
					}
				}
				f.cancelled[id] = m.N
			}
		}
		return
	}
	if m.Dir == ToSUT {
		if r, ok := msg.Payload.(*wsrm.CreateSequenceResponse); ok {
			f.granted[r.Identifier] = true
			if msg.HasAddressing && len(msg.Addressing.RelatesTo) > 0 && f.refs != nil {
				f.open[r.Identifier] = f.refs[msg.Addressing.RelatesTo[0].URI]
			}
		}
		return
	}
	if id := f.securedBy(msg); id != "" {
		if at, ok := f.cancelled[id]; ok {
			f.add(m, "SC-CNL-004", "secured by SCT %s, cancelled at message %d", id, at)
		}
	}
	if cs, ok := msg.Payload.(*wsrm.CreateSequence); ok {
		if !f.issued {
			f.add(m, "RM-STR-011", "CreateSequence before the SCT was issued")
		}
		if f.refs == nil {
			f.refs = map[string]string{}
		}
		if msg.HasAddressing && cs.STR != nil && cs.STR.Reference != nil {
			f.refs[msg.Addressing.MessageID] = cs.STR.Reference.URI
		}
		return
	}
	seq := SequenceOf(msg)
	if seq == "" {
		return
	}
	if at, ok := f.ended[seq]; ok {
		f.add(m, "RM-TS-001", "traffic for sequence %s after its TerminateSequence (message %d)", seq, at)
	}
	if !f.granted[seq] {
		if _, isClose := msg.Payload.(*wsrm.CloseSequence); isClose || hasSequenceHeader(msg) {
			f.add(m, "RM-CSR-005", "traffic for sequence %s before a CreateSequenceResponse granted it", seq)
		}
	}
	if _, ok := msg.Payload.(*wsrm.TerminateSequence); ok {
		if _, seen := f.ended[seq]; !seen {
			f.ended[seq] = m.N
		}
		delete(f.open, seq)
	}
}

// securedBy is the SCT that verifiably secures msg ("" when none of the tokens does).
func (f *flowState) securedBy(msg *codec.Message) string {
	for _, t := range f.tokens {
		if a, err := wssec.Check(msg, wssec.CheckOptions{Policy: wssec.Policy{Version: t.Version, Sign: wssec.PartBody},
			Tokens: wssec.TokenMap{t.Identifier: t.Security()}, Now: msgTime(msg)}); err == nil {
			return a.Token.Identifier
		}
	}
	return ""
}

// msgTime is the instant a message claims to have been created (its wsu:Timestamp/Created),
// so that a capture judged later is checked at the time it was sent; now when it has none.
func msgTime(m *codec.Message) time.Time {
	if sec, _ := codec.Find[*wsse.Security](m); sec != nil {
		if ts := sec.Timestamp(); ts != nil {
			if c, _, err := ts.Times(); err == nil && !c.IsZero() {
				return c.Add(time.Second)
			}
		}
	}
	return time.Now()
}

func hasSequenceHeader(m *codec.Message) bool {
	h, _ := codec.Find[*wsrm.Sequence](m)
	return h != nil
}

// SequenceOf is the sequence a message belongs to ("" for none): its Sequence header,
// AckRequested header, or Close/Terminate body.
func SequenceOf(m *codec.Message) string {
	if h, _ := codec.Find[*wsrm.Sequence](m); h != nil {
		return h.Identifier
	}
	if h, _ := codec.Find[*wsrm.AckRequested](m); h != nil {
		return h.Identifier
	}
	switch b := m.Payload.(type) {
	case *wsrm.CloseSequence:
		return b.Identifier
	case *wsrm.TerminateSequence:
		return b.Identifier
	}
	return ""
}
