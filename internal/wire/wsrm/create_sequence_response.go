package wsrm

import (
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
)

// CreateSequenceResponse is the wsrm:CreateSequenceResponse body (WS-RM 1.1 §3.5):
// Identifier, Expires?, IncompleteSequenceBehavior? (1.1 only), Accept?.
type CreateSequenceResponse struct {
	V                          Version
	Identifier                 string
	Expires                    string
	IncompleteSequenceBehavior string
	Accept                     *Accept
	Extra                      []wire.Any
}

// Accept is wsrm:Accept: the RMD accepts an offered sequence; AcksTo is where acks for it go.
type Accept struct {
	AcksTo wsa.EPR
	Extra  []wire.Any
}

// Validate checks the response.
func (r *CreateSequenceResponse) Validate() error {
	var vs wire.Violations
	vs = append(vs, validIdentifier(r.Identifier)...)
	if r.Expires != "" && !ValidDuration(r.Expires) {
		vs = append(vs, wire.Violationf([]string{"Expires"}, "%q is not an xs:duration", r.Expires))
	}
	if r.IncompleteSequenceBehavior != "" {
		if r.V == V200502 {
			vs = append(vs, wire.Violationf([]string{"IncompleteSequenceBehavior"}, "IncompleteSequenceBehavior does not exist in WS-RM 2005/02"))
		} else if !ValidIncompleteSequenceBehavior(r.IncompleteSequenceBehavior) {
			vs = append(vs, wire.Violationf([]string{"IncompleteSequenceBehavior"}, "unknown value %q", r.IncompleteSequenceBehavior))
		}
	}
	if r.Accept != nil {
		if err := r.Accept.AcksTo.Validate(); err != nil {
			vs = append(vs, wire.Violationf([]string{"Accept", "AcksTo"}, "%v", err))
		}
	}
	return vs.Err()
}

func validIdentifier(id string) wire.Violations {
	if id == "" {
		return wire.Violations{wire.Violationf([]string{"Identifier"}, "missing sequence Identifier")}
	}
	if !AbsoluteURI(id) {
		return wire.Violations{wire.Violationf([]string{"Identifier"}, "sequence identifier %q is not an absolute URI (WS-RM 1.1 §3.5)", id)}
	}
	return nil
}
