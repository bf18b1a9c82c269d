package c14n

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// frame is one open element of the iterative traversal.
type frame struct {
	el         *etree.Element
	next       int // index of the next child to visit
	scopeMark  int // len(c.scope) before the element's declarations
	renderMark int // len(c.rendered) before the element's rendered namespaces
}

// loadContext puts the namespace declarations of el's ancestors in scope,
// outermost first, so that inner declarations shadow outer ones. Nothing is
// rendered yet: the apex has no output ancestor, so every namespace it
// visibly utilizes is rendered on it (exc-c14n §3, condition 3).
func (c *canon) loadContext(el *etree.Element) error {
	c.anc = c.anc[:0]
	for p := el.Parent(); p != nil; p = p.Parent() {
		if err := c.count(1 + len(p.Attr)); err != nil {
			return err
		}
		c.anc = append(c.anc, p)
	}
	for i := len(c.anc) - 1; i >= 0; i-- {
		_ = c.pushDecls(c.anc[i], false) // cannot fail unchecked
	}
	return nil
}

// subtree renders el and its descendants in document order without
// recursion. C14N §2.3: an element node is rendered as '<', its QName, its
// namespace nodes, its attribute nodes, '>', its children, '</', the QName,
// '>' — so an empty element is always a start/end pair, never "<e/>".
func (c *canon) subtree(el *etree.Element) error {
	base := len(c.stack)
	if err := c.start(el); err != nil {
		return err
	}
	for len(c.stack) > base {
		f := &c.stack[len(c.stack)-1]
		if f.next >= len(f.el.Child) {
			c.end(*f)
			c.stack[len(c.stack)-1] = frame{}
			c.stack = c.stack[:len(c.stack)-1]
			continue
		}
		tok := f.el.Child[f.next]
		f.next++ // f may be invalidated by start below
		if err := c.child(tok); err != nil {
			return err
		}
		if c.err != nil {
			return c.err
		}
	}
	return c.err
}

func (c *canon) child(tok etree.Token) error {
	if el, ok := tok.(*etree.Element); ok {
		if el == nil {
			return errors.New("c14n: nil element in tree")
		}
		return c.start(el) // start charges the element and its attributes
	}
	if err := c.count(1); err != nil {
		return err
	}
	switch t := tok.(type) {
	case *etree.CharData:
		// CDATA sections are text nodes of the data model (C14N §1.1:
		// "CDATA sections are replaced with their character content").
		if t != nil {
			c.text(t.Data)
		}
	case *etree.Comment:
		if t != nil && c.comments {
			c.comment(t.Data)
		}
	case *etree.ProcInst:
		if t != nil {
			c.procInst(t)
		}
	}
	return nil
}

func (c *canon) start(el *etree.Element) error {
	if err := c.count(1 + len(el.Attr)); err != nil {
		return err
	}
	if el.Tag == "" {
		return errors.New("c14n: element without a name")
	}
	if el.Space == "xmlns" {
		return fmt.Errorf("c14n: element <%s> uses the reserved prefix xmlns", el.FullTag())
	}
	fr := frame{el: el, scopeMark: len(c.scope), renderMark: len(c.rendered)}
	if err := c.pushDecls(el, true); err != nil {
		return fmt.Errorf("%w on element <%s>", err, el.FullTag())
	}
	if err := c.collect(el); err != nil {
		return err
	}
	c.ws("<")
	c.qname(el.Space, el.Tag)
	for _, b := range c.nsOut {
		if b.prefix == "" {
			c.ws(` xmlns="`)
		} else {
			c.ws(" xmlns:")
			c.ws(b.prefix)
			c.ws(`="`)
		}
		c.attrValue(b.uri)
		c.ws(`"`)
	}
	for _, it := range c.attrs {
		c.ws(" ")
		c.qname(it.a.Space, it.a.Key)
		c.ws(`="`)
		c.attrValue(it.a.Value)
		c.ws(`"`)
	}
	c.ws(">")
	c.stack = append(c.stack, fr)
	return nil
}

