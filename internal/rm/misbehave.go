package rm

import (
	"fmt"
	"sort"
	"strings"
)

// Misbehave switches on deliberate protocol violations so that the reference peers can play
// a broken implementation and the conformance suite can prove it notices. Every knob is off by
// default, each is a documented violation of the rule named next to it, and each is tested to
// misbehave exactly as named. Knobs that are not RM logic (wrong-dk-label,
// sign-with-other-token) live in peer/; ParseMisbehave hands them back.
type Misbehave struct {
	// ---- Destination (responder) ----

	// AcceptAnyToken accepts later messages of a scoped sequence protected by any SCT, not
	// only the one the sequence is bound to. Violates RM-STR-008/009. Unsecured messages are
	// still rejected.
	AcceptAnyToken bool
	// SkipSTRCheck creates sequences without checking that the CreateSequence is secured by
	// the token its STR names (or secured at all) and without requiring an STR. The sequence
	// is bound to the token the STR names. Violates RM-STR-005/006/007.
	SkipSTRCheck bool
	// AckGaps acknowledges 1..highest-received as one range, claiming messages that never
	// arrived. Violates RM-ACK-003.
	AckGaps bool
	// NoFinal leaves wsrm:Final out of the acks after CloseSequence. Violates RM-ACK-006 /
	// RM-CL-002.
	NoFinal bool
	// AcceptAfterTerminate keeps a terminated sequence and goes on accepting, delivering and
	// acknowledging its messages. Violates RM-TS-003.
	AcceptAfterTerminate bool
	// UnsignedAcks sends acknowledgements unprotected (SendAck.Token = "", also on the final
	// acks of Close/Terminate responses). Violates RM-STR-008.
	UnsignedAcks bool
	// DeliverDuplicates hands a duplicate to the application again under AtMostOnce and
	// ExactlyOnce. Violates RM-DA-002/003.
	DeliverDuplicates bool
	// IgnoreUsesSequenceSTR does not couple wsrm:UsesSequenceSTR with the STR: an STR
	// without the header is accepted even when RequireUsesSequenceSTR is set, and the header
	// without an STR is not refused for that reason (a responder that requires an STR, as the
	// reference responder does, still refuses it as unscoped unless SkipSTRCheck is also
	// set). Violates RM-STR-003/007.
	IgnoreUsesSequenceSTR bool
	// SilentUnknownSequence drops messages for unknown or terminated sequences without the
	// wsrm:UnknownSequence fault. Violates RM-SEQ-004 / RM-TS-003.
	SilentUnknownSequence bool

	// ---- Source (initiator) ----

	// OmitSTR sends CreateSequence without the STR (still protected by the SCT). Violates
	// RM-STR-001 / RM-STR-012.
	OmitSTR bool
	// OmitUsesSequenceSTR sends a 1.1 CreateSequence with the STR but without the
	// wsrm:UsesSequenceSTR header. Violates RM-STR-003.
	OmitUsesSequenceSTR bool
	// SkipNumber gives the second application message number 3: number 2 is never sent.
	// Violates RM-SEQ-002 ("+1, no gaps in assignment").
	SkipNumber bool
	// RepeatNumber gives the second application message number 1 again (a different payload
	// under a used number). Violates RM-SEQ-002 ("numbers are never reused").
	RepeatNumber bool
	// TerminateEarly makes Finish send TerminateSequence at once: no CloseSequence /
	// LastMessage and no waiting for acknowledgements. Violates RM-TS-001 (and WCF's RM-CL-001
	// ordering).
	TerminateEarly bool
	// StaleRetransmit marks retransmissions Stale: the peer resends the first transmission's
	// bytes with the old Timestamp and signature. Violates RM-SEQ-008 / RM-PER-008.
	StaleRetransmit bool
}

// misbehaveNames maps the knob names to fields.
var misbehaveNames = map[string]func(*Misbehave) *bool{
	"accept-any-token":         func(m *Misbehave) *bool { return &m.AcceptAnyToken },
	"skip-str-check":           func(m *Misbehave) *bool { return &m.SkipSTRCheck },
	"ack-gaps":                 func(m *Misbehave) *bool { return &m.AckGaps },
	"no-final":                 func(m *Misbehave) *bool { return &m.NoFinal },
	"accept-after-terminate":   func(m *Misbehave) *bool { return &m.AcceptAfterTerminate },
	"unsigned-acks":            func(m *Misbehave) *bool { return &m.UnsignedAcks },
	"deliver-duplicates":       func(m *Misbehave) *bool { return &m.DeliverDuplicates },
	"ignore-uses-sequence-str": func(m *Misbehave) *bool { return &m.IgnoreUsesSequenceSTR },
	"silent-unknown-sequence":  func(m *Misbehave) *bool { return &m.SilentUnknownSequence },
	"omit-str":                 func(m *Misbehave) *bool { return &m.OmitSTR },
	"omit-uses-sequence-str":   func(m *Misbehave) *bool { return &m.OmitUsesSequenceSTR },
	"skip-number":              func(m *Misbehave) *bool { return &m.SkipNumber },
	"repeat-number":            func(m *Misbehave) *bool { return &m.RepeatNumber },
	"terminate-early":          func(m *Misbehave) *bool { return &m.TerminateEarly },
	"stale-retransmit":         func(m *Misbehave) *bool { return &m.StaleRetransmit },
}

// MisbehaveNames lists the knob names rm implements, sorted.
func MisbehaveNames() []string {
	out := make([]string, 0, len(misbehaveNames))
	for n := range misbehaveNames {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ParseMisbehave sets the knobs named in names (kebab-case, as on the rsppeer command line;
// empty strings are ignored) and returns the names it does not know, for peer/ to handle.
func ParseMisbehave(names []string) (m Misbehave, rest []string) {
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if f, ok := misbehaveNames[n]; ok {
			*f(&m) = true
		} else {
			rest = append(rest, n)
		}
	}
	return m, rest
}

// Names lists the knobs that are on, sorted (for logs and traces).
func (m Misbehave) Names() []string {
	var out []string
	for n, f := range misbehaveNames {
		if *f(&m) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (m Misbehave) String() string {
	if n := m.Names(); len(n) > 0 {
		return strings.Join(n, ",")
	}
	return "none"
}

var _ fmt.Stringer = Misbehave{}
