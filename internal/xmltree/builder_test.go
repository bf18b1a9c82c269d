package xmltree

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// treeOps builds one tree through either etree's own calls or a Builder, so that the two
// can be compared. Names are given as (space, local), as the Builder takes them.
type treeOps interface {
	elem(parent *etree.Element, space, tag string) *etree.Element
	attr(el *etree.Element, space, key, value string)
	text(el *etree.Element, s string)
	add(parent *etree.Element, t etree.Token)
}

type etreeOps struct{}

func (etreeOps) elem(p *etree.Element, space, tag string) *etree.Element {
	if p == nil {
		return etree.NewElement(joinName(space, tag))
	}
	return p.CreateElement(joinName(space, tag))
}
func (etreeOps) attr(el *etree.Element, space, key, value string) {
	el.CreateAttr(joinName(space, key), value)
}
func (etreeOps) text(el *etree.Element, s string)    { el.SetText(s) }
func (etreeOps) add(p *etree.Element, t etree.Token) { p.AddChild(t) }

type builderOps struct{ b *Builder }

func (o builderOps) elem(p *etree.Element, space, tag string) *etree.Element {
	return o.b.Element(p, space, tag)
}
func (o builderOps) attr(el *etree.Element, space, key, value string) {
	o.b.Attr(el, space, key, value)
}
func (o builderOps) text(el *etree.Element, s string)    { o.b.Text(el, s) }
func (o builderOps) add(p *etree.Element, t etree.Token) { o.b.AddChild(p, t) }

// sample builds a tree with the shapes the codec and the signature code build, and the
// corners of etree's semantics: names with and without prefix (and with colons in odd
// places), a replaced attribute, white-space and empty text, SetText over existing children,
// many children and attributes (beyond any initial capacity), a detached subtree attached
// later, and one moved between parents.
func sample(o treeOps) (*etree.Document, *etree.Element) {
	doc := etree.NewDocument()
	env := o.elem(&doc.Element, "s", "Envelope")
	o.attr(env, "xmlns", "s", "http://www.w3.org/2003/05/soap-envelope")
	o.attr(env, "xmlns", "wsu", "urn:wsu")
	hdr := o.elem(env, "s", "Header")
	for i := 0; i < 11; i++ {
		h := o.elem(hdr, "wsa", fmt.Sprintf("H%d", i))
		o.attr(h, "wsu", "Id", fmt.Sprintf("id-%d", i))
		o.attr(h, "s", "mustUnderstand", "1")
		o.attr(h, "wsu", "Id", fmt.Sprintf("replaced-%d", i)) // CreateAttr replaces in place
		o.text(h, fmt.Sprintf("value %d", i))
	}
	many := o.elem(hdr, "", "Many")
	for i := 0; i < 9; i++ {
		o.attr(many, "", fmt.Sprintf("a%d", i), "v")
	}
	o.attr(many, "", "a3", "again")
	ws := o.elem(hdr, "", "WS")
	o.text(ws, " \n\t ") // SetText does not mark it white space
	o.text(o.elem(hdr, "", "Empty"), "")
	mixed := o.elem(hdr, "m", "Mixed")
	o.elem(mixed, "m", "First")
	o.text(mixed, "inserted before First") // SetText over existing children
	o.text(mixed, "replaced")
	odd := o.elem(hdr, "", "a:b:c") // space "a", tag "b:c"
	o.attr(odd, "", "x:y", "1")     // space "x"
	o.attr(odd, "p", "q:r", "2")    // space "p", key "q:r"
	o.elem(odd, "p:q", "r")         // space "p", tag "q:r"
	o.elem(odd, "", ":lead")
	o.attr(odd, "", ":lead", "3")

	str := o.elem(nil, "wsse", "SecurityTokenReference")
	o.attr(str, "xmlns", "wsse", "urn:wsse")
	r := o.elem(str, "wsse", "Reference")
	o.attr(r, "", "URI", "#x")
	body := o.elem(env, "s", "Body")
	dk := o.elem(body, "wsc", "DerivedKeyToken")
	o.add(dk, str)
	o.text(o.elem(dk, "wsc", "Nonce"), "AAAA")
	moved := o.elem(hdr, "", "Moved")
	o.add(body, moved) // AddChild removes it from hdr first
	return doc, str
}

