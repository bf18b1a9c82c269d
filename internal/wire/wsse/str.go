package wsse

import (
	"strings"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// SecurityTokenReference is wsse:SecurityTokenReference (WSS 1.1 §7.1). Exactly one of
// Reference, KeyIdentifier or Embedded is normally present.
type SecurityTokenReference struct {
	ID            string // wsu:Id
	TokenType     string // wsse11:TokenType attribute
	Reference     *Reference
	KeyIdentifier *KeyIdentifier
	Extra         []wire.Any
	// ImpliedNonce / ImpliedLength are the wsc:Nonce and wsc:Length attributes of an implied
	// derived key (WS-SC 1.3 §7.3, SC-DKT-007): derive a key from the referenced token with
	// these parameters and the default label. nil / 0 = absent; ImpliedNS is the wsc
	// namespace they were found in.
	ImpliedNonce  []byte
	ImpliedLength uint64
	ImpliedNS     string
}

// Reference is wsse:Reference: a URI (either "#wsu:Id" for a token in the same message, or an
// absolute URI such as an SCT Identifier) and a ValueType.
type Reference struct {
	URI       string
	ValueType string
	// Instance is the wsc:Instance attribute that pins an SCT key instance (WS-SC 1.3 §8);
	// InstanceNS is the wsc namespace it was found in.
	Instance   string
	InstanceNS string
}

// IsLocal reports whether the reference points into the same message ("#id").
func (r *Reference) IsLocal() bool { return strings.HasPrefix(r.URI, "#") }

// KeyIdentifier is wsse:KeyIdentifier.
type KeyIdentifier struct {
	ValueType    string
	EncodingType string
	Value        string
}

// Validate checks that the STR says what it refers to.
func (s *SecurityTokenReference) Validate() error {
	if s.Reference == nil && s.KeyIdentifier == nil && len(s.Extra) == 0 {
		return wire.Violationf(nil, "wsse:SecurityTokenReference has no Reference, KeyIdentifier or embedded token (WSS 1.1 §7)")
	}
	if s.Reference != nil && s.Reference.URI == "" {
		return wire.Violationf([]string{"Reference"}, "wsse:Reference needs a URI (WSS 1.1 §7.2)")
	}
	return nil
}
