package bootstrap

import (
	"errors"
	"fmt"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// Kinds of failure. Every error of Verify is an *Error whose Kind is one of these; the
// entropy functions wrap ErrEntropy.
var (
	// ErrEnvelope: the document is not a usable SOAP envelope (no Envelope, no or two
	// Bodies, two Headers).
	ErrEnvelope = errors.New("not a usable SOAP envelope")
	// ErrNoSecurity: no single wsse:Security header for the ultimate receiver, or it is not
	// marked mustUnderstand.
	ErrNoSecurity = errors.New("no usable wsse:Security header")
	// ErrTimestamp: the wsu:Timestamp is missing, duplicated, malformed, expired or not yet
	// valid.
	ErrTimestamp = errors.New("timestamp invalid")
	// ErrCertificate: the signing token is missing, is not an X.509v3 BinarySecurityToken,
	// does not parse, or does not chain to the trust roots at the verification time.
	ErrCertificate = errors.New("signing certificate not acceptable")
	// ErrSignature: the ds:Signature is missing or malformed, uses a refused algorithm, or
	// does not verify with the certificate's key.
	ErrSignature = errors.New("signature invalid")
	// ErrCoverage: the signature verifies but does not cover a part that must be signed.
	ErrCoverage = errors.New("required part not signed")
	// ErrEntropy: encrypted entropy cannot be produced or recovered.
	ErrEntropy = errors.New("encrypted entropy unusable")
)

// Error is a failed verification. Fault is the WSS fault code (WSS SOAP Message Security
// 1.1 §12) a receiver answers with; Err, when set, is the underlying cause (a dsig, x509 or
// xenc error), reachable with errors.Is / errors.As.
type Error struct {
	Kind   error
	Fault  wire.QName
	Detail string
	Err    error
}

func (e *Error) Error() string {
	s := "bootstrap: " + e.Kind.Error() + ": " + e.Detail
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func failf(kind error, fault wsse.FaultCode, format string, args ...any) *Error {
	return &Error{Kind: kind, Fault: fault.QName(), Detail: fmt.Sprintf(format, args...)}
}

func wrapf(kind error, fault wsse.FaultCode, cause error, format string, args ...any) *Error {
	e := failf(kind, fault, format, args...)
	e.Err = cause
	return e
}
