package seckit

import (
	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/suite/framework"
)

// SecurityFaults are every WSS fault code and every WS-SC fault code of v: the refusals a
// receiver may answer a message whose security it does not accept. The catalogue marks the
// exact code of most security refusals [R] (recalled) or [U] (unconfirmed), so the specs
// require a refusal with one of these and record which code came back.
func SecurityFaults(v wsc.Version, extra ...wire.QName) []wire.QName {
	var out []wire.QName
	for _, c := range wsse.Codes {
		out = append(out, c.QName())
	}
	for _, c := range wsc.Codes {
		out = append(out, c.QName(v))
	}
	return append(out, extra...)
}

// Refused are SecurityFaults plus wsrm:CreateSequenceRefused of rm (a CreateSequence that a
// receiver's RM layer refuses because its security did not prove the token).
func Refused(v wsc.Version, rm wsrm.Version) []wire.QName {
	return SecurityFaults(v, wsrm.CreateSequenceRefused.QName(rm))
}

// FaultCode names the fault a response carries ("" for none), for observations.
func FaultCode(r *framework.Response) string {
	if r == nil || r.Message == nil || r.Msg == nil {
		return ""
	}
	return CodeOf(r.Msg)
}

// CodeOf names the fault of m: its first Subcode (SOAP 1.2) or faultcode (SOAP 1.1).
func CodeOf(m *codec.Message) string {
	f := m.Fault()
	if f == nil {
		return ""
	}
	if q := f.Subcode(); !q.IsZero() {
		return q.String()
	}
	return f.CodeQName.String()
}

// DKTSourceFaults are the refusals of a DerivedKeyToken whose source SCT is unknown
// (SC-DKT-006): wsc:UnknownDerivationSource, or as some stacks answer wsc:BadContextToken or
// wsse:SecurityTokenUnavailable.
func DKTSourceFaults(v wsc.Version) []wire.QName {
	return []wire.QName{wsc.UnknownDerivationSource.QName(v), wsc.BadContextToken.QName(v), wsse.SecurityTokenUnavailable.QName()}
}
