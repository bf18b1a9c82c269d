package wst

import (
	"time"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// BinarySecret is wst:BinarySecret (WS-Trust 1.3 §3.3): key material or entropy in the clear.
// Type is the @Type URI as written ("" = absent, meaning SymmetricKey [R]); Value is decoded.
type BinarySecret struct {
	Type  string
	Value []byte
}

// Entropy is wst:Entropy (WS-Trust 1.3 §3.3, §4.4.3): the entropy a party contributes to the
// key, either in the clear (BinarySecret) or encrypted (xenc:EncryptedKey).
type Entropy struct {
	BinarySecret *BinarySecret
	EncryptedKey *wsse.EncryptedKey
	Extra        []wire.Any
}

// Lifetime is wst:Lifetime (WS-Trust 1.3 §4.1): wsu:Created? and wsu:Expires?, as written.
type Lifetime struct {
	Created string
	Expires string
}

// Times parses Created and Expires (zero time for an absent one).
func (l *Lifetime) Times() (created, expires time.Time, err error) {
	var c, e time.Time
	if l.Created != "" {
		if c, err = wsse.ParseDateTime(l.Created); err != nil {
			return c, e, err
		}
	}
	if l.Expires != "" {
		if e, err = wsse.ParseDateTime(l.Expires); err != nil {
			return c, e, err
		}
	}
	return c, e, nil
}

// Renewing is wst:Renewing (WS-Trust 1.3 §5): whether the token may be renewed (Allow) and
// renewed after expiry (OK); nil = attribute absent.
type Renewing struct {
	Allow *bool
	OK    *bool
}

// validate checks a binary secret in version v.
//
// WS-Trust 1.3 §3.3: the secret carries key material; an empty one contributes nothing.
// SC-ISS-002: its Type URI belongs to the version of the message.
func (b *BinarySecret) validate(v Version) wire.Violations {
	var vs wire.Violations
	if len(b.Value) == 0 {
		vs = append(vs, wire.Violationf([]string{"BinarySecret"}, "wst:BinarySecret is empty: it must carry key material or entropy (WS-Trust 1.3 §3.3)"))
	}
	if o, ok := v.otherVersionOf(b.Type); ok {
		vs = append(vs, mixed([]string{"BinarySecret"}, "Type", b.Type, o, v))
	}
	return vs
}

// validate checks an entropy element in version v.
//
// WS-Trust 1.3 §3.3/§4.4.3 [R]: Entropy carries the party's key material, as a BinarySecret or
// an xenc:EncryptedKey.
func (e *Entropy) validate(v Version) wire.Violations {
	var vs wire.Violations
	if e.BinarySecret == nil && e.EncryptedKey == nil && len(e.Extra) == 0 {
		vs = append(vs, wire.Violationf(nil, "wst:Entropy carries no BinarySecret or EncryptedKey (WS-Trust 1.3 §3.3)"))
	}
	if e.BinarySecret != nil {
		vs = append(vs, e.BinarySecret.validate(v)...)
	}
	if e.EncryptedKey != nil {
		vs = append(vs, wsse.Prefixed(e.EncryptedKey.Validate(), "EncryptedKey")...)
	}
	return vs
}

// material reports whether e carries entropy a key can be computed from.
func (e *Entropy) material() bool {
	return e != nil && ((e.BinarySecret != nil && len(e.BinarySecret.Value) > 0) || e.EncryptedKey != nil)
}

// validate checks that the lifetime is an interval: WS-Trust 1.3 §4.1 [R], Created before
// Expires.
func (l *Lifetime) validate() wire.Violations {
	return wsse.ValidateTimes(l.Created, l.Expires, false, "WS-Trust 1.3 §4.1")
}

// mixed is the violation for a URI of the other version (SC-ISS-002: a 1.3 exchange uses the
// 200512 namespace, actions and SCT type together; a 2005/02 exchange the 2005/02 ones).
func mixed(path []string, what, uri string, other, v Version) *wire.Violation {
	return wire.Violationf(path, "%s %q belongs to WS-Trust %s inside a WS-Trust %s message: versions must not be mixed (SC-ISS-002)", what, uri, other, v)
}

// common holds the fields RST and RSTR share, for their shared rules.
type common struct {
	v           Version
	tokenType   string
	requestType string
	keyType     string
	keySize     uint32
	entropy     *Entropy
	lifetime    *Lifetime
}

func (c common) validate() wire.Violations {
	var vs wire.Violations
	if sv, kind, ok := wsc.VersionOfTokenType(c.tokenType); ok && kind == wsc.TokenSCT && sv != c.v.SC() {
		vs = append(vs, wire.Violationf([]string{"TokenType"},
			"TokenType %q is the WS-SC %s SCT type; a WS-Trust %s exchange asks for the WS-SC %s type %q (SC-ISS-001, SC-ISS-002)",
			c.tokenType, sv, c.v, c.v.SC(), c.v.SC().SCTTokenType()))
	}
	if o, ok := c.v.otherVersionOf(c.requestType); ok {
		vs = append(vs, mixed([]string{"RequestType"}, "RequestType", c.requestType, o, c.v))
	}
	if o, ok := c.v.otherVersionOf(c.keyType); ok {
		vs = append(vs, mixed([]string{"KeyType"}, "KeyType", c.keyType, o, c.v))
	}
	// WS-Trust 1.3 §9.2 [R]: KeySize is in bits; the key material is KeySize/8 octets (computed
	// key, CONSTANTS §7), so a size that is not a positive multiple of 8 cannot be realised.
	if c.keySize%8 != 0 {
		vs = append(vs, wire.Violationf([]string{"KeySize"}, "KeySize %d bits is not a multiple of 8: key material is KeySize/8 octets (WS-Trust 1.3 §9.2, SC-ISS-009)", c.keySize))
	}
	if c.entropy != nil {
		vs = append(vs, c.entropy.validate(c.v).Prefix("Entropy")...)
	}
	if c.lifetime != nil {
		vs = append(vs, c.lifetime.validate().Prefix("Lifetime")...)
	}
	return vs
}
