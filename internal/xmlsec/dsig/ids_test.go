package dsig

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/beevik/etree"
)

// idIndexMap is idIndex as it was before idTable (a map), the reference of TestIDIndex.
func idIndexMap(root *etree.Element) (map[string]*etree.Element, error) {
	idx := map[string]*etree.Element{}
	stack := []*etree.Element{root}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for i := range e.Attr {
			a := &e.Attr[i]
			isID := (a.Space == "" && (a.Key == "Id" || a.Key == "ID")) ||
				(a.Space == "xml" && a.Key == "id") ||
				(a.Space != "" && a.Space != "xmlns" && a.Key == "Id" && a.NamespaceURI() == NSWSU)
			if !isID {
				continue
			}
			if prev, dup := idx[a.Value]; dup && prev != e {
				return nil, fail(ErrDuplicateID, "#"+a.Value, "elements %s and %s share the ID", prev.FullTag(), e.FullTag())
			}
			idx[a.Value] = e
		}
		for c := range e.ChildElementsSeq() {
			stack = append(stack, c)
		}
	}
	return idx, nil
}

// TestIDIndex: on documents with up to twice maxIDList IDs of every form (so that idTable
// moves from its list to its map), some repeated on one element or across elements,
// idIndex finds what the map-based index found and refuses duplicates with the same error.
func TestIDIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var dups, clean int
	for i := 0; i < 2000; i++ {
		root := etree.NewElement("root")
		root.CreateAttr("xmlns:wsu", NSWSU)
		root.CreateAttr("xmlns:other", "urn:other")
		n := r.IntN(2*maxIDList + 8)
		for j := 0; j < n; j++ {
			parent := root
			if kids := root.ChildElements(); len(kids) > 0 && r.IntN(2) == 0 {
				parent = kids[r.IntN(len(kids))]
			}
			e := parent.CreateElement(fmt.Sprintf("e%d", j))
			id := fmt.Sprintf("id-%d", j)
			if r.IntN(60) == 0 {
				id = fmt.Sprintf("id-%d", r.IntN(j+1)) // maybe a duplicate
			}
			switch r.IntN(5) {
			case 0:
				e.CreateAttr("Id", id)
			case 1:
				e.CreateAttr("ID", id)
			case 2:
				e.CreateAttr("xml:id", id)
			case 3:
				e.CreateAttr("other:Id", id) // not an ID
			default:
				e.CreateAttr("wsu:Id", id)
			}
			if r.IntN(20) == 0 {
				e.CreateAttr("Id", id) // the same ID twice on one element is no duplicate
			}
		}
		got, err := idIndex(root, nil)
		want, werr := idIndexMap(root)
		if fmt.Sprint(err) != fmt.Sprint(werr) {
			t.Fatalf("doc %d: error %v, map index %v", i, err, werr)
		}
		if err != nil {
			dups++
			continue
		}
		clean++
		for id, el := range want {
			if g, ok := got.get(id); !ok || g != el {
				t.Fatalf("doc %d: ID %s", i, id)
			}
		}
		if _, ok := got.get("missing"); ok {
			t.Fatal("found a missing ID")
		}
		if got.m == nil && len(got.list) != len(want) || got.m != nil && len(got.m) != len(want) {
			t.Fatalf("doc %d: %d IDs, want %d", i, len(got.list)+len(got.m), len(want))
		}
	}
	if dups < 100 || clean < 100 {
		t.Fatalf("unbalanced: %d with duplicates, %d without", dups, clean)
	}
}
