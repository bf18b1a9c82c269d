// Package wst is the WS-Trust vocabulary in its two versions: WS-Trust 1.3 (OASIS, namespace
// .../ws-sx/ws-trust/200512) and WS-Trust February 2005 (schemas.xmlsoap.org/ws/2005/02/trust).
// It holds the request (RST), the response (RSTR) and the 1.3 response collection (RSTRC),
// request types, binary-secret and key types, the computed-key URIs, generic actions and fault
// codes (CONSTANTS §2.4, §2.7, §5, §9.5). The SCT bindings' actions are in package wsc.
//
// The 2005/02 elements have the local names and structure of 1.3 in the 2005/02 namespace,
// except that a 2005/02 final response is a bare RSTR where 1.3 wraps it in an RSTRC.
package wst

import "github.com/rspcheck/rspcheck/internal/wire/wsc"

// Version is a WS-Trust version.
type Version int

const (
	V13     Version = iota // WS-Trust 1.3 (200512; its elements are reused by 1.4)
	V200502                // WS-Trust February 2005
)

// Namespaces. The published 1.3 XSD declares its target namespace with a trailing "/"; the
// namespace on the wire (and in the spec text) has none.
const (
	NS13     = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
	NS200502 = "http://schemas.xmlsoap.org/ws/2005/02/trust"
)

// Versions lists both versions, newest first.
var Versions = []Version{V13, V200502}

func (v Version) String() string {
	if v == V200502 {
		return "2005/02"
	}
	return "1.3"
}

// Namespace of v.
func (v Version) Namespace() string {
	if v == V200502 {
		return NS200502
	}
	return NS13
}

// VersionOf maps a namespace to its version.
func VersionOf(ns string) (Version, bool) {
	switch ns {
	case NS13:
		return V13, true
	case NS200502:
		return V200502, true
	}
	return 0, false
}

// SC is the WS-SecureConversation version that goes with v: a 1.3 exchange uses WS-SC 1.3, a
// 2005/02 exchange WS-SC 2005/02, never a mixture (SC-ISS-002).
func (v Version) SC() wsc.Version {
	if v == V200502 {
		return wsc.V200502
	}
	return wsc.V200512
}

// RequestKind is the class of function a wst:RequestType names (WS-Trust 1.3 §3.1).
type RequestKind int

const (
	Issue RequestKind = iota + 1
	Renew
	Cancel
	Validate
	STSCancel // 1.3 only
)

var requestNames = map[RequestKind]string{Issue: "Issue", Renew: "Renew", Cancel: "Cancel", Validate: "Validate", STSCancel: "STSCancel"}

func (k RequestKind) String() string {
	if s, ok := requestNames[k]; ok {
		return s
	}
	return "RequestKind(?)"
}

// RequestType is the wst:RequestType URI of k in v, or "" when v has no such request
// (STSCancel is 1.3 only). CONSTANTS §5.
func (v Version) RequestType(k RequestKind) string {
	s, ok := requestNames[k]
	if !ok || (k == STSCancel && v == V200502) {
		return ""
	}
	return v.Namespace() + "/" + s
}

// RequestTypeOf maps a RequestType URI to its version and kind.
func RequestTypeOf(uri string) (Version, RequestKind, bool) {
	for _, v := range Versions {
		for k := Issue; k <= STSCancel; k++ {
			if u := v.RequestType(k); u != "" && u == uri {
				return v, k, true
			}
		}
	}
	return 0, 0, false
}

// BinarySecret/@Type values (WS-Trust 1.3 §3.3; CONSTANTS §5). SymmetricKey is the default
// when the attribute is absent [R]. AsymmetricKey exists in 1.3 only ("" for 2005/02).

// NonceType is the Type of entropy: a random value that contributes to a key.
func (v Version) NonceType() string { return v.Namespace() + "/Nonce" }

// SymmetricKeyType is the Type of a symmetric key.
func (v Version) SymmetricKeyType() string { return v.Namespace() + "/SymmetricKey" }

// AsymmetricKeyType is the Type of an asymmetric key (1.3 only).
func (v Version) AsymmetricKeyType() string {
	if v == V200502 {
		return ""
	}
	return v.Namespace() + "/AsymmetricKey"
}

// Computed-key algorithms (WS-Trust 1.3 §4.4.4; CONSTANTS §5).

// CKPSHA1 is the P_SHA1 computed-key URI: key = P_SHA1(requestor entropy, issuer entropy).
func (v Version) CKPSHA1() string { return v.Namespace() + "/CK/PSHA1" }

// CKHash is the HASH computed-key URI (1.3 only).
func (v Version) CKHash() string {
	if v == V200502 {
		return ""
	}
	return v.Namespace() + "/CK/HASH"
}

// Key types (WS-Trust 1.3 §9.2; CONSTANTS §5).

// KeyTypeSymmetric asks for a symmetric proof key.
func (v Version) KeyTypeSymmetric() string { return v.Namespace() + "/SymmetricKey" }

// KeyTypePublic asks for a public-key proof.
func (v Version) KeyTypePublic() string { return v.Namespace() + "/PublicKey" }

// KeyTypeBearer is the bearer key type as the spec text and WCF write it (1.3 only).
func (v Version) KeyTypeBearer() string {
	if v == V200502 {
		return ""
	}
	return v.Namespace() + "/Bearer"
}

// KeyTypeBearerXSD is the misspelt bearer URI that the published 1.3 XSD enumerates; accept
// it on input, never emit it (CONSTANTS §5).
const KeyTypeBearerXSD = "http://docs.oasis-open.org/wssx/wstrust/200512/Bearer"

// Status codes of a Validate response (1.3).
const (
	StatusValid   = NS13 + "/status/valid"
	StatusInvalid = NS13 + "/status/invalid"
)

// vocabulary lists the URIs of v that other fields carry, to spot mixed versions.
func (v Version) vocabulary() []string {
	out := []string{v.NonceType(), v.SymmetricKeyType(), v.AsymmetricKeyType(), v.CKPSHA1(), v.CKHash(),
		v.KeyTypePublic(), v.KeyTypeBearer()}
	for k := Issue; k <= STSCancel; k++ {
		out = append(out, v.RequestType(k))
	}
	return out
}

// otherVersionOf reports the version other than v whose vocabulary holds uri.
func (v Version) otherVersionOf(uri string) (Version, bool) {
	if uri == "" {
		return 0, false
	}
	for _, o := range Versions {
		if o == v {
			continue
		}
		for _, u := range o.vocabulary() {
			if u != "" && u == uri {
				return o, true
			}
		}
	}
	return 0, false
}
