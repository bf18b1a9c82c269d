// Package rmkit holds what the transfer and closure specs share: a scripted initiator's
// small steps towards a SUT responder (open, send, AckRequested), acknowledgement matchers,
// the lossy scenario of a SUT initiator (the first transmission of message 2 dropped, every
// transmission recorded) with the keys of the SCTs it used, and endpoints of the suite that
// the SUT sends to (addressable AcksTo).
package rmkit

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL
	"github.com/onsi/gomega/types"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

// ---- SUT responder side ----

// Open obtains an SCT and opens a conforming sequence at the SUT responder.
func Open(ctx SpecContext, c *Client) *Seq {
	tok, err := c.SCT(ctx)
	Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
	sq, _, withoutUses, err := c.OpenForRM(ctx, tok)
	// The behaviour under test needs an open sequence; whether the SUT creates one is judged
	// by the establish phase (RM-CS-*, RM-CSR-*, RM-STR-*), not once more by every spec.
	Precondition(err == nil, "a sequence scoped to the SCT could not be created (judged by the establish phase): %v", err)
	if withoutUses {
		AddReportEntry(EntryObserved, "the SUT refused wsrm:UsesSequenceSTR (mustUnderstand): this sequence was created as a plain WS-RM sequence secured by the SCT, without the header and the STR (RM-CSR-001, RM-STR-004 judge the refusal)", ReportEntryVisibilityNever)
	}
	return sq
}

// Send sends application message m on sq and returns the response.
func Send(ctx SpecContext, c *Client, sq *Seq, m Msg) *Response {
	r, err := c.Message(ctx, sq, m)
	Expect(err).NotTo(HaveOccurred())
	return r
}

// SendAll sends the numbers ns on sq, each expected to be accepted.
func SendAll(ctx SpecContext, c *Client, sq *Seq, ns ...uint64) {
	for _, n := range ns {
		Expect(Send(ctx, c, sq, Msg{Number: n})).To(BeAccepted(), "message %d of a live sequence", n)
	}
}

// AckReq sends a stand-alone AckRequested for sq.
func AckReq(ctx SpecContext, c *Client, sq *Seq) *Response {
	r, err := c.AckRequested(ctx, sq, nil)
	Expect(err).NotTo(HaveOccurred())
	return r
}

// AckOf is the response's acknowledgement of sequence id (nil when none).
func AckOf(r *Response, id string) *wsrm.SequenceAcknowledgement {
	if as := Acks(r, id); len(as) > 0 {
		return as[0]
	}
	return nil
}

// NumbersOf lists every number an acknowledgement claims (ranges only).
func NumbersOf(a *wsrm.SequenceAcknowledgement) []uint64 {
	var out []uint64
	for _, r := range a.Ranges {
		for k := r.Lower; k <= r.Upper && k-r.Lower < 1<<16; k++ {
			out = append(out, k)
		}
	}
	return out
}

// AckExactly succeeds when the response acknowledges sequence id with ranges that claim
// exactly the numbers want, each range with Lower ≤ Upper and no two ranges overlapping
// (WS-RM 1.1 §3.9). The order of the ranges and whether adjacent ranges are merged are not
// judged.
func AckExactly(id string, want ...uint64) types.GomegaMatcher {
	return &ackMatcher{id: id, want: want}
}

type ackMatcher struct {
	id       string
	want     []uint64
	exp, got string
}

func (m *ackMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*Response)
	if !ok {
		return false, fmt.Errorf("AckExactly: want *Response, got %T", actual)
	}
	m.exp = fmt.Sprintf("an acknowledgement of %s claiming exactly %s, ranges not overlapping", m.id, setText(m.want))
	a := AckOf(r, m.id)
	if a == nil {
		m.got = "no acknowledgement of the sequence (" + Summary(r) + ")"
		return false, nil
	}
	m.got = "ranges " + RangesText(a.Ranges)
	if a.None {
		m.got += " + None"
	}
	if len(a.Nacks) > 0 {
		m.got += fmt.Sprintf(" + Nack %v", a.Nacks)
	}
	for _, x := range a.Ranges {
		if x.Lower > x.Upper || x.Lower == 0 {
			return false, nil
		}
	}
	if overlap(a.Ranges) || len(a.Nacks) > 0 {
		return false, nil
	}
	got := NumbersOf(a)
	slices.Sort(got)
	w := slices.Clone(m.want)
	slices.Sort(w)
	return slices.Equal(got, w), nil
}

func (m *ackMatcher) FailureMessage(any) string { return "expected: " + m.exp + "\nactual:   " + m.got }
func (m *ackMatcher) NegatedFailureMessage(any) string {
	return "expected: not " + m.exp + "\nactual:   " + m.got
}

// overlap reports whether two ranges share a number.
func overlap(rs []wsrm.AckRange) bool {
	s := slices.Clone(rs)
	sort.Slice(s, func(i, j int) bool { return s[i].Lower < s[j].Lower })
	for i := 1; i < len(s); i++ {
		if s[i].Lower <= s[i-1].Upper {
			return true
		}
	}
	return false
}

func RangesText(rs []wsrm.AckRange) string {
	if len(rs) == 0 {
		return "(none)"
	}
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "[%d,%d]", r.Lower, r.Upper)
	}
	return b.String()
}

func setText(ns []uint64) string {
	if len(ns) == 0 {
		return "no message"
	}
	return fmt.Sprintf("%v", ns)
}

// Summary summarises a response for failure messages.
func Summary(r *Response) string {
	switch {
	case r == nil:
		return "no response"
	case r.Message == nil:
		return fmt.Sprintf("HTTP %d, empty body", r.Status)
	case r.Msg == nil:
		return fmt.Sprintf("HTTP %d, undecodable body", r.Status)
	}
	if f := r.Fault(); f != nil {
		code := f.CodeQName
		if q := f.Subcode(); q.Local != "" {
			code = q
		}
		return fmt.Sprintf("HTTP %d, fault %s (%s)", r.Status, code, f.Reason)
	}
	return fmt.Sprintf("HTTP %d, %s", r.Status, r.Action())
}

// DeliveredTo lists the numbers of sequence id the observable SUT delivered, in order.
func DeliveredTo(r *SUTResponder, id string) []uint64 {
	var out []uint64
	for _, d := range r.Delivered() {
		if d.Sequence == id {
			out = append(out, d.MessageNumber)
		}
	}
	return out
}

// Acked is the response's acknowledgement of id; the spec is skipped when there is none (a
// missing answer to AckRequested is RM-AR-001's failure, not the one this spec judges).
func Acked(r *Response, id string) *wsrm.SequenceAcknowledgement {
	a := AckOf(r, id)
	if a == nil {
		Skip(NotApplicablePrefix + "the SUT did not acknowledge " + id + " (" + Summary(r) + "; see RM-AR-001)")
	}
	return a
}
