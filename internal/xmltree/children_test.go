package xmltree

import (
	"testing"

	"github.com/beevik/etree"
)

func tree(t *testing.T) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<r>text<a/><!--c--><b>x</b> <c/></r>`); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

func TestChildren(t *testing.T) {
	r := tree(t)
	var a [2]*etree.Element
	got := Children(a[:0], r)
	if len(got) != 3 || got[0].Tag != "a" || got[1].Tag != "b" || got[2].Tag != "c" {
		t.Fatalf("Children = %v", got)
	}
	for i, want := range []string{"a", "b", "c"} {
		if c := ChildAt(r, i); c == nil || c.Tag != want {
			t.Fatalf("ChildAt(%d) = %v, want %s", i, c, want)
		}
	}
	if c := ChildAt(r, 3); c != nil {
		t.Fatalf("ChildAt(3) = %v, want nil", c)
	}
	if got := Children(nil, got[2]); len(got) != 0 {
		t.Fatalf("Children of an empty element = %v", got)
	}
}

func TestChildrenAllocationFree(t *testing.T) {
	r := tree(t)
	allocs := testing.AllocsPerRun(100, func() {
		var a [8]*etree.Element
		_ = Children(a[:0], r)
		_ = ChildAt(r, 2)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run, want 0", allocs)
	}
}
