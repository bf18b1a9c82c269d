package soap

import "github.com/rspcheck/rspcheck/internal/wire"

// Fault is a SOAP fault in either version.
//
// SOAP 1.2 (Part 1 §5.4): env:Code/env:Value is one of the five codes, optionally refined by
// nested env:Subcode/env:Value QNames; env:Reason holds one or more env:Text[@xml:lang];
// env:Node, env:Role and env:Detail are optional.
//
// SOAP 1.1 (§4.4): faultcode is a single QName, faultstring, faultactor and detail. WS-RM and
// WS-Addressing put their subcode QName into faultcode directly (CONSTANTS §9), in which case
// Code is left at its zero value and Subcodes[0] holds that QName.
type Fault struct {
	Code     Code
	Subcodes []wire.QName // outermost first
	Reason   string
	Lang     string // xml:lang of the reason; "en" when empty on output
	Node     string
	Role     string
	Detail   []wire.Any
	// CodeQName is the literal code as found on the wire (faultcode in 1.1). For SOAP 1.1
	// faults whose faultcode is a WS-* QName it equals Subcodes[0].
	CodeQName wire.QName
}

// Subcode is the first (outermost) subcode, which carries the WS-* fault code, or the zero QName.
func (f *Fault) Subcode() wire.QName {
	if len(f.Subcodes) == 0 {
		return wire.QName{}
	}
	return f.Subcodes[0]
}

// HasSubcode reports whether q is among the subcodes.
func (f *Fault) HasSubcode(q wire.QName) bool {
	for _, s := range f.Subcodes {
		if s == q {
			return true
		}
	}
	return false
}

// Validate checks the rules a fault must satisfy whatever the version.
func (f *Fault) Validate() error {
	var vs wire.Violations
	if f.Reason == "" {
		vs = append(vs, wire.Violationf([]string{"Reason"}, "a fault must carry a human-readable reason (SOAP 1.2 Part 1 §5.4.2; SOAP 1.1 §4.4 faultstring)"))
	}
	for _, s := range f.Subcodes {
		if s.Local == "" {
			vs = append(vs, wire.Violationf([]string{"Code"}, "empty subcode QName"))
		}
	}
	return vs.Err()
}
