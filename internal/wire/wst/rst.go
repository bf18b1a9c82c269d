package wst

import (
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// RequestSecurityToken is wst:RequestSecurityToken (WS-Trust 1.3 §3.1): the body of an
// issue, renew, cancel or validate request. Its XSD content model is an open wildcard; the
// intended order (TokenType?, RequestType, AppliesTo?, Claims?, Entropy?, Lifetime?, ...,
// KeyType?, KeySize?, ...) is what the codec writes.
type RequestSecurityToken struct {
	V       Version
	Context string // @Context, echoed by every RSTR for this request (SC-ISS-004)
	// TokenType asks for a kind of token; for an SCT the SCT token type of the matching WS-SC
	// version (wsc.Version.SCTTokenType).
	TokenType   string
	RequestType string // Version.RequestType(Issue|Renew|Cancel|...)
	// AppliesTo is the wsp:AppliesTo element as written (any WS-Policy version), nil = absent.
	AppliesTo *wire.Any
	// Claims is the wst:Claims element as written (with its @Dialect), nil = absent.
	Claims   *wire.Any
	Entropy  *Entropy
	Lifetime *Lifetime
	Renewing *Renewing
	KeyType  string
	KeySize  uint32 // bits; 0 = absent
	// ComputedKeyAlgorithm asks for a computed proof key (Version.CKPSHA1).
	ComputedKeyAlgorithm string
	// RenewTarget / CancelTarget hold the STR that names the token to renew / cancel. WS-Trust
	// lets the target carry the token itself instead: that element is in RenewTargetToken /
	// CancelTargetToken.
	RenewTarget       *wsse.SecurityTokenReference
	RenewTargetToken  *wire.Any
	CancelTarget      *wsse.SecurityTokenReference
	CancelTargetToken *wire.Any
	Extra             []wire.Any
}

// Kind is the request's RequestType as a kind of this version.
func (r *RequestSecurityToken) Kind() (RequestKind, bool) {
	v, k, ok := RequestTypeOf(r.RequestType)
	return k, ok && v == r.V
}

// Validate checks the rules of an RST the XSD cannot express.
//
//   - WS-Trust 1.3 §3.1: RequestType is required.
//   - SC-ISS-001/002: asking for an SCT uses the SCT token type of the WS-SC version that goes
//     with the WS-Trust version (200512 with 200512, 2005/02 with 2005/02); URIs of the other
//     version (RequestType, KeyType, BinarySecret Type, ComputedKeyAlgorithm) mix versions.
//     Whether an Issue without TokenType asks for an SCT shows only in the action (.../RST/SCT):
//     that is a message-level rule.
//   - WS-Trust 1.3 §9.2: KeySize is a positive number of bits, a multiple of 8.
//   - WS-Trust 1.3 §5.1 / §6.1: a Renew request carries wst:RenewTarget, a Cancel request
//     wst:CancelTarget (both required there).
//   - WS-Trust 1.3 §3.3: Entropy carries non-empty key material. §4.1: Lifetime Created is
//     before Expires.
func (r *RequestSecurityToken) Validate() error {
	vs := common{v: r.V, tokenType: r.TokenType, requestType: r.RequestType, keyType: r.KeyType,
		keySize: r.KeySize, entropy: r.Entropy, lifetime: r.Lifetime}.validate()
	if r.RequestType == "" {
		vs = append(vs, wire.Violationf([]string{"RequestType"}, "wst:RequestSecurityToken requires a wst:RequestType (WS-Trust 1.3 §3.1)"))
	}
	if o, ok := r.V.otherVersionOf(r.ComputedKeyAlgorithm); ok {
		vs = append(vs, mixed([]string{"ComputedKeyAlgorithm"}, "ComputedKeyAlgorithm", r.ComputedKeyAlgorithm, o, r.V))
	}
	kind, _ := r.Kind()
	if kind == Renew && r.RenewTarget == nil && r.RenewTargetToken == nil {
		vs = append(vs, wire.Violationf([]string{"RenewTarget"}, "a Renew request requires wst:RenewTarget naming the token to renew (WS-Trust 1.3 §5.1, SC-RNW-001)"))
	}
	if kind == Cancel && r.CancelTarget == nil && r.CancelTargetToken == nil {
		vs = append(vs, wire.Violationf([]string{"CancelTarget"}, "a Cancel request requires wst:CancelTarget naming the token to cancel (WS-Trust 1.3 §6.1, SC-CNL-001)"))
	}
	if r.RenewTarget != nil {
		vs = append(vs, wsse.Prefixed(r.RenewTarget.Validate(), "RenewTarget", "SecurityTokenReference")...)
	}
	if r.CancelTarget != nil {
		vs = append(vs, wsse.Prefixed(r.CancelTarget.Validate(), "CancelTarget", "SecurityTokenReference")...)
	}
	return vs.Err()
}
