package xenc

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/xmltree"
)

const (
	nsSOAP = "http://www.w3.org/2003/05/soap-envelope"
	nsWSRM = "http://docs.oasis-open.org/ws-rx/wsrm/200702"
	nsWSU  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	nsWSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
)

// testEnvelope declares every prefix (and a default namespace) on soap:Envelope only, and its
// Body holds mixed content: text, elements from several namespaces, prefixed attributes,
// escaped characters, a carriage return, a comment, a CDATA section and QName-valued text.
const testEnvelope = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` +
	`xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsrm="http://docs.oasis-open.org/ws-rx/wsrm/200702" ` +
	`xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" ` +
	`xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns="urn:example:default">` +
	`<s:Header><wsa:Action s:mustUnderstand="1">http://docs.oasis-open.org/ws-rx/wsrm/200702/CreateSequence</wsa:Action>` +
	`<wsrm:Sequence u:Id="seq-1" s:mustUnderstand="1"><wsrm:Identifier>urn:uuid:6b1a9c1e-0000-4000-8000-000000000001</wsrm:Identifier>` +
	`<wsrm:MessageNumber>1</wsrm:MessageNumber></wsrm:Sequence>` +
	`<wsse:Security><wsse:SecurityTokenReference><wsse:Reference URI="#sct-1"/></wsse:SecurityTokenReference></wsse:Security></s:Header>` +
	`<s:Body u:Id="body-1">lead text &amp; more ` +
	`<wsrm:CreateSequence><wsrm:AcksTo><wsa:Address>http://example.org/acks?a=1&amp;b=2</wsa:Address></wsrm:AcksTo>` +
	`<!-- offer follows --><wsrm:Offer u:Id="offer"><wsrm:Identifier>urn:uuid:offer</wsrm:Identifier></wsrm:Offer></wsrm:CreateSequence>` +
	`<Plain attr="tab&#x9;nl&#xA;quote&quot;lt&lt;">default ns &lt;x&gt; cr&#xD;lf</Plain>` +
	`<![CDATA[cdata <not markup> & raw]]>` +
	`<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>wsrm:UnknownSequence</s:Value></s:Subcode></s:Code></s:Fault>` +
	` trailing text</s:Body></s:Envelope>`

var (
	blockAlgURIs = []string{AES128CBC, AES192CBC, AES256CBC, AES128GCM, AES192GCM, AES256GCM}
	keySizes     = map[string]int{AES128CBC: 16, AES192CBC: 24, AES256CBC: 32, AES128GCM: 16, AES192GCM: 24, AES256GCM: 32}
)

func shortName(alg string) string { return alg[strings.LastIndexByte(alg, '#')+1:] }

