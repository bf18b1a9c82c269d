// Package seckit holds what the issuance and security specs share: crafted WS-Trust requests
// on the SCT bindings, the proof key recomputed from both parties' entropy, the pairing of
// captured RST/RSTR exchanges, signature verification of captured messages against recomputed
// tokens, and mutations that re-sign a protected message after a change to its
// DerivedKeyToken. It registers no specs.
package seckit

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
	"github.com/rspcheck/rspcheck/suite/framework"
)

// TrustVersion is the WS-Trust version that goes with a WS-SC version (SC-ISS-002).
func TrustVersion(v wsc.Version) wst.Version {
	if v == wsc.V200502 {
		return wst.V200502
	}
	return wst.V13
}

// OtherSC is the WS-SC version of the other profile (for mixed-version probes).
func OtherSC(v wsc.Version) wsc.Version {
	if v == wsc.V200502 {
		return wsc.V200512
	}
	return wsc.V200502
}

// RST describes a crafted request on an SCT binding. The zero value (with a Client's version)
// is a conforming Issue request with 32 octets of requestor entropy, KeySize 256 and a fresh
// Context.
type RST struct {
	Binding wsc.Binding // BindingIssue (also for zero), BindingRenew, BindingCancel, BindingAmend
	// Context is the @Context ("" = a fresh urn:uuid).
	Context string
	// NoEntropy sends no requestor entropy (the issuer must then supply the key, SC-ISS-011);
	// Entropy overrides the random 32 octets.
	NoEntropy bool
	Entropy   []byte
	// KeySize in bits (256 when zero, for Issue and Renew).
	KeySize  uint32
	Lifetime *wst.Lifetime
	// Target is the RenewTarget / CancelTarget STR.
	Target *wsse.SecurityTokenReference
	// NoRequestType leaves wst:RequestType out (SC-ISS-001 (−)).
	NoRequestType bool
	// Trust, Action and TokenType override the version's values (SC-ISS-002 (−)); TokenType
	// "-" leaves it out.
	Trust     *wst.Version
	Action    string
	TokenType string
}

// Exchange is a crafted request and what the issuer answered.
type Exchange struct {
	Resp    *framework.Response
	Context string
	Entropy []byte // requestor entropy sent (nil = none)
	KeySize uint32 // bits asked for
	// RSTR is the (first) RSTR of the response, bare or in a collection; nil for a fault or
	// another body. Collection reports an RSTRC.
	RSTR       *wst.RequestSecurityTokenResponse
	Collection bool
}

// Send builds the request o on the client's version, protects it with p and posts it.
func Send(ctx context.Context, c *framework.Client, o RST, p framework.Protection) (*Exchange, error) {
	v := c.Profile.SC()
	tv := TrustVersion(v)
	if o.Binding == 0 {
		o.Binding = wsc.BindingIssue
	}
	if o.Trust != nil {
		tv = *o.Trust
	}
	kind := map[wsc.Binding]wst.RequestKind{wsc.BindingIssue: wst.Issue, wsc.BindingRenew: wst.Renew,
		wsc.BindingCancel: wst.Cancel, wsc.BindingAmend: wst.Issue}[o.Binding]
	x := &Exchange{Context: o.Context}
	if x.Context == "" {
		x.Context = framework.NewID()
	}
	rst := &wst.RequestSecurityToken{V: tv, Context: x.Context, Lifetime: o.Lifetime}
	if !o.NoRequestType {
		rst.RequestType = tv.RequestType(kind)
	}
	switch o.Binding {
	case wsc.BindingIssue, wsc.BindingRenew:
		rst.TokenType = v.SCTTokenType()
		rst.KeyType = tv.KeyTypeSymmetric()
		x.KeySize = o.KeySize
		if x.KeySize == 0 {
			x.KeySize = 256
		}
		rst.KeySize = x.KeySize
		if !o.NoEntropy {
			x.Entropy = o.Entropy
			if x.Entropy == nil {
				x.Entropy = make([]byte, 32)
				if _, err := rand.Read(x.Entropy); err != nil {
					return nil, err
				}
			}
			rst.Entropy = &wst.Entropy{BinarySecret: &wst.BinarySecret{Type: tv.NonceType(), Value: x.Entropy}}
			rst.ComputedKeyAlgorithm = tv.CKPSHA1()
		}
	}
	switch o.TokenType {
	case "":
	case "-":
		rst.TokenType = ""
	default:
		rst.TokenType = o.TokenType
	}
	if o.Binding == wsc.BindingRenew {
		rst.RenewTarget = o.Target
	}
	if o.Binding == wsc.BindingCancel {
		rst.CancelTarget = o.Target
	}
	action := o.Action
	if action == "" {
		action = v.RequestAction(o.Binding)
	}
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(action), Body: []any{rst}}
	r, err := c.Send(ctx, env, p)
	if err != nil {
		return nil, err
	}
	x.Resp = r
	if r.Message != nil && r.Msg != nil {
		x.RSTR, x.Collection = RSTROf(r.Msg)
	}
	return x, nil
}

