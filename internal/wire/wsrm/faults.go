package wsrm

import "github.com/rspcheck/rspcheck/internal/wire"

// FaultCode is a WS-RM fault subcode local name (CONSTANTS §9.1, §9.2).
type FaultCode string

const (
	SequenceTerminated        FaultCode = "SequenceTerminated"
	UnknownSequence           FaultCode = "UnknownSequence"
	InvalidAcknowledgement    FaultCode = "InvalidAcknowledgement"
	MessageNumberRollover     FaultCode = "MessageNumberRollover"
	CreateSequenceRefused     FaultCode = "CreateSequenceRefused"
	SequenceClosed            FaultCode = "SequenceClosed"
	WSRMRequired              FaultCode = "WSRMRequired"
	LastMessageNumberExceeded FaultCode = "LastMessageNumberExceeded"
)

// wsrmRequiredWCF is WCF's spelling of WSRMRequired; accepted on input, never emitted
// (CONSTANTS §9.1 spelling trap).
const wsrmRequiredWCF = "WsrmRequired"

// QName of the fault code in version v.
func (c FaultCode) QName(v Version) wire.QName {
	return wire.QName{Space: v.Namespace(), Local: string(c)}
}

// Codes lists the fault codes defined in version v.
func (v Version) Codes() []FaultCode {
	if v == V200502 {
		return []FaultCode{UnknownSequence, SequenceTerminated, InvalidAcknowledgement, MessageNumberRollover,
			CreateSequenceRefused, LastMessageNumberExceeded}
	}
	return []FaultCode{SequenceTerminated, UnknownSequence, InvalidAcknowledgement, MessageNumberRollover,
		CreateSequenceRefused, SequenceClosed, WSRMRequired}
}

// FaultCodeOf maps a QName to a fault code of some version.
func FaultCodeOf(q wire.QName) (FaultCode, Version, bool) {
	v, ok := VersionOf(q.Space)
	if !ok {
		return "", 0, false
	}
	local := q.Local
	if local == wsrmRequiredWCF {
		local = string(WSRMRequired)
	}
	for _, c := range v.Codes() {
		if string(c) == local {
			return c, v, true
		}
	}
	return "", 0, false
}

// SenderFault reports whether the fault's SOAP 1.2 code is Sender. SequenceTerminated and
// CreateSequenceRefused may be either; callers choose (CONSTANTS §9.1).
func (c FaultCode) SenderFault() bool {
	return c != SequenceTerminated && c != CreateSequenceRefused
}

// SequenceFault is the wsrm:SequenceFault header used with SOAP 1.1 (WS-RM 1.1 §4; forbidden
// with SOAP 1.2) to carry the fault code and detail.
type SequenceFault struct {
	V         Version
	FaultCode wire.QName
	Detail    []wire.Any
	Extra     []wire.Any
}

// Validate checks the required FaultCode.
func (f *SequenceFault) Validate() error {
	if f.FaultCode.Local == "" {
		return wire.Violationf([]string{"FaultCode"}, "wsrm:SequenceFault requires a wsrm:FaultCode QName (WS-RM 1.1 §4)")
	}
	return nil
}

// HeaderFault reports whether c concerns an existing sequence, so that with SOAP 1.1 its code
// and detail travel in a wsrm:SequenceFault header (WS-RM 1.1 §4; WCF WsrmHeaderFault).
// CreateSequenceRefused and WSRMRequired concern no sequence.
func (c FaultCode) HeaderFault() bool {
	return c != CreateSequenceRefused && c != WSRMRequired
}