func newKey(t testing.TB, n int) []byte {
	t.Helper()
	k := make([]byte, n)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func parseDoc(t testing.TB, s string) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	if err := doc.ReadFromString(s); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

func writeDoc(t testing.TB, doc *etree.Document) string {
	t.Helper()
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// find returns the first element {ns}local in document order (iteratively), or nil.
func find(root *etree.Element, ns, local string) *etree.Element {
	stack := []*etree.Element{root}
	for len(stack) > 0 {
		e := stack[0]
		stack = stack[1:]
		if e.Tag == local && e.NamespaceURI() == ns {
			return e
		}
		stack = append(e.ChildElements(), stack...)
	}
	return nil
}

func mustFind(t testing.TB, root *etree.Element, ns, local string) *etree.Element {
	t.Helper()
	e := find(root, ns, local)
	if e == nil {
		t.Fatalf("no {%s}%s", ns, local)
	}
	return e
}

// sameNodes compares two node lists by namespace-aware structure: element namespace URI and
// local name, non-declaration attributes by (namespace URI, local name, value), adjacent
// character data merged (CDATA or not), comments. Prefixes and redundant declarations do not
// matter, so it can compare our trees with what xmlsec1 serialized.
func sameNodes(a, b []etree.Token) error {
	na, nb := normalize(a), normalize(b)
	if len(na) != len(nb) {
		return fmt.Errorf("%d nodes vs %d: %s | %s", len(na), len(nb), describe(na), describe(nb))
	}
	for i := range na {
		if err := sameNode(na[i], nb[i]); err != nil {
			return err
		}
	}
	return nil
}

type node struct {
	kind string // "el", "text", "comment", "pi"
	el   *etree.Element
	data string
}

func normalize(ts []etree.Token) []node {
	var out []node
	for _, t := range ts {
		switch t := t.(type) {
		case *etree.Element:
			out = append(out, node{kind: "el", el: t})
		case *etree.CharData:
			if n := len(out); n > 0 && out[n-1].kind == "text" {
				out[n-1].data += t.Data
			} else {
				out = append(out, node{kind: "text", data: t.Data})
			}
		case *etree.Comment:
			out = append(out, node{kind: "comment", data: t.Data})
		case *etree.ProcInst:
			out = append(out, node{kind: "pi", data: t.Target + " " + t.Inst})
		}
	}
	return out
}

func describe(ns []node) string {
	var parts []string
	for _, n := range ns {
		if n.kind == "el" {
			parts = append(parts, "<"+n.el.FullTag()+">")
		} else {
			parts = append(parts, fmt.Sprintf("%s(%q)", n.kind, n.data))
		}
	}
	return strings.Join(parts, " ")
}

func sameNode(a, b node) error {
	if a.kind != b.kind || a.data != b.data {
		return fmt.Errorf("%s(%q) vs %s(%q)", a.kind, a.data, b.kind, b.data)
	}
	if a.kind != "el" {
		return nil
	}
	if a.el.Tag != b.el.Tag || a.el.NamespaceURI() != b.el.NamespaceURI() {
		return fmt.Errorf("{%s}%s vs {%s}%s", a.el.NamespaceURI(), a.el.Tag, b.el.NamespaceURI(), b.el.Tag)
	}
	if aa, ba := attrSet(a.el), attrSet(b.el); aa != ba {
		return fmt.Errorf("attributes of %s: %s vs %s", a.el.Tag, aa, ba)
	}
	if err := sameNodes(a.el.Child, b.el.Child); err != nil {
		return fmt.Errorf("in %s: %w", a.el.Tag, err)
	}
	return nil
}

func attrSet(e *etree.Element) string {
	var parts []string
	for _, a := range e.Attr {
		if _, ok := xmltree.Declaration(a); ok {
			continue
		}
		ns := ""
		if a.Space != "" {
			ns = lookupNS(e, a.Space)
		}
		parts = append(parts, fmt.Sprintf("{%s}%s=%q", ns, a.Key, a.Value))
	}
	// order-insensitive
	for i := range parts {
		for j := i + 1; j < len(parts); j++ {
			if parts[j] < parts[i] {
				parts[i], parts[j] = parts[j], parts[i]
			}
		}
	}
	return strings.Join(parts, " ")
}

// lookupNS resolves prefix at e. (etree's Attr.NamespaceURI resolves against the element
// the attribute was parsed on, which is wrong for attributes of a Copy.)
func lookupNS(e *etree.Element, prefix string) string {
	if prefix == "xml" {
		return "http://www.w3.org/XML/1998/namespace"
	}
	for _, d := range inScope(e) {
		if d.prefix == prefix {
			return d.uri
		}
	}
	return ""
}

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	rsaErr  error
)

// testRSAKey is one 2048-bit key shared by the tests of a run.
func testRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() { rsaKey, rsaErr = rsa.GenerateKey(rand.Reader, 2048) })
	if rsaErr != nil {
		t.Fatal(rsaErr)
	}
	return rsaKey
}

// sealed builds an EncryptedData (Type typ, algorithm alg) whose plaintext is exactly pt,
// bypassing the serializer, to feed Decrypt with hostile plaintexts.
func sealed(t testing.TB, alg, typ string, key, pt []byte) *etree.Element {
	t.Helper()
	a, err := lookupBlock(alg, key)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := newEncryptedData(a, key, pt, typ, EncryptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ed
}

// inBody puts ed as the only child of the test envelope's Body and returns the document.
func inBody(t testing.TB, ed *etree.Element) (*etree.Document, *etree.Element) {
	t.Helper()
	doc := parseDoc(t, testEnvelope)
	body := mustFind(t, doc.Root(), nsSOAP, "Body")
	for len(body.Child) > 0 {
		body.RemoveChildAt(0)
	}
	body.AddChild(ed)
	return doc, body
}
