package xmltree

import (
	"strings"

	"github.com/beevik/etree"
)

// Builder makes etree trees the way etree's CreateElement, CreateAttr, SetText and AddChild
// do, with the elements, character data, attribute slices and child slices taken from
// shared chunks (arenas) instead of one or more allocations each: building an outgoing
// envelope, its Security header or a ds:Signature was about a third of all allocated objects
// of a secured exchange.
//
// The trees are plain etree trees, indistinguishable from etree-built ones (same fields,
// parent pointers, Index, attribute back-pointers, character-data flags), so every reader
// and every later etree mutation works on them unchanged. Slices from the arenas have their
// capacity capped (see Arena): etree's appends beyond it reallocate as usual instead of
// overwriting a neighbour.
//
// The zero value is ready to use. A Builder is not safe for concurrent use; the trees it made
// stay valid after it is dropped (they keep their chunks alive).
type Builder struct {
	elems Arena[etree.Element]
	texts Arena[etree.CharData]
	attrs Arena[etree.Attr]
	toks  Arena[etree.Token]
	// scratch is the temporary parent that gives a detached element etree's Index of -1
	// (Element.index is unexported; RemoveChildAt is what sets it to -1).
	scratch etree.Element
}

// Sizes counts what a tree takes from a Builder's arenas: elements, character data tokens,
// attributes, and child slots. A child or attribute list that outgrows its slice moves to one
// twice as long unless it can grow in place, so 3 children may take 1+2+4 slots; Grow avoids
// that where the size is known.
type Sizes struct {
	Elements, Texts, Attrs, Children int
}

// Reserve sizes the next chunks of b for a tree of about s, so that such a tree needs one
// chunk of each kind rather than several doubling ones whose last is half unused. It is only
// a hint, best given before building.
func (b *Builder) Reserve(s Sizes) {
	b.elems.Reserve(s.Elements)
	b.texts.Reserve(s.Texts)
	b.attrs.Reserve(s.Attrs)
	b.toks.Reserve(s.Children)
}

// Element appends a new element to parent and returns it, as parent.CreateElement(name)
// does, where name is space+":"+tag, or tag alone when space is "" (the parts are split again
// at the first colon exactly as etree splits name, so that both make the same Space and Tag).
// With a nil parent the element is detached, as etree.NewElement(name) makes it: no parent,
// Index -1.
func (b *Builder) Element(parent *etree.Element, space, tag string) *etree.Element {
	el := b.elems.One()
	el.Space, el.Tag = splitName(space, tag)
	// etree's newElement starts with empty, non-nil slices; make of length 0 allocates
	// nothing. They grow from the arenas on first use (Attr, AddChild, Text).
	el.Attr = make([]etree.Attr, 0)
	el.Child = make([]etree.Token, 0)
	if parent == nil {
		b.detach(el)
	} else {
		b.AddChild(parent, el)
	}
	return el
}

// Grow makes room in el for at least attrs more attributes and children more child tokens,
// from the arenas, so that a caller who knows an element's size avoids the growth steps (1,
// 2, 4 ...) whose smaller slices are left unused in their chunk. Room left over also serves
// etree's own CreateAttr and AddChild on el later.
func (b *Builder) Grow(el *etree.Element, attrs, children int) {
	if n := len(el.Attr); cap(el.Attr)-n < attrs {
		el.Attr = b.attrs.Extend(el.Attr, n+attrs)
	}
	if n := len(el.Child); cap(el.Child)-n < children {
		el.Child = b.toks.Extend(el.Child, n+children)
	}
}

// TextElement is Element followed by Text.
func (b *Builder) TextElement(parent *etree.Element, space, tag, text string) *etree.Element {
	el := b.Element(parent, space, tag)
	b.Text(el, text)
	return el
}

// AddChild appends t to parent's children as parent.AddChild(t) does (removing it from its
// former parent first), growing parent's child slice from the arena.
func (b *Builder) AddChild(parent *etree.Element, t etree.Token) {
	if n := len(parent.Child); n == cap(parent.Child) {
		parent.Child = b.toks.Extend(parent.Child, max(2*n, 1))
	}
	parent.AddChild(t) // sets t's parent and Index; appends within the capacity made above
}

// Attr sets an attribute of el as el.CreateAttr(name, value) does, name being space+":"+key
// or key alone (split like Element's): an attribute of the same Space and Key gets the new
// value, otherwise one is appended. It returns the attribute, which points back to el.
func (b *Builder) Attr(el *etree.Element, space, key, value string) *etree.Attr {
	space, key = splitName(space, key)
	bound := -1 // an attribute bound to el, whose unexported back-pointer a copy carries
	for i := range el.Attr {
		a := &el.Attr[i]
		if a.Space == space && a.Key == key {
			a.Value = value
			return a
		}
		if bound < 0 && a.Element() == el {
			bound = i
		}
	}
	n := len(el.Attr)
	if n == cap(el.Attr) {
		el.Attr = b.attrs.Extend(el.Attr, max(2*n, 1))
	}
	switch {
	case bound >= 0:
		el.Attr = append(el.Attr, el.Attr[bound])
	case n == 0:
		// CreateAttr binds the attribute to el (Attr.element is unexported). With no
		// attribute to compare, its name cannot match one; it appends within capacity.
		el.CreateAttr("", "")
	default:
		// Only attributes that do not point back to el: etree's Copy leaves the copied
		// attributes pointing to the original element. Let CreateAttr do it all.
		return el.CreateAttr(joinName(space, key), value)
	}
	a := &el.Attr[n]
	a.Space, a.Key, a.Value = space, key, value
	return a
}

// Text sets the character data of el as el.SetText(s) does. On an element without children
// (the case while building) that appends one CharData from the arena when s is not empty;
// otherwise etree's SetText does the work.
func (b *Builder) Text(el *etree.Element, s string) {
	if len(el.Child) > 0 {
		el.SetText(s)
		return
	}
	if s == "" {
		return
	}
	c := b.texts.One()
	// SetText makes the token with NewText's flags (none): unlike the parser's tokens it is
	// not marked white space even when s is, so neither is this one (no SetData).
	c.Data = s
	b.AddChild(el, c)
}

// detach gives el, which has no parent, etree's Index of -1: etree sets it only when it
// removes a child.
func (b *Builder) detach(el *etree.Element) {
	s := &b.scratch
	if cap(s.Child) == 0 {
		s.Child = b.toks.Slice(1)
	}
	s.AddChild(el)
	s.RemoveChildAt(0) // index -1, parent nil
	clear(s.Child[:1]) // drop the stale reference RemoveChildAt leaves in the backing array
}

// splitName returns the Space and local part etree makes of the name space+":"+local (local
// alone when space is ""): its spaceDecompose splits at the first colon.
func splitName(space, local string) (string, string) {
	if space == "" {
		if i := strings.IndexByte(local, ':'); i >= 0 {
			return local[:i], local[i+1:]
		}
		return "", local
	}
	if i := strings.IndexByte(space, ':'); i >= 0 {
		return space[:i], space[i+1:] + ":" + local // never in well-formed output
	}
	return space, local
}

func joinName(space, local string) string {
	if space == "" {
		return local
	}
	return space + ":" + local
}
