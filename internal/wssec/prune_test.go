package wssec

import (
	"bytes"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/xmlsec/c14n"
)

// TestApplyDeclaresOnce: the Security header of a protected message declares wsse once and
// reuses the Envelope's wsu; the message still verifies (TestApplyCheckRoundTrip covers every
// policy after pruning).
func TestApplyDeclaresOnce(t *testing.T) {
	doc := appMessage(t, soap.V12, wsrm.V200702)
	if _, err := Apply(doc, testToken, p11(), testNow, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	codec.WriteDocument(&buf, doc)
	out := buf.String()
	for decl, want := range map[string]int{`xmlns:wsse="`: 1, `xmlns:wsu="`: 1, `xmlns:wsc="`: 1} {
		if n := strings.Count(out, decl); n != want {
			t.Errorf("%s appears %d times, want %d:\n%s", decl, n, want, out)
		}
	}
	if _, err := Check(reparse(t, doc), checkOpts()); err != nil {
		t.Fatal(err)
	}
}

// TestPruneDeclarations: only a declaration repeating the binding in scope goes; a rebinding
// to another URI, a first declaration and the default namespace's rules are kept, and the
// canonical form of the subtree is unchanged.
func TestPruneDeclarations(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<r xmlns:a="urn:a" xmlns="urn:d"><s xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d">` +
		`<a:t xmlns:a="urn:other" xmlns:b="urn:b"><a:u xmlns:a="urn:other" xmlns=""/></a:t><b:v xmlns:b="urn:b" xmlns:a="urn:a"/></s></r>`); err != nil {
		t.Fatal(err)
	}
	s := doc.Root().SelectElement("s")
	var before, after bytes.Buffer
	if err := c14n.Canonicalize(&before, s, c14n.Options{InclusivePrefixes: []string{"a", "b", "#default"}}); err != nil {
		t.Fatal(err)
	}
	pruneDeclarations(s)
	if err := c14n.Canonicalize(&after, s, c14n.Options{InclusivePrefixes: []string{"a", "b", "#default"}}); err != nil {
		t.Fatal(err)
	}
	if before.String() != after.String() {
		t.Fatalf("canonical form changed:\n%s\n%s", before.String(), after.String())
	}
	got, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	want := `<r xmlns:a="urn:a" xmlns="urn:d"><s xmlns:b="urn:b">` +
		`<a:t xmlns:a="urn:other"><a:u xmlns=""/></a:t><b:v/></s></r>`
	if got != want {
		t.Fatalf("pruned:\n got %s\nwant %s", got, want)
	}
}