// compareTrees fails unless a and b (corresponding tokens of two trees) are equal in every
// property a reader can observe: names, attributes (and what they point back to), children
// with Parent and Index, character data with its flags.
func compareTrees(t *testing.T, path string, a, b etree.Token, pairs map[*etree.Element]*etree.Element) {
	t.Helper()
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		t.Fatalf("%s: %T vs %T", path, a, b)
	}
	if a.Index() != b.Index() {
		t.Fatalf("%s: Index %d vs %d", path, a.Index(), b.Index())
	}
	if pa, pb := a.Parent(), b.Parent(); (pa == nil) != (pb == nil) || pa != nil && pairs[pa] != pb {
		t.Fatalf("%s: parents do not correspond", path)
	}
	switch x := a.(type) {
	case *etree.Element:
		y := b.(*etree.Element)
		pairs[x] = y
		if x.Space != y.Space || x.Tag != y.Tag {
			t.Fatalf("%s: name %q:%q vs %q:%q", path, x.Space, x.Tag, y.Space, y.Tag)
		}
		if len(x.Attr) != len(y.Attr) || len(x.Child) != len(y.Child) {
			t.Fatalf("%s: %d attributes, %d children vs %d, %d", path, len(x.Attr), len(x.Child), len(y.Attr), len(y.Child))
		}
		if (x.Attr == nil) != (y.Attr == nil) || (x.Child == nil) != (y.Child == nil) {
			t.Fatalf("%s: nil slice vs empty slice", path)
		}
		for i := range x.Attr {
			p, q := &x.Attr[i], &y.Attr[i]
			if p.Space != q.Space || p.Key != q.Key || p.Value != q.Value {
				t.Fatalf("%s/@%d: %+v vs %+v", path, i, *p, *q)
			}
			if pairs[p.Element()] != q.Element() {
				t.Fatalf("%s/@%s: Element() does not correspond", path, p.FullKey())
			}
		}
		for i := range x.Child {
			compareTrees(t, fmt.Sprintf("%s/%s[%d]", path, x.FullTag(), i), x.Child[i], y.Child[i], pairs)
		}
	case *etree.CharData:
		y := b.(*etree.CharData)
		if x.Data != y.Data || x.IsWhitespace() != y.IsWhitespace() || x.IsCData() != y.IsCData() {
			t.Fatalf("%s: text %q ws=%v cdata=%v vs %q ws=%v cdata=%v", path, x.Data, x.IsWhitespace(), x.IsCData(), y.Data, y.IsWhitespace(), y.IsCData())
		}
	}
}

// sameDocs compares two documents; pairs maps elements of want's side to got's side that
// the documents' attributes may point to from elsewhere (etree's Copy leaves copied
// attributes pointing to the original element). It returns pairs, extended.
func sameDocs(t *testing.T, want, got *etree.Document, pairs map[*etree.Element]*etree.Element) map[*etree.Element]*etree.Element {
	t.Helper()
	if pairs == nil {
		pairs = map[*etree.Element]*etree.Element{}
	}
	pairs[&want.Element] = &got.Element
	if len(want.Child) != len(got.Child) {
		t.Fatalf("%d vs %d top-level tokens", len(want.Child), len(got.Child))
	}
	for i := range want.Child {
		compareTrees(t, "", want.Child[i], got.Child[i], pairs)
	}
	// reflect.DeepEqual sees every field, unexported ones included (parent pointers, index,
	// character-data flags, attribute back-pointers), and ignores spare capacity.
	if !reflect.DeepEqual(want, got) {
		t.Fatal("trees differ (reflect.DeepEqual)")
	}
	ws, err := want.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	gs, err := got.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	if ws != gs {
		t.Fatalf("serializations differ:\netree   %s\nbuilder %s", ws, gs)
	}
	return pairs
}

func TestBuilderMatchesEtree(t *testing.T) {
	want, wstr := sample(etreeOps{})
	got, gstr := sample(builderOps{&Builder{}})
	sameDocs(t, want, got, nil)

	// A detached element has etree's Index -1 and no parent.
	var b Builder
	d := b.Element(nil, "x", "Free")
	if d.Index() != -1 || d.Parent() != nil || etree.NewElement("x:Free").Index() != -1 {
		t.Fatalf("detached element: Index %d Parent %v", d.Index(), d.Parent())
	}
	if wstr.Index() != gstr.Index() {
		t.Fatalf("attached STR Index %d vs %d", wstr.Index(), gstr.Index())
	}
	if !strings.Contains(mustString(t, got), `<a:b:c x:y="1" p:q:r="2" lead="3"><p:q:r/><lead/></a:b:c>`) {
		t.Fatalf("odd names: %s", mustString(t, got))
	}
}

