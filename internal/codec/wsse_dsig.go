package codec

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

func init() {
	registerSecurityItem(wire.QName{Space: wsse.NSDS, Local: "Signature"}, func(d *decoder, el *etree.Element) any { return d.readSignature(el) })
	registerTyped(func(w *writer, p *etree.Element, v *wsse.Signature) *etree.Element { return w.writeSignature(p, v) })
	registerTyped(func(w *writer, p *etree.Element, v *wsse.KeyInfo) *etree.Element { return w.writeKeyInfo(p, v) })
}

// readSignature reads ds:Signature (XML-DSig §4.1): SignedInfo, SignatureValue, KeyInfo?,
// Object*.
func (d *decoder) readSignature(el *etree.Element) *wsse.Signature {
	s := &wsse.Signature{}
	s.ID, _ = attr(el, "Id")
	c := childrenOf(el)
	if si := c.take(wsse.NSDS, "SignedInfo"); d.require(el, si, "ds:SignedInfo") {
		s.SignedInfo = d.readSignedInfo(si)
	}
	if sv := c.take(wsse.NSDS, "SignatureValue"); d.require(el, sv, "ds:SignatureValue") {
		s.SignatureValueID, _ = attr(sv, "Id")
		s.SignatureValue = d.base64(sv, sv.Text())
	}
	if ki := c.take(wsse.NSDS, "KeyInfo"); ki != nil {
		s.KeyInfo = d.readKeyInfo(ki)
	}
	s.Objects = anyOf(c.takeAll(wsse.NSDS, "Object"))
	if rest := c.rest(); len(rest) > 0 {
		d.unexpected(el, rest)
		s.Objects = append(s.Objects, anyOf(rest)...)
	}
	return s
}

// readSignedInfo reads ds:SignedInfo (XML-DSig §4.3).
func (d *decoder) readSignedInfo(el *etree.Element) wsse.SignedInfo {
	si := wsse.SignedInfo{}
	si.ID, _ = attr(el, "Id")
	c := childrenOf(el)
	if cm := c.take(wsse.NSDS, "CanonicalizationMethod"); d.require(el, cm, "ds:CanonicalizationMethod") {
		si.CanonicalizationMethod.Algorithm = d.algorithm(cm)
		for x := range cm.ChildElementsSeq() {
			if is(x, wsse.NSExcC14N, "InclusiveNamespaces") && !si.CanonicalizationMethod.HasInclusive {
				si.CanonicalizationMethod.HasInclusive = true
				si.CanonicalizationMethod.InclusivePrefixes = prefixList(x)
				continue
			}
			si.CanonicalizationMethod.Extra = append(si.CanonicalizationMethod.Extra, toAny(x))
		}
	}
	if sm := c.take(wsse.NSDS, "SignatureMethod"); d.require(el, sm, "ds:SignatureMethod") {
		si.SignatureMethod.Algorithm = d.algorithm(sm)
		for x := range sm.ChildElementsSeq() {
			if is(x, wsse.NSDS, "HMACOutputLength") && si.SignatureMethod.HMACOutputLength == nil {
				n, err := strconv.Atoi(text(x))
				if err != nil {
					d.problem(x, "HMACOutputLength "+strconv.Quote(text(x))+" is not an integer")
					continue
				}
				si.SignatureMethod.HMACOutputLength = &n
				continue
			}
			si.SignatureMethod.Extra = append(si.SignatureMethod.Extra, toAny(x))
		}
	}
	// Counted first so that References is allocated once, at its final size.
	if n := c.count(wsse.NSDS, "Reference"); n == 0 {
		d.problem(el, "missing required child ds:Reference (XML-DSig §4.3)")
	} else {
		si.References = make([]wsse.DSReference, 0, n)
		d.transforms.Reserve(n) // WS-Security references have one Transform each
	}
	for r := c.take(wsse.NSDS, "Reference"); r != nil; r = c.take(wsse.NSDS, "Reference") {
		si.References = append(si.References, d.readDSReference(r))
	}
	d.unexpected(el, c.rest())
	return si
}

// readDSReference reads ds:Reference (XML-DSig §4.3.3): Transforms?, DigestMethod, DigestValue.
func (d *decoder) readDSReference(el *etree.Element) wsse.DSReference {
	r := wsse.DSReference{}
	r.ID, _ = attr(el, "Id")
	r.URI, _ = attr(el, "URI")
	r.Type, _ = attr(el, "Type")
	c := childrenOf(el)
	if ts := c.take(wsse.NSDS, "Transforms"); ts != nil {
		tc := childrenOf(ts)
		if n := tc.count(wsse.NSDS, "Transform"); n > 0 {
			r.Transforms = d.transforms.Slice(n)
		}
		for t := tc.take(wsse.NSDS, "Transform"); t != nil; t = tc.take(wsse.NSDS, "Transform") {
			r.Transforms = append(r.Transforms, d.readTransform(t))
		}
		d.unexpected(ts, tc.rest())
	}
	if dm := c.take(wsse.NSDS, "DigestMethod"); d.require(el, dm, "ds:DigestMethod") {
		r.DigestMethod = d.algorithm(dm)
	}
	if dv := c.take(wsse.NSDS, "DigestValue"); d.require(el, dv, "ds:DigestValue") {
		r.DigestValue = d.base64(dv, dv.Text())
	}
	d.unexpected(el, c.rest())
	return r
}

