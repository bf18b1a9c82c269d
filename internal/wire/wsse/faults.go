package wsse

import "github.com/rspcheck/rspcheck/internal/wire"

// FaultCode is a WSS SOAP Message Security fault subcode local name (WSS 1.1 §12; CONSTANTS
// §9.6). SOAP 1.2: Code Sender + this subcode; SOAP 1.1: faultcode = this QName.
type FaultCode string

// Unsupported-class and failure-class codes.
const (
	UnsupportedSecurityToken FaultCode = "UnsupportedSecurityToken"
	UnsupportedAlgorithm     FaultCode = "UnsupportedAlgorithm"
	InvalidSecurity          FaultCode = "InvalidSecurity"
	InvalidSecurityToken     FaultCode = "InvalidSecurityToken"
	FailedAuthentication     FaultCode = "FailedAuthentication"
	FailedCheck              FaultCode = "FailedCheck"
	SecurityTokenUnavailable FaultCode = "SecurityTokenUnavailable"
	MessageExpired           FaultCode = "MessageExpired"
)

// Codes lists every WSS fault code.
var Codes = []FaultCode{UnsupportedSecurityToken, UnsupportedAlgorithm, InvalidSecurity, InvalidSecurityToken,
	FailedAuthentication, FailedCheck, SecurityTokenUnavailable, MessageExpired}

// QName of the code in the wsse namespace.
func (c FaultCode) QName() wire.QName { return wire.QName{Space: NS, Local: string(c)} }

// FaultCodeOf maps a QName to a WSS fault code. The wsu schema enumerates MessageExpired in
// the wsu namespace (tTimestampFault) while the WSS text names wsse:MessageExpired; both are
// accepted on input, wsse is emitted.
func FaultCodeOf(q wire.QName) (FaultCode, bool) {
	if q.Space == NSWSU && q.Local == string(MessageExpired) {
		return MessageExpired, true
	}
	if q.Space != NS {
		return "", false
	}
	for _, c := range Codes {
		if string(c) == q.Local {
			return c, true
		}
	}
	return "", false
}
