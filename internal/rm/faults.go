package rm

import (
	"fmt"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// nsWSSE is the WSS SOAP Message Security 1.0 namespace (CONSTANTS §1); rm may not import
// wire/wsse, so the one QName it needs is spelled here (it equals wsse.FailedAuthentication.QName()).
const nsWSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"

// FailedAuthentication is wsse:FailedAuthentication (WSS 1.1 §12, CONSTANTS §9.6): "the
// security token could not be authenticated or authorized".
var FailedAuthentication = wire.QName{Space: nsWSSE, Local: "FailedAuthentication"}

// Fault is a typed fault the engine raises. RM faults carry their spec code (wsrm.FaultCode)
// and detail (CONSTANTS §9.1, §9.2); the one non-RM fault, the rejection of a message that is
// not protected by its sequence's token (RM-STR-009), carries Security instead. The peer maps
// a Fault to a SOAP fault: SOAP 1.2 Code = Sender unless Receiver, Subcode = QName(); SOAP 1.1
// faultcode = QName() with the detail in a wsrm:SequenceFault header when
// Code.HeaderFault() (RM-FLT-002). The fault action is wsrm.V200702.Action(wsrm.KindFault)
// for 1.1 and the WS-Addressing fault action for 2005/02 (RM-FLT-001).
//
// Fault implements error: the Source's local operations (Send, Close, ...) return one.
type Fault struct {
	Version  wsrm.Version
	Code     wsrm.FaultCode // "" when Security is set
	Security wire.QName     // non-RM subcode (wsse:FailedAuthentication); zero for RM faults
	Receiver bool           // SOAP 1.2 env:Receiver instead of env:Sender

	// Detail. Identifier for UnknownSequence, SequenceClosed, SequenceTerminated,
	// MessageNumberRollover, LastMessageNumberExceeded; MaxMessageNumber for
	// MessageNumberRollover; Ack (the offending acknowledgement) for InvalidAcknowledgement.
	Identifier       string
	MaxMessageNumber uint64
	Ack              *wsrm.SequenceAcknowledgement

	Reason    string // human-readable reason (the SOAP Reason text)
	Assertion string // the catalogue entry that motivated the fault, e.g. "RM-STR-005"
}

// QName is the fault subcode: the wsrm code in the fault's version, or Security.
func (f *Fault) QName() wire.QName {
	if f.Code == "" {
		return f.Security
	}
	return f.Code.QName(f.Version)
}

func (f *Fault) Error() string {
	s := f.QName().Local
	if f.Identifier != "" {
		s += " (" + f.Identifier + ")"
	}
	if f.Reason != "" {
		s += ": " + f.Reason
	}
	return "rm: " + s
}

// rmFault builds an RM fault with the SOAP 1.2 code the spec assigns (CONSTANTS §9.1:
// SequenceTerminated and CreateSequenceRefused may be either; callers set Receiver).
func rmFault(v wsrm.Version, code wsrm.FaultCode, id, assertion, format string, args ...any) *Fault {
	return &Fault{Version: v, Code: code, Identifier: id, Assertion: assertion, Reason: fmt.Sprintf(format, args...)}
}

// refused is wsrm:CreateSequenceRefused with Code Sender: every refusal the engine makes is
// caused by the request (RM-FLT-004: Sender for client-side problems).
func refused(v wsrm.Version, assertion, format string, args ...any) *Fault {
	return rmFault(v, wsrm.CreateSequenceRefused, "", assertion, format, args...)
}

func unknownSequence(v wsrm.Version, id string) *Fault {
	// WS-RM 1.1 §4.3 (RM-SEQ-004, RM-TS-003): UnknownSequence covers identifiers that were
	// never issued and sequences that were terminated.
	return rmFault(v, wsrm.UnknownSequence, id, "RM-SEQ-004", "the sequence is unknown or terminated")
}

// RejectReason says why a message claiming membership of a scoped sequence was rejected.
type RejectReason int

const (
	RejectUnsecured  RejectReason = iota + 1 // no SCT protected the message
	RejectWrongToken                         // another SCT protected it
	RejectUncovered                          // the bound SCT signed it, but not the RM headers / body
)

func (r RejectReason) String() string {
	switch r {
	case RejectUnsecured:
		return "not secured by the sequence's security context token"
	case RejectWrongToken:
		return "secured by a different security context token than the one the sequence is bound to"
	case RejectUncovered:
		return "the signature does not cover the sequence's RM headers and body"
	}
	return "rejected"
}

// rejectFault is the answer to RM-STR-009 (a message of a scoped sequence that its token does
// not protect). WS-RM defines no code for it [U]; the catalogue tolerates no answer, a wsse:*
// fault, a generic fault or SequenceTerminated. We choose wsse:FailedAuthentication (Sender):
//
//   - the message's own security verified (wssec passed it), so its token is authentic but
//     not authorized for this sequence — exactly WSS 1.1 §12's "could not be authenticated or
//     authorized"; stacks whose security layer does the check answer this (ASSERTIONS RM-STR-009);
//   - not wsc:BadContextToken: the SCT itself is valid, only its use here is not;
//   - not wsrm:SequenceTerminated: anyone holding any SCT could then kill another client's
//     sequence; the legitimate sequence must carry on unharmed (no state change at all);
//   - not UnknownSequence: that would tell the prober nothing false but lets it distinguish
//     rejection from absence less clearly, and the sequence is in fact known.
func rejectFault(v wsrm.Version, id string, why RejectReason) *Fault {
	return &Fault{Version: v, Security: FailedAuthentication, Identifier: id, Assertion: "RM-STR-009",
		Reason: "message rejected: " + why.String()}
}
