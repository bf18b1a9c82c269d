package c14n

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

func TestUndeclaredPrefix(t *testing.T) {
	cases := []struct{ in, id, wantMsg string }{
		{`<p:r/>`, "", `"p" on element <p:r>`},
		{`<r><x q:a="1"/></r>`, "", `"q" on attribute q:a of element <x>`},
		{`<r xmlns:p="urn:p"><e id="x"><p:y/><q:z/></e></r>`, "x", `"q" on element <q:z>`},
		// XML 1.1 style undeclaration counts as undeclared.
		{`<r xmlns:p="urn:p"><p:x xmlns:p=""/></r>`, "", `"p" on element <p:x>`},
	}
	for _, c := range cases {
		d := parseDoc(t, c.in)
		var err error
		if c.id == "" {
			_, err = canonDocument(t, d, Options{})
		} else {
			_, err = canonSubtree(t, d, c.id, Options{})
		}
		if !errors.Is(err, ErrUndeclaredPrefix) || !strings.Contains(err.Error(), c.wantMsg) {
			t.Errorf("%s: err = %v, want ErrUndeclaredPrefix mentioning %s", c.in, err, c.wantMsg)
		}
	}
}

func TestRelativeNamespace(t *testing.T) {
	for _, in := range []string{
		`<r xmlns="rel/x"/>`,
		`<r xmlns:p="../p"><p:x/></r>`,
		`<r xmlns:p="p"/>`, // declared in the node-set, even if unused
	} {
		if _, err := canonDocument(t, parseDoc(t, in), Options{}); !errors.Is(err, ErrRelativeNamespace) {
			t.Errorf("%s: err = %v, want ErrRelativeNamespace", in, err)
		}
	}
	// A relative declaration on an ancestor fails only when rendered.
	d := parseDoc(t, `<r xmlns:p="p" xmlns:q="q"><q:e id="x"/><e id="y"/></r>`)
	if _, err := canonSubtree(t, d, "x", Options{}); !errors.Is(err, ErrRelativeNamespace) {
		t.Errorf("rendered relative URI from context: err = %v", err)
	}
	if got, err := canonSubtree(t, d, "y", Options{}); err != nil || got != `<e id="y"></e>` {
		t.Errorf("unrendered relative URI in context: %q, %v", got, err)
	}
	for _, ok := range []string{"urn:x", "http://a/b", "a+b-c.d:x", "x:"} {
		if !absoluteURI(ok) {
			t.Errorf("absoluteURI(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", ":x", "1a:b", "a/b:c", "a b:c", "abc"} {
		if absoluteURI(bad) {
			t.Errorf("absoluteURI(%q) = true", bad)
		}
	}
}

func TestDuplicateExpandedAttribute(t *testing.T) {
	d := parseDoc(t, `<r xmlns:a="urn:1" xmlns:b="urn:1"><e a:x="1" b:x="2"/></r>`)
	if _, err := canonDocument(t, d, Options{}); !errors.Is(err, ErrDuplicateAttr) || !strings.Contains(err.Error(), "{urn:1}x") {
		t.Fatalf("err = %v, want ErrDuplicateAttr naming {urn:1}x", err)
	}
	// Same local name in different namespaces is fine.
	d = parseDoc(t, `<r xmlns:a="urn:1" xmlns:b="urn:2" a:x="1" b:x="2" x="3"/>`)
	if got, err := canonDocument(t, d, Options{}); err != nil || got != `<r xmlns:a="urn:1" xmlns:b="urn:2" x="3" a:x="1" b:x="2"></r>` {
		t.Fatalf("%q, %v", got, err)
	}
}

func TestNodeBudget(t *testing.T) {
	// r(1) + a(1 attr) x3 ... count: r=1, 3 children "a" with one attribute
	// each = 6, 3 text nodes = 3 → 10 nodes.
	d := parseDoc(t, `<r><a k="1">t</a><a k="2">t</a><a k="3">t</a></r>`)
	if _, err := canonDocument(t, d, Options{MaxNodes: 11}); err != nil {
		t.Fatalf("budget 11: %v", err) // 10 nodes + the document-level token
	}
	_, err := canonDocument(t, d, Options{MaxNodes: 10})
	if !errors.Is(err, ErrNodeBudget) || !strings.Contains(err.Error(), "10") {
		t.Fatalf("budget 10: err = %v", err)
	}
	// A subtree pays for its ancestors too (here the document node).
	if _, err := canonSubtree(t, d, "", Options{MaxNodes: 11}); err != nil {
		t.Fatalf("subtree budget 11: %v", err)
	}
	if _, err := canonSubtree(t, d, "", Options{MaxNodes: 10}); !errors.Is(err, ErrNodeBudget) {
		t.Fatalf("subtree budget 10: err = %v", err)
	}
	if _, err := canonSubtree(t, d, "", Options{MaxNodes: -1}); err == nil {
		t.Fatal("negative MaxNodes accepted")
	}
}

// TestCyclicTreeTerminates: a tree whose child list loops back (only
// possible by editing Child directly) must hit the budget, not hang.
func TestCyclicTreeTerminates(t *testing.T) {
	a := etree.NewElement("a")
	b := a.CreateElement("b")
	b.Child = append(b.Child, a)
	err := Canonicalize(io.Discard, a, Options{MaxNodes: 1000})
	if !errors.Is(err, ErrNodeBudget) {
		t.Fatalf("cycle: err = %v", err)
	}
	// A parent chain that loops is caught while loading the context.
	x := etree.NewElement("x")
	y := x.CreateElement("y")
	y.AddChild(x) // x.parent = y, y.parent = x
	if err := Canonicalize(io.Discard, y, Options{MaxNodes: 1000}); !errors.Is(err, ErrNodeBudget) {
		t.Fatalf("parent cycle: err = %v", err)
	}
}

func TestDeepTreeNoRecursion(t *testing.T) {
	const depth = 200000
	root := etree.NewElement("r")
	cur := root
	for range depth {
		cur = cur.CreateElement("e")
	}
	var n countWriter
	if err := Canonicalize(&n, root, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := len("<r></r>") + depth*len("<e></e>"); n.n != want {
		t.Fatalf("wrote %d octets, want %d", n.n, want)
	}
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestWriteErrorPropagates(t *testing.T) {
	big := strings.Repeat("x", 3*bufSize)
	d := parseDoc(t, "<r>"+big+"</r>")
	for _, after := range []int{0, 1, 2} {
		err := Canonicalize(&failWriter{after: after}, d.Root(), Options{})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("after %d writes: err = %v", after, err)
		}
	}
}

func TestBadInputs(t *testing.T) {
	if err := Canonicalize(io.Discard, nil, Options{}); err == nil {
		t.Error("nil element accepted")
	}
	if err := Canonicalize(nil, etree.NewElement("a"), Options{}); err == nil {
		t.Error("nil writer accepted")
	}
	if err := CanonicalizeDocument(io.Discard, nil, Options{}); err == nil {
		t.Error("nil document accepted")
	}
	if err := CanonicalizeDocument(io.Discard, etree.NewDocument(), Options{}); err == nil {
		t.Error("empty document accepted")
	}
	two := etree.NewDocument()
	two.CreateElement("a")
	two.CreateElement("b")
	if err := CanonicalizeDocument(io.Discard, two, Options{}); err == nil {
		t.Error("two document elements accepted")
	}
	txt := etree.NewDocument()
	txt.CreateText("junk")
	txt.CreateElement("a")
	if err := CanonicalizeDocument(io.Discard, txt, Options{}); err == nil {
		t.Error("text outside the document element accepted")
	}
	nilDoc := etree.NewDocument()
	nilDoc.Child = append(nilDoc.Child, (*etree.Comment)(nil), (*etree.ProcInst)(nil), (*etree.CharData)(nil))
	nilDoc.CreateElement("a")
	if err := CanonicalizeDocument(io.Discard, nilDoc, Options{WithComments: true}); err != nil {
		t.Errorf("nil non-element tokens at document level: %v", err)
	}
	nilDoc.Child = append(nilDoc.Child, (*etree.Element)(nil))
	if err := CanonicalizeDocument(io.Discard, nilDoc, Options{}); err == nil {
		t.Error("nil document element accepted")
	}
	nilChild := etree.NewElement("a")
	nilChild.Child = append(nilChild.Child, (*etree.Element)(nil), nil, (*etree.CharData)(nil))
	if err := Canonicalize(io.Discard, nilChild, Options{}); err == nil {
		t.Error("nil child element accepted")
	}
	var b bytes.Buffer
	if err := Canonicalize(&b, etree.NewElement("xmlns:a"), Options{}); err == nil {
		t.Errorf("element with prefix xmlns accepted: %s", b.String())
	}
}

// TestPooledStateIsolation: state from a failed call must not leak into the
// next call (the per-call state is pooled).
func TestPooledStateIsolation(t *testing.T) {
	bad := parseDoc(t, `<r xmlns:p="urn:p" xmlns="urn:d"><p:x><q:y/></p:x></r>`)
	good := parseDoc(t, `<r><x/></r>`)
	for range 10 {
		if _, err := canonDocument(t, bad, Options{InclusivePrefixes: []string{"p"}}); err == nil {
			t.Fatal("expected an error")
		}
		got, err := canonDocument(t, good, Options{})
		if err != nil || got != `<r><x></x></r>` {
			t.Fatalf("after a failed call: %q, %v", got, err)
		}
	}
}
