package codec

import (
	"strconv"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

func init() {
	for _, v := range []wsrm.Version{wsrm.V200702, wsrm.V200502} {
		v := v
		ns := v.Namespace()
		q := func(l string) wire.QName { return wire.QName{Space: ns, Local: l} }
		registerBody(q("CreateSequence"), func(d *decoder, el *etree.Element) any { return d.readCreateSequence(v, el) })
		registerBody(q("CreateSequenceResponse"), func(d *decoder, el *etree.Element) any { return d.readCreateSequenceResponse(v, el) })
		registerBody(q("CloseSequence"), func(d *decoder, el *etree.Element) any { return d.readClose(v, el) })
		registerBody(q("CloseSequenceResponse"), func(d *decoder, el *etree.Element) any {
			return &wsrm.CloseSequenceResponse{V: v, Identifier: d.identifier(v, el), Extra: d.restAfterIdentifier(v, el)}
		})
		registerBody(q("TerminateSequence"), func(d *decoder, el *etree.Element) any { return d.readTerminate(v, el) })
		registerBody(q("TerminateSequenceResponse"), func(d *decoder, el *etree.Element) any {
			return &wsrm.TerminateSequenceResponse{V: v, Identifier: d.identifier(v, el), Extra: d.restAfterIdentifier(v, el)}
		})
		registerHeader(q("Sequence"), func(d *decoder, el *etree.Element) any { return d.readSequence(v, el) })
		registerHeader(q("AckRequested"), func(d *decoder, el *etree.Element) any { return d.readAckRequested(v, el) })
		registerHeader(q("SequenceAcknowledgement"), func(d *decoder, el *etree.Element) any { return d.readAck(v, el) })
		registerHeader(q("SequenceFault"), func(d *decoder, el *etree.Element) any { return d.readSequenceFault(v, el) })
		if v == wsrm.V200702 {
			registerHeader(q("UsesSequenceSTR"), func(d *decoder, el *etree.Element) any {
				if len(el.ChildElements()) > 0 {
					d.problem(el, "wsrm:UsesSequenceSTR must be empty (WS-RM 1.1 §5.2.1)")
				}
				return &wsrm.UsesSequenceSTR{}
			})
		}
	}
	registerWriter(&wsrm.CreateSequence{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		return w.writeCreateSequence(p, v.(*wsrm.CreateSequence))
	})
	registerWriter(&wsrm.CreateSequenceResponse{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		return w.writeCreateSequenceResponse(p, v.(*wsrm.CreateSequenceResponse))
	})
	registerWriter(&wsrm.CloseSequence{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		c := v.(*wsrm.CloseSequence)
		return w.writeIDLast(p, c.V, "CloseSequence", c.Identifier, c.HasLast, c.LastMsgNumber, c.Extra)
	})
	registerWriter(&wsrm.CloseSequenceResponse{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		c := v.(*wsrm.CloseSequenceResponse)
		return w.writeIDLast(p, c.V, "CloseSequenceResponse", c.Identifier, false, 0, c.Extra)
	})
	registerWriter(&wsrm.TerminateSequence{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		t := v.(*wsrm.TerminateSequence)
		return w.writeIDLast(p, t.V, "TerminateSequence", t.Identifier, t.HasLast, t.LastMsgNumber, t.Extra)
	})
	registerWriter(&wsrm.TerminateSequenceResponse{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		t := v.(*wsrm.TerminateSequenceResponse)
		return w.writeIDLast(p, t.V, "TerminateSequenceResponse", t.Identifier, false, 0, t.Extra)
	})
	registerWriter(&wsrm.Sequence{}, func(w *writer, p *etree.Element, v any) *etree.Element { return w.writeSequence(p, v.(*wsrm.Sequence)) })
	registerWriter(&wsrm.AckRequested{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		a := v.(*wsrm.AckRequested)
		el := w.idElem(p, a.V, "AckRequested", a.Identifier)
		if a.MaxMessageNumberUsed != 0 {
			w.textElem(el, a.V.Namespace(), "wsrm", "MaxMessageNumberUsed", strconv.FormatUint(a.MaxMessageNumberUsed, 10))
		}
		w.anys(el, a.Extra)
		return el
	})
	registerWriter(&wsrm.SequenceAcknowledgement{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		return w.writeAck(p, v.(*wsrm.SequenceAcknowledgement))
	})
	registerWriter(&wsrm.UsesSequenceSTR{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		return w.elem(p, wsrm.NS200702, "wsrm", "UsesSequenceSTR")
	})
	registerWriter(&wsrm.SequenceFault{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		f := v.(*wsrm.SequenceFault)
		ns := f.V.Namespace()
		el := w.elem(p, ns, "wsrm", "SequenceFault")
		w.textElem(el, ns, "wsrm", "FaultCode", w.qnameText(f.FaultCode))
		if len(f.Detail) > 0 {
			w.anys(w.elem(el, ns, "wsrm", "Detail"), f.Detail)
		}
		w.anys(el, f.Extra)
		return el
	})
}

func (d *decoder) identifier(v wsrm.Version, el *etree.Element) string {
	id := el.SelectElement("Identifier")
	if id == nil || id.NamespaceURI() != v.Namespace() {
		d.problem(el, "missing required child wsrm:Identifier")
		return ""
	}
	return text(id)
}

func (d *decoder) restAfterIdentifier(v wsrm.Version, el *etree.Element) []wire.Any {
	c := childrenOf(el)
	c.take(v.Namespace(), "Identifier")
	return anyOf(c.rest())
}

func (d *decoder) readCreateSequence(v wsrm.Version, el *etree.Element) *wsrm.CreateSequence {
	ns := v.Namespace()
	cs := &wsrm.CreateSequence{V: v}
	c := childrenOf(el)
	if at := c.take(ns, "AcksTo"); d.require(el, at, "wsrm:AcksTo") {
		cs.AcksTo = *d.readEPR(d.eprVersion(at), at)
	}
	if ex := c.take(ns, "Expires"); ex != nil {
		cs.Expires = text(ex)
	}
	if of := c.take(ns, "Offer"); of != nil {
		cs.Offer = d.readOffer(v, of)
	}
	for i, e := range c.rest() {
		if is(e, wsse.NS, "SecurityTokenReference") && cs.STR == nil {
			cs.STR = d.readSTR(e)
			cs.STRIndex = i
			continue
		}
		cs.Extra = append(cs.Extra, toAny(e))
	}
	return cs
}

// eprVersion picks the addressing version of an EPR by the namespace of its Address child,
// falling back to the message's addressing version.
func (d *decoder) eprVersion(el *etree.Element) wsa.Version {
	for c := range el.ChildElementsSeq() {
		if v, ok := wsa.VersionOf(c.NamespaceURI()); ok {
			return v
		}
	}
	return d.m.Addressing.Version
}

func (d *decoder) readOffer(v wsrm.Version, el *etree.Element) *wsrm.Offer {
	ns := v.Namespace()
	o := &wsrm.Offer{}
	c := childrenOf(el)
	if id := c.take(ns, "Identifier"); d.require(el, id, "wsrm:Identifier") {
		o.Identifier = text(id)
	}
	if v == wsrm.V200702 {
		if ep := c.take(ns, "Endpoint"); ep != nil {
			o.Endpoint = d.readEPR(d.eprVersion(ep), ep)
		}
	}
	if ex := c.take(ns, "Expires"); ex != nil {
		o.Expires = text(ex)
	}
	if v == wsrm.V200702 {
		if isb := c.take(ns, "IncompleteSequenceBehavior"); isb != nil {
			o.IncompleteSequenceBehavior = text(isb)
		}
	}
	o.Extra = anyOf(c.rest())
	return o
}

func (d *decoder) readCreateSequenceResponse(v wsrm.Version, el *etree.Element) *wsrm.CreateSequenceResponse {
	ns := v.Namespace()
	r := &wsrm.CreateSequenceResponse{V: v}
	c := childrenOf(el)
	if id := c.take(ns, "Identifier"); d.require(el, id, "wsrm:Identifier") {
		r.Identifier = text(id)
	}
	if ex := c.take(ns, "Expires"); ex != nil {
		r.Expires = text(ex)
	}
	if isb := c.take(ns, "IncompleteSequenceBehavior"); isb != nil {
		r.IncompleteSequenceBehavior = text(isb)
	}
	if ac := c.take(ns, "Accept"); ac != nil {
		a := &wsrm.Accept{}
		ac2 := childrenOf(ac)
		if at := ac2.take(ns, "AcksTo"); d.require(ac, at, "wsrm:AcksTo") {
			a.AcksTo = *d.readEPR(d.eprVersion(at), at)
		}
		a.Extra = anyOf(ac2.rest())
		r.Accept = a
	}
	r.Extra = anyOf(c.rest())
	return r
}

func (d *decoder) readLast(v wsrm.Version, c *children) (uint64, bool) {
	if l := c.take(v.Namespace(), "LastMsgNumber"); l != nil {
		n, ok := d.uint(l)
		return n, ok
	}
	return 0, false
}

func (d *decoder) readClose(v wsrm.Version, el *etree.Element) *wsrm.CloseSequence {
	cs := &wsrm.CloseSequence{V: v}
	c := childrenOf(el)
	if id := c.take(v.Namespace(), "Identifier"); d.require(el, id, "wsrm:Identifier") {
		cs.Identifier = text(id)
	}
	cs.LastMsgNumber, cs.HasLast = d.readLast(v, &c)
	cs.Extra = anyOf(c.rest())
	return cs
}

func (d *decoder) readTerminate(v wsrm.Version, el *etree.Element) *wsrm.TerminateSequence {
	t := &wsrm.TerminateSequence{V: v}
	c := childrenOf(el)
	if id := c.take(v.Namespace(), "Identifier"); d.require(el, id, "wsrm:Identifier") {
		t.Identifier = text(id)
	}
	t.LastMsgNumber, t.HasLast = d.readLast(v, &c)
	t.Extra = anyOf(c.rest())
	return t
}

func (d *decoder) readSequence(v wsrm.Version, el *etree.Element) *wsrm.Sequence {
	ns := v.Namespace()
	s := &wsrm.Sequence{V: v}
	c := childrenOf(el)
	if id := c.take(ns, "Identifier"); d.require(el, id, "wsrm:Identifier") {
		s.Identifier = text(id)
	}
	mn := c.take(ns, "MessageNumber")
	if !d.require(el, mn, "wsrm:MessageNumber") {
		return nil
	}
	n, ok := d.uint(mn)
	if !ok {
		return nil
	}
	s.MessageNumber = n
	if v == wsrm.V200502 && c.take(ns, "LastMessage") != nil {
		s.LastMessage = true
	}
	s.Extra = anyOf(c.rest())
	return s
}

func (d *decoder) readAckRequested(v wsrm.Version, el *etree.Element) *wsrm.AckRequested {
	ns := v.Namespace()
	a := &wsrm.AckRequested{V: v}
	c := childrenOf(el)
	if id := c.take(ns, "Identifier"); d.require(el, id, "wsrm:Identifier") {
		a.Identifier = text(id)
	}
	if v == wsrm.V200502 {
		if mx := c.take(ns, "MaxMessageNumberUsed"); mx != nil {
			a.MaxMessageNumberUsed, _ = d.uint(mx)
		}
	}
	a.Extra = anyOf(c.rest())
	return a
}

func (d *decoder) readAck(v wsrm.Version, el *etree.Element) *wsrm.SequenceAcknowledgement {
	ns := v.Namespace()
	a := &wsrm.SequenceAcknowledgement{V: v}
	c := childrenOf(el)
	if id := c.take(ns, "Identifier"); d.require(el, id, "wsrm:Identifier") {
		a.Identifier = text(id)
	}
	for _, r := range c.takeAll(ns, "AcknowledgementRange") {
		lo, okL := attr(r, "Lower")
		up, okU := attr(r, "Upper")
		if !okL || !okU {
			d.problem(r, "AcknowledgementRange requires both Lower and Upper attributes")
			continue
		}
		l, ok1 := d.uintString(r, lo)
		u, ok2 := d.uintString(r, up)
		if ok1 && ok2 {
			a.Ranges = append(a.Ranges, wsrm.AckRange{Lower: l, Upper: u})
		}
	}
	if c.take(ns, "None") != nil {
		a.None = true
	}
	if c.take(ns, "Final") != nil {
		a.Final = true
	}
	for _, n := range c.takeAll(ns, "Nack") {
		if x, ok := d.uint(n); ok {
			a.Nacks = append(a.Nacks, x)
		}
	}
	a.Extra = anyOf(c.rest())
	return a
}

func (d *decoder) readSequenceFault(v wsrm.Version, el *etree.Element) *wsrm.SequenceFault {
	ns := v.Namespace()
	f := &wsrm.SequenceFault{V: v}
	c := childrenOf(el)
	if fc := c.take(ns, "FaultCode"); d.require(el, fc, "wsrm:FaultCode") {
		f.FaultCode = d.resolveQName(fc, text(fc))
	}
	if dt := c.take(ns, "Detail"); dt != nil {
		f.Detail = anyOf(dt.ChildElements())
	}
	f.Extra = anyOf(c.rest())
	return f
}

func (w *writer) idElem(p *etree.Element, v wsrm.Version, local, id string) *etree.Element {
	ns := v.Namespace()
	el := w.elem(p, ns, "wsrm", local)
	w.textElem(el, ns, "wsrm", "Identifier", id)
	return el
}

func (w *writer) writeIDLast(p *etree.Element, v wsrm.Version, local, id string, has bool, last uint64, extra []wire.Any) *etree.Element {
	el := w.idElem(p, v, local, id)
	if has {
		w.textElem(el, v.Namespace(), "wsrm", "LastMsgNumber", strconv.FormatUint(last, 10))
	}
	w.anys(el, extra)
	return el
}

func (w *writer) writeCreateSequence(p *etree.Element, cs *wsrm.CreateSequence) *etree.Element {
	ns := cs.V.Namespace()
	el := w.elem(p, ns, "wsrm", "CreateSequence")
	w.writeEPR(el, ns, "wsrm", "AcksTo", w.eprVersionOf(&cs.AcksTo), &cs.AcksTo)
	if cs.Expires != "" {
		w.textElem(el, ns, "wsrm", "Expires", cs.Expires)
	}
	if o := cs.Offer; o != nil {
		oe := w.elem(el, ns, "wsrm", "Offer")
		w.textElem(oe, ns, "wsrm", "Identifier", o.Identifier)
		if o.Endpoint != nil {
			w.writeEPR(oe, ns, "wsrm", "Endpoint", w.eprVersionOf(o.Endpoint), o.Endpoint)
		}
		if o.Expires != "" {
			w.textElem(oe, ns, "wsrm", "Expires", o.Expires)
		}
		if o.IncompleteSequenceBehavior != "" {
			w.textElem(oe, ns, "wsrm", "IncompleteSequenceBehavior", o.IncompleteSequenceBehavior)
		}
		w.anys(oe, o.Extra)
	}
	for i, x := range cs.Extra {
		if cs.STR != nil && i == cs.STRIndex {
			w.writeSTR(el, cs.STR)
		}
		w.any(el, x)
	}
	if cs.STR != nil && cs.STRIndex >= len(cs.Extra) {
		w.writeSTR(el, cs.STR)
	}
	return el
}

func (w *writer) writeCreateSequenceResponse(p *etree.Element, r *wsrm.CreateSequenceResponse) *etree.Element {
	ns := r.V.Namespace()
	el := w.idElem(p, r.V, "CreateSequenceResponse", r.Identifier)
	if r.Expires != "" {
		w.textElem(el, ns, "wsrm", "Expires", r.Expires)
	}
	if r.IncompleteSequenceBehavior != "" {
		w.textElem(el, ns, "wsrm", "IncompleteSequenceBehavior", r.IncompleteSequenceBehavior)
	}
	if r.Accept != nil {
		ac := w.elem(el, ns, "wsrm", "Accept")
		w.writeEPR(ac, ns, "wsrm", "AcksTo", w.eprVersionOf(&r.Accept.AcksTo), &r.Accept.AcksTo)
		w.anys(ac, r.Accept.Extra)
	}
	w.anys(el, r.Extra)
	return el
}

func (w *writer) writeSequence(p *etree.Element, s *wsrm.Sequence) *etree.Element {
	ns := s.V.Namespace()
	el := w.idElem(p, s.V, "Sequence", s.Identifier)
	w.textElem(el, ns, "wsrm", "MessageNumber", strconv.FormatUint(s.MessageNumber, 10))
	if s.LastMessage {
		w.elem(el, ns, "wsrm", "LastMessage")
	}
	w.anys(el, s.Extra)
	return el
}

func (w *writer) writeAck(p *etree.Element, a *wsrm.SequenceAcknowledgement) *etree.Element {
	ns := a.V.Namespace()
	el := w.idElem(p, a.V, "SequenceAcknowledgement", a.Identifier)
	for _, r := range a.Ranges {
		re := w.elem(el, ns, "wsrm", "AcknowledgementRange")
		w.attr(re, "Upper", strconv.FormatUint(r.Upper, 10))
		w.attr(re, "Lower", strconv.FormatUint(r.Lower, 10))
	}
	if a.None {
		w.elem(el, ns, "wsrm", "None")
	}
	if a.Final {
		w.elem(el, ns, "wsrm", "Final")
	}
	for _, n := range a.Nacks {
		w.textElem(el, ns, "wsrm", "Nack", strconv.FormatUint(n, 10))
	}
	w.anys(el, a.Extra)
	return el
}

// eprVersionOf is the addressing version EPRs are written in: the envelope's.
func (w *writer) eprVersionOf(e *wsa.EPR) wsa.Version {
	if e.Address == wsa.V200408.Anonymous() {
		return wsa.V200408
	}
	return w.wsa
}
