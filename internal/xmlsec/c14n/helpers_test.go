package c14n

import (
	"bytes"
	"testing"

	"github.com/beevik/etree"
)

func parseDoc(t testing.TB, s string) *etree.Document {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(s); err != nil {
		t.Fatalf("parse: %v\n%s", err, s)
	}
	return d
}

func serialize(t testing.TB, d *etree.Document) string {
	t.Helper()
	s, err := d.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// findByID returns the first element (document order) with an attribute of
// local name Id or id and the given value.
func findByID(root *etree.Element, id string) *etree.Element {
	if root == nil {
		return nil
	}
	for _, a := range root.Attr {
		if (a.Key == "Id" || a.Key == "id") && a.Space != "xmlns" && a.Value == id {
			return root
		}
	}
	for _, ch := range root.ChildElements() {
		if e := findByID(ch, id); e != nil {
			return e
		}
	}
	return nil
}

// canonSubtree canonicalizes the element with the given Id and asserts that
// the tree serializes identically before and after.
func canonSubtree(t testing.TB, d *etree.Document, id string, opt Options) (string, error) {
	t.Helper()
	el := d.Root()
	if id != "" {
		el = findByID(d.Root(), id)
		if el == nil {
			t.Fatalf("no element with Id %q", id)
		}
	}
	before := serialize(t, d)
	var b bytes.Buffer
	err := Canonicalize(&b, el, opt)
	if after := serialize(t, d); after != before {
		t.Fatalf("Canonicalize modified the tree:\nbefore %s\nafter  %s", before, after)
	}
	return b.String(), err
}

func canonDocument(t testing.TB, d *etree.Document, opt Options) (string, error) {
	t.Helper()
	before := serialize(t, d)
	var b bytes.Buffer
	err := CanonicalizeDocument(&b, d, opt)
	if after := serialize(t, d); after != before {
		t.Fatalf("CanonicalizeDocument modified the tree:\nbefore %s\nafter  %s", before, after)
	}
	return b.String(), err
}

// normalizeLineEnds turns CRLF and lone CR into LF (XML 1.0 §2.11), for feeding xmlsec1,
// whose file parser leaves CRLF inside CDATA unnormalized.
func normalizeLineEnds(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		if src[i] != '\r' {
			out = append(out, src[i])
			continue
		}
		out = append(out, '\n')
		if i+1 < len(src) && src[i+1] == '\n' {
			i++
		}
	}
	return out
}
