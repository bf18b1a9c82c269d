package codec

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// randomTree builds a tree whose names exercise every rule of prefix resolution: prefixes
// declared on the element itself or an ancestor, redeclared deeper, declared twice on one
// element (the first wins), bound to "" (undeclared), never declared, the default namespace
// and xmlns="", the xml and xmlns prefixes, and a few names that are not namespace-well-
// formed (empty, with a colon).
func randomTree(r *rand.Rand, depth int) *etree.Element {
	prefixes := []string{"", "a", "b", "c", "xml", "xmlns"}
	uris := []string{"urn:1", "urn:2", "urn:3", ""}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	tag := func() string {
		switch r.IntN(40) {
		case 0:
			return ""
		case 1:
			return "x:y"
		}
		return pick([]string{"E", "F", "G"})
	}
	var build func(d int) *etree.Element
	build = func(d int) *etree.Element {
		e := etree.NewElement(tag())
		e.Space = pick(prefixes)
		for n := r.IntN(4); n > 0; n-- {
			switch r.IntN(5) {
			case 0, 1:
				p := pick([]string{"a", "b", "c", "xml"})
				e.CreateAttr("xmlns:"+p, pick(uris))
				if r.IntN(4) == 0 {
					// A second declaration of p on the same element: CreateAttr would replace
					// the first, so an attribute is created under another name and renamed.
					a := e.CreateAttr("xmlns:dup-tmp", pick(uris))
					a.Key = p
				}
			case 2:
				e.CreateAttr("xmlns", pick(uris))
			default:
				a := e.CreateAttr("k"+fmt.Sprint(r.IntN(3)), "v")
				a.Space = pick(prefixes)
				if r.IntN(30) == 0 {
					a.Key = ""
				}
			}
		}
		if d < depth {
			for n := r.IntN(4); n > 0; n-- {
				if r.IntN(3) == 0 {
					e.CreateText("t")
				}
				e.AddChild(build(d + 1))
			}
		}
		return e
	}
	return build(1)
}

// TestNSScopeMatchesEtree: on random trees, the scope kept by a depth-first walk resolves
// every prefixed element and attribute name to what etree's NamespaceURI gives.
func TestNSScopeMatchesEtree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for i := 0; i < 3000; i++ {
		root := randomTree(r, 6)
		var s nsScope
		var walk func(e *etree.Element)
		walk = func(e *etree.Element) {
			mark := len(s)
			s = s.enter(e)
			if e.Space != "" {
				if got, want := s.lookup(e.Space), e.NamespaceURI(); got != want {
					t.Fatalf("tree %d: element %s resolves to %q, etree %q", i, e.FullTag(), got, want)
				}
				checked++
			}
			for j := range e.Attr {
				a := &e.Attr[j]
				if a.Space == "" {
					continue
				}
				if got, want := s.lookup(a.Space), a.NamespaceURI(); got != want {
					t.Fatalf("tree %d: attribute %s of %s resolves to %q, etree %q", i, a.FullKey(), e.FullTag(), got, want)
				}
				checked++
			}
			for c := range e.ChildElementsSeq() {
				walk(c)
			}
			s = s[:mark]
		}
		walk(root)
	}
	if checked < 10000 {
		t.Fatalf("only %d names checked", checked)
	}
}

// checkTreeEtree is checkTree as it was before nsScope: names resolved by etree, elements
// visited by an explicit stack. The reference for TestCheckTreeMatchesEtree.
func checkTreeEtree(root *etree.Element, max int) error {
	type item struct {
		e *etree.Element
		d int
	}
	stack := []item{{root, 1}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.d > max {
			return fmt.Errorf("element nesting deeper than %d levels", max)
		}
		e := it.e
		bad := func(name string) bool { return name == "" || strings.Contains(name, ":") }
		if bad(e.Tag) || (e.Space != "" && e.NamespaceURI() == "" && e.Space != "xmlns") {
			return fmt.Errorf("element <%s> is not namespace-well-formed (undeclared or empty prefix, or empty local name)", e.FullTag())
		}
		for _, a := range e.Attr {
			if bad(a.Key) {
				return fmt.Errorf("attribute %q of <%s> is not namespace-well-formed", a.FullKey(), e.FullTag())
			}
			if a.Space != "" && a.Space != "xmlns" && a.Space != "xml" && a.NamespaceURI() == "" {
				return fmt.Errorf("attribute %q of <%s> uses an undeclared prefix", a.FullKey(), e.FullTag())
			}
		}
		for c := range it.e.ChildElementsSeq() {
			stack = append(stack, item{c, it.d + 1})
		}
	}
	return nil
}

