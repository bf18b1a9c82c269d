package codec

import (
	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
)

// readAddressing folds one WS-Addressing header into m.Addressing. A second occurrence of a
// single-valued header is recorded (WS-A 1.0 SOAP Binding §6.4.1 InvalidCardinality).
func (d *decoder) readAddressing(v wsa.Version, el *etree.Element, h *Header) {
	a := &d.m.Addressing
	if d.m.HasAddressing && a.Version != v {
		d.problem(el, "WS-Addressing "+v.String()+" header in a message that already uses WS-Addressing "+a.Version.String()+": versions must not be mixed")
		return
	}
	d.m.HasAddressing = true
	a.Version = v
	h.Value = a
	dup := func(present bool) bool {
		if present {
			d.problem(el, "duplicate wsa:"+el.Tag+" header (WS-Addressing 1.0 SOAP Binding §6.4.1: InvalidCardinality)")
		}
		return present
	}
	switch el.Tag {
	case wsa.To:
		if !dup(a.To != "") {
			a.To = text(el)
		}
	case wsa.Action:
		if !dup(a.Action != "") {
			a.Action = text(el)
			if a.Action == "" {
				d.problem(el, "empty wsa:Action")
			}
		}
	case wsa.MessageID:
		if !dup(a.MessageID != "") {
			a.MessageID = text(el)
		}
	case wsa.From:
		if !dup(a.From != nil) {
			a.From = d.readEPR(v, el)
		}
	case wsa.ReplyTo:
		if !dup(a.ReplyTo != nil) {
			a.ReplyTo = d.readEPR(v, el)
		}
	case wsa.FaultTo:
		if !dup(a.FaultTo != nil) {
			a.FaultTo = d.readEPR(v, el)
		}
	case wsa.Relates:
		r := wsa.RelatesTo{URI: text(el)}
		r.RelationshipType, _ = attr(el, "RelationshipType")
		a.RelatesTo = append(a.RelatesTo, r)
	}
}

// readEPR reads an endpoint reference of version v.
func (d *decoder) readEPR(v wsa.Version, el *etree.Element) *wsa.EPR {
	ns := v.Namespace()
	c := childrenOf(el)
	e := &wsa.EPR{}
	if addr := c.take(ns, "Address"); d.require(el, addr, "wsa:Address") {
		e.Address = text(addr)
	}
	if v == wsa.V200408 {
		if rp := c.take(ns, "ReferenceProperties"); rp != nil {
			e.Extra = append(e.Extra, toAny(rp))
		}
	}
	if rp := c.take(ns, "ReferenceParameters"); rp != nil {
		e.ReferenceParameters = anyOf(rp.ChildElements())
	}
	if v == wsa.V10 {
		if md := c.take(ns, "Metadata"); md != nil {
			e.Metadata = anyOf(md.ChildElements())
		}
	}
	e.Extra = append(e.Extra, anyOf(c.rest())...)
	return e
}

// writeEPR appends an EPR named local in namespace of v.
func (w *writer) writeEPR(parent *etree.Element, ns, prefix, local string, v wsa.Version, e *wsa.EPR) *etree.Element {
	el := w.elem(parent, ns, prefix, local)
	wa := v.Namespace()
	w.textElem(el, wa, "wsa", "Address", e.Address)
	if len(e.ReferenceParameters) > 0 {
		rp := w.elem(el, wa, "wsa", "ReferenceParameters")
		w.anys(rp, e.ReferenceParameters)
	}
	if len(e.Metadata) > 0 && v == wsa.V10 {
		md := w.elem(el, wa, "wsa", "Metadata")
		w.anys(md, e.Metadata)
	}
	w.anys(el, e.Extra)
	return el
}

// AddressingHeader stands in Envelope.Headers for one addressing header (its local name; Index
// picks among repeated RelatesTo headers), so that a re-encoded message keeps the header order
// of the original. Without any placeholder, Build writes the addressing headers first.
type AddressingHeader struct {
	Local string
	Index int
}

