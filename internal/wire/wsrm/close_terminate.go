package wsrm

import "github.com/rspcheck/rspcheck/internal/wire"

// CloseSequence is wsrm:CloseSequence (WS-RM 1.1 §3.5, 1.1 only): Identifier, LastMsgNumber?.
type CloseSequence struct {
	V             Version
	Identifier    string
	LastMsgNumber uint64 // 0 = absent
	HasLast       bool
	Extra         []wire.Any
}

// CloseSequenceResponse is wsrm:CloseSequenceResponse (1.1 only).
type CloseSequenceResponse struct {
	V          Version
	Identifier string
	Extra      []wire.Any
}

// TerminateSequence is wsrm:TerminateSequence (WS-RM 1.1 §3.6): Identifier, LastMsgNumber?
// (1.1 only).
type TerminateSequence struct {
	V             Version
	Identifier    string
	LastMsgNumber uint64
	HasLast       bool
	Extra         []wire.Any
}

// TerminateSequenceResponse is wsrm:TerminateSequenceResponse (1.1 only).
type TerminateSequenceResponse struct {
	V          Version
	Identifier string
	Extra      []wire.Any
}

func validLast(v Version, has bool, n uint64) wire.Violations {
	if !has {
		return nil
	}
	if v == V200502 {
		return wire.Violations{wire.Violationf([]string{"LastMsgNumber"}, "LastMsgNumber exists only in WS-RM 1.1")}
	}
	if n == 0 || n > MaxMessageNumber {
		return wire.Violations{wire.Violationf([]string{"LastMsgNumber"}, "LastMsgNumber %d is not a valid message number (1..%d)", n, MaxMessageNumber)}
	}
	return nil
}

// Validate checks the message.
func (c *CloseSequence) Validate() error {
	vs := validIdentifier(c.Identifier)
	if c.V == V200502 {
		vs = append(vs, wire.Violationf(nil, "CloseSequence does not exist in WS-RM 2005/02"))
	}
	return append(vs, validLast(c.V, c.HasLast, c.LastMsgNumber)...).Err()
}

// Validate checks the message.
func (c *CloseSequenceResponse) Validate() error { return validIdentifier(c.Identifier).Err() }

// Validate checks the message.
func (t *TerminateSequence) Validate() error {
	vs := validIdentifier(t.Identifier)
	return append(vs, validLast(t.V, t.HasLast, t.LastMsgNumber)...).Err()
}

// Validate checks the message.
func (t *TerminateSequenceResponse) Validate() error { return validIdentifier(t.Identifier).Err() }
