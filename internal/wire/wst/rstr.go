package wst

import (
	"strconv"
	"strings"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// RequestSecurityTokenResponse is wst:RequestSecurityTokenResponse (WS-Trust 1.3 §3.2, §4.4):
// the issued token, references to it, the proof of its key, and its lifetime; for a cancel,
// RequestedTokenCancelled.
type RequestSecurityTokenResponse struct {
	V                            Version
	Context                      string // echoes the RST's @Context (SC-ISS-004)
	TokenType                    string
	RequestType                  string // optional in responses
	RequestedSecurityToken       *RequestedSecurityToken
	AppliesTo                    *wire.Any
	RequestedAttachedReference   *wsse.SecurityTokenReference
	RequestedUnattachedReference *wsse.SecurityTokenReference
	RequestedProofToken          *RequestedProofToken
	Entropy                      *Entropy // the issuer's entropy (with a computed key)
	Lifetime                     *Lifetime
	Renewing                     *Renewing
	KeyType                      string
	KeySize                      uint32 // bits; 0 = absent
	RequestedTokenCancelled      bool
	Extra                        []wire.Any
}

// RequestedSecurityToken is wst:RequestedSecurityToken: exactly one token, here normally an
// SCT; any other token is kept in Other.
type RequestedSecurityToken struct {
	SCT   *wsc.SecurityContextToken
	Other []wire.Any
}

// RequestedProofToken is wst:RequestedProofToken (WS-Trust 1.3 §4.4.3): exactly one of a
// computed-key URI (both parties' entropy combined), a BinarySecret or an EncryptedKey
// (issuer-only key), or another element (Other).
type RequestedProofToken struct {
	ComputedKey  string
	BinarySecret *BinarySecret
	EncryptedKey *wsse.EncryptedKey
	Other        []wire.Any
}

// RequestSecurityTokenResponseCollection is wst:RequestSecurityTokenResponseCollection
// (WS-Trust 1.3 §4.3): the container of the final response in 1.3 (SC-ISS-003). 2005/02
// final responses are a bare RSTR; the element exists in 2005/02 too.
type RequestSecurityTokenResponseCollection struct {
	V         Version
	Responses []*RequestSecurityTokenResponse
}

// Validate checks the rules of an RSTR the XSD cannot express.
//
//   - WS-Trust 1.3 XSD: RequestedSecurityToken and RequestedProofToken hold exactly one element.
//   - WS-SC 1.3 §3, SC-ISS-005: the returned SCT has an absolute-URI Identifier; SC-ISS-002:
//     it is of the WS-SC version that goes with the WS-Trust version, as is the TokenType.
//   - WS-Trust 1.3 §4.4.4 (SC-ISS-010): a ComputedKey proof means both parties' entropy is
//     combined, so the RSTR must carry the issuer's wst:Entropy; the ComputedKey URI is a
//     computed-key algorithm of the same version (P_SHA1; 1.3 also defines HASH).
//   - WS-Trust 1.3 §4.4.2 (SC-ISS-013): the unattached reference is used when the token is not
//     in the message, so it cannot be a same-message "#id" reference.
//   - KeySize a multiple of 8, Entropy non-empty, Lifetime Created before Expires (as for RST).
func (r *RequestSecurityTokenResponse) Validate() error {
	vs := common{v: r.V, tokenType: r.TokenType, requestType: r.RequestType, keyType: r.KeyType,
		keySize: r.KeySize, entropy: r.Entropy, lifetime: r.Lifetime}.validate()
	if t := r.RequestedSecurityToken; t != nil {
		vs = append(vs, t.validate(r.V).Prefix("RequestedSecurityToken")...)
	}
	if p := r.RequestedProofToken; p != nil {
		vs = append(vs, p.validate(r.V).Prefix("RequestedProofToken")...)
		if p.ComputedKey != "" && !r.Entropy.material() {
			vs = append(vs, wire.Violationf([]string{"Entropy"},
				"a ComputedKey proof combines both parties' entropy: the RSTR must carry the issuer's wst:Entropy (WS-Trust 1.3 §4.4.4, SC-ISS-010)"))
		}
	}
	if a := r.RequestedAttachedReference; a != nil {
		vs = append(vs, wsse.Prefixed(a.Validate(), "RequestedAttachedReference", "SecurityTokenReference")...)
	}
	if u := r.RequestedUnattachedReference; u != nil {
		vs = append(vs, wsse.Prefixed(u.Validate(), "RequestedUnattachedReference", "SecurityTokenReference")...)
		if u.Reference != nil && strings.HasPrefix(u.Reference.URI, "#") {
			vs = append(vs, wire.Violationf([]string{"RequestedUnattachedReference", "SecurityTokenReference", "Reference"},
				"an unattached reference is used when the token is not in the message; %q is a same-message reference (WS-Trust 1.3 §4.4.2, SC-ISS-013)", u.Reference.URI))
		}
	}
	return vs.Err()
}

func (t *RequestedSecurityToken) validate(v Version) wire.Violations {
	var vs wire.Violations
	n := len(t.Other)
	if t.SCT != nil {
		n++
	}
	if n != 1 {
		vs = append(vs, wire.Violationf(nil, "wst:RequestedSecurityToken holds %d tokens; it holds exactly one (WS-Trust 1.3 §4.4, XSD)", n))
	}
	if s := t.SCT; s != nil {
		vs = append(vs, wsse.Prefixed(s.Validate(), "SecurityContextToken")...)
		if s.V != v.SC() {
			vs = append(vs, wire.Violationf([]string{"SecurityContextToken"},
				"a WS-SC %s SCT inside a WS-Trust %s response: versions must not be mixed (SC-ISS-002)", s.V, v))
		}
	}
	return vs
}

func (p *RequestedProofToken) validate(v Version) wire.Violations {
	var vs wire.Violations
	n := len(p.Other)
	for _, set := range []bool{p.ComputedKey != "", p.BinarySecret != nil, p.EncryptedKey != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		vs = append(vs, wire.Violationf(nil, "wst:RequestedProofToken holds %d elements; it holds exactly one (WS-Trust 1.3 §4.4.3, XSD)", n))
	}
	if ck := p.ComputedKey; ck != "" && ck != v.CKPSHA1() && ck != v.CKHash() {
		if o, ok := v.otherVersionOf(ck); ok {
			vs = append(vs, mixed([]string{"ComputedKey"}, "ComputedKey", ck, o, v))
		} else {
			vs = append(vs, wire.Violationf([]string{"ComputedKey"},
				"unknown computed-key algorithm %q: WS-Trust %s defines %s (WS-Trust 1.3 §4.4.4)", ck, v, v.CKPSHA1()))
		}
	}
	if p.BinarySecret != nil {
		vs = append(vs, p.BinarySecret.validate(v)...)
	}
	if p.EncryptedKey != nil {
		vs = append(vs, wsse.Prefixed(p.EncryptedKey.Validate(), "EncryptedKey")...)
	}
	return vs
}

// Validate checks that the collection holds responses of its own version.
//
// WS-Trust 1.3 §4.3 (XSD minOccurs=1): an RSTRC holds at least one RSTR; SC-ISS-002: all of
// the collection's version.
func (c *RequestSecurityTokenResponseCollection) Validate() error {
	var vs wire.Violations
	if len(c.Responses) == 0 {
		vs = append(vs, wire.Violationf(nil, "wst:RequestSecurityTokenResponseCollection must hold at least one RequestSecurityTokenResponse (WS-Trust 1.3 §4.3)"))
	}
	for i, r := range c.Responses {
		p := "RequestSecurityTokenResponse[" + strconv.Itoa(i) + "]"
		if r == nil {
			continue
		}
		if r.V != c.V {
			vs = append(vs, wire.Violationf([]string{p}, "a WS-Trust %s response inside a WS-Trust %s collection: versions must not be mixed (SC-ISS-002)", r.V, c.V))
		}
		vs = append(vs, wsse.Prefixed(r.Validate(), p)...)
	}
	return vs.Err()
}
