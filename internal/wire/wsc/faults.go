package wsc

import "github.com/rspcheck/rspcheck/internal/wire"

// FaultCode is a WS-SC fault subcode local name (WS-SC 1.3 §9 / XSD FaultCodeType;
// CONSTANTS §9.4). The namespace is the wsc namespace of the version; the SOAP 1.2 code is
// Sender [R].
type FaultCode string

const (
	// BadContextToken: the requested context elements are insufficient or unsupported; stacks
	// also use it for unknown or cancelled SCTs.
	BadContextToken FaultCode = "BadContextToken"
	// UnsupportedContextToken: not all values associated with the SCT are supported.
	UnsupportedContextToken FaultCode = "UnsupportedContextToken"
	// UnknownDerivationSource: the DKT's source token (its STR) is unknown.
	UnknownDerivationSource FaultCode = "UnknownDerivationSource"
	// RenewNeeded: the context token has expired; renew it.
	RenewNeeded FaultCode = "RenewNeeded"
	// UnableToRenew: renewal failed.
	UnableToRenew FaultCode = "UnableToRenew"
)

// Codes lists the WS-SC fault codes (the same in both versions).
var Codes = []FaultCode{BadContextToken, UnsupportedContextToken, UnknownDerivationSource, RenewNeeded, UnableToRenew}

// QName of the code in version v.
func (c FaultCode) QName(v Version) wire.QName {
	return wire.QName{Space: v.Namespace(), Local: string(c)}
}

// FaultCodeOf maps a QName to a fault code and its version.
func FaultCodeOf(q wire.QName) (FaultCode, Version, bool) {
	v, ok := VersionOf(q.Space)
	if !ok {
		return "", 0, false
	}
	for _, c := range Codes {
		if string(c) == q.Local {
			return c, v, true
		}
	}
	return "", 0, false
}
