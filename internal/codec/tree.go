package codec

import (
	"strconv"
	"strings"

	"github.com/rspcheck/rspcheck/internal/xmltree"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// qname resolves el's namespace by URI (never by prefix).
func qname(el *etree.Element) wire.QName {
	return wire.QName{Space: el.NamespaceURI(), Local: el.Tag}
}

func is(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// attrNS returns the value of the attribute {ns}local on el.
func attrNS(el *etree.Element, ns, local string) (string, bool) {
	for i := range el.Attr {
		a := &el.Attr[i]
		if a.Key != local || a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			continue
		}
		if a.NamespaceURI() == ns {
			return a.Value, true
		}
	}
	return "", false
}

// attr returns an unqualified attribute.
func attr(el *etree.Element, local string) (string, bool) {
	for i := range el.Attr {
		if el.Attr[i].Space == "" && el.Attr[i].Key == local {
			return el.Attr[i].Value, true
		}
	}
	return "", false
}

func text(el *etree.Element) string { return strings.TrimSpace(el.Text()) }

// children walks the element children of a parent in order, the way an XSD sequence reads
// them.
type children struct {
	els []*etree.Element
	i   int
	buf [8]*etree.Element // backs els for the common case: one allocation per walk
}

func childrenOf(el *etree.Element) *children {
	c := &children{}
	c.els = xmltree.Children(c.buf[:0], el)
	return c
}

// take returns the next child when it is {ns}local, advancing; else nil.
func (c *children) take(ns, local string) *etree.Element {
	if c.i < len(c.els) && is(c.els[c.i], ns, local) {
		c.i++
		return c.els[c.i-1]
	}
	return nil
}

// takeAll returns every consecutive next child named {ns}local.
func (c *children) takeAll(ns, local string) []*etree.Element {
	var out []*etree.Element
	for e := c.take(ns, local); e != nil; e = c.take(ns, local) {
		out = append(out, e)
	}
	return out
}

// rest returns the remaining children.
func (c *children) rest() []*etree.Element {
	out := c.els[c.i:]
	c.i = len(c.els)
	return out
}

// decoder carries the message being decoded so that element readers can record problems.
type decoder struct {
	m *Message
}

func (d *decoder) problem(el *etree.Element, reason string) {
	d.m.problems = append(d.m.problems, Problem{Element: el.FullTag(), Reason: reason, Line: -1, Column: -1})
	d.m.problemEls = append(d.m.problemEls, el)
}

// uint reads an xs:unsignedLong element, recording a problem when it is not one.
func (d *decoder) uint(el *etree.Element) (uint64, bool) {
	return d.uintString(el, text(el))
}

func (d *decoder) uintString(el *etree.Element, s string) (uint64, bool) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		d.problem(el, "value "+strconv.Quote(s)+" is not an unsigned integer")
		return 0, false
	}
	return n, true
}

// require records a problem when el is nil (a required child is missing) and reports
// whether it is present.
func (d *decoder) require(parent, el *etree.Element, what string) bool {
	if el == nil {
		d.problem(parent, "missing required child "+what)
		return false
	}
	return true
}

// unexpected records problems for children that are not allowed at this place (only for
// closed content models; open ones keep the rest as extensions).
func (d *decoder) unexpected(parent *etree.Element, els []*etree.Element) {
	for _, e := range els {
		d.problem(e, "unexpected element in "+parent.FullTag())
	}
}

// anyOf converts elements to generic values.
func anyOf(els []*etree.Element) []wire.Any {
	if len(els) == 0 {
		return nil
	}
	out := make([]wire.Any, len(els))
	for i, e := range els {
		out[i] = toAny(e)
	}
	return out
}

func toAny(e *etree.Element) wire.Any {
	a := wire.Any{Name: qname(e), Prefix: e.Space, Text: e.Text()}
	for _, at := range e.Attr {
		if at.Space == "xmlns" || (at.Space == "" && at.Key == "xmlns") {
			continue
		}
		ns := ""
		if at.Space != "" {
			ns = at.NamespaceURI()
		}
		a.Attrs = append(a.Attrs, wire.Attr{Name: wire.QName{Space: ns, Local: at.Key}, Value: at.Value})
	}
	for c := range e.ChildElementsSeq() {
		a.Children = append(a.Children, toAny(c))
	}
	return a
}
