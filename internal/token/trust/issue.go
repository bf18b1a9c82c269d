package trust

import (
	"io"
	"strings"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
)

// containsMix reports whether a Validate error is about mixed versions.
func containsMix(err error) bool { return strings.Contains(err.Error(), "SC-ISS-002") }

// issue answers RST/SCT (WS-SC 1.3 §3): a new context with a fresh Identifier.
func (is *Issuer) issue(req Request, rst *wst.RequestSecurityToken, v wsc.Version) (*wst.RequestSecurityTokenResponse, *Fault) {
	tv := rst.V
	// SC-ISS-001: every inspected stack requires TokenType in the SCT binding; without it the
	// request does not say it asks for an SCT.
	if rst.TokenType == "" {
		return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-001", "an SCT issue request must carry wst:TokenType %q", v.SCTTokenType())
	}
	// SC-ISS-014: the issuance exchange is itself protected by the bootstrap security.
	if is.cfg.RequireBootstrap && req.Requestor == nil {
		return nil, trustFault(tv, wst.FailedAuthentication, "SC-ISS-014", "the issue request is not protected by a verified bootstrap token")
	}
	id, err := newUUID(is.cfg.Rand)
	if err != nil {
		return nil, trustFault(tv, wst.RequestFailed, "", "%v", err)
	}
	return is.grant(req, rst, v, id, "", nil)
}

// grant computes the key of a new token instance, stores it and builds the RSTR (issue and
// renew share it: SC-RNW-002 "new proof material computed as in issuance").
//
// prev is the instance a renewal replaces (nil for an issuance).
func (is *Issuer) grant(req Request, rst *wst.RequestSecurityToken, v wsc.Version, id, instance string, prev *token.Token) (*wst.RequestSecurityTokenResponse, *Fault) {
	tv := rst.V
	km, f := is.keyMaterial(req, rst)
	if f != nil {
		return nil, f
	}
	now := is.cfg.Now().UTC().Truncate(time.Millisecond)
	expires := now.Add(is.cfg.Lifetime)
	// WS-Trust 1.3 §4.1: the requestor may ask for a lifetime; the issuer grants at most its
	// own, and honours a shorter request.
	if rst.Lifetime != nil {
		if _, e, err := rst.Lifetime.Times(); err == nil && !e.IsZero() && e.After(now) && e.Before(expires) {
			expires = e.UTC().Truncate(time.Millisecond)
		}
	}
	sctID, err := newUUID(is.cfg.Rand)
	if err != nil {
		return nil, trustFault(tv, wst.RequestFailed, "", "%v", err)
	}
	sctID = "sct-" + strings.TrimPrefix(sctID, "urn:uuid:")
	tok := token.Token{Identifier: id, Instance: instance, Secret: km.key, Created: now, Expires: expires,
		Version: v, AttachedID: sctID, UnattachedURI: id}
	if req.Requestor != nil {
		tok.Endpoint = req.Requestor.Subject.String()
	}
	if prev != nil {
		if err := is.cfg.Store.Replace(tok, prev.Instance); err != nil {
			return nil, lookupFault(v, err)
		}
	} else if err := is.cfg.Store.Put(tok); err != nil {
		return nil, lookupFault(v, err)
	}
	ref := func(uri string) *wsse.SecurityTokenReference {
		return &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: uri, ValueType: v.SCTTokenType()}}
	}
	return &wst.RequestSecurityTokenResponse{
		V: tv,
		// SC-ISS-004: every RSTR for a request with @Context carries the same value.
		Context:   rst.Context,
		TokenType: v.SCTTokenType(),
		// SC-ISS-005: one SCT with an absolute-URI Identifier; the SCT never carries the key.
		RequestedSecurityToken: &wst.RequestedSecurityToken{SCT: &wsc.SecurityContextToken{V: v, ID: sctID, Identifier: id, Instance: instance}},
		// SC-ISS-013: attached reference "#wsu:Id" (the SCT travels in the message), unattached
		// reference by Identifier without '#' (SC-REF-001).
		RequestedAttachedReference:   ref("#" + sctID),
		RequestedUnattachedReference: ref(id),
		RequestedProofToken:          km.proof,
		Entropy:                      km.entropy,
		// SC-ISS-012: the RSTR states the Lifetime in UTC.
		Lifetime: lifetime(now, expires),
		// SC-ISS-009: KeySize in bits; the returned value governs the key length.
		KeySize: km.bits,
	}, nil
}

// material is the key of a new instance and how the RSTR proves it.
type material struct {
	key     []byte
	bits    uint32
	proof   *wst.RequestedProofToken
	entropy *wst.Entropy
}

