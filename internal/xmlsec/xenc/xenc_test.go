package xenc

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

func TestContentRoundTripEveryAlgorithm(t *testing.T) {
	for _, alg := range blockAlgURIs {
		for _, onlyUsed := range []bool{false, true} {
			name := shortName(alg)
			if onlyUsed {
				name += "/only-used"
			}
			t.Run(name, func(t *testing.T) {
				key := newKey(t, keySizes[alg])
				doc := parseDoc(t, testEnvelope)
				want := writeDoc(t, doc)
				body := mustFind(t, doc.Root(), nsSOAP, "Body")
				original := mustFind(t, doc.Copy().Root(), nsSOAP, "Body")

				ed, err := EncryptContent(body, key, alg, EncryptOptions{ID: "ed-1", OnlyUsedNamespaces: onlyUsed})
				if err != nil {
					t.Fatal(err)
				}
				if len(body.Child) != 1 || body.Child[0] != ed || ed.Parent() != body {
					t.Fatalf("Body content not replaced by the EncryptedData")
				}
				if v, _ := attr(body, "Id"); v != "" || body.SelectAttrValue("u:Id", "") != "body-1" {
					t.Fatalf("Body attributes changed: %v", body.Attr)
				}
				checkEncryptedData(t, ed, alg, TypeContent, "ed-1")
				enc := writeDoc(t, doc)
				for _, secret := range []string{"wsrm:CreateSequence", "trailing text", "offer follows", "UnknownSequence", "acks?a=1"} {
					if strings.Contains(enc, secret) {
						t.Fatalf("%q visible in the encrypted message", secret)
					}
				}

				nodes, err := Decrypt(ed, key)
				if err != nil {
					t.Fatal(err)
				}
				if err := sameNodes(nodes, original.Child); err != nil {
					t.Fatal(err)
				}
				if got := writeDoc(t, doc); got != want {
					t.Fatalf("round trip changed the document\n got: %s\nwant: %s", got, want)
				}
			})
		}
	}
}

func checkEncryptedData(t *testing.T, ed *etree.Element, alg, typ, id string) {
	t.Helper()
	if !is(ed, NS, "EncryptedData") {
		t.Fatalf("got %s", ed.FullTag())
	}
	if v, _ := attr(ed, "Type"); v != typ {
		t.Fatalf("Type %q", v)
	}
	if v, _ := attr(ed, "Id"); v != id {
		t.Fatalf("Id %q", v)
	}
	if v, _ := attr(child(ed, NS, "EncryptionMethod"), "Algorithm"); v != alg {
		t.Fatalf("Algorithm %q", v)
	}
	cv := child(child(ed, NS, "CipherData"), NS, "CipherValue")
	if cv == nil {
		t.Fatal("no CipherData/CipherValue")
	}
	if _, err := base64.StdEncoding.DecodeString(cv.Text()); err != nil {
		t.Fatalf("CipherValue: %v", err)
	}
}

