package wsrm

import "github.com/rspcheck/rspcheck/internal/wire"

// Sequence is the wsrm:Sequence header (WS-RM 1.1 §3.7): Identifier, MessageNumber; 2005/02
// adds an optional empty LastMessage.
type Sequence struct {
	V             Version
	Identifier    string
	MessageNumber uint64
	LastMessage   bool
	Extra         []wire.Any
}

// Validate checks the message number range and the identifier.
//
// WS-RM 1.1 §3.7: the RM Source MUST assign 1 to the first message and increment by 1; the
// value MUST NOT exceed 9223372036854775807 (XSD MessageNumberType).
func (s *Sequence) Validate() error {
	vs := validIdentifier(s.Identifier)
	if s.MessageNumber == 0 {
		vs = append(vs, wire.Violationf([]string{"MessageNumber"}, "message numbers start at 1 (WS-RM 1.1 §3.7)"))
	}
	if s.MessageNumber > MaxMessageNumber {
		vs = append(vs, wire.Violationf([]string{"MessageNumber"}, "%d exceeds the maximum message number %d (WS-RM 1.1 §3.7)", s.MessageNumber, MaxMessageNumber))
	}
	if s.LastMessage && s.V != V200502 {
		vs = append(vs, wire.Violationf([]string{"LastMessage"}, "LastMessage exists only in WS-RM 2005/02"))
	}
	return vs.Err()
}

// AckRequested is the wsrm:AckRequested header (WS-RM 1.1 §3.8); 2005/02 adds
// MaxMessageNumberUsed.
type AckRequested struct {
	V                    Version
	Identifier           string
	MaxMessageNumberUsed uint64 // 0 = absent
	Extra                []wire.Any
}

// Validate checks the identifier.
func (a *AckRequested) Validate() error {
	vs := validIdentifier(a.Identifier)
	if a.MaxMessageNumberUsed != 0 && a.V != V200502 {
		vs = append(vs, wire.Violationf([]string{"MaxMessageNumberUsed"}, "MaxMessageNumberUsed exists only in WS-RM 2005/02"))
	}
	return vs.Err()
}

// UsesSequenceSTR is the empty wsrm:UsesSequenceSTR header (WS-RM 1.1 §5.2.1, 1.1 only): the
// CreateSequence is scoped to the token its STR names. It MUST carry mustUnderstand="true".
type UsesSequenceSTR struct{}
