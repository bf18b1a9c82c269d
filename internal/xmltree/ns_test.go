package xmltree

import (
	"testing"

	"github.com/beevik/etree"
)

func TestDeclarations(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<r xmlns="urn:d" xmlns:a="urn:a" a:x="1" b="2"/>`); err != nil {
		t.Fatal(err)
	}
	r := doc.Root()
	var got []string
	for _, a := range r.Attr {
		if p, ok := Declaration(a); ok {
			got = append(got, "["+p+"]")
		}
	}
	if len(got) != 2 || got[0] != "[]" || got[1] != "[a]" {
		t.Fatalf("declarations %v", got)
	}
	for p, want := range map[string]bool{"": true, "a": true, "b": false, "x": false} {
		if DeclaresPrefix(r, p) != want {
			t.Errorf("DeclaresPrefix(%q) = %v", p, !want)
		}
	}
}