func (d *decoder) readTransform(el *etree.Element) wsse.Transform {
	t := wsse.Transform{Algorithm: d.algorithm(el)}
	for x := range el.ChildElementsSeq() {
		if is(x, wsse.NSExcC14N, "InclusiveNamespaces") && !t.HasInclusive {
			t.HasInclusive = true
			t.InclusivePrefixes = prefixList(x)
			continue
		}
		t.Params = append(t.Params, toAny(x))
	}
	return t
}

// readKeyInfo reads ds:KeyInfo (XML-DSig §4.4); in WSS it holds a wsse:SecurityTokenReference.
func (d *decoder) readKeyInfo(el *etree.Element) *wsse.KeyInfo {
	k := &wsse.KeyInfo{}
	k.ID, _ = attr(el, "Id")
	for c := range el.ChildElementsSeq() {
		if is(c, wsse.NS, "SecurityTokenReference") && k.STR == nil {
			k.STR = d.readSTR(c)
			continue
		}
		k.Other = append(k.Other, toAny(c))
	}
	return k
}

// algorithm reads the required Algorithm attribute of a ds method element.
func (d *decoder) algorithm(el *etree.Element) string {
	a, ok := attr(el, "Algorithm")
	if !ok {
		d.problem(el, el.FullTag()+" requires an Algorithm attribute (XML-DSig §4)")
	}
	return a
}

// prefixList reads the PrefixList of ec:InclusiveNamespaces (Exc-C14N §3): whitespace-separated
// prefixes, "#default" for the default namespace.
func prefixList(el *etree.Element) []string {
	v, _ := attr(el, "PrefixList")
	if f := strings.Fields(v); len(f) > 0 {
		return f
	}
	return nil
}

func (w *writer) writeSignature(p *etree.Element, s *wsse.Signature) *etree.Element {
	el := w.elem(p, wsse.NSDS, "ds", "Signature")
	if s.ID != "" {
		w.attr(el, "Id", s.ID)
	}
	si := w.elem(el, wsse.NSDS, "ds", "SignedInfo")
	if s.SignedInfo.ID != "" {
		w.attr(si, "Id", s.SignedInfo.ID)
	}
	cm := &s.SignedInfo.CanonicalizationMethod
	cme := w.elem(si, wsse.NSDS, "ds", "CanonicalizationMethod")
	w.attr(cme, "Algorithm", cm.Algorithm)
	if cm.HasInclusive {
		w.writeInclusive(cme, cm.InclusivePrefixes)
	}
	w.anys(cme, cm.Extra)
	sm := &s.SignedInfo.SignatureMethod
	sme := w.elem(si, wsse.NSDS, "ds", "SignatureMethod")
	w.attr(sme, "Algorithm", sm.Algorithm)
	if sm.HMACOutputLength != nil {
		w.textElem(sme, wsse.NSDS, "ds", "HMACOutputLength", strconv.Itoa(*sm.HMACOutputLength))
	}
	w.anys(sme, sm.Extra)
	for i := range s.SignedInfo.References {
		w.writeDSReference(si, &s.SignedInfo.References[i])
	}
	sv := w.textElem(el, wsse.NSDS, "ds", "SignatureValue", b64(s.SignatureValue))
	if s.SignatureValueID != "" {
		w.attr(sv, "Id", s.SignatureValueID)
	}
	if s.KeyInfo != nil {
		w.writeKeyInfo(el, s.KeyInfo)
	}
	w.anys(el, s.Objects)
	return el
}

func (w *writer) writeDSReference(p *etree.Element, r *wsse.DSReference) {
	el := w.elem(p, wsse.NSDS, "ds", "Reference")
	w.encAttrs(el, "Id", r.ID)
	w.attr(el, "URI", r.URI)
	w.encAttrs(el, "Type", r.Type)
	if len(r.Transforms) > 0 {
		ts := w.elem(el, wsse.NSDS, "ds", "Transforms")
		for _, t := range r.Transforms {
			te := w.elem(ts, wsse.NSDS, "ds", "Transform")
			w.attr(te, "Algorithm", t.Algorithm)
			if t.HasInclusive {
				w.writeInclusive(te, t.InclusivePrefixes)
			}
			w.anys(te, t.Params)
		}
	}
	w.attr(w.elem(el, wsse.NSDS, "ds", "DigestMethod"), "Algorithm", r.DigestMethod)
	w.textElem(el, wsse.NSDS, "ds", "DigestValue", b64(r.DigestValue))
}

func (w *writer) writeInclusive(p *etree.Element, prefixes []string) {
	w.attr(w.elem(p, wsse.NSExcC14N, "ec", "InclusiveNamespaces"), "PrefixList", strings.Join(prefixes, " "))
}

func (w *writer) writeKeyInfo(p *etree.Element, k *wsse.KeyInfo) *etree.Element {
	el := w.elem(p, wsse.NSDS, "ds", "KeyInfo")
	if k.ID != "" {
		w.attr(el, "Id", k.ID)
	}
	if k.STR != nil {
		w.writeSTR(el, k.STR)
	}
	w.anys(el, k.Other)
	return el
}