// RSTROf returns the first RSTR of a response body, bare or in a collection.
func RSTROf(m *codec.Message) (*wst.RequestSecurityTokenResponse, bool) {
	switch p := m.Payload.(type) {
	case *wst.RequestSecurityTokenResponseCollection:
		if len(p.Responses) > 0 {
			return p.Responses[0], true
		}
		return nil, true
	case *wst.RequestSecurityTokenResponse:
		return p, false
	}
	return nil, false
}

// ErrNoKey says the proof key cannot be recomputed by the suite (e.g. encrypted for a
// certificate the suite does not hold).
var ErrNoKey = errors.New("the proof key cannot be recomputed by the suite")

// Key recomputes the proof key an RSTR grants (WS-Trust 1.3 §4.4.3–§4.4.4, CONSTANTS §7):
// ComputedKey = P_SHA1(secret = requestor entropy, seed = issuer entropy)[0:KeySize/8], with
// the RSTR's KeySize (else the one asked for); a BinarySecret proof token is the key; no proof
// token means the requestor's entropy is the key. how names the form.
func Key(r *wst.RequestSecurityTokenResponse, reqEntropy []byte, askedBits uint32) (key []byte, how string, err error) {
	p := r.RequestedProofToken
	switch {
	case p == nil:
		if reqEntropy == nil {
			return nil, "none", errors.New("no proof token and no requestor entropy: no shared key")
		}
		return reqEntropy, "requestor entropy", nil
	case p.ComputedKey != "":
		if p.ComputedKey != r.V.CKPSHA1() {
			return nil, "computed", fmt.Errorf("ComputedKey %q is not %s", p.ComputedKey, r.V.CKPSHA1())
		}
		if reqEntropy == nil {
			return nil, "computed", errors.New("a computed key although no requestor entropy was sent")
		}
		if r.Entropy == nil || r.Entropy.BinarySecret == nil || len(r.Entropy.BinarySecret.Value) == 0 {
			if r.Entropy != nil && r.Entropy.EncryptedKey != nil {
				return nil, "computed", fmt.Errorf("%w: the issuer entropy is encrypted", ErrNoKey)
			}
			return nil, "computed", errors.New("ComputedKey without the issuer's wst:Entropy: the key cannot be computed")
		}
		bits := r.KeySize
		if bits == 0 {
			bits = askedBits
		}
		if bits == 0 || bits%8 != 0 {
			return nil, "computed", fmt.Errorf("key size %d bits is not a positive multiple of 8", bits)
		}
		k, err := psha1.ComputedKey(reqEntropy, r.Entropy.BinarySecret.Value, int(bits))
		return k, fmt.Sprintf("computed (P_SHA1, %d bits)", bits), err
	case p.BinarySecret != nil:
		return p.BinarySecret.Value, "BinarySecret", nil
	case p.EncryptedKey != nil:
		return nil, "EncryptedKey", fmt.Errorf("%w: it is an xenc:EncryptedKey", ErrNoKey)
	}
	return nil, "other", fmt.Errorf("%w: unknown proof token form", ErrNoKey)
}

// Token is the SCT an RSTR grants with key.
func Token(r *wst.RequestSecurityTokenResponse, key []byte, v wsc.Version) (token.Token, error) {
	if r.RequestedSecurityToken == nil || r.RequestedSecurityToken.SCT == nil {
		return token.Token{}, errors.New("no wsc:SecurityContextToken in wst:RequestedSecurityToken")
	}
	sct := r.RequestedSecurityToken.SCT
	t := token.Token{Identifier: sct.Identifier, Instance: sct.Instance, Secret: key, Version: v,
		UnattachedURI: sct.Identifier}
	if l := r.Lifetime; l != nil {
		t.Created, t.Expires, _ = l.Times()
	}
	return t, nil
}

// Grant is Key then Token for a crafted exchange.
func (x *Exchange) Grant(v wsc.Version) (token.Token, string, error) {
	if x.RSTR == nil {
		return token.Token{}, "", errors.New("no RSTR in the response")
	}
	key, how, err := Key(x.RSTR, x.Entropy, x.KeySize)
	if err != nil {
		return token.Token{}, how, err
	}
	t, err := Token(x.RSTR, key, v)
	return t, how, err
}

// Lifetime asks for a token valid for d from now.
func Lifetime(d time.Duration) *wst.Lifetime {
	now := time.Now().UTC()
	return &wst.Lifetime{Created: now.Format("2006-01-02T15:04:05.000Z"), Expires: now.Add(d).Format("2006-01-02T15:04:05.000Z")}
}