// keyMaterial decides the key (WS-Trust 1.3 §4.4.3, SC-ISS-010/011):
//
//   - the requestor sent entropy: the issuer adds its own and both compute
//     key = P_SHA1(requestor entropy, issuer entropy)[0:KeySize/8] (§4.4.4, CONSTANTS §7); the
//     RSTR carries ComputedKey = CK/PSHA1 and the issuer's wst:Entropy (a Nonce BinarySecret,
//     or an xenc:EncryptedKey for the requestor's certificate);
//   - no requestor entropy: the issuer's key is the proof token itself, as a BinarySecret
//     (confidentiality is then up to the channel or body encryption) or as an
//     xenc:EncryptedKey for the requestor's certificate.
func (is *Issuer) keyMaterial(req Request, rst *wst.RequestSecurityToken) (material, *Fault) {
	tv := rst.V
	bits := rst.KeySize
	// SC-ISS-009: the issuer may return another size than asked; it does for sizes outside
	// its window.
	if bits < MinKeySize || bits > MaxKeySize {
		bits = is.cfg.KeySize
	}
	// WS-Trust 1.3 §9.2: an SCT's proof key is symmetric; CK/PSHA1 is the only computed-key
	// algorithm this issuer implements.
	if rst.KeyType != "" && rst.KeyType != tv.KeyTypeSymmetric() {
		return material{}, trustFault(tv, wst.InvalidRequest, "SC-ISS-011", "wst:KeyType %q: an SCT needs a symmetric key", rst.KeyType)
	}
	if ck := rst.ComputedKeyAlgorithm; ck != "" && ck != tv.CKPSHA1() {
		return material{}, trustFault(tv, wst.InvalidRequest, "SC-ISS-010", "computed-key algorithm %q is not supported (only %s)", ck, tv.CKPSHA1())
	}
	reqEnt, f := is.requestorEntropy(req.Message, rst)
	if f != nil {
		return material{}, f
	}
	out := material{bits: bits}
	secret := make([]byte, bits/8)
	if _, err := io.ReadFull(is.cfg.Entropy, secret); err != nil {
		return material{}, trustFault(tv, wst.RequestFailed, "", "issuer entropy: %v", err)
	}
	if reqEnt == nil {
		out.key = secret
		if req.Requestor != nil {
			ek, err := encryptFor(tv, secret, req.Requestor)
			if err != nil {
				return material{}, trustFault(tv, wst.RequestFailed, "SC-ISS-011", "%v", err)
			}
			out.proof = &wst.RequestedProofToken{EncryptedKey: ek}
		} else {
			out.proof = &wst.RequestedProofToken{BinarySecret: &wst.BinarySecret{Type: tv.SymmetricKeyType(), Value: secret}}
		}
		return out, nil
	}
	key, err := psha1.ComputedKey(reqEnt, secret, int(bits))
	if err != nil {
		return material{}, trustFault(tv, wst.RequestFailed, "SC-ISS-010", "%v", err)
	}
	out.key = key
	out.proof = &wst.RequestedProofToken{ComputedKey: tv.CKPSHA1()}
	if req.Requestor != nil {
		ek, err := encryptFor(tv, secret, req.Requestor)
		if err != nil {
			return material{}, trustFault(tv, wst.RequestFailed, "SC-ISS-010", "%v", err)
		}
		out.entropy = &wst.Entropy{EncryptedKey: ek}
	} else {
		out.entropy = &wst.Entropy{BinarySecret: &wst.BinarySecret{Type: tv.NonceType(), Value: secret}}
	}
	return out, nil
}

// requestorEntropy returns the requestor's entropy (nil when it sent none).
func (is *Issuer) requestorEntropy(m *codec.Message, rst *wst.RequestSecurityToken) ([]byte, *Fault) {
	tv := rst.V
	e := rst.Entropy
	if e == nil {
		return nil, nil
	}
	var ent []byte
	switch {
	case e.BinarySecret != nil:
		// SC-ISS-008: Nonce (or, as Microsoft's profile allows, SymmetricKey) BinarySecrets.
		if t := e.BinarySecret.Type; t != "" && t != tv.NonceType() && t != tv.SymmetricKeyType() {
			return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-008", "requestor entropy of type %q: expected %s", t, tv.NonceType())
		}
		ent = e.BinarySecret.Value
	case e.EncryptedKey != nil:
		if is.cfg.Identity == nil {
			return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-008", "encrypted requestor entropy, but this issuer has no certificate to decrypt it")
		}
		var err error
		if ent, err = decryptEntropy(m, is.cfg.Identity); err != nil {
			return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-008", "%v", err)
		}
	default:
		return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-008", "wst:Entropy holds neither a BinarySecret nor an EncryptedKey")
	}
	// SC-ISS-008: requestor entropy should be at least 128 bits; this issuer refuses less.
	if is.cfg.MinEntropy > 0 && len(ent)*8 < is.cfg.MinEntropy {
		return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-008", "requestor entropy of %d bits; at least %d required", len(ent)*8, is.cfg.MinEntropy)
	}
	return ent, nil
}
