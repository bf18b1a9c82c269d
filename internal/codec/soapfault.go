package codec

import (
	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

const xmlNS = "http://www.w3.org/XML/1998/namespace"

func init() {
	registerBody(wire.QName{Space: soap.NS12, Local: "Fault"}, func(d *decoder, el *etree.Element) any { return d.readFault12(el) })
	registerBody(wire.QName{Space: soap.NS11, Local: "Fault"}, func(d *decoder, el *etree.Element) any { return d.readFault11(el) })
	registerWriter(&soap.Fault{}, func(w *writer, p *etree.Element, v any) *etree.Element {
		if w.soap == soap.V11 {
			return w.writeFault11(p, v.(*soap.Fault))
		}
		return w.writeFault12(p, v.(*soap.Fault))
	})
}

// readFault12 reads env:Fault (SOAP 1.2 Part 1 §5.4): Code, Reason, Node?, Role?, Detail?.
func (d *decoder) readFault12(el *etree.Element) *soap.Fault {
	ns := soap.NS12
	f := &soap.Fault{}
	c := childrenOf(el)
	code := c.take(ns, "Code")
	if !d.require(el, code, "env:Code") {
		return nil
	}
	val := code.SelectElement("Value")
	if val == nil || !is(val, ns, "Value") {
		d.problem(code, "env:Code requires env:Value")
		return nil
	}
	f.CodeQName = d.resolveQName(val, text(val))
	if cd, ok := soap.CodeOf(f.CodeQName); ok {
		f.Code = cd
	} else {
		d.problem(val, "fault code "+f.CodeQName.String()+" is not one of the SOAP 1.2 codes (Part 1 §5.4.6)")
	}
	for sub := childNS(code, ns, "Subcode"); sub != nil; sub = childNS(sub, ns, "Subcode") {
		sv := childNS(sub, ns, "Value")
		if sv == nil {
			d.problem(sub, "env:Subcode requires env:Value")
			break
		}
		f.Subcodes = append(f.Subcodes, d.resolveQName(sv, text(sv)))
	}
	if r := c.take(ns, "Reason"); d.require(el, r, "env:Reason") {
		if t := childNS(r, ns, "Text"); t != nil {
			f.Reason = t.Text()
			f.Lang, _ = attrNS(t, xmlNS, "lang")
		} else {
			d.problem(r, "env:Reason requires at least one env:Text")
		}
	}
	if n := c.take(ns, "Node"); n != nil {
		f.Node = text(n)
	}
	if r := c.take(ns, "Role"); r != nil {
		f.Role = text(r)
	}
	if dt := c.take(ns, "Detail"); dt != nil {
		f.Detail = anyOf(dt.ChildElements())
	}
	d.unexpected(el, c.rest())
	return f
}

// readFault11 reads SOAP-ENV:Fault (SOAP 1.1 §4.4): faultcode, faultstring, faultactor?,
// detail? — unqualified children.
func (d *decoder) readFault11(el *etree.Element) *soap.Fault {
	f := &soap.Fault{}
	c := childrenOf(el)
	fc := c.take("", "faultcode")
	if !d.require(el, fc, "faultcode") {
		return nil
	}
	f.CodeQName = d.resolveQName(fc, text(fc))
	if cd, ok := soap.CodeOf(f.CodeQName); ok {
		f.Code = cd
	} else {
		// A WS-* QName used directly as the faultcode (CONSTANTS §9: WS-RM over SOAP 1.1).
		f.Code = soap.Sender
		f.Subcodes = []wire.QName{f.CodeQName}
	}
	if fs := c.take("", "faultstring"); d.require(el, fs, "faultstring") {
		f.Reason = fs.Text()
		f.Lang, _ = attrNS(fs, xmlNS, "lang")
	}
	if fa := c.take("", "faultactor"); fa != nil {
		f.Role = text(fa)
	}
	if dt := c.take("", "detail"); dt != nil {
		f.Detail = anyOf(dt.ChildElements())
	}
	f.Detail = append(f.Detail, anyOf(c.rest())...)
	return f
}

func childNS(el *etree.Element, ns, local string) *etree.Element {
	for c := range el.ChildElementsSeq() {
		if is(c, ns, local) {
			return c
		}
	}
	return nil
}

func (w *writer) writeFault12(p *etree.Element, f *soap.Fault) *etree.Element {
	ns := soap.NS12
	el := w.elem(p, ns, "s", "Fault")
	code := w.elem(el, ns, "s", "Code")
	w.textElem(code, ns, "s", "Value", w.qnameText(f.Code.QName(soap.V12)))
	parent := code
	for _, s := range f.Subcodes {
		sub := w.elem(parent, ns, "s", "Subcode")
		w.textElem(sub, ns, "s", "Value", w.qnameText(s))
		parent = sub
	}
	reason := w.elem(el, ns, "s", "Reason")
	t := w.textElem(reason, ns, "s", "Text", f.Reason)
	lang := f.Lang
	if lang == "" {
		lang = "en"
	}
	w.b.Attr(t, "xml", "lang", lang)
	if f.Node != "" {
		w.textElem(el, ns, "s", "Node", f.Node)
	}
	if f.Role != "" {
		w.textElem(el, ns, "s", "Role", f.Role)
	}
	if len(f.Detail) > 0 {
		w.anys(w.elem(el, ns, "s", "Detail"), f.Detail)
	}
	return el
}

func (w *writer) writeFault11(p *etree.Element, f *soap.Fault) *etree.Element {
	el := w.elem(p, soap.NS11, "s", "Fault")
	code := f.Code.QName(soap.V11)
	if len(f.Subcodes) > 0 {
		code = f.Subcodes[0]
	}
	w.text(w.plainElem(el, "faultcode"), w.qnameText(code))
	fs := w.plainElem(el, "faultstring")
	w.text(fs, f.Reason)
	if f.Lang != "" {
		w.b.Attr(fs, "xml", "lang", f.Lang)
	}
	if f.Role != "" {
		w.text(w.plainElem(el, "faultactor"), f.Role)
	}
	if len(f.Detail) > 0 {
		dt := w.plainElem(el, "detail")
		w.anys(dt, f.Detail)
	}
	return el
}
