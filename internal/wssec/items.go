package wssec

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
	"github.com/rspcheck/rspcheck/internal/xmlsec/xenc"
)

// timestamp checks freshness (WSS 1.1 §10): Created is not in the future and Expires has not
// passed, each within the policy's clock skew; Expires follows Created. One per header.
func (p *processor) timestamp(el *etree.Element) error {
	if p.ts != nil {
		return failf(ErrTimestamp, "more than one wsu:Timestamp (WSS 1.1 §10)")
	}
	p.ts = el
	var created, expires string
	for c := range el.ChildElementsSeq() {
		if c.NamespaceURI() != wsse.NSWSU {
			continue
		}
		switch c.Tag {
		case "Created":
			created = strings.TrimSpace(c.Text())
		case "Expires":
			expires = strings.TrimSpace(c.Text())
		}
	}
	if created == "" || expires == "" {
		return failf(ErrTimestamp, "the Timestamp needs Created and Expires to judge freshness")
	}
	c, err := wsse.ParseDateTime(created)
	if err != nil {
		return failf(ErrTimestamp, "Created %q: %v", created, err)
	}
	x, err := wsse.ParseDateTime(expires)
	if err != nil {
		return failf(ErrTimestamp, "Expires %q: %v", expires, err)
	}
	now, skew := p.opt.Now, p.pol.Skew
	switch {
	case !x.After(c):
		return failf(ErrTimestamp, "Expires %s is not after Created %s", expires, created)
	case c.After(now.Add(skew)):
		return failf(ErrTimestamp, "Created %s is in the future (now %s, skew %s)", created, now.UTC().Format(TimeFormat), skew)
	case !x.After(now.Add(-skew)):
		return failf(ErrExpired, "the Timestamp expired at %s (now %s, skew %s)", expires, now.UTC().Format(TimeFormat), skew)
	}
	p.auth.Created, p.auth.Expires = c, x
	return nil
}

// sct records a SecurityContextToken carried in the header (WS-SC 1.3 §3).
func (p *processor) sct(el *etree.Element) error {
	var t Token
	for c := range el.ChildElementsSeq() {
		switch c.Tag {
		case "Identifier":
			t.Identifier = strings.TrimSpace(c.Text())
		case "Instance":
			t.Instance = strings.TrimSpace(c.Text())
		}
	}
	if t.Identifier == "" {
		return failf(ErrSecurityHeader, "wsc:SecurityContextToken without wsc:Identifier (WS-SC 1.3 §3)")
	}
	if id, ok := dsig.IDOf(el); ok {
		p.scts = append(p.scts, sctEntry{id, t})
	}
	p.items = append(p.items, el)
	return nil
}

// derivedKeyToken records a DerivedKeyToken; its key is derived when first used.
func (p *processor) derivedKeyToken(el *etree.Element) error {
	id, ok := dsig.IDOf(el)
	if !ok {
		return failf(ErrDerivation, "wsc:DerivedKeyToken without wsu:Id cannot be referenced")
	}
	p.dkts = append(p.dkts, dkt{id: id, el: el})
	p.items = append(p.items, el)
	return nil
}

// token resolves an SCT Identifier to a known token, enforcing the expected one.
func (p *processor) token(identifier, instance string) (Token, error) {
	if p.opt.Expect != "" && identifier != p.opt.Expect {
		return Token{}, failf(ErrWrongToken, "keyed by %s, but this message must be secured by %s (RM-STR-008)", identifier, p.opt.Expect)
	}
	if p.opt.Tokens == nil {
		return Token{}, failf(ErrUnknownToken, "no token store")
	}
	t, ok := p.opt.Tokens.Token(identifier)
	if !ok {
		return Token{}, failf(ErrUnknownToken, "security context %s is unknown, expired or cancelled", identifier)
	}
	if instance != "" && instance != t.Instance {
		return Token{}, failf(ErrUnknownToken, "security context %s has no key instance %q (current %q)", identifier, instance, t.Instance)
	}
	return t, nil
}

