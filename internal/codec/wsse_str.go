package codec

import (
	"strconv"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// Namespaces in which a wsc:Instance attribute may appear on wsse:Reference (and wsc:Nonce /
// wsc:Length on the STR).
var instanceNamespaces = []string{wsc.NS200512, wsc.NS200502}

func (d *decoder) readSTR(el *etree.Element) *wsse.SecurityTokenReference {
	s := &wsse.SecurityTokenReference{}
	s.ID, _ = attrNS(el, wsse.NSWSU, "Id")
	s.TokenType, _ = attrNS(el, wsse.NS11, "TokenType")
	d.readImplied(el, s)
	sc := parentScope{parent: el}
	for c := range el.ChildElementsSeq() {
		switch {
		case sc.is(c, wsse.NS, "Reference") && s.Reference == nil:
			r := &wsse.Reference{}
			r.URI, _ = attr(c, "URI")
			r.ValueType, _ = attr(c, "ValueType")
			for _, ns := range instanceNamespaces {
				if v, ok := attrNS(c, ns, "Instance"); ok {
					r.Instance, r.InstanceNS = v, ns
				}
			}
			s.Reference = r
		case sc.is(c, wsse.NS, "KeyIdentifier") && s.KeyIdentifier == nil:
			k := &wsse.KeyIdentifier{Value: text(c)}
			k.ValueType, _ = attr(c, "ValueType")
			k.EncodingType, _ = attr(c, "EncodingType")
			s.KeyIdentifier = k
		default:
			s.Extra = append(s.Extra, toAny(c))
		}
	}
	return s
}

// readImplied reads the implied-derived-key attributes wsc:Nonce and wsc:Length of an STR
// (WS-SC 1.3 §7.3).
func (d *decoder) readImplied(el *etree.Element, s *wsse.SecurityTokenReference) {
	for _, ns := range instanceNamespaces {
		if v, ok := attrNS(el, ns, "Nonce"); ok {
			s.ImpliedNonce, s.ImpliedNS = d.base64Present(el, v), ns
		}
		if v, ok := attrNS(el, ns, "Length"); ok {
			if n, ok := d.uintString(el, v); ok {
				s.ImpliedLength, s.ImpliedNS = n, ns
			}
		}
	}
}

func (w *writer) writeSTR(p *etree.Element, s *wsse.SecurityTokenReference) *etree.Element {
	el := w.elem(p, wsse.NS, "wsse", "SecurityTokenReference")
	if s.ID != "" {
		w.wsuID(el, s.ID)
	}
	if s.TokenType != "" {
		w.attrNS(el, wsse.NS11, "wsse11", "TokenType", s.TokenType)
	}
	if ns := s.ImpliedNS; ns != "" {
		if s.ImpliedNonce != nil {
			w.attrNS(el, ns, "wsc", "Nonce", b64(s.ImpliedNonce))
		}
		if s.ImpliedLength != 0 {
			w.attrNS(el, ns, "wsc", "Length", strconv.FormatUint(s.ImpliedLength, 10))
		}
	}
	if r := s.Reference; r != nil {
		re := w.elem(el, wsse.NS, "wsse", "Reference")
		w.attr(re, "URI", r.URI)
		if r.ValueType != "" {
			w.attr(re, "ValueType", r.ValueType)
		}
		if r.Instance != "" {
			w.attrNS(re, r.InstanceNS, "wsc", "Instance", r.Instance)
		}
	}
	if k := s.KeyIdentifier; k != nil {
		ke := w.textElem(el, wsse.NS, "wsse", "KeyIdentifier", k.Value)
		if k.ValueType != "" {
			w.attr(ke, "ValueType", k.ValueType)
		}
		if k.EncodingType != "" {
			w.attr(ke, "EncodingType", k.EncodingType)
		}
	}
	w.anys(el, s.Extra)
	return el
}

func init() {
	registerTyped(func(w *writer, p *etree.Element, v *wsse.SecurityTokenReference) *etree.Element {
		return w.writeSTR(p, v)
	})
}