func TestElementRoundTrip(t *testing.T) {
	for _, alg := range []string{AES256CBC, AES256GCM} {
		t.Run(shortName(alg), func(t *testing.T) {
			key := newKey(t, 32)
			doc := parseDoc(t, testEnvelope)
			want := writeDoc(t, doc)
			seq := mustFind(t, doc.Root(), nsWSRM, "Sequence")
			header := seq.Parent()
			idx := seq.Index()
			ed, err := EncryptElement(seq, key, alg, EncryptOptions{ID: "eh-1"})
			if err != nil {
				t.Fatal(err)
			}
			checkEncryptedData(t, ed, alg, TypeElement, "eh-1")
			if header.Child[idx] != ed || seq.Parent() != nil {
				t.Fatal("the header was not replaced in place")
			}
			if strings.Contains(writeDoc(t, doc), "MessageNumber") {
				t.Fatal("header content visible")
			}
			nodes, err := Decrypt(ed, key)
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) != 1 || nodes[0].(*etree.Element).Tag != "Sequence" {
				t.Fatalf("got %d nodes", len(nodes))
			}
			if got := writeDoc(t, doc); got != want {
				t.Fatalf("round trip changed the document\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

// The plaintext must parse standalone: every prefix it uses is declared in it.
func TestPlaintextDeclaresInheritedNamespaces(t *testing.T) {
	for _, onlyUsed := range []bool{false, true} {
		key := newKey(t, 32)
		doc := parseDoc(t, testEnvelope)
		body := mustFind(t, doc.Root(), nsSOAP, "Body")
		ed, err := EncryptContent(body, key, AES256CBC, EncryptOptions{OnlyUsedNamespaces: onlyUsed})
		if err != nil {
			t.Fatal(err)
		}
		pt := rawPlaintext(t, ed, key)
		for _, decl := range []string{`xmlns:wsrm="` + nsWSRM + `"`, `xmlns:wsa=`, `xmlns:u="` + nsWSU + `"`, `xmlns="urn:example:default"`, `xmlns:s="` + nsSOAP + `"`} {
			if !bytes.Contains(pt, []byte(decl)) {
				t.Fatalf("onlyUsed=%v: plaintext lacks %s:\n%s", onlyUsed, decl, pt)
			}
		}
		if hasWSSE := bytes.Contains(pt, []byte("xmlns:wsse=")); hasWSSE == onlyUsed {
			t.Fatalf("onlyUsed=%v: unused wsse declaration present=%v", onlyUsed, hasWSSE)
		}
		// Parse with no inherited context at all: every element name must resolve.
		w := etree.NewDocument()
		if err := w.ReadFromString("<w>" + string(pt) + "</w>"); err != nil {
			t.Fatal(err)
		}
		for _, e := range w.FindElements("//*") {
			if e.Tag != "w" && e.NamespaceURI() == "" {
				t.Fatalf("onlyUsed=%v: %s has no namespace in the standalone plaintext", onlyUsed, e.FullTag())
			}
		}
		// A detached EncryptedData decrypts without any context.
		ed.Parent().RemoveChild(ed)
		nodes, err := Decrypt(ed, key)
		if err != nil {
			t.Fatal(err)
		}
		var fault *etree.Element
		for _, n := range nodes {
			if e, ok := n.(*etree.Element); ok && e.Tag == "Fault" {
				fault = e
			}
		}
		if fault == nil || fault.NamespaceURI() != nsSOAP {
			t.Fatal("detached decryption lost the soap namespace")
		}
		// QName-valued text survives only with the default (all in-scope namespaces).
		hasWSRM := fault.SelectAttr("xmlns:wsrm") != nil
		if hasWSRM == onlyUsed {
			t.Fatalf("onlyUsed=%v: Fault declares wsrm=%v", onlyUsed, hasWSRM)
		}
	}
}

func rawPlaintext(t *testing.T, ed *etree.Element, key []byte) []byte {
	t.Helper()
	alg, ct, err := readCipher(ed, MaxPlaintextSize+32)
	if err != nil {
		t.Fatal(err)
	}
	a, err := lookupBlock(alg, key)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := a.open(key, ct)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

func TestEmptyAndTextOnlyContent(t *testing.T) {
	for _, content := range []string{"", "just text &amp; more", "<!--only a comment-->"} {
		key := newKey(t, 32)
		doc := parseDoc(t, `<r xmlns:p="urn:p"><p:b>`+content+`</p:b></r>`)
		want := writeDoc(t, doc)
		b := doc.Root().ChildElements()[0]
		ed, err := EncryptContent(b, key, AES256GCM, EncryptOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decrypt(ed, key); err != nil {
			t.Fatalf("%q: %v", content, err)
		}
		if got := writeDoc(t, doc); got != want {
			t.Fatalf("got %s want %s", got, want)
		}
	}
}

// A KeyInfo element taken from a document keeps the prefixes it inherits there.
func TestKeyInfoCopy(t *testing.T) {
	doc := parseDoc(t, testEnvelope)
	str := mustFind(t, doc.Root(), nsWSSE, "SecurityTokenReference")
	body := mustFind(t, doc.Root(), nsSOAP, "Body")
	ed, err := EncryptContent(body, newKey(t, 32), AES256CBC, EncryptOptions{KeyInfo: str})
	if err != nil {
		t.Fatal(err)
	}
	ki := child(ed, NSDS, "KeyInfo")
	if ki == nil {
		t.Fatal("no ds:KeyInfo")
	}
	c := child(ki, nsWSSE, "SecurityTokenReference")
	if c == nil || c == str || c.SelectAttr("xmlns:wsse") == nil {
		t.Fatalf("STR not copied with its namespace: %+v", c)
	}
	// Standalone: the EncryptedData means the same outside the envelope.
	out := etree.NewDocument()
	out.SetRoot(ed.Copy())
	s := writeDoc(t, out)
	re := parseDoc(t, s)
	if find(re.Root(), nsWSSE, "Reference") == nil {
		t.Fatalf("STR does not resolve standalone: %s", s)
	}
	// A ds:KeyInfo is used as is, not wrapped again.
	kn := etree.NewElement("ds:KeyInfo")
	kn.CreateAttr("xmlns:ds", NSDS)
	kn.CreateElement("ds:KeyName").SetText("k")
	ed2, err := EncryptContent(parseDoc(t, "<a><b/></a>").Root(), newKey(t, 16), AES128CBC, EncryptOptions{KeyInfo: kn})
	if err != nil {
		t.Fatal(err)
	}
	if ki := child(ed2, NSDS, "KeyInfo"); ki == nil || child(ki, NSDS, "KeyName") == nil {
		t.Fatal("ds:KeyInfo wrapped twice or lost")
	}
}

func TestKeySize(t *testing.T) {
	for _, alg := range blockAlgURIs {
		for _, n := range []int{0, 15, 16, 24, 31, 32, 33} {
			if n == keySizes[alg] {
				continue
			}
			doc := parseDoc(t, testEnvelope)
			body := mustFind(t, doc.Root(), nsSOAP, "Body")
			if _, err := EncryptContent(body, make([]byte, n), alg, EncryptOptions{}); !errors.Is(err, ErrKeySize) {
				t.Fatalf("%s with %d-byte key: %v", shortName(alg), n, err)
			}
			if len(body.Child) < 2 {
				t.Fatal("failed encryption modified the tree")
			}
			ed := sealed(t, alg, TypeContent, make([]byte, keySizes[alg]), []byte("<a/>"))
			if _, err := Decrypt(ed, make([]byte, n)); !errors.Is(err, ErrKeySize) {
				t.Fatalf("decrypt %s with %d-byte key: %v", shortName(alg), n, err)
			}
		}
	}
	doc := parseDoc(t, testEnvelope)
	if _, err := EncryptContent(doc.Root(), make([]byte, 24), "http://www.w3.org/2001/04/xmlenc#tripledes-cbc", EncryptOptions{}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Fatalf("3DES: %v", err)
	}
}
