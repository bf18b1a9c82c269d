package wsrm

import (
	"fmt"
	"sort"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// AckRange is one wsrm:AcknowledgementRange (both bounds inclusive).
type AckRange struct {
	Lower, Upper uint64
}

// SequenceAcknowledgement is the wsrm:SequenceAcknowledgement header (WS-RM 1.1 §3.9):
// Identifier, then either ranges (or None) with an optional Final, or Nacks; then extensions
// such as netrm:BufferRemaining.
type SequenceAcknowledgement struct {
	V          Version
	Identifier string
	Ranges     []AckRange
	None       bool
	Final      bool
	Nacks      []uint64
	Extra      []wire.Any
}

// Validate checks the structural rules of an acknowledgement that the XSD cannot express.
//
// WS-RM 1.1 §3.9: ranges MUST NOT overlap and each has Lower <= Upper; message numbers start
// at 1; None acknowledges nothing and excludes ranges; Final and None/Nack combinations follow
// the choice in the XSD (Nack excludes ranges, None and Final).
//
// WS-RM 2005/02 has no None: an acknowledgement of a sequence that received nothing is the
// single range Lower=0 Upper=0, as WCF writes it (WCF B1402, RM-ACK-005, FLOW §7). That range is
// accepted in 2005/02 only, and only as the sole range; in 1.1 it is refused (wsrm:None says it).
func (a *SequenceAcknowledgement) Validate() error {
	vs := validIdentifier(a.Identifier)
	if a.V == V200502 && (a.None || a.Final) {
		vs = append(vs, wire.Violationf(nil, "None and Final exist only in WS-RM 1.1"))
	}
	if len(a.Nacks) > 0 && (len(a.Ranges) > 0 || a.None || a.Final) {
		vs = append(vs, wire.Violationf([]string{"Nack"}, "Nack cannot be combined with AcknowledgementRange, None or Final (WS-RM 1.1 §3.9)"))
	}
	if a.None && len(a.Ranges) > 0 {
		vs = append(vs, wire.Violationf([]string{"None"}, "None cannot be combined with AcknowledgementRange (WS-RM 1.1 §3.9)"))
	}
	if len(a.Ranges) == 0 && !a.None && len(a.Nacks) == 0 {
		vs = append(vs, wire.Violationf(nil, "an acknowledgement needs AcknowledgementRange, None or Nack (WS-RM 1.1 §3.9)"))
	}
	for _, n := range a.Nacks {
		if n == 0 || n > MaxMessageNumber {
			vs = append(vs, wire.Violationf([]string{"Nack"}, "Nack %d is not a valid message number", n))
		}
	}
	if !a.IsEmpty200502() {
		vs = append(vs, validateRanges(a.Ranges)...)
	}
	return vs.Err()
}

// IsEmpty200502 reports whether a is the empty acknowledgement of WS-RM 2005/02: the single
// AcknowledgementRange Lower=0 Upper=0 (WCF B1402, RM-ACK-005), no Nack. It claims no message
// number.
func (a *SequenceAcknowledgement) IsEmpty200502() bool {
	return a.V == V200502 && len(a.Ranges) == 1 && a.Ranges[0] == (AckRange{}) && len(a.Nacks) == 0 && !a.None
}

func validateRanges(rs []AckRange) wire.Violations {
	var vs wire.Violations
	for i, r := range rs {
		at := []string{fmt.Sprintf("AcknowledgementRange[%d]", i)}
		if r.Lower == 0 {
			// Only the sole 0-0 range of an empty 2005/02 ack is allowed (IsEmpty200502).
			vs = append(vs, wire.Violationf(at, "range %d-%d: Lower must be at least 1 (message numbers start at 1)", r.Lower, r.Upper))
		}
		if r.Lower > r.Upper {
			vs = append(vs, wire.Violationf(at, "range %d-%d is inverted: Lower must not exceed Upper (WS-RM 1.1 §3.9)", r.Lower, r.Upper))
		}
		if r.Upper > MaxMessageNumber {
			vs = append(vs, wire.Violationf(at, "range %d-%d exceeds the maximum message number", r.Lower, r.Upper))
		}
	}
	order := make([]int, len(rs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return rs[order[i]].Lower < rs[order[j]].Lower })
	for k := 1; k < len(order); k++ {
		prev, cur := rs[order[k-1]], rs[order[k]]
		if cur.Lower <= prev.Upper && prev.Lower <= prev.Upper {
			// Point at whichever of the two comes later in the message.
			at := order[k]
			if order[k-1] > at {
				at = order[k-1]
			}
			vs = append(vs, wire.Violationf([]string{fmt.Sprintf("AcknowledgementRange[%d]", at)},
				"ranges %d-%d and %d-%d overlap (WS-RM 1.1 §3.9: ranges MUST NOT overlap)",
				prev.Lower, prev.Upper, cur.Lower, cur.Upper))
		}
	}
	return vs
}

// Acked reports whether message n is covered by the ranges.
func (a *SequenceAcknowledgement) Acked(n uint64) bool {
	for _, r := range a.Ranges {
		if n >= r.Lower && n <= r.Upper {
			return true
		}
	}
	return false
}
