package codec

import (
	"github.com/beevik/etree"

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

// writeAddressing appends the addressing headers in the customary order.
func (w *writer) writeAddressing(hdr *etree.Element, a *wsa.Headers, ids map[string]string) {
	ns := a.Version.Namespace()
	add := func(local string, f func() *etree.Element) {
		el := f()
		if id := ids[local]; id != "" {
			w.wsuID(el, id)
		}
	}
	if a.Action != "" {
		add(wsa.Action, func() *etree.Element { return w.header(hdr, ns, "wsa", wsa.Action, a.Action, w.mustUnderstandAction) })
	}
	if a.MessageID != "" {
		add(wsa.MessageID, func() *etree.Element { return w.header(hdr, ns, "wsa", wsa.MessageID, a.MessageID, false) })
	}
	for _, r := range a.RelatesTo {
		add(wsa.Relates, func() *etree.Element {
			el := w.header(hdr, ns, "wsa", wsa.Relates, r.URI, false)
			if r.RelationshipType != "" {
				el.CreateAttr("RelationshipType", r.RelationshipType)
			}
			return el
		})
	}
	if a.From != nil {
		add(wsa.From, func() *etree.Element { return w.writeEPR(hdr, ns, "wsa", wsa.From, a.Version, a.From) })
	}
	if a.ReplyTo != nil {
		add(wsa.ReplyTo, func() *etree.Element { return w.writeEPR(hdr, ns, "wsa", wsa.ReplyTo, a.Version, a.ReplyTo) })
	}
	if a.FaultTo != nil {
		add(wsa.FaultTo, func() *etree.Element { return w.writeEPR(hdr, ns, "wsa", wsa.FaultTo, a.Version, a.FaultTo) })
	}
	if a.To != "" {
		add(wsa.To, func() *etree.Element { return w.header(hdr, ns, "wsa", wsa.To, a.To, w.mustUnderstandAction) })
	}
}