// keyFrom resolves the STR inside a KeyInfo (or a DKT) to a key: a DerivedKeyToken of this
// header by "#id", a SecurityContextToken of this header by "#id", or an SCT by Identifier.
func (p *processor) keyFrom(str *etree.Element) ([]byte, Token, *Derivation, error) {
	ref := child(str, wsse.NS, "Reference")
	if ref == nil {
		return nil, Token{}, nil, failf(ErrUnsupported, "only wsse:Reference STRs name keys here (no KeyIdentifier or embedded tokens)")
	}
	uri := ref.SelectAttrValue("URI", "")
	instance := ""
	for _, a := range ref.Attr {
		if a.Key == "Instance" && isWSC(a.NamespaceURI()) {
			instance = a.Value
		}
	}
	if !strings.HasPrefix(uri, "#") {
		if _, kind, ok := wsc.VersionOfTokenType(ref.SelectAttrValue("ValueType", "")); !ok || kind != wsc.TokenSCT {
			return nil, Token{}, nil, failf(ErrUnsupported, "reference %q with ValueType %q is not a security context token", uri, ref.SelectAttrValue("ValueType", ""))
		}
		t, err := p.token(uri, instance)
		return t.Secret, t, nil, err
	}
	id := uri[1:]
	if d := p.dktByID(id); d != nil {
		return p.derive(d)
	}
	if t, ok := p.sctByID(id); ok {
		tok, err := p.token(t.Identifier, t.Instance)
		return tok.Secret, tok, nil, err
	}
	return nil, Token{}, nil, failf(ErrDerivation, "reference %s names no token that precedes it in this Security header (WSS 1.1 §5)", uri)
}

// derive computes a DerivedKeyToken's key (WS-SC 1.3 §7): P_SHA1(SCT key, label + nonce)
// at Offset (or Generation × Length) for Length octets. The source must be an SCT; a nested
// DerivedKeyToken or any other source is refused (wsc:UnknownDerivationSource).
func (p *processor) derive(d *dkt) ([]byte, Token, *Derivation, error) {
	if d.key != nil {
		return d.key, d.tok, d.der, nil
	}
	v, _ := wsc.VersionOf(d.el.NamespaceURI())
	der := &Derivation{Label: wsc.DefaultLabel, Length: wsc.DefaultLength}
	der.TokenID, _ = dsig.IDOf(d.el)
	var str *etree.Element
	var gen, hasGen, hasOffset = uint64(0), false, false
	for c := range d.el.ChildElementsSeq() {
		var err error
		switch {
		case c.Tag == "SecurityTokenReference" && c.NamespaceURI() == wsse.NS:
			str = c
		case c.Tag == "Offset":
			der.Offset, err = strconv.ParseUint(strings.TrimSpace(c.Text()), 10, 32)
			hasOffset = true
		case c.Tag == "Generation":
			gen, err = strconv.ParseUint(strings.TrimSpace(c.Text()), 10, 32)
			hasGen = true
		case c.Tag == "Length":
			der.Length, err = strconv.ParseUint(strings.TrimSpace(c.Text()), 10, 16)
		case c.Tag == "Label":
			der.Label = c.Text()
		case c.Tag == "Nonce":
			der.Nonce, err = dsig.DecodeBase64(c.Text())
		}
		if err != nil {
			return nil, Token{}, nil, failf(ErrDerivation, "DerivedKeyToken %s: %s: %v", der.TokenID, c.Tag, err)
		}
	}
	if alg := d.el.SelectAttrValue("Algorithm", ""); alg != "" && alg != v.PSHA1() {
		return nil, Token{}, nil, failf(ErrUnsupported, "DerivedKeyToken algorithm %q (only %s)", alg, v.PSHA1())
	}
	if hasGen && hasOffset {
		return nil, Token{}, nil, failf(ErrDerivation, "DerivedKeyToken %s has both Offset and Generation (WS-SC 1.3 §7)", der.TokenID)
	}
	if hasGen {
		der.Offset = gen * der.Length
	}
	if len(der.Nonce) == 0 || der.Length == 0 || der.Length > 64 {
		return nil, Token{}, nil, failf(ErrDerivation, "DerivedKeyToken %s needs a Nonce and a Length of 1..64 octets", der.TokenID)
	}
	if str == nil {
		return nil, Token{}, nil, failf(ErrDerivation, "DerivedKeyToken %s has no SecurityTokenReference to its source", der.TokenID)
	}
	if ref := child(str, wsse.NS, "Reference"); ref != nil {
		if p.dktByID(strings.TrimPrefix(ref.SelectAttrValue("URI", ""), "#")) != nil {
			return nil, Token{}, nil, failf(ErrDerivation, "DerivedKeyToken %s derives from another derived key", der.TokenID)
		}
	}
	secret, tok, _, err := p.keyFrom(str)
	if err != nil {
		return nil, Token{}, nil, err
	}
	key, err := psha1.DeriveKey(secret, der.Label, der.Nonce, int(der.Offset), int(der.Length))
	if err != nil {
		return nil, Token{}, nil, failf(ErrDerivation, "DerivedKeyToken %s: %v", der.TokenID, err)
	}
	d.key, d.tok, d.der = key, tok, der
	return key, tok, der, nil
}

