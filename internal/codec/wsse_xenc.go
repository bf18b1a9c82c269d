package codec

import (
	"strconv"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

func init() {
	q := func(l string) wire.QName { return wire.QName{Space: wsse.NSEnc, Local: l} }
	registerSecurityItem(q("EncryptedKey"), func(d *decoder, el *etree.Element) any { return d.readEncryptedKey(el) })
	registerSecurityItem(q("EncryptedData"), func(d *decoder, el *etree.Element) any { return d.readEncryptedData(el) })
	registerSecurityItem(q("ReferenceList"), func(d *decoder, el *etree.Element) any { return d.readReferenceList(el) })
	registerTyped(func(w *writer, p *etree.Element, v *wsse.EncryptedKey) *etree.Element {
		return w.writeEncryptedKey(p, v)
	})
	registerTyped(func(w *writer, p *etree.Element, v *wsse.EncryptedData) *etree.Element {
		return w.writeEncryptedData(p, v)
	})
	registerTyped(func(w *writer, p *etree.Element, v *wsse.ReferenceList) *etree.Element {
		return w.writeReferenceList(p, v)
	})
}

// encrypted holds what EncryptedKey and EncryptedData share (XML-Enc §3.1 EncryptedType):
// EncryptionMethod?, ds:KeyInfo?, CipherData, EncryptionProperties?.
type encrypted struct {
	method     *wsse.EncryptionMethod
	keyInfo    *wsse.KeyInfo
	value      []byte
	ref        *wire.Any
	properties *wire.Any
}

func (d *decoder) readEncryptedType(el *etree.Element, c *children) encrypted {
	var e encrypted
	if m := c.take(wsse.NSEnc, "EncryptionMethod"); m != nil {
		e.method = d.readEncryptionMethod(m)
	}
	if ki := c.take(wsse.NSDS, "KeyInfo"); ki != nil {
		e.keyInfo = d.readKeyInfo(ki)
	}
	if cd := c.take(wsse.NSEnc, "CipherData"); d.require(el, cd, "xenc:CipherData") {
		cc := childrenOf(cd)
		if cv := cc.take(wsse.NSEnc, "CipherValue"); cv != nil {
			e.value = d.base64(cv, cv.Text())
		} else if cr := cc.take(wsse.NSEnc, "CipherReference"); cr != nil {
			a := toAny(cr)
			e.ref = &a
		} else {
			d.problem(cd, "xenc:CipherData requires a CipherValue or a CipherReference (XML-Enc §3.3)")
		}
		d.unexpected(cd, cc.rest())
	}
	if p := c.take(wsse.NSEnc, "EncryptionProperties"); p != nil {
		a := toAny(p)
		e.properties = &a
	}
	return e
}

func (d *decoder) readEncryptionMethod(el *etree.Element) *wsse.EncryptionMethod {
	m := &wsse.EncryptionMethod{}
	var ok bool
	if m.Algorithm, ok = attr(el, "Algorithm"); !ok {
		d.problem(el, "xenc:EncryptionMethod requires an Algorithm attribute (XML-Enc §3.2)")
	}
	for c := range el.ChildElementsSeq() {
		switch {
		case is(c, wsse.NSEnc, "KeySize") && m.KeySize == 0:
			n, err := strconv.Atoi(text(c))
			if err != nil || n <= 0 {
				d.problem(c, "xenc:KeySize "+strconv.Quote(text(c))+" is not a positive integer (XML-Enc §3.2)")
				continue
			}
			m.KeySize = n
		case is(c, wsse.NSEnc, "OAEPparams") && m.OAEPParams == nil:
			m.OAEPParams = d.base64Present(c, c.Text())
		case is(c, wsse.NSDS, "DigestMethod") && m.DigestMethod == "":
			m.DigestMethod, _ = attr(c, "Algorithm")
		default:
			m.Extra = append(m.Extra, toAny(c))
		}
	}
	return m
}

// readEncryptedKey reads xenc:EncryptedKey (XML-Enc §3.5.1).
func (d *decoder) readEncryptedKey(el *etree.Element) *wsse.EncryptedKey {
	k := &wsse.EncryptedKey{}
	k.ID, _ = attr(el, "Id")
	k.Type, _ = attr(el, "Type")
	k.Recipient, _ = attr(el, "Recipient")
	c := childrenOf(el)
	e := d.readEncryptedType(el, &c)
	k.EncryptionMethod, k.KeyInfo, k.CipherValue, k.CipherReference, k.Properties = e.method, e.keyInfo, e.value, e.ref, e.properties
	if rl := c.take(wsse.NSEnc, "ReferenceList"); rl != nil {
		k.ReferenceList = d.readReferenceList(rl)
	}
	if ckn := c.take(wsse.NSEnc, "CarriedKeyName"); ckn != nil {
		k.CarriedKeyName = text(ckn)
	}
	d.unexpected(el, c.rest())
	return k
}

// readEncryptedData reads xenc:EncryptedData (XML-Enc §3.4).
func (d *decoder) readEncryptedData(el *etree.Element) *wsse.EncryptedData {
	x := &wsse.EncryptedData{}
	x.ID, _ = attr(el, "Id")
	x.Type, _ = attr(el, "Type")
	x.MimeType, _ = attr(el, "MimeType")
	x.Encoding, _ = attr(el, "Encoding")
	c := childrenOf(el)
	e := d.readEncryptedType(el, &c)
	x.EncryptionMethod, x.KeyInfo, x.CipherValue, x.CipherReference, x.Properties = e.method, e.keyInfo, e.value, e.ref, e.properties
	d.unexpected(el, c.rest())
	return x
}

// readReferenceList reads xenc:ReferenceList (XML-Enc §3.6).
func (d *decoder) readReferenceList(el *etree.Element) *wsse.ReferenceList {
	r := &wsse.ReferenceList{}
	for c := range el.ChildElementsSeq() {
		uri, ok := attr(c, "URI")
		switch {
		case is(c, wsse.NSEnc, "DataReference"):
			r.DataReferences = append(r.DataReferences, uri)
		case is(c, wsse.NSEnc, "KeyReference"):
			r.KeyReferences = append(r.KeyReferences, uri)
		default:
			d.problem(c, "unexpected element in xenc:ReferenceList (XML-Enc §3.6)")
			continue
		}
		if !ok {
			d.problem(c, "a DataReference/KeyReference requires a URI attribute (XML-Enc §3.6)")
		}
	}
	return r
}

func (w *writer) writeEncryptionMethod(p *etree.Element, m *wsse.EncryptionMethod) {
	el := w.elem(p, wsse.NSEnc, "xenc", "EncryptionMethod")
	w.attr(el, "Algorithm", m.Algorithm)
	if m.KeySize != 0 {
		w.textElem(el, wsse.NSEnc, "xenc", "KeySize", strconv.Itoa(m.KeySize))
	}
	if m.OAEPParams != nil {
		w.textElem(el, wsse.NSEnc, "xenc", "OAEPparams", b64(m.OAEPParams))
	}
	if m.DigestMethod != "" {
		w.attr(w.elem(el, wsse.NSDS, "ds", "DigestMethod"), "Algorithm", m.DigestMethod)
	}
	w.anys(el, m.Extra)
}

func (w *writer) writeEncryptedType(el *etree.Element, e encrypted) {
	if e.method != nil {
		w.writeEncryptionMethod(el, e.method)
	}
	if e.keyInfo != nil {
		w.writeKeyInfo(el, e.keyInfo)
	}
	cd := w.elem(el, wsse.NSEnc, "xenc", "CipherData")
	if e.ref != nil {
		w.any(cd, *e.ref)
	} else {
		w.textElem(cd, wsse.NSEnc, "xenc", "CipherValue", b64(e.value))
	}
	if e.properties != nil {
		w.any(el, *e.properties)
	}
}

func (w *writer) encAttrs(el *etree.Element, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			w.attr(el, pairs[i], pairs[i+1])
		}
	}
}

