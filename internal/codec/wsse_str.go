package codec

import (
	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// Namespaces in which a wsc:Instance attribute may appear on wsse:Reference.
var instanceNamespaces = []string{
	"http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512",
	"http://schemas.xmlsoap.org/ws/2005/02/sc",
}

func (d *decoder) readSTR(el *etree.Element) *wsse.SecurityTokenReference {
	s := &wsse.SecurityTokenReference{}
	s.ID, _ = attrNS(el, wsse.NSWSU, "Id")
	s.TokenType, _ = attrNS(el, wsse.NS11, "TokenType")
	for _, c := range el.ChildElements() {
		switch {
		case is(c, wsse.NS, "Reference") && s.Reference == nil:
			r := &wsse.Reference{}
			r.URI, _ = attr(c, "URI")
			r.ValueType, _ = attr(c, "ValueType")
			for _, ns := range instanceNamespaces {
				if v, ok := attrNS(c, ns, "Instance"); ok {
					r.Instance, r.InstanceNS = v, ns
				}
			}
			s.Reference = r
		case is(c, wsse.NS, "KeyIdentifier") && s.KeyIdentifier == nil:
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

func (w *writer) writeSTR(p *etree.Element, s *wsse.SecurityTokenReference) *etree.Element {
	el := w.elem(p, wsse.NS, "wsse", "SecurityTokenReference")
	if s.ID != "" {
		w.wsuID(el, s.ID)
	}
	if s.TokenType != "" {
		w.attrNS(el, wsse.NS11, "wsse11", "TokenType", s.TokenType)
	}
	if r := s.Reference; r != nil {
		re := w.elem(el, wsse.NS, "wsse", "Reference")
		re.CreateAttr("URI", r.URI)
		if r.ValueType != "" {
			re.CreateAttr("ValueType", r.ValueType)
		}
		if r.Instance != "" {
			w.attrNS(re, r.InstanceNS, "wsc", "Instance", r.Instance)
		}
	}
	if k := s.KeyIdentifier; k != nil {
		ke := w.textElem(el, wsse.NS, "wsse", "KeyIdentifier", k.Value)
		if k.ValueType != "" {
			ke.CreateAttr("ValueType", k.ValueType)
		}
		if k.EncodingType != "" {
			ke.CreateAttr("EncodingType", k.EncodingType)
		}
	}
	w.anys(el, s.Extra)
	return el
}

func init() {
	registerWriter(&wsse.SecurityTokenReference{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		return w.writeSTR(p, v.(*wsse.SecurityTokenReference))
	})
}
