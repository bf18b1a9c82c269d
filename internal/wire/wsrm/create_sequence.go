package wsrm

import (
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// CreateSequence is the wsrm:CreateSequence body (WS-RM 1.1 §3.4): AcksTo, Expires?, Offer?,
// then any elements of other namespaces. The XSD annotates that open slot as intended for a
// wsse:SecurityTokenReference, which is how a sequence is scoped to a security token
// (WS-RM 1.1 §5.2; CONSTANTS §10): STR holds it when present.
type CreateSequence struct {
	V       Version
	AcksTo  wsa.EPR
	Expires string // xs:duration; "" when absent
	Offer   *Offer
	STR     *wsse.SecurityTokenReference
	// STRIndex is the position of the STR among the extension children (0 = first); the
	// STR is expected last (WCF writes it as the last child).
	STRIndex int
	Extra    []wire.Any
}

// Offer is wsrm:Offer (WS-RM 1.1 §3.4): a sequence offered for the reverse direction.
// WS-RM 1.1 requires Endpoint; 2005/02 has none.
type Offer struct {
	Identifier                 string
	Endpoint                   *wsa.EPR
	Expires                    string
	IncompleteSequenceBehavior string
	Extra                      []wire.Any
}

// Validate checks the rules of CreateSequence the XSD cannot express, plus the required parts.
func (c *CreateSequence) Validate() error {
	var vs wire.Violations
	if err := c.AcksTo.Validate(); err != nil {
		vs = append(vs, wire.Violationf([]string{"AcksTo"}, "%v", err))
	}
	if c.Expires != "" && !ValidDuration(c.Expires) {
		vs = append(vs, wire.Violationf([]string{"Expires"}, "%q is not an xs:duration", c.Expires))
	}
	if c.Offer != nil {
		vs = append(vs, c.Offer.validate(c.V).Prefix("Offer")...)
	}
	if c.STR != nil {
		if err := c.STR.Validate(); err != nil {
			vs = append(vs, wire.Violationf([]string{"SecurityTokenReference"}, "%v", err))
		}
		if c.STRIndex != len(c.Extra) {
			vs = append(vs, wire.Violationf([]string{"SecurityTokenReference"},
				"the STR must follow every other child of CreateSequence (WS-RM 1.1 §3.4 extensibility slot; WCF writes it last)"))
		}
	}
	return vs.Err()
}

func (o *Offer) validate(v Version) wire.Violations {
	var vs wire.Violations
	if o.Identifier == "" {
		vs = append(vs, wire.Violationf([]string{"Identifier"}, "Offer requires an Identifier"))
	} else if !AbsoluteURI(o.Identifier) {
		vs = append(vs, wire.Violationf([]string{"Identifier"}, "sequence identifier %q is not an absolute URI (WS-RM 1.1 §3.4)", o.Identifier))
	}
	if v == V200702 && o.Endpoint == nil {
		vs = append(vs, wire.Violationf([]string{"Endpoint"}, "WS-RM 1.1 Offer requires an Endpoint (§3.4)"))
	}
	if o.Endpoint != nil {
		if err := o.Endpoint.Validate(); err != nil {
			vs = append(vs, wire.Violationf([]string{"Endpoint"}, "%v", err))
		}
	}
	if o.Expires != "" && !ValidDuration(o.Expires) {
		vs = append(vs, wire.Violationf([]string{"Expires"}, "%q is not an xs:duration", o.Expires))
	}
	if o.IncompleteSequenceBehavior != "" && !ValidIncompleteSequenceBehavior(o.IncompleteSequenceBehavior) {
		vs = append(vs, wire.Violationf([]string{"IncompleteSequenceBehavior"}, "unknown value %q", o.IncompleteSequenceBehavior))
	}
	return vs
}