func (c *canon) end(f frame) {
	c.ws("</")
	c.qname(f.el.Space, f.el.Tag)
	c.ws(">")
	c.scope = c.scope[:f.scopeMark]
	c.rendered = c.rendered[:f.renderMark]
}

func (c *canon) qname(space, local string) {
	if space != "" {
		c.ws(space)
		c.ws(":")
	}
	c.ws(local)
}

// collect decides which namespace nodes and attributes of el are rendered
// and sorts them into c.nsOut and c.attrs.
//
// C14N §2.3 (Element Nodes): "Namespace nodes ... are sorted
// lexicographically by local name (the default namespace node, if one
// exists, has no local name and is therefore lexicographically least).
// Attribute nodes are sorted lexicographically with namespace URI as the
// primary key and local name as the secondary key (an empty namespace URI is
// lexicographically least)." Lexicographic order is by UCS code point, which
// is the byte order of UTF-8, i.e. strings.Compare.
func (c *canon) collect(el *etree.Element) error {
	c.nsOut = c.nsOut[:0]
	c.attrs = c.attrs[:0]

	// exc-c14n §3: an element visibly utilizes the namespace of its own
	// QName prefix, or the default namespace when it has no prefix.
	uri, ok := c.lookup(el.Space)
	if !ok {
		return fmt.Errorf("%w %q on element <%s>", ErrUndeclaredPrefix, el.Space, el.FullTag())
	}
	if err := c.utilize(el.Space, uri); err != nil {
		return fmt.Errorf("%w on element <%s>", err, el.FullTag())
	}
	for i := range el.Attr {
		a := &el.Attr[i]
		if isNSDecl(a) {
			continue
		}
		uri := ""
		switch a.Space {
		case "":
			// Unprefixed attributes are in no namespace; they do not
			// utilize the default namespace (Namespaces in XML §6.2).
		case "xml":
			uri = XMLNamespace
		default:
			// ... and the prefixes of its attributes (exc-c14n §3).
			u, ok := c.lookup(a.Space)
			if !ok {
				return fmt.Errorf("%w %q on attribute %s of element <%s>",
					ErrUndeclaredPrefix, a.Space, a.FullKey(), el.FullTag())
			}
			if err := c.utilize(a.Space, u); err != nil {
				return fmt.Errorf("%w on element <%s>", err, el.FullTag())
			}
			uri = u
		}
		c.attrs = append(c.attrs, attrItem{a: a, uri: uri})
	}
	// exc-c14n §3: namespace nodes whose prefix is in the InclusiveNamespaces
	// PrefixList are processed by the rules of C14N §2.3: a namespace node in
	// scope is rendered unless the nearest output ancestor already rendered
	// the same prefix with the same value — whether or not it is utilized.
	for _, p := range c.incl {
		if u, ok := c.lookup(p); ok {
			if err := c.utilize(p, u); err != nil {
				return fmt.Errorf("%w on element <%s>", err, el.FullTag())
			}
		}
	}
	if len(c.nsOut) > 1 {
		slices.SortFunc(c.nsOut, func(x, y binding) int { return strings.Compare(x.prefix, y.prefix) })
	}
	c.rendered = append(c.rendered, c.nsOut...)
	if len(c.attrs) > 1 {
		slices.SortFunc(c.attrs, cmpAttr)
		// Namespaces in XML §6.3: no element may have two attributes with
		// the same expanded name (e.g. a:x and b:x with a and b bound to
		// one URI). etree does not check it; the canonical form of such an
		// element would be ambiguous, so refuse it.
		for i := 1; i < len(c.attrs); i++ {
			if cmpAttr(c.attrs[i-1], c.attrs[i]) == 0 {
				return fmt.Errorf("%w: {%s}%s on element <%s>",
					ErrDuplicateAttr, c.attrs[i].uri, c.attrs[i].a.Key, el.FullTag())
			}
		}
	}
	return nil
}

func cmpAttr(x, y attrItem) int {
	if d := strings.Compare(x.uri, y.uri); d != 0 {
		return d
	}
	return strings.Compare(x.a.Key, y.a.Key)
}
