package token

import (
	"fmt"
	"net/url"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// Token is one instance of a security context token: the context (Identifier), the key
// instance, the key itself and its lifetime.
//
// A Token is a value; Secret is shared between copies, so callers must not modify it.
type Token struct {
	// Identifier names the context: an absolute URI, here always urn:uuid:... (WS-SC 1.3 §3,
	// SC-ISS-005/006). It stays the same across renewals (SC-RNW-002).
	Identifier string
	// Instance names the key instance; "" for a first issuance, a fresh value for each
	// renewal (SC-ISS-007).
	Instance string
	// Secret is the shared key (K_sct): the computed key or the issued key (SC-ISS-010/011).
	Secret []byte
	// Created and Expires are the wst:Lifetime of the token; a zero Expires means the issuer
	// stated no end.
	Created time.Time
	Expires time.Time
	// Version is the WS-SC version the token belongs to (never mixed, SC-ISS-002).
	Version wsc.Version
	// Endpoint is who the token is shared with: on the initiator the service address it was
	// requested from, on the responder what the issuer knows of the requestor (may be "").
	Endpoint string
	// AttachedID is the wsu:Id the issuer gave the wsc:SecurityContextToken element; the
	// attached reference is "#"+AttachedID and is valid only when the SCT element travels in
	// the same message (SC-ISS-013, SC-REF-002).
	AttachedID string
	// UnattachedURI is the URI of the issuer's unattached reference: the Identifier
	// (SC-ISS-013). Empty when the issuer gave none; Identifier is used then.
	UnattachedURI string
}

// Valid reports whether the token can protect a message at now: it has an Identifier and a
// key, and now lies in [Created, Expires) (SC-ISS-012: neither side uses an SCT after Expires
// without renewing it; a zero bound is open).
func (t Token) Valid(now time.Time) bool {
	if t.Identifier == "" || len(t.Secret) == 0 {
		return false
	}
	if !t.Created.IsZero() && now.Before(t.Created) {
		return false
	}
	return !t.Expired(now)
}

// Expired reports whether Expires has passed at now.
func (t Token) Expired(now time.Time) bool {
	return !t.Expires.IsZero() && !now.Before(t.Expires)
}

// NearExpiry reports whether the token expires within margin of now (or already has): the
// moment to renew it so that a sequence bound to it never sees it expire (SC-RNW-003).
func (t Token) NearExpiry(now time.Time, margin time.Duration) bool {
	return !t.Expires.IsZero() && !now.Add(margin).Before(t.Expires)
}

// Security is the token as package wssec needs it to apply or check message security.
func (t Token) Security() wssec.Token {
	return wssec.Token{Identifier: t.Identifier, Instance: t.Instance, Secret: t.Secret}
}

// Reference is the message-independent STR to the token: wsse:Reference with URI = the
// Identifier (no '#') and ValueType = the SCT token type of its version (CONSTANTS §4,
// SC-REF-001). This is the STR that scopes a CreateSequence (RM-STR-001). withInstance pins
// the key instance with wsc:Instance (WS-SC 1.3 §8), which only makes sense when Instance is
// set.
func (t Token) Reference(withInstance bool) *wsse.SecurityTokenReference {
	uri := t.UnattachedURI
	if uri == "" {
		uri = t.Identifier
	}
	r := &wsse.Reference{URI: uri, ValueType: t.Version.SCTTokenType()}
	if withInstance && t.Instance != "" {
		r.Instance, r.InstanceNS = t.Instance, t.Version.Namespace()
	}
	return &wsse.SecurityTokenReference{Reference: r}
}

// check reports what makes t unusable as a token at all (not about time).
func (t Token) check() error {
	if t.Identifier == "" {
		return fmt.Errorf("token: no Identifier")
	}
	if u, err := url.Parse(t.Identifier); err != nil || u.Scheme == "" {
		// WS-SC 1.3 §3 (SC-ISS-005): the Identifier is an absolute URI.
		return fmt.Errorf("token: Identifier %q is not an absolute URI (WS-SC 1.3 §3, SC-ISS-005)", t.Identifier)
	}
	if len(t.Secret) == 0 {
		return fmt.Errorf("token %s: no key", t.Identifier)
	}
	return nil
}

// String describes the token without its secret (secrets appear in no log, trace or error;
// the opt-in key log is the only place that prints them).
func (t Token) String() string {
	inst := t.Instance
	if inst == "" {
		inst = "-"
	}
	exp := "never"
	if !t.Expires.IsZero() {
		exp = t.Expires.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("SCT{%s instance=%s wsc=%s expires=%s endpoint=%q key=[%d bytes redacted]}",
		t.Identifier, inst, t.Version, exp, t.Endpoint, len(t.Secret))
}

// GoString is String, so that %#v does not print the secret either.
func (t Token) GoString() string { return t.String() }