// TestCheckTreeMatchesEtree: checkTree accepts and refuses exactly what the etree-based walk
// did, with the same message (the same first fault), depth limit included.
func TestCheckTreeMatchesEtree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ok, bad int
	for i := 0; i < 5000; i++ {
		root := randomTree(r, 7)
		for _, max := range []int{1, 3, 5, 100} {
			got, want := checkTree(root, max), checkTreeEtree(root, max)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("tree %d, max %d: checkTree %v, etree walk %v", i, max, got, want)
			}
			if got == nil {
				ok++
			} else {
				bad++
			}
		}
	}
	if ok < 500 || bad < 500 {
		t.Fatalf("unbalanced cases: %d accepted, %d refused", ok, bad)
	}
}

// TestCheckTreeDeep: a tree deeper than the frame array (and than the limit) is walked and
// refused without recursion.
func TestCheckTreeDeep(t *testing.T) {
	root := etree.NewElement("r")
	e := root
	for i := 0; i < 500; i++ {
		e = e.CreateElement("c")
	}
	if err := checkTree(root, 1000); err != nil {
		t.Fatal(err)
	}
	if err := checkTree(root, 400); err == nil || !strings.Contains(err.Error(), "deeper than 400") {
		t.Fatalf("got %v", err)
	}
}

// TestParentScopeMatchesEtree: the parent shortcut of children resolves every child as
// etree's NamespaceURI does, default namespace included.
func TestParentScopeMatchesEtree(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		var walk func(e *etree.Element)
		walk = func(e *etree.Element) {
			s := parentScope{parent: e}
			for c := range e.ChildElementsSeq() {
				if got, want := s.ns(c), c.NamespaceURI(); got != want {
					t.Fatalf("tree %d: child %s of %s resolves to %q, etree %q", i, c.FullTag(), e.FullTag(), got, want)
				}
				if !s.is(c, c.NamespaceURI(), c.Tag) || s.is(c, c.NamespaceURI()+"x", c.Tag) || s.is(nil, "", "") {
					t.Fatal("is")
				}
				walk(c)
			}
		}
		walk(randomTree(r, 6))
	}
}

// TestChildrenWalk: take, count, takeAll and rest see the element children in order and skip
// other tokens.
func TestChildrenWalk(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<p xmlns="urn:p" xmlns:q="urn:q">t<a/><!--c--><a/> <q:b/><c xmlns="urn:other"/>x<d/></p>`); err != nil {
		t.Fatal(err)
	}
	c := childrenOf(doc.Root())
	if n := c.count("urn:p", "a"); n != 2 {
		t.Fatalf("count %d", n)
	}
	if c.take("urn:p", "b") != nil || c.take("urn:q", "a") != nil {
		t.Fatal("take of a name that is not next")
	}
	if as := c.takeAll("urn:p", "a"); len(as) != 2 {
		t.Fatalf("takeAll %d", len(as))
	}
	if b := c.take("urn:q", "b"); b == nil || b.Tag != "b" {
		t.Fatal("q:b")
	}
	if c.take("urn:p", "c") != nil {
		t.Fatal("c redeclares the default namespace")
	}
	rest := c.rest()
	if len(rest) != 2 || rest[0].Tag != "c" || rest[1].Tag != "d" {
		t.Fatalf("rest %v", rest)
	}
	if c.rest() != nil || c.take("urn:p", "d") != nil {
		t.Fatal("walk not at its end")
	}
}
