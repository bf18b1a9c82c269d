package dsig

import (
	"errors"
	"fmt"
)

// Failure kinds of a verification.
var (
	ErrMalformed        = errors.New("malformed signature")
	ErrAlgorithm        = errors.New("algorithm not allowed")
	ErrReference        = errors.New("reference cannot be resolved")
	ErrDuplicateID      = errors.New("duplicate ID in the document")
	ErrDigestMismatch   = errors.New("digest mismatch")
	ErrSignatureInvalid = errors.New("signature value does not verify")
	ErrKey              = errors.New("no acceptable key")
)

// Error explains a failed verification or signing step. Kind is one of the Err* sentinels;
// URI names the reference involved, if any.
type Error struct {
	Kind   error
	URI    string
	Detail string
	Cause  error // the key resolver's error, when it refused the key
}

func (e *Error) Error() string {
	s := e.Kind.Error()
	if e.URI != "" {
		s += " for reference " + e.URI
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

func fail(kind error, uri, format string, args ...any) *Error {
	return &Error{Kind: kind, URI: uri, Detail: fmt.Sprintf(format, args...)}
}
