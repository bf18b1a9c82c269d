package trust

import (
	"fmt"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec/bootstrap"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
)

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrResponse, fmt.Sprintf(format, args...))
}

// response checks the envelope of a response and returns its one RSTR. A SOAP fault comes
// back as a *Fault.
func (c *Client) response(m *codec.Message, x *exchange) (*wst.RequestSecurityTokenResponse, error) {
	if f := faultOf(m); f != nil {
		return nil, f
	}
	v, tv := c.cfg.Version, c.wstVersion()
	// WS-SC 1.3 §3–§6 / CONSTANTS §2.5–2.6: the response action of the binding, same version.
	if want := v.ResponseAction(x.binding); !m.HasAddressing || m.Addressing.Action != want {
		return nil, refuse("response action %q, expected %q (SC-ISS-003)", m.Addressing.Action, want)
	}
	// WS-Addressing 1.0 Core §3.4: the reply relates to the request.
	if rel, ok := m.Addressing.RelatesToReply(); !ok || rel != x.messageID {
		return nil, refuse("response relates to %q, not to the request %s (WSA-002)", rel, x.messageID)
	}
	var rstr *wst.RequestSecurityTokenResponse
	switch p := m.Payload.(type) {
	case *wst.RequestSecurityTokenResponseCollection:
		// SC-ISS-003: 2005/02 answers with a bare RSTR; Microsoft's profile allows exactly one
		// RSTR in a 1.3 collection.
		if tv == wst.V200502 && x.binding == wsc.BindingIssue {
			return nil, refuse("a WS-Trust 2005/02 issuance response is a bare RSTR, not a collection (SC-ISS-003)")
		}
		if p.V != tv || len(p.Responses) != 1 {
			return nil, refuse("the collection must hold exactly one WS-Trust %s RSTR (SC-ISS-003)", tv)
		}
		rstr = p.Responses[0]
	case *wst.RequestSecurityTokenResponse:
		// SC-ISS-003: WS-Trust 1.3 wraps the final issuance response in an RSTRC.
		if tv == wst.V13 && x.binding == wsc.BindingIssue {
			return nil, refuse("a WS-Trust 1.3 issuance response must wrap the RSTR in an RSTRC (WS-Trust 1.3 §4.3, SC-ISS-003)")
		}
		rstr = p
	default:
		return nil, refuse("the %s response body is %s, not an RSTR (SC-ISS-003)", x.binding, m.BodyName())
	}
	if ps := m.DecodeProblems(); len(ps) > 0 {
		return nil, refuse("the response could not be read: %s", ps[0])
	}
	// SC-ISS-002: the issuer answers in the version it was asked in.
	if rstr == nil || rstr.V != tv {
		return nil, refuse("the RSTR is not WS-Trust %s (SC-ISS-002)", tv)
	}
	// SC-ISS-004: every RSTR for a request with @Context carries the same @Context.
	if rstr.Context != x.context {
		return nil, refuse("RSTR Context %q does not echo the request's %q (SC-ISS-004)", rstr.Context, x.context)
	}
	if err := rstr.Validate(); err != nil {
		return nil, refuse("%v", err)
	}
	return rstr, nil
}

// tokenFrom reads the issued token and computes its key.
func (c *Client) tokenFrom(m *codec.Message, r *wst.RequestSecurityTokenResponse, x *exchange) (token.Token, error) {
	v := c.cfg.Version
	if r.TokenType != "" && r.TokenType != v.SCTTokenType() {
		return token.Token{}, refuse("issued TokenType %q, expected %q (SC-ISS-001)", r.TokenType, v.SCTTokenType())
	}
	// SC-ISS-005: the response holds one SCT whose Identifier is an absolute URI (checked by
	// Validate), of the version asked for (SC-ISS-002).
	if r.RequestedSecurityToken == nil || r.RequestedSecurityToken.SCT == nil {
		return token.Token{}, refuse("no wsc:SecurityContextToken in wst:RequestedSecurityToken (SC-ISS-005)")
	}
	sct := r.RequestedSecurityToken.SCT
	if sct.V != v {
		return token.Token{}, refuse("a WS-SC %s SCT in answer to a WS-SC %s request (SC-ISS-002)", sct.V, v)
	}
	// SC-ISS-009: KeySize is in bits; the returned value governs the key length; sizes
	// outside the sanity window are refused (as WCF does).
	bits := r.KeySize
	if bits == 0 {
		bits = c.cfg.KeySize
	}
	if bits < MinKeySize || bits > MaxKeySize {
		return token.Token{}, refuse("KeySize %d bits outside [%d, %d] (SC-ISS-009)", bits, MinKeySize, MaxKeySize)
	}
	key, err := c.key(m, r, x, bits)
	if err != nil {
		return token.Token{}, err
	}
	t := token.Token{Identifier: sct.Identifier, Instance: sct.Instance, Secret: key, Version: v, UnattachedURI: sct.Identifier}
	if l := r.Lifetime; l != nil {
		if t.Created, t.Expires, err = l.Times(); err != nil {
			return token.Token{}, refuse("Lifetime: %v (SC-ISS-012)", err)
		}
		if !t.Expires.IsZero() && !t.Expires.After(c.cfg.Now()) {
			return token.Token{}, refuse("the token expired at %s before it arrived (SC-ISS-012)", l.Expires)
		}
	}
	// SC-ISS-013: use the issuer's references; they must name this SCT.
	if a := r.RequestedAttachedReference; a != nil && a.Reference != nil {
		if sct.ID == "" || a.Reference.URI != "#"+sct.ID {
			return token.Token{}, refuse("attached reference %q does not name the SCT's wsu:Id %q (SC-ISS-013)", a.Reference.URI, sct.ID)
		}
		t.AttachedID = sct.ID
	}
	if u := r.RequestedUnattachedReference; u != nil && u.Reference != nil && u.Reference.URI != sct.Identifier {
		return token.Token{}, refuse("unattached reference %q is not the SCT Identifier %q (SC-ISS-013)", u.Reference.URI, sct.Identifier)
	}
	return t, nil
}

