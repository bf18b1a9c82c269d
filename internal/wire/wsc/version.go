// Package wsc is the WS-SecureConversation vocabulary in its two versions: WS-SC 1.3 (OASIS,
// namespace .../ws-sx/ws-secureconversation/200512, kept by 1.4) and WS-SC February 2005
// (schemas.xmlsoap.org/ws/2005/02/sc, WCF's default). It holds the security context token
// (SCT), the derived key token (DKT), token types, the P_SHA1 derivation URI, the SCT binding
// actions of WS-Trust and the fault codes (CONSTANTS §1, §2.5, §2.6, §4, §6, §9.4).
package wsc

import (
	"net/url"
	"sync"
)

// Version is a WS-SecureConversation version.
type Version int

const (
	V200512 Version = iota // WS-SC 1.3 (and 1.4)
	V200502                // WS-SC February 2005
)

// Namespaces.
const (
	NS200512 = "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512"
	NS200502 = "http://schemas.xmlsoap.org/ws/2005/02/sc"
)

// SCTTokenType200404 is the WSE-era SCT token type, recognised but never emitted (CONSTANTS §4).
const SCTTokenType200404 = "http://schemas.xmlsoap.org/ws/2004/04/security/sc/sct"

// Derived-key defaults (CONSTANTS §6; WS-SC 1.3 §7 [R], WCF/WSS4J/Metro [C]).
const (
	// DefaultLabel is the label used when wsc:Label is absent: "WS-SecureConversation" twice,
	// 42 octets. A single copy is a known wrong reading.
	DefaultLabel = "WS-SecureConversationWS-SecureConversation"
	// DefaultLength is the derived key length in octets when wsc:Length is absent.
	DefaultLength = 32
	// DefaultNonceLength is the nonce size WCF emits (octets); not a spec value.
	DefaultNonceLength = 16
)

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
	return NS200512
}

// VersionOf maps a namespace to its version.
func VersionOf(ns string) (Version, bool) {
	switch ns {
	case NS200512:
		return V200512, true
	case NS200502:
		return V200502, true
	}
	return 0, false
}

// Versions lists both versions, newest first.
var Versions = []Version{V200512, V200502}

// SCTTokenType is the SCT token type of v: the wst:TokenType value that asks for an SCT and
// the wsse:Reference/@ValueType of an STR pointing at one (CONSTANTS §4).
func (v Version) SCTTokenType() string { return v.Namespace() + "/sct" }

// DKTokenType is the DerivedKeyToken token type of v.
func (v Version) DKTokenType() string { return v.Namespace() + "/dk" }

// PSHA1 is the P_SHA1 key-derivation algorithm URI of v, the default of
// wsc:DerivedKeyToken/@Algorithm (CONSTANTS §6).
func (v Version) PSHA1() string { return v.Namespace() + "/dk/p_sha1" }

// TokenKind tells the two token types apart.
type TokenKind int

const (
	TokenSCT TokenKind = iota + 1
	TokenDK
)

// VersionOfTokenType maps a token type (or STR ValueType) to its version and kind.
func VersionOfTokenType(uri string) (Version, TokenKind, bool) {
	for _, v := range Versions {
		switch uri {
		case v.SCTTokenType():
			return v, TokenSCT, true
		case v.DKTokenType():
			return v, TokenDK, true
		}
	}
	return 0, 0, false
}

// Binding names the SCT bindings of WS-Trust (WS-SC 1.3 §3–§6).
type Binding int

const (
	BindingIssue Binding = iota + 1
	BindingAmend
	BindingRenew
	BindingCancel
)

var bindingSuffix = map[Binding]string{BindingIssue: "", BindingAmend: "/Amend", BindingRenew: "/Renew", BindingCancel: "/Cancel"}

func (b Binding) String() string {
	switch b {
	case BindingIssue:
		return "Issue"
	case BindingAmend:
		return "Amend"
	case BindingRenew:
		return "Renew"
	case BindingCancel:
		return "Cancel"
	}
	return "Binding(?)"
}

// trustNamespace is the WS-Trust namespace whose tree holds the SCT actions of v: the SCT
// binding actions live under ws-trust, not under ws-secureconversation (CONSTANTS §2.5,
// §2.6). Package wst has the same strings; wsc keeps its own copy to stay below wst.
func (v Version) trustNamespace() string {
	if v == V200502 {
		return "http://schemas.xmlsoap.org/ws/2005/02/trust"
	}
	return "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
}

// RequestAction is the wsa:Action of the RST of binding b, e.g. .../ws-trust/200512/RST/SCT.
func (v Version) RequestAction(b Binding) string {
	s, ok := bindingSuffix[b]
	if !ok {
		return ""
	}
	return v.trustNamespace() + "/RST/SCT" + s
}

// ResponseAction is the wsa:Action of the RSTR of binding b, e.g. .../RSTR/SCT/Cancel.
func (v Version) ResponseAction(b Binding) string {
	s, ok := bindingSuffix[b]
	if !ok {
		return ""
	}
	return v.trustNamespace() + "/RSTR/SCT" + s
}

// BindingOfAction maps an SCT binding action to its version, binding and direction.
func BindingOfAction(action string) (v Version, b Binding, response bool, ok bool) {
	if x, found := bindingActions()[action]; found {
		return x.v, x.b, x.response, true
	}
	return 0, 0, false, false
}

type bindingAction struct {
	v        Version
	b        Binding
	response bool
}

// bindingActions indexes every binding action once (BindingOfAction runs for every message
// a peer receives); the first version listed in Versions wins, as the loop it replaces did.
var bindingActions = sync.OnceValue(func() map[string]bindingAction {
	m := map[string]bindingAction{}
	for _, v := range Versions {
		for b := BindingIssue; b <= BindingCancel; b++ {
			for _, x := range []struct {
				action   string
				response bool
			}{{v.RequestAction(b), false}, {v.ResponseAction(b), true}} {
				if _, dup := m[x.action]; !dup && x.action != "" {
					m[x.action] = bindingAction{v, b, x.response}
				}
			}
		}
	}
	return m
})

// absoluteURI reports whether s is an absolute URI (has a scheme).
func absoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}
