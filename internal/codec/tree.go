package codec

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmltree"
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
// them. It is a value over the parent's token list (no copy of the children, so a walk
// allocates nothing: it was the first allocation site of a decode), and it resolves the
// namespace of a child that uses its parent's prefix from the parent's namespace, looked up
// once per walk, instead of walking up the ancestors again for every child.
type children struct {
	parent *etree.Element
	toks   []etree.Token
	i      int // index in toks of the next token to look at
	scope  parentScope
}

func childrenOf(el *etree.Element) children {
	return children{parent: el, toks: el.Child, scope: parentScope{parent: el}}
}

// next returns the next element child without advancing past it, or nil.
func (c *children) next() *etree.Element {
	for ; c.i < len(c.toks); c.i++ {
		if e, ok := c.toks[c.i].(*etree.Element); ok {
			return e
		}
	}
	return nil
}

// take returns the next child when it is {ns}local, advancing; else nil.
func (c *children) take(ns, local string) *etree.Element {
	e := c.next()
	if e == nil || e.Tag != local || c.scope.ns(e) != ns {
		return nil
	}
	c.i++
	return e
}

// takeAll returns every consecutive next child named {ns}local.
func (c *children) takeAll(ns, local string) []*etree.Element {
	var out []*etree.Element
	for e := c.take(ns, local); e != nil; e = c.take(ns, local) {
		out = append(out, e)
	}
	return out
}

// count returns how many consecutive next children are named {ns}local, without advancing:
// the size of the slice takeAll or a take loop would fill.
func (c *children) count(ns, local string) int {
	saved := c.i
	n := 0
	for c.take(ns, local) != nil {
		n++
	}
	c.i = saved
	return n
}

// rest returns the remaining children (nil when there are none, the common case).
func (c *children) rest() []*etree.Element {
	var out []*etree.Element
	for e := c.next(); e != nil; e = c.next() {
		out = append(out, e)
		c.i++
	}
	return out
}

// firstChild returns the first element child of el and the number of element children.
func firstChild(el *etree.Element) (*etree.Element, int) {
	var first *etree.Element
	n := 0
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok {
			if n == 0 {
				first = c
			}
			n++
		}
	}
	return first, n
}

// parentScope resolves the namespace URIs of the children of one parent exactly as etree's
// NamespaceURI does (the first matching xmlns attribute of the nearest element wins), with
// one shortcut: a child that has the parent's prefix and does not declare that prefix itself
// is in the parent's namespace, which is looked up once. Anything else (another prefix, a
// redeclaration, a detached element) is resolved by etree.
type parentScope struct {
	parent *etree.Element
	uri    string // parent's namespace URI once known
	known  bool
}

func (s *parentScope) ns(e *etree.Element) string {
	if e.Space != s.parent.Space || e.Parent() != s.parent || xmltree.DeclaresPrefix(e, e.Space) {
		return e.NamespaceURI()
	}
	if !s.known {
		s.uri, s.known = s.parent.NamespaceURI(), true
	}
	return s.uri
}

// is is the package-level is for a child of s.parent.
func (s *parentScope) is(e *etree.Element, ns, local string) bool {
	return e != nil && e.Tag == local && s.ns(e) == ns
}

// decoder carries the message being decoded so that element readers can record problems.
type decoder struct {
	m *Message
	// Small values of the message (decoded digests, signature values, nonces; the Transforms
	// of each ds:Reference) are cut from shared chunks: one allocation for many.
	bytes      xmltree.Arena[byte]
	transforms xmltree.Arena[wsse.Transform]
}

// smallValueBytes sizes the first chunk of decoder.bytes: the decoded base64 values of a
// secured message (a 20- or 32-octet digest per reference, the signature value, a nonce)
// fit it, so that it is cut once rather than in doubling chunks.
const smallValueBytes = 512

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
