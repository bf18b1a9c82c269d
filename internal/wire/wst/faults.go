package wst

import "github.com/rspcheck/rspcheck/internal/wire"

// FaultCode is a WS-Trust fault subcode local name (WS-Trust 1.3 §11; CONSTANTS §9.5). The
// namespace is the wst namespace of the version.
type FaultCode string

const (
	InvalidRequest            FaultCode = "InvalidRequest"            // malformed or invalid request
	FailedAuthentication      FaultCode = "FailedAuthentication"      // requestor authentication failed
	RequestFailed             FaultCode = "RequestFailed"             // request could not be satisfied
	InvalidSecurityToken      FaultCode = "InvalidSecurityToken"      // token revoked or invalid
	AuthenticationBadElements FaultCode = "AuthenticationBadElements" // insufficient digest elements
	BadRequest                FaultCode = "BadRequest"                // RST not understood
	ExpiredData               FaultCode = "ExpiredData"               // request data out of date
	InvalidTimeRange          FaultCode = "InvalidTimeRange"          // requested time range not acceptable
	InvalidScope              FaultCode = "InvalidScope"              // requested scope not acceptable
	RenewNeeded               FaultCode = "RenewNeeded"               // renewable token expired
	UnableToRenew             FaultCode = "UnableToRenew"             // renewal failed
)

// Codes lists the WS-Trust fault codes (the same in both versions).
var Codes = []FaultCode{InvalidRequest, FailedAuthentication, RequestFailed, InvalidSecurityToken,
	AuthenticationBadElements, BadRequest, ExpiredData, InvalidTimeRange, InvalidScope, RenewNeeded, UnableToRenew}

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
