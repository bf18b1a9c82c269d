package xmltree

import "github.com/beevik/etree"

// AddCopy appends a deep copy of el to parent and returns it: the tree
// parent.AddChild(el.Copy()) makes, with the elements, texts and slices from the arenas.
//
// etree's Copy (Element.dup) copies the attributes as they are, so they keep pointing to
// the original element, and gives every copied token its original's Index; AddChild then
// sets the copy's own Index and parent. AddCopy does the same: attributes are copied
// verbatim, and child tokens get their Index from their position, which is the original's
// Index whenever the original tree is consistent (etree keeps it so). When it is not, AddCopy
// leaves the work to etree. Comments, processing instructions, directives and CDATA sections
// are copied with etree's constructors (an arena CharData cannot carry the CDATA flag).
func (b *Builder) AddCopy(parent, el *etree.Element) *etree.Element {
	if !indexed(el) {
		c := el.Copy()
		b.AddChild(parent, c)
		return c
	}
	c := b.copyOf(el)
	b.AddChild(parent, c)
	return c
}

// indexed reports whether every token under el has its position as Index.
func indexed(el *etree.Element) bool {
	for i, t := range el.Child {
		if t.Index() != i {
			return false
		}
		if ce, ok := t.(*etree.Element); ok && !indexed(ce) {
			return false
		}
	}
	return true
}

// copyOf copies el, detached (its Index is set by the caller's AddChild).
func (b *Builder) copyOf(el *etree.Element) *etree.Element {
	c := b.elems.One()
	c.Space, c.Tag = el.Space, el.Tag
	c.Attr = append(b.attrs.Slice(len(el.Attr)), el.Attr...)
	c.Child = b.toks.Slice(len(el.Child))
	for _, t := range el.Child {
		var d etree.Token
		switch x := t.(type) {
		case *etree.Element:
			d = b.copyOf(x)
		case *etree.CharData:
			d = b.copyText(x)
		case *etree.Comment:
			d = etree.NewComment(x.Data)
		case *etree.ProcInst:
			d = etree.NewProcInst(x.Target, x.Inst)
		case *etree.Directive:
			d = etree.NewDirective(x.Data)
		default: // etree has no other token types (Token has unexported methods)
			panic("xmltree: unknown etree token type")
		}
		c.AddChild(d) // within the capacity cut above
	}
	return c
}

// copyText copies character data with its flags. The white-space flag is only ever set for
// white-space data (SetData, the parser, Indent), so SetData restores it; data copied without
// it keeps the flags of NewText (none), as SetText makes them, white space or not.
func (b *Builder) copyText(x *etree.CharData) *etree.CharData {
	var c *etree.CharData
	if x.IsCData() {
		c = etree.NewCData(x.Data)
	} else {
		c = b.texts.One()
		c.Data = x.Data
	}
	if x.IsWhitespace() {
		c.SetData(x.Data)
	}
	return c
}