// referenceList decrypts each EncryptedData it names (WSS 1.1 §9.4), with the key its
// KeyInfo names.
func (p *processor) referenceList(el *etree.Element) error {
	for dr := range el.ChildElementsSeq() {
		if dr.Tag != "DataReference" || dr.NamespaceURI() != xenc.NS {
			return failf(ErrUnsupported, "ReferenceList entry %s (only DataReference)", dr.FullTag())
		}
		uri := dr.SelectAttrValue("URI", "")
		ed, err := p.findByID(uri)
		if err != nil {
			return err
		}
		ki := child(ed, dsig.NS, "KeyInfo")
		var str *etree.Element
		if ki != nil {
			str = child(ki, wsse.NS, "SecurityTokenReference")
		}
		if str == nil {
			return failf(ErrDecrypt, "EncryptedData %s names no key (KeyInfo/SecurityTokenReference)", uri)
		}
		key, _, _, err := p.keyFrom(str)
		if err != nil {
			return err
		}
		inBody := ed.Parent() == p.env.body
		if _, err := xenc.Decrypt(ed, key); err != nil {
			return failf(ErrDecrypt, "EncryptedData %s: %v", uri, err)
		}
		p.auth.Decrypted = append(p.auth.Decrypted, uri[1:])
		p.bodyEncrypted = p.bodyEncrypted || inBody
	}
	return nil
}

// findByID finds the one EncryptedData with ID uri ("#id") in the document.
func (p *processor) findByID(uri string) (*etree.Element, error) {
	if len(uri) < 2 || uri[0] != '#' {
		return nil, failf(ErrSecurityHeader, "DataReference %q is not a same-document reference", uri)
	}
	var found *etree.Element
	n := 0
	walkAll(p.env.root, func(x *etree.Element) {
		if id, ok := dsig.IDOf(x); ok && id == uri[1:] {
			found = x
			n++
		}
	})
	if n != 1 || found.Tag != "EncryptedData" || found.NamespaceURI() != xenc.NS {
		return nil, failf(ErrSecurityHeader, "DataReference %s must name exactly one xenc:EncryptedData (found %d elements with that ID)", uri, n)
	}
	return found, nil
}

// signature verifies the message signature with a key from the expected token only.
func (p *processor) signature(el *etree.Element) error {
	if p.sig != nil {
		return failf(ErrUnsupported, "more than one signature in the Security header")
	}
	p.sig = el
	var kind KeyKind
	v, err := dsig.Verify(el, dsig.VerifyOptions{
		Algorithms: dsig.Algorithms{
			SignatureMethods: []string{dsig.HMACSHA1, dsig.HMACSHA256},
			DigestMethods:    dsig.DefaultAlgorithms.DigestMethods,
			C14NMethods:      []string{dsig.ExcC14N},
		},
		Trace: p.opt.Trace,
		Key: func(ki *etree.Element, _ string) (any, error) {
			var str *etree.Element
			if ki != nil {
				str = child(ki, wsse.NS, "SecurityTokenReference")
			}
			if str == nil {
				return nil, failf(ErrSignature, "the signature's KeyInfo has no SecurityTokenReference")
			}
			key, tok, der, err := p.keyFrom(str)
			if err != nil {
				return nil, err
			}
			kind = KeySCT
			if der != nil {
				kind = KeyDerived
			}
			p.auth.Token = Token{Identifier: tok.Identifier, Instance: tok.Instance}
			p.auth.Derivation = der
			return key, nil
		},
	})
	if err != nil {
		if e, ok := asError(err); ok {
			return e
		}
		return failf(ErrSignature, "%v", err)
	}
	p.auth.KeyKind = kind
	p.auth.Signature = el
	p.auth.SignatureMethod = v.SignatureMethod
	p.auth.Signed = make([]*etree.Element, 0, len(v.References))
	for _, r := range v.References {
		p.auth.Signed = append(p.auth.Signed, r.Element)
	}
	return nil
}

func child(el *etree.Element, ns, local string) *etree.Element {
	for c := range el.ChildElementsSeq() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}