func mustString(t *testing.T, doc *etree.Document) string {
	t.Helper()
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBuilderTreesMutate: etree's own mutations behave on builder-made trees as on
// etree-made ones, including appends beyond the arena capacity (which must reallocate, not
// overwrite the next slice in the chunk).
func TestBuilderTreesMutate(t *testing.T) {
	mutate := func(doc *etree.Document) *etree.Element {
		env := doc.Root()
		hdr := env.SelectElement("Header")
		h0 := hdr.SelectElement("H0")
		h0.CreateAttr("extra", "1") // beyond the attribute capacity
		h0.CreateAttr("s:mustUnderstand", "true")
		h0.RemoveAttr("wsu:Id")
		h0.CreateAttr("late", "2")
		h0.SetText("changed")
		h0.CreateElement("Kid").SetText("k") // child slice of a text-only element grows
		h1 := hdr.SelectElement("H1")
		h1.CreateElement("Appended")
		hdr.InsertChildAt(2, etree.NewElement("Inserted"))
		hdr.RemoveChild(hdr.SelectElement("H5"))
		hdr.InsertChildAt(0, hdr.SelectElement("H9")) // move within the parent
		body := env.SelectElement("Body")
		dk := body.SelectElement("DerivedKeyToken")
		dk.InsertChildAt(1, etree.NewText("\n"))
		dk.SelectElement("Nonce").CreateText(" more")
		body.CreateElement("Last").CreateAttr("a", "b")
		env.CreateAttr("xmlns:late", "urn:late")
		cp := hdr.Copy()
		cp.CreateAttr("copied", "yes")
		cp.SelectElement("H2").CreateAttr("in-copy", "yes")
		doc.Indent(1) // inserts white-space tokens everywhere
		return cp
	}
	want, _ := sample(etreeOps{})
	got, _ := sample(builderOps{&Builder{}})
	wc, gc := mutate(want), mutate(got)
	pairs := sameDocs(t, want, got, nil)
	wd, gd := etree.NewDocument(), etree.NewDocument()
	wd.SetRoot(wc)
	gd.SetRoot(gc)
	pairs = sameDocs(t, wd, gd, pairs)

	// The Builder keeps working on trees etree changed, and on copies.
	b := &Builder{}
	for _, doc := range []*etree.Document{want, got} {
		var o treeOps = etreeOps{}
		if doc == got {
			o = builderOps{b}
		}
		h0 := doc.Root().SelectElement("Header").SelectElement("H0")
		o.attr(h0, "", "extra", "replaced")
		o.attr(h0, "", "after", "3")
		o.text(o.elem(h0, "", "Kid2"), "k2")
		o.attr(doc.Root().SelectElement("Header").SelectElement("H2"), "", "more", "4")
	}
	pairs = sameDocs(t, want, got, pairs)
	for _, cp := range []*etree.Element{wc, gc} {
		// Attributes of an etree Copy still point to the original element; a new one must
		// point to the copy, as CreateAttr makes it.
		if cp == gc {
			b.Attr(cp, "", "on-copy", "1")
		} else {
			cp.CreateAttr("on-copy", "1")
		}
		if a := cp.SelectAttr("on-copy"); a == nil || a.Element() != cp {
			t.Fatalf("attribute added to a copy does not point to it")
		}
	}
	sameDocs(t, wd, gd, pairs)
}

// TestBuilderAllocations: a 40-element tree costs a handful of chunk allocations, where etree
// spends one or more per element, attribute slice, child slice and text.
func TestBuilderAllocations(t *testing.T) {
	build := func(o treeOps) {
		root := o.elem(nil, "ds", "Signature")
		o.attr(root, "xmlns", "ds", "urn:ds")
		si := o.elem(root, "ds", "SignedInfo")
		for i := 0; i < 6; i++ {
			r := o.elem(si, "ds", "Reference")
			o.attr(r, "", "URI", "#x")
			tr := o.elem(o.elem(r, "ds", "Transforms"), "ds", "Transform")
			o.attr(tr, "", "Algorithm", "urn:c14n")
			o.attr(o.elem(r, "ds", "DigestMethod"), "", "Algorithm", "urn:sha1")
			o.text(o.elem(r, "ds", "DigestValue"), "AAAA")
		}
	}
	withEtree := testing.AllocsPerRun(50, func() { build(etreeOps{}) })
	withBuilder := testing.AllocsPerRun(50, func() {
		b := &Builder{}
		b.Reserve(Sizes{Elements: 38, Texts: 6, Attrs: 19, Children: 60})
		build(builderOps{b})
	})
	t.Logf("etree %v allocations, Builder %v", withEtree, withBuilder)
	if withBuilder > 8 || withBuilder*10 > withEtree {
		t.Fatalf("Builder: %v allocations per tree (etree: %v)", withBuilder, withEtree)
	}
}

// TestArenaExtend: a slice grows in place only when it is the latest one cut from the chunk;
// otherwise it moves, and neither way touches a neighbour's values.
func TestArenaExtend(t *testing.T) {
	var a Arena[int]
	a.Reserve(16)
	x := append(a.Slice(2), 1, 2)
	x = a.Extend(x, 4) // latest: in place
	if &x[0] != &a.chunk[0] || cap(x) != 4 || a.used != 4 {
		t.Fatalf("not extended in place: cap %d used %d", cap(x), a.used)
	}
	x = append(x, 3, 4)
	y := append(a.Slice(2), 7, 8)
	x = a.Extend(x, 8) // no longer the latest: moves
	if &x[0] == &a.chunk[0] || cap(x) != 8 || len(x) != 4 {
		t.Fatalf("extend of an earlier slice: cap %d len %d", cap(x), len(x))
	}
	x = append(x, 5, 6, 7, 8)
	if fmt.Sprint(x, y) != "[1 2 3 4 5 6 7 8] [7 8]" {
		t.Fatalf("values %v %v", x, y)
	}
	// A value cut by One() after a slice ends that slice's chance to grow in place.
	z := append(a.Slice(1), 9)
	old := &z[0]
	o := a.One()
	*o = 10
	if z = a.Extend(z, 2); z[0] != 9 || *o != 10 || &z[0] == old {
		t.Fatalf("Extend after One(): %v, One() = %d", z, *o)
	}
	// At the end of a chunk there is no room: it moves to a new chunk.
	w := append(a.Slice(len(a.chunk)-a.used), 1)
	first := &a.chunk[0]
	if w = a.Extend(w, cap(w)+1); &a.chunk[0] == first || w[0] != 1 || a.lastAt != 0 {
		t.Fatalf("extend at the end of a chunk: %v", w)
	}
}

// TestAddCopy: AddCopy makes the tree parent.AddChild(el.Copy()) makes, for every token type
// and character-data flag (parsed white space is flagged, SetText's is not; CDATA).
func TestAddCopy(t *testing.T) {
	src := etree.NewDocument()
	src.ReadSettings.PreserveCData = true
	if err := src.ReadFromString(`<r xmlns:p="urn:p"><p:src a="1" p:b="2"> <k>text</k><![CDATA[cd]]><![CDATA[  ]]><!--c--><?pi x?>` +
		`<e/>tail</p:src></r>`); err != nil {
		t.Fatal(err)
	}
	el := src.Root().SelectElement("src")
	el.CreateElement("set").SetText("  \n") // white space without the flag
	el.InsertChildAt(1, etree.NewDirective("DIR"))
	want, got := etree.NewDocument(), etree.NewDocument()
	wp, gp := want.CreateElement("parent"), got.CreateElement("parent")
	wp.CreateElement("before")
	gp.CreateElement("before")
	wp.AddChild(el.Copy())
	b := &Builder{}
	c := b.AddCopy(gp, el)
	if c.Parent() != gp || c.Index() != 1 || len(el.Child) == 0 || el.Parent() == nil {
		t.Fatalf("copy at %d under %v; original changed", c.Index(), c.Parent())
	}
	pairs := map[*etree.Element]*etree.Element{el: el}
	for x := el; x != nil; x = x.Parent() { // attributes of both copies point to the originals
		pairs[x] = x
	}
	for _, e := range el.FindElements(".//*") {
		pairs[e] = e
	}
	sameDocs(t, want, got, pairs)
}
