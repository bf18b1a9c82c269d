package codec

import (
	"strconv"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

func init() {
	for _, v := range wsc.Versions {
		v := v
		sct := wire.QName{Space: v.Namespace(), Local: "SecurityContextToken"}
		dkt := wire.QName{Space: v.Namespace(), Local: "DerivedKeyToken"}
		readSCT := func(d *decoder, el *etree.Element) any { return d.readSCT(v, el) }
		readDKT := func(d *decoder, el *etree.Element) any { return d.readDKT(v, el) }
		registerSecurityItem(sct, readSCT)
		registerSecurityItem(dkt, readDKT)
		// Stand-alone, e.g. a token carried as the body of a test message.
		registerBody(sct, readSCT)
		registerBody(dkt, readDKT)
	}
	registerTyped(func(w *writer, p *etree.Element, v *wsc.SecurityContextToken) *etree.Element { return w.writeSCT(p, v) })
	registerTyped(func(w *writer, p *etree.Element, v *wsc.DerivedKeyToken) *etree.Element { return w.writeDKT(p, v) })
}

// readSCT reads wsc:SecurityContextToken (WS-SC 1.3 §3). The XSD content is a wildcard (the
// intended model Identifier, Instance?, any is non-deterministic), so the first Identifier
// and Instance are taken wherever they are; Validate reports a missing Identifier.
func (d *decoder) readSCT(v wsc.Version, el *etree.Element) *wsc.SecurityContextToken {
	ns := v.Namespace()
	s := &wsc.SecurityContextToken{V: v}
	s.ID, _ = attrNS(el, wsse.NSWSU, "Id")
	var haveID, haveInst bool
	for c := range el.ChildElementsSeq() {
		switch {
		case is(c, ns, "Identifier") && !haveID:
			s.Identifier, haveID = text(c), true
		case is(c, ns, "Instance") && !haveInst:
			s.Instance, haveInst = text(c), true
		default:
			s.Extra = append(s.Extra, toAny(c))
		}
	}
	return s
}

// dktOrder is the position of each DKT child in the XSD sequence (WS-SC 1.3 §7).
var dktOrder = map[string]int{"SecurityTokenReference": 0, "Properties": 1, "Generation": 2, "Offset": 2, "Length": 3, "Label": 4, "Nonce": 5}

// readDKT reads wsc:DerivedKeyToken (WS-SC 1.3 §7). Children are taken by name so that a DKT
// that breaks the XSD (both Offset and Generation, wrong order) is still represented for
// Validate; order breaks are recorded here, repeated or unknown children go to Extra.
func (d *decoder) readDKT(v wsc.Version, el *etree.Element) *wsc.DerivedKeyToken {
	ns := v.Namespace()
	k := &wsc.DerivedKeyToken{V: v}
	k.ID, _ = attrNS(el, wsse.NSWSU, "Id")
	k.Algorithm, _ = attr(el, "Algorithm")
	last := -1
	seen := map[string]bool{}
	sc := parentScope{parent: el}
	for c := range el.ChildElementsSeq() {
		known := sc.is(c, wsse.NS, "SecurityTokenReference") || (sc.ns(c) == ns && c.Tag != "SecurityTokenReference")
		rank, ok := dktOrder[c.Tag]
		if !known || !ok || seen[c.Tag] {
			k.Extra = append(k.Extra, toAny(c))
			continue
		}
		seen[c.Tag] = true
		if rank < last {
			d.problem(c, "wsc:"+c.Tag+" is out of order: DerivedKeyToken children are SecurityTokenReference, Properties, Generation|Offset, Length, Label, Nonce (WS-SC 1.3 §7 XSD)")
		}
		last = rank
		d.dktField(k, c)
	}
	return k
}

func (d *decoder) dktField(k *wsc.DerivedKeyToken, c *etree.Element) {
	num := func() *uint64 {
		if n, ok := d.uint(c); ok {
			return &n
		}
		return nil
	}
	switch c.Tag {
	case "SecurityTokenReference":
		k.STR = d.readSTR(c)
	case "Properties":
		k.Properties = append([]wire.Any{}, anyOf(c.ChildElements())...)
	case "Generation":
		k.Generation = num()
	case "Offset":
		k.Offset = num()
	case "Length":
		k.Length = num()
	case "Label":
		l := c.Text() // xs:string: whitespace is part of the derivation seed
		k.Label = &l
	case "Nonce":
		k.Nonce = d.base64Present(c, c.Text())
	}
}

func (w *writer) writeSCT(p *etree.Element, s *wsc.SecurityContextToken) *etree.Element {
	ns := s.V.Namespace()
	el := w.elem(p, ns, "wsc", "SecurityContextToken")
	if s.ID != "" {
		w.wsuID(el, s.ID)
	}
	w.textElem(el, ns, "wsc", "Identifier", s.Identifier)
	if s.Instance != "" {
		w.textElem(el, ns, "wsc", "Instance", s.Instance)
	}
	w.anys(el, s.Extra)
	return el
}

func (w *writer) writeDKT(p *etree.Element, k *wsc.DerivedKeyToken) *etree.Element {
	ns := k.V.Namespace()
	el := w.elem(p, ns, "wsc", "DerivedKeyToken")
	if k.ID != "" {
		w.wsuID(el, k.ID)
	}
	if k.Algorithm != "" {
		w.attr(el, "Algorithm", k.Algorithm)
	}
	if k.STR != nil {
		w.writeSTR(el, k.STR)
	}
	if k.Properties != nil {
		w.anys(w.elem(el, ns, "wsc", "Properties"), k.Properties)
	}
	for _, f := range []struct {
		name string
		v    *uint64
	}{{"Generation", k.Generation}, {"Offset", k.Offset}, {"Length", k.Length}} {
		if f.v != nil {
			w.textElem(el, ns, "wsc", f.name, strconv.FormatUint(*f.v, 10))
		}
	}
	if k.Label != nil {
		w.textElem(el, ns, "wsc", "Label", *k.Label)
	}
	if k.Nonce != nil {
		w.textElem(el, ns, "wsc", "Nonce", b64(k.Nonce))
	}
	w.anys(el, k.Extra)
	return el
}