// key computes the proof key (WS-Trust 1.3 §4.4.3–§4.4.4, SC-ISS-010/011).
func (c *Client) key(m *codec.Message, r *wst.RequestSecurityTokenResponse, x *exchange, bits uint32) ([]byte, error) {
	tv := c.wstVersion()
	p := r.RequestedProofToken
	switch {
	case p == nil:
		// SC-ISS-011: no proof token = the issuer accepted the requestor's entropy as the key.
		if x.entropy == nil {
			return nil, refuse("no proof token and no requestor entropy: there is no shared key (SC-ISS-011)")
		}
		return append([]byte(nil), x.entropy...), nil
	case p.ComputedKey != "":
		if p.ComputedKey != tv.CKPSHA1() {
			return nil, refuse("computed-key algorithm %q is not supported (SC-ISS-010)", p.ComputedKey)
		}
		if x.entropy == nil {
			return nil, refuse("a computed key although no requestor entropy was sent (SC-ISS-010)")
		}
		issuer, err := c.issuerEntropy(m, r)
		if err != nil {
			return nil, err
		}
		// CONSTANTS §7: key = P_SHA1(secret = requestor entropy, seed = issuer entropy), the
		// first KeySize/8 octets; the order is fixed (SC-ISS-010).
		k, err := psha1.ComputedKey(x.entropy, issuer, int(bits))
		if err != nil {
			return nil, refuse("%v (SC-ISS-010)", err)
		}
		return k, nil
	case p.BinarySecret != nil:
		if t := p.BinarySecret.Type; t != "" && t != tv.SymmetricKeyType() {
			return nil, refuse("proof BinarySecret of type %q is not a symmetric key (SC-ISS-011)", t)
		}
		if len(p.BinarySecret.Value)*8 < MinKeySize {
			return nil, refuse("proof key of %d bits is too short (SC-ISS-009)", len(p.BinarySecret.Value)*8)
		}
		return append([]byte(nil), p.BinarySecret.Value...), nil
	case p.EncryptedKey != nil:
		if c.cfg.Identity == nil {
			return nil, refuse("the proof key is encrypted but this client has no certificate to decrypt it (SC-ISS-011)")
		}
		k, err := bootstrap.DecryptEntropy(encryptedKeyUnder(m.BodyElem, tv, "RequestedProofToken"), c.cfg.Identity)
		if err != nil {
			return nil, refuse("proof key: %v (SC-ISS-011)", err)
		}
		return k, nil
	}
	return nil, refuse("unsupported proof token (SC-ISS-011)")
}

// issuerEntropy is the issuer's wst:Entropy, in the clear or encrypted for this client.
func (c *Client) issuerEntropy(m *codec.Message, r *wst.RequestSecurityTokenResponse) ([]byte, error) {
	e := r.Entropy
	switch {
	case e != nil && e.BinarySecret != nil && len(e.BinarySecret.Value) > 0:
		return e.BinarySecret.Value, nil
	case e != nil && e.EncryptedKey != nil:
		if c.cfg.Identity == nil {
			return nil, refuse("the issuer entropy is encrypted but this client has no certificate to decrypt it (SC-ISS-010)")
		}
		b, err := bootstrap.DecryptEntropy(encryptedKeyUnder(m.BodyElem, c.wstVersion(), "Entropy"), c.cfg.Identity)
		if err != nil {
			return nil, refuse("issuer entropy: %v (SC-ISS-010)", err)
		}
		return b, nil
	}
	// SC-ISS-010 (−): ComputedKey without the issuer's entropy cannot be computed.
	return nil, refuse("ComputedKey without issuer wst:Entropy: the key cannot be computed (SC-ISS-010)")
}
