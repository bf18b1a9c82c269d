package wssec

import (
	"errors"
	"fmt"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// Kinds of check failure. Each maps to the SOAP fault a receiver returns (CONSTANTS §9.4,
// §9.6).
var (
	ErrNoSecurity     = errors.New("no usable wsse:Security header")
	ErrTimestamp      = errors.New("timestamp invalid")
	ErrExpired        = errors.New("message expired")
	ErrReplay         = errors.New("replayed message")
	ErrUnknownToken   = errors.New("unknown security context token")
	ErrWrongToken     = errors.New("message secured by another security context token")
	ErrDerivation     = errors.New("derived key token invalid")
	ErrSignature      = errors.New("signature invalid")
	ErrNotSigned      = errors.New("required part not signed")
	ErrDecrypt        = errors.New("decryption failed")
	ErrUnsupported    = errors.New("unsupported security construct")
	ErrSecurityHeader = errors.New("security header malformed")
)

// Error is a failed check: Kind is one of the Err* values, Fault the fault code to answer
// with, Detail what exactly failed.
type Error struct {
	Kind   error
	Fault  wire.QName
	Detail string
}

func (e *Error) Error() string { return "wssec: " + e.Kind.Error() + ": " + e.Detail }
func (e *Error) Unwrap() error { return e.Kind }

func failf(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Fault: faultFor(kind), Detail: fmt.Sprintf(format, args...)}
}

// faultFor picks the spec fault of a failure kind: WSS faults for header processing
// (WSS 1.1 §12), WS-SC faults for context tokens (WS-SC 1.3 §8).
func faultFor(kind error) wire.QName {
	switch kind {
	case ErrExpired:
		return wsse.MessageExpired.QName()
	case ErrUnknownToken, ErrWrongToken:
		return wsc.BadContextToken.QName(wsc.V200512)
	case ErrDerivation:
		return wsc.UnknownDerivationSource.QName(wsc.V200512)
	case ErrUnsupported:
		return wsse.UnsupportedAlgorithm.QName()
	case ErrSignature, ErrNotSigned, ErrDecrypt, ErrReplay:
		return wsse.FailedCheck.QName()
	}
	return wsse.InvalidSecurity.QName()
}