// addressingOrder is the order Build uses when there are no placeholders.
var addressingOrder = []string{wsa.Action, wsa.MessageID, wsa.Relates, wsa.From, wsa.ReplyTo, wsa.FaultTo, wsa.To}

// writeAddressingHeader appends one addressing header of a, or returns nil when a has no such
// header.
func (w *writer) writeAddressingHeader(hdr *etree.Element, a *wsa.Headers, local string, index int) *etree.Element {
	ns := a.Version.Namespace()
	switch local {
	case wsa.Action:
		if a.Action != "" {
			return w.textElem(hdr, ns, "wsa", wsa.Action, a.Action)
		}
	case wsa.MessageID:
		if a.MessageID != "" {
			return w.textElem(hdr, ns, "wsa", wsa.MessageID, a.MessageID)
		}
	case wsa.To:
		if a.To != "" {
			return w.textElem(hdr, ns, "wsa", wsa.To, a.To)
		}
	case wsa.Relates:
		if index < len(a.RelatesTo) {
			r := a.RelatesTo[index]
			el := w.textElem(hdr, ns, "wsa", wsa.Relates, r.URI)
			if r.RelationshipType != "" {
				w.attr(el, "RelationshipType", r.RelationshipType)
			}
			return el
		}
	case wsa.From:
		if a.From != nil {
			return w.writeEPR(hdr, ns, "wsa", wsa.From, a.Version, a.From)
		}
	case wsa.ReplyTo:
		if a.ReplyTo != nil {
			return w.writeEPR(hdr, ns, "wsa", wsa.ReplyTo, a.Version, a.ReplyTo)
		}
	case wsa.FaultTo:
		if a.FaultTo != nil {
			return w.writeEPR(hdr, ns, "wsa", wsa.FaultTo, a.Version, a.FaultTo)
		}
	}
	return nil
}

// writeAllAddressing appends every addressing header in the customary order.
func (w *writer) writeAllAddressing(hdr *etree.Element, a *wsa.Headers, attrs map[string]Attrs) {
	for _, local := range addressingOrder {
		n := 1
		if local == wsa.Relates {
			n = len(a.RelatesTo)
		}
		for i := 0; i < n; i++ {
			if el := w.writeAddressingHeader(hdr, a, local, i); el != nil {
				w.headerAttrs(el, attrs[local])
			}
		}
	}
}

// isReferenceParameter is the WS-Addressing 1.0 attribute that marks a header block as a
// reference parameter (WS-Addressing 1.0 Core §2.1, SOAP Binding §2.3).
var isReferenceParameter = wire.QName{Space: wsa.NS10, Local: "IsReferenceParameter"}

// referenceProperties is the 2004/08 EPR child that readEPR keeps whole in EPR.Extra.
var referenceProperties = wire.QName{Space: wsa.NS200408, Local: "ReferenceProperties"}

// ReferenceHeaders are the header blocks of a message addressed to EPR e in WS-Addressing
// version v (nil when e has none):
//
//   - 1.0 (SOAP Binding §2.3): each reference parameter, with its attributes and children,
//     annotated wsa:IsReferenceParameter="true";
//   - 2004/08 (§2.3 "Binding Endpoint References"): each reference property and each reference
//     parameter, copied as is (that version has no annotation).
func ReferenceHeaders(v wsa.Version, e *wsa.EPR) []Header {
	if e == nil {
		return nil
	}
	var out []Header
	if v == wsa.V200408 {
		for _, x := range e.Extra {
			if x.Name == referenceProperties {
				for _, c := range x.Children {
					out = append(out, Header{Value: c})
				}
			}
		}
		for _, p := range e.ReferenceParameters {
			out = append(out, Header{Value: p})
		}
		return out
	}
	for _, p := range e.ReferenceParameters {
		attrs := make([]wire.Attr, 0, len(p.Attrs)+1)
		for _, a := range p.Attrs {
			if a.Name != isReferenceParameter {
				attrs = append(attrs, a)
			}
		}
		p.Attrs = append(attrs, wire.Attr{Name: isReferenceParameter, Value: "true"})
		out = append(out, Header{Value: p})
	}
	return out
}