func (w *writer) writeEncryptedKey(p *etree.Element, k *wsse.EncryptedKey) *etree.Element {
	el := w.elem(p, wsse.NSEnc, "xenc", "EncryptedKey")
	w.encAttrs(el, "Id", k.ID, "Type", k.Type, "Recipient", k.Recipient)
	w.writeEncryptedType(el, encrypted{k.EncryptionMethod, k.KeyInfo, k.CipherValue, k.CipherReference, k.Properties})
	if k.ReferenceList != nil {
		w.writeReferenceList(el, k.ReferenceList)
	}
	if k.CarriedKeyName != "" {
		w.textElem(el, wsse.NSEnc, "xenc", "CarriedKeyName", k.CarriedKeyName)
	}
	return el
}

func (w *writer) writeEncryptedData(p *etree.Element, x *wsse.EncryptedData) *etree.Element {
	el := w.elem(p, wsse.NSEnc, "xenc", "EncryptedData")
	w.encAttrs(el, "Id", x.ID, "Type", x.Type, "MimeType", x.MimeType, "Encoding", x.Encoding)
	w.writeEncryptedType(el, encrypted{x.EncryptionMethod, x.KeyInfo, x.CipherValue, x.CipherReference, x.Properties})
	return el
}

func (w *writer) writeReferenceList(p *etree.Element, r *wsse.ReferenceList) *etree.Element {
	el := w.elem(p, wsse.NSEnc, "xenc", "ReferenceList")
	for _, u := range r.DataReferences {
		w.attr(w.elem(el, wsse.NSEnc, "xenc", "DataReference"), "URI", u)
	}
	for _, u := range r.KeyReferences {
		w.attr(w.elem(el, wsse.NSEnc, "xenc", "KeyReference"), "URI", u)
	}
	return el
}
