package c14n

import (
	"bytes"
	"testing"

	"github.com/beevik/etree"
)

// FuzzCanonicalize: for any input etree accepts, canonicalization of the
// whole document and of one chosen subtree never panics, never modifies
// the tree, stays within the node budget, and is idempotent: parsing the
// canonical output and canonicalizing it again yields the same octets.
func FuzzCanonicalize(f *testing.F) {
	seeds := []string{soapEnv, excSpecWant,
		`<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>`,
		`<r xmlns="urn:a"><p:x xmlns:p="urn:p"><y xmlns=""/></p:x></r>`,
		`<r xmlns:z="urn:a" xmlns:a="urn:z" a:k="2" z:k="1" b="3"/>`,
		"<?pi x?><!--c--><r a=\"&#9;\t\r\n\">&#13;<![CDATA[<&>]]></r><!--d-->",
		`<p:r xmlns:p="urn:p" xmlns="urn:d"><p:x xmlns=""/></p:r>`,
	}
	for i := range 8 {
		seeds = append(seeds, generate(uint64(1000+i)).text())
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), "#default a")
	}
	f.Fuzz(func(t *testing.T, raw []byte, sel uint8, prefixList string) {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(NormalizeInput(raw)); err != nil || doc.Root() == nil {
			return
		}
		opt := Options{WithComments: sel&1 == 1, InclusivePrefixes: ParsePrefixList(prefixList), MaxNodes: 1 << 16}
		before := serialize(t, doc)

		var whole bytes.Buffer
		if err := CanonicalizeDocument(&whole, doc, opt); err == nil {
			checkIdempotent(t, whole.Bytes(), opt)
		}
		els := doc.FindElements("//*")
		el := els[int(sel>>1)%len(els)]
		var sub bytes.Buffer
		if err := Canonicalize(&sub, el, opt); err == nil {
			checkIdempotent(t, sub.Bytes(), opt)
		}
		if after := serialize(t, doc); after != before {
			t.Fatalf("tree modified:\n%s\n%s", before, after)
		}
	})
}

func checkIdempotent(t *testing.T, canon []byte, opt Options) {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(canon); err != nil {
		t.Fatalf("canonical output does not parse: %v\n%q", err, canon)
	}
	var again bytes.Buffer
	if err := CanonicalizeDocument(&again, doc, opt); err != nil {
		t.Fatalf("canonical output fails to canonicalize: %v\n%q", err, canon)
	}
	if !bytes.Equal(again.Bytes(), canon) {
		t.Fatalf("not idempotent:\nfirst  %q\nsecond %q", canon, again.Bytes())
	}
}
