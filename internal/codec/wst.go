package codec

import (
	"strconv"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

// policyNamespaces are the WS-Policy namespaces whose wsp:AppliesTo may appear in an RST/RSTR.
var policyNamespaces = map[string]bool{
	"http://schemas.xmlsoap.org/ws/2004/09/policy": true, // WS-Policy 1.2 (imported by the 1.3 XSD)
	"http://www.w3.org/ns/ws-policy":               true, // WS-Policy 1.5
	"http://schemas.xmlsoap.org/ws/2002/12/policy": true,
}

func init() {
	for _, v := range wst.Versions {
		v := v
		q := func(l string) wire.QName { return wire.QName{Space: v.Namespace(), Local: l} }
		registerBody(q("RequestSecurityToken"), func(d *decoder, el *etree.Element) any { return d.readRST(v, el) })
		registerBody(q("RequestSecurityTokenResponse"), func(d *decoder, el *etree.Element) any { return d.readRSTR(v, el) })
		registerBody(q("RequestSecurityTokenResponseCollection"), func(d *decoder, el *etree.Element) any { return d.readRSTRC(v, el) })
	}
	registerTyped(func(w *writer, p *etree.Element, v *wst.RequestSecurityToken) *etree.Element { return w.writeRST(p, v) })
	registerTyped(func(w *writer, p *etree.Element, v *wst.RequestSecurityTokenResponse) *etree.Element {
		return w.writeRSTR(p, v)
	})
	registerTyped(func(w *writer, p *etree.Element, c *wst.RequestSecurityTokenResponseCollection) *etree.Element {
		el := w.elem(p, c.V.Namespace(), "wst", "RequestSecurityTokenResponseCollection")
		for _, r := range c.Responses {
			if r != nil {
				w.writeRSTR(el, r)
			}
		}
		return el
	})
}

// trustChildren walks the children of an RST/RSTR, whose XSD content is a wildcard (the
// intended order is documented only), so children are matched by name in any order. A
// repeated child is recorded and kept as an extension.
type trustChildren struct {
	d    *decoder
	v    wst.Version
	seen map[string]bool
}

// own reports whether c is a first-seen child {wst of v}local; other-version trust children
// are recorded as a version mix (SC-ISS-002).
func (t *trustChildren) own(c *etree.Element) bool {
	ns := c.NamespaceURI()
	if ns != t.v.Namespace() {
		if ov, ok := wst.VersionOf(ns); ok {
			t.d.problem(c, "element of WS-Trust "+ov.String()+" inside a WS-Trust "+t.v.String()+" element: versions must not be mixed (SC-ISS-002)")
		}
		return false
	}
	if t.seen[c.Tag] {
		t.d.problem(c, "repeated wst:"+c.Tag+" (WS-Trust 1.3 §3: at most one)")
		return false
	}
	t.seen[c.Tag] = true
	return true
}

func (t *trustChildren) appliesTo(c *etree.Element, dst **wire.Any) bool {
	if c.Tag != "AppliesTo" || !policyNamespaces[c.NamespaceURI()] || *dst != nil {
		return false
	}
	a := toAny(c)
	*dst = &a
	return true
}

// readRST reads wst:RequestSecurityToken (WS-Trust 1.3 §3.1).
func (d *decoder) readRST(v wst.Version, el *etree.Element) *wst.RequestSecurityToken {
	r := &wst.RequestSecurityToken{V: v}
	r.Context, _ = attr(el, "Context")
	t := &trustChildren{d: d, v: v, seen: map[string]bool{}}
	for c := range el.ChildElementsSeq() {
		if t.appliesTo(c, &r.AppliesTo) || (t.own(c) && d.rstField(v, r, c)) {
			continue
		}
		r.Extra = append(r.Extra, toAny(c))
	}
	return r
}

func (d *decoder) rstField(v wst.Version, r *wst.RequestSecurityToken, c *etree.Element) bool {
	switch c.Tag {
	case "TokenType":
		r.TokenType = text(c)
	case "RequestType":
		r.RequestType = text(c)
	case "Claims":
		a := toAny(c)
		r.Claims = &a
	case "Entropy":
		r.Entropy = d.readEntropy(v, c)
	case "Lifetime":
		r.Lifetime = d.readLifetime(c)
	case "Renewing":
		r.Renewing = d.readRenewing(c)
	case "KeyType":
		r.KeyType = text(c)
	case "KeySize":
		r.KeySize = d.keySize(c)
	case "ComputedKeyAlgorithm":
		r.ComputedKeyAlgorithm = text(c)
	case "RenewTarget":
		r.RenewTarget, r.RenewTargetToken = d.readTarget(c)
	case "CancelTarget":
		r.CancelTarget, r.CancelTargetToken = d.readTarget(c)
	default:
		return false
	}
	return true
}

// readRSTR reads wst:RequestSecurityTokenResponse (WS-Trust 1.3 §3.2, §4.4).
func (d *decoder) readRSTR(v wst.Version, el *etree.Element) *wst.RequestSecurityTokenResponse {
	r := &wst.RequestSecurityTokenResponse{V: v}
	r.Context, _ = attr(el, "Context")
	t := &trustChildren{d: d, v: v, seen: map[string]bool{}}
	for c := range el.ChildElementsSeq() {
		if t.appliesTo(c, &r.AppliesTo) || (t.own(c) && d.rstrField(v, r, c)) {
			continue
		}
		r.Extra = append(r.Extra, toAny(c))
	}
	return r
}

func (d *decoder) rstrField(v wst.Version, r *wst.RequestSecurityTokenResponse, c *etree.Element) bool {
	switch c.Tag {
	case "TokenType":
		r.TokenType = text(c)
	case "RequestType":
		r.RequestType = text(c)
	case "RequestedSecurityToken":
		r.RequestedSecurityToken = d.readRequestedToken(c)
	case "RequestedAttachedReference":
		r.RequestedAttachedReference = d.readRequestedReference(c)
	case "RequestedUnattachedReference":
		r.RequestedUnattachedReference = d.readRequestedReference(c)
	case "RequestedProofToken":
		r.RequestedProofToken = d.readProofToken(v, c)
	case "Entropy":
		r.Entropy = d.readEntropy(v, c)
	case "Lifetime":
		r.Lifetime = d.readLifetime(c)
	case "Renewing":
		r.Renewing = d.readRenewing(c)
	case "KeyType":
		r.KeyType = text(c)
	case "KeySize":
		r.KeySize = d.keySize(c)
	case "RequestedTokenCancelled":
		r.RequestedTokenCancelled = true
		d.unexpected(c, c.ChildElements())
	default:
		return false
	}
	return true
}

// readRSTRC reads wst:RequestSecurityTokenResponseCollection (WS-Trust 1.3 §4.3): RSTR+.
func (d *decoder) readRSTRC(v wst.Version, el *etree.Element) *wst.RequestSecurityTokenResponseCollection {
	c := &wst.RequestSecurityTokenResponseCollection{V: v}
	for x := range el.ChildElementsSeq() {
		if xv, ok := wst.VersionOf(x.NamespaceURI()); ok && x.Tag == "RequestSecurityTokenResponse" {
			c.Responses = append(c.Responses, d.readRSTR(xv, x))
			continue
		}
		d.problem(x, "unexpected element in wst:RequestSecurityTokenResponseCollection (WS-Trust 1.3 §4.3: RSTR elements only)")
	}
	return c
}

// readEntropy reads wst:Entropy: a BinarySecret or an xenc:EncryptedKey (WS-Trust 1.3 §3.3).
func (d *decoder) readEntropy(v wst.Version, el *etree.Element) *wst.Entropy {
	e := &wst.Entropy{}
	for c := range el.ChildElementsSeq() {
		switch {
		case is(c, v.Namespace(), "BinarySecret") && e.BinarySecret == nil:
			e.BinarySecret = d.readBinarySecret(c)
		case is(c, wsse.NSEnc, "EncryptedKey") && e.EncryptedKey == nil:
			e.EncryptedKey = d.readEncryptedKey(c)
		default:
			e.Extra = append(e.Extra, toAny(c))
		}
	}
	return e
}

func (d *decoder) readBinarySecret(el *etree.Element) *wst.BinarySecret {
	b := &wst.BinarySecret{}
	b.Type, _ = attr(el, "Type")
	b.Value = d.base64(el, el.Text())
	return b
}

// readLifetime reads wst:Lifetime: wsu:Created?, wsu:Expires? (closed sequence).
func (d *decoder) readLifetime(el *etree.Element) *wst.Lifetime {
	l := &wst.Lifetime{}
	c := childrenOf(el)
	if cr := c.take(wsse.NSWSU, "Created"); cr != nil {
		l.Created = text(cr)
	}
	if ex := c.take(wsse.NSWSU, "Expires"); ex != nil {
		l.Expires = text(ex)
	}
	d.unexpected(el, c.rest())
	return l
}

func (d *decoder) readRenewing(el *etree.Element) *wst.Renewing {
	r := &wst.Renewing{}
	for _, a := range []struct {
		name string
		dst  **bool
	}{{"Allow", &r.Allow}, {"OK", &r.OK}} {
		s, ok := attr(el, a.name)
		if !ok {
			continue
		}
		switch s {
		case "true", "1":
			t := true
			*a.dst = &t
		case "false", "0":
			f := false
			*a.dst = &f
		default:
			d.problem(el, "Renewing/@"+a.name+"="+strconv.Quote(s)+" is not an xs:boolean")
		}
	}
	return r
}

// keySize reads wst:KeySize (xs:unsignedInt, bits). 0 cannot be told from "absent" in the
// typed value, so it is recorded here.
func (d *decoder) keySize(el *etree.Element) uint32 {
	n, err := strconv.ParseUint(text(el), 10, 32)
	if err != nil {
		d.problem(el, "KeySize "+strconv.Quote(text(el))+" is not an xs:unsignedInt")
		return 0
	}
	if n == 0 {
		d.problem(el, "KeySize 0: a key has a positive number of bits (WS-Trust 1.3 §9.2, SC-ISS-009)")
	}
	return uint32(n)
}

// readTarget reads wst:RenewTarget / wst:CancelTarget: exactly one element, normally an STR.
func (d *decoder) readTarget(el *etree.Element) (*wsse.SecurityTokenReference, *wire.Any) {
	kids := el.ChildElements()
	if len(kids) != 1 {
		d.problem(el, el.FullTag()+" must hold exactly one element (WS-Trust 1.3 §5.1, §6.1)")
		if len(kids) == 0 {
			return nil, nil
		}
	}
	if is(kids[0], wsse.NS, "SecurityTokenReference") {
		return d.readSTR(kids[0]), nil
	}
	a := toAny(kids[0])
	return nil, &a
}

// readRequestedToken reads wst:RequestedSecurityToken: one token, an SCT of either WS-SC
// version (Validate reports a version mix) or something else.
func (d *decoder) readRequestedToken(el *etree.Element) *wst.RequestedSecurityToken {
	t := &wst.RequestedSecurityToken{}
	for c := range el.ChildElementsSeq() {
		if sv, ok := wsc.VersionOf(c.NamespaceURI()); ok && c.Tag == "SecurityContextToken" && t.SCT == nil {
			t.SCT = d.readSCT(sv, c)
			continue
		}
		t.Other = append(t.Other, toAny(c))
	}
	return t
}

// readRequestedReference reads wst:Requested(Un)AttachedReference: one wsse:STR.
func (d *decoder) readRequestedReference(el *etree.Element) *wsse.SecurityTokenReference {
	c := childrenOf(el)
	str := c.take(wsse.NS, "SecurityTokenReference")
	d.unexpected(el, c.rest())
	if !d.require(el, str, "wsse:SecurityTokenReference") {
		return nil
	}
	return d.readSTR(str)
}

// readProofToken reads wst:RequestedProofToken (WS-Trust 1.3 §4.4.3).
func (d *decoder) readProofToken(v wst.Version, el *etree.Element) *wst.RequestedProofToken {
	p := &wst.RequestedProofToken{}
	ns := v.Namespace()
	for c := range el.ChildElementsSeq() {
		switch {
		case is(c, ns, "ComputedKey") && p.ComputedKey == "":
			p.ComputedKey = text(c)
		case is(c, ns, "BinarySecret") && p.BinarySecret == nil:
			p.BinarySecret = d.readBinarySecret(c)
		case is(c, wsse.NSEnc, "EncryptedKey") && p.EncryptedKey == nil:
			p.EncryptedKey = d.readEncryptedKey(c)
		default:
			p.Other = append(p.Other, toAny(c))
		}
	}
	return p
}

func (w *writer) trustElem(p *etree.Element, v wst.Version, local, value string) {
	if value != "" {
		w.textElem(p, v.Namespace(), "wst", local, value)
	}
}

func (w *writer) writeRST(p *etree.Element, r *wst.RequestSecurityToken) *etree.Element {
	ns := r.V.Namespace()
	el := w.elem(p, ns, "wst", "RequestSecurityToken")
	if r.Context != "" {
		w.attr(el, "Context", r.Context)
	}
	w.trustElem(el, r.V, "TokenType", r.TokenType)
	w.trustElem(el, r.V, "RequestType", r.RequestType)
	w.writeTarget(el, r.V, "RenewTarget", r.RenewTarget, r.RenewTargetToken)
	w.writeTarget(el, r.V, "CancelTarget", r.CancelTarget, r.CancelTargetToken)
	w.optAny(el, r.AppliesTo)
	w.optAny(el, r.Claims)
	w.writeEntropy(el, r.V, r.Entropy)
	w.writeLifetime(el, r.V, r.Lifetime)
	w.writeRenewing(el, r.V, r.Renewing)
	w.trustElem(el, r.V, "KeyType", r.KeyType)
	if r.KeySize != 0 {
		w.trustElem(el, r.V, "KeySize", strconv.FormatUint(uint64(r.KeySize), 10))
	}
	w.trustElem(el, r.V, "ComputedKeyAlgorithm", r.ComputedKeyAlgorithm)
	w.anys(el, r.Extra)
	return el
}

func (w *writer) writeRSTR(p *etree.Element, r *wst.RequestSecurityTokenResponse) *etree.Element {
	ns := r.V.Namespace()
	el := w.elem(p, ns, "wst", "RequestSecurityTokenResponse")
	if r.Context != "" {
		w.attr(el, "Context", r.Context)
	}
	w.trustElem(el, r.V, "TokenType", r.TokenType)
	w.trustElem(el, r.V, "RequestType", r.RequestType)
	if r.RequestedTokenCancelled {
		w.elem(el, ns, "wst", "RequestedTokenCancelled")
	}
	if t := r.RequestedSecurityToken; t != nil {
		te := w.elem(el, ns, "wst", "RequestedSecurityToken")
		if t.SCT != nil {
			w.writeSCT(te, t.SCT)
		}
		w.anys(te, t.Other)
	}
	w.optAny(el, r.AppliesTo)
	for _, ref := range []struct {
		local string
		str   *wsse.SecurityTokenReference
	}{{"RequestedAttachedReference", r.RequestedAttachedReference}, {"RequestedUnattachedReference", r.RequestedUnattachedReference}} {
		if ref.str != nil {
			w.writeSTR(w.elem(el, ns, "wst", ref.local), ref.str)
		}
	}
	if pt := r.RequestedProofToken; pt != nil {
		pe := w.elem(el, ns, "wst", "RequestedProofToken")
		w.trustElem(pe, r.V, "ComputedKey", pt.ComputedKey)
		w.writeBinarySecret(pe, r.V, pt.BinarySecret)
		if pt.EncryptedKey != nil {
			w.writeEncryptedKey(pe, pt.EncryptedKey)
		}
		w.anys(pe, pt.Other)
	}
	w.writeEntropy(el, r.V, r.Entropy)
	w.writeLifetime(el, r.V, r.Lifetime)
	w.writeRenewing(el, r.V, r.Renewing)
	w.trustElem(el, r.V, "KeyType", r.KeyType)
	if r.KeySize != 0 {
		w.trustElem(el, r.V, "KeySize", strconv.FormatUint(uint64(r.KeySize), 10))
	}
	w.anys(el, r.Extra)
	return el
}

func (w *writer) optAny(p *etree.Element, a *wire.Any) {
	if a != nil {
		w.any(p, *a)
	}
}

func (w *writer) writeTarget(p *etree.Element, v wst.Version, local string, str *wsse.SecurityTokenReference, tok *wire.Any) {
	if str == nil && tok == nil {
		return
	}
	el := w.elem(p, v.Namespace(), "wst", local)
	if str != nil {
		w.writeSTR(el, str)
	}
	w.optAny(el, tok)
}

func (w *writer) writeBinarySecret(p *etree.Element, v wst.Version, b *wst.BinarySecret) {
	if b == nil {
		return
	}
	el := w.textElem(p, v.Namespace(), "wst", "BinarySecret", b64(b.Value))
	if b.Type != "" {
		w.attr(el, "Type", b.Type)
	}
}

func (w *writer) writeEntropy(p *etree.Element, v wst.Version, e *wst.Entropy) {
	if e == nil {
		return
	}
	el := w.elem(p, v.Namespace(), "wst", "Entropy")
	w.writeBinarySecret(el, v, e.BinarySecret)
	if e.EncryptedKey != nil {
		w.writeEncryptedKey(el, e.EncryptedKey)
	}
	w.anys(el, e.Extra)
}

func (w *writer) writeLifetime(p *etree.Element, v wst.Version, l *wst.Lifetime) {
	if l == nil {
		return
	}
	el := w.elem(p, v.Namespace(), "wst", "Lifetime")
	if l.Created != "" {
		w.textElem(el, wsse.NSWSU, "wsu", "Created", l.Created)
	}
	if l.Expires != "" {
		w.textElem(el, wsse.NSWSU, "wsu", "Expires", l.Expires)
	}
}

func (w *writer) writeRenewing(p *etree.Element, v wst.Version, r *wst.Renewing) {
	if r == nil {
		return
	}
	el := w.elem(p, v.Namespace(), "wst", "Renewing")
	if r.Allow != nil {
		w.attr(el, "Allow", strconv.FormatBool(*r.Allow))
	}
	if r.OK != nil {
		w.attr(el, "OK", strconv.FormatBool(*r.OK))
	}
}
