package trust

import (
	"errors"
	"fmt"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

// Fault is a refused request: the fault code (a QName of the version in use: wst:*, wsc:*,
// wsse:* or wsa:*), a reason for people, and the catalogue rule behind it. The issuer answers
// with it as a SOAP fault; the client returns the peer's SOAP fault as one.
type Fault struct {
	Code     wire.QName
	Reason   string
	Rule     string // ASSERTIONS ID, e.g. "SC-ISS-001"; "" when none applies
	Receiver bool   // the fault is the issuer's own (SOAP 1.2 Receiver), not the request's
}

// Sentinels for errors.Is. Comparison ignores the version: ErrBadContextToken matches a
// wsc:BadContextToken of WS-SC 1.3 and of 2005/02.
var (
	ErrInvalidRequest          = &Fault{Code: wst.InvalidRequest.QName(wst.V13)}
	ErrBadRequest              = &Fault{Code: wst.BadRequest.QName(wst.V13)}
	ErrRequestFailed           = &Fault{Code: wst.RequestFailed.QName(wst.V13)}
	ErrFailedAuthentication    = &Fault{Code: wst.FailedAuthentication.QName(wst.V13)}
	ErrBadContextToken         = &Fault{Code: wsc.BadContextToken.QName(wsc.V200512)}
	ErrUnsupportedContextToken = &Fault{Code: wsc.UnsupportedContextToken.QName(wsc.V200512)}
	ErrRenewNeeded             = &Fault{Code: wsc.RenewNeeded.QName(wsc.V200512)}
	ErrUnableToRenew           = &Fault{Code: wsc.UnableToRenew.QName(wsc.V200512)}
	ErrActionNotSupported      = &Fault{Code: wire.QName{Space: wsa.NS10, Local: "ActionNotSupported"}}
)

// family names the vocabulary of a fault namespace, so that versions compare equal.
func family(ns string) string {
	if _, ok := wst.VersionOf(ns); ok {
		return "wst"
	}
	if _, ok := wsc.VersionOf(ns); ok {
		return "wsc"
	}
	if _, ok := wsa.VersionOf(ns); ok {
		return "wsa"
	}
	if ns == wsse.NS || ns == wsse.NSWSU {
		return "wsse"
	}
	return ns
}

// Prefixed is the code as "wst:InvalidRequest", "wsc:BadContextToken", ... whatever the
// version.
func (f *Fault) Prefixed() string { return family(f.Code.Space) + ":" + f.Code.Local }

func (f *Fault) Error() string {
	s := f.Prefixed()
	if f.Reason != "" {
		s += ": " + f.Reason
	}
	if f.Rule != "" {
		s += " (" + f.Rule + ")"
	}
	return s
}

// Is matches another *Fault with the same code in the same vocabulary, any version.
func (f *Fault) Is(target error) bool {
	t, ok := target.(*Fault)
	return ok && t.Code.Local == f.Code.Local && family(t.Code.Space) == family(f.Code.Space)
}

// CodeOf returns the prefixed fault code of err ("wsc:BadContextToken"), or "" when err is
// not a *Fault.
func CodeOf(err error) string {
	var f *Fault
	if errors.As(err, &f) {
		return f.Prefixed()
	}
	return ""
}

// SOAP is the fault as a SOAP fault: code Sender (Receiver for the issuer's own failures),
// subcode the fault QName (CONSTANTS §9: SOAP 1.2 Code/Subcode; SOAP 1.1 faultcode = QName).
func (f *Fault) SOAP() *soap.Fault {
	code := soap.Sender
	if f.Receiver {
		code = soap.Receiver
	}
	reason := f.Reason
	if reason == "" {
		reason = f.Code.Local
	}
	if f.Rule != "" {
		reason += " (" + f.Rule + ")"
	}
	return &soap.Fault{Code: code, Subcodes: []wire.QName{f.Code}, Reason: reason}
}

// trustFault builds a WS-Trust fault of version v.
func trustFault(v wst.Version, c wst.FaultCode, rule, format string, args ...any) *Fault {
	return &Fault{Code: c.QName(v), Reason: fmt.Sprintf(format, args...), Rule: rule, Receiver: c == wst.RequestFailed}
}

// scFault builds a WS-SC fault of version v.
func scFault(v wsc.Version, c wsc.FaultCode, rule, format string, args ...any) *Fault {
	return &Fault{Code: c.QName(v), Reason: fmt.Sprintf(format, args...), Rule: rule}
}

// faultOf turns a SOAP fault received from the issuer into a *Fault: the first subcode, or
// (SOAP 1.1) the faultcode QName.
func faultOf(m *codec.Message) *Fault {
	sf := m.Fault()
	if sf == nil {
		return nil
	}
	code := sf.Subcode()
	if code.IsZero() {
		code = sf.CodeQName
	}
	return &Fault{Code: code, Reason: sf.Reason, Receiver: sf.Code == soap.Receiver}
}
