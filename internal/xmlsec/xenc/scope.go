package xenc

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/xmltree"
)

// nsDecl is one namespace binding; prefix "" is the default namespace, uri "" undeclares it.
type nsDecl struct{ prefix, uri string }

// inScope lists the namespace bindings in scope at ctx (ctx's own declarations included),
// sorted by prefix, the nearest declaration of each prefix winning. The xml prefix is bound
// implicitly and never listed. A nil ctx has no bindings.
func inScope(ctx *etree.Element) []nsDecl {
	seen := map[string]bool{"xml": true}
	var out []nsDecl
	for e := ctx; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			p, ok := xmltree.Declaration(a)
			if !ok || seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, nsDecl{p, a.Value})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].prefix < out[j].prefix })
	return out
}

// declares reports whether e itself declares prefix.
func declares(e *etree.Element, prefix string) bool {
	for _, a := range e.Attr {
		if p, ok := xmltree.Declaration(a); ok && p == prefix {
			return true
		}
	}
	return false
}

// usedPrefixes collects the prefixes that e's subtree uses in element and attribute names
// without declaring them itself (the prefixes it inherits).
func usedPrefixes(e *etree.Element, local map[string]bool, need map[string]bool) {
	here, cloned := local, false
	for _, a := range e.Attr {
		if p, ok := xmltree.Declaration(a); ok {
			if !cloned {
				here = make(map[string]bool, len(local)+1)
				for k := range local {
					here[k] = true
				}
				cloned = true
			}
			here[p] = true
		}
	}
	if !here[e.Space] {
		need[e.Space] = true
	}
	for _, a := range e.Attr {
		if _, ok := xmltree.Declaration(a); ok || a.Space == "" || a.Space == "xml" {
			continue
		}
		if !here[a.Space] {
			need[a.Space] = true
		}
	}
	for c := range e.ChildElementsSeq() {
		usedPrefixes(c, here, need)
	}
}

// extraDecls returns the bindings of scope that must be written on top-level element e so it
// parses on its own: all of them not redeclared by e, or only those e's subtree uses.
func extraDecls(e *etree.Element, scope []nsDecl, onlyUsed bool) []etree.Attr {
	var need map[string]bool
	if onlyUsed {
		need = map[string]bool{}
		usedPrefixes(e, map[string]bool{}, need)
	}
	var out []etree.Attr
	for _, d := range scope {
		if d.uri == "" || declares(e, d.prefix) || (onlyUsed && !need[d.prefix]) {
			continue // undeclared default or empty binding: nothing to carry
		}
		if d.prefix == "" {
			out = append(out, etree.Attr{Key: "xmlns", Value: d.uri})
		} else {
			out = append(out, etree.Attr{Space: "xmlns", Key: d.prefix, Value: d.uri})
		}
	}
	return out
}

// writeSettings escape text and attribute values so that a parse gives back exactly the same
// characters (CR, TAB and LF in attributes as character references).
var writeSettings = etree.WriteSettings{CanonicalText: true, CanonicalAttrVal: true}

// serializeNodes writes nodes as an XML fragment (the UTF-8 octets XML-Enc 1.0 §4.1
// encrypts); each top-level element also carries the namespace declarations it needs from
// scope, because a fragment parsed elsewhere loses the bindings of its original ancestors
// (XML-Enc 1.0 §4.3, notes on serializing XML).
func serializeNodes(nodes []etree.Token, scope []nsDecl, onlyUsed bool) ([]byte, error) {
	var buf bytes.Buffer
	for _, t := range nodes {
		switch t := t.(type) {
		case *etree.Element:
			writeTopElement(&buf, t, extraDecls(t, scope, onlyUsed))
		case *etree.Directive:
			return nil, fmt.Errorf("xenc: cannot encrypt a directive (<!%s>) inside element content", truncate(t.Data))
		default:
			t.WriteTo(&buf, &writeSettings)
		}
		if buf.Len() > MaxPlaintextSize {
			return nil, fmt.Errorf("xenc: plaintext exceeds %d bytes", MaxPlaintextSize)
		}
	}
	return buf.Bytes(), nil
}

// writeTopElement writes e like etree does, adding extra namespace declarations to its start
// tag, without modifying or copying the caller's tree.
func writeTopElement(buf *bytes.Buffer, e *etree.Element, extra []etree.Attr) {
	buf.WriteByte('<')
	buf.WriteString(e.FullTag())
	for _, a := range e.Attr {
		buf.WriteByte(' ')
		a.WriteTo(buf, &writeSettings)
	}
	for _, a := range extra {
		buf.WriteByte(' ')
		a.WriteTo(buf, &writeSettings)
	}
	if len(e.Child) == 0 {
		buf.WriteString("/>")
		return
	}
	buf.WriteByte('>')
	for _, c := range e.Child {
		c.WriteTo(buf, &writeSettings)
	}
	buf.WriteString("</")
	buf.WriteString(e.FullTag())
	buf.WriteByte('>')
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// parseFragment parses plaintext as element content in the namespace context scope: the
// fragment is wrapped in an element declaring every binding of scope (XML-Enc 1.0 §4.3: the
// decrypted octets are parsed in the context of the EncryptedData's parent). Every failure
// is ErrDecrypt. The returned tokens are detached.
func parseFragment(plaintext []byte, scope []nsDecl) ([]etree.Token, error) {
	var b bytes.Buffer
	b.Grow(len(plaintext) + 64*len(scope) + 16)
	b.WriteString("<w")
	for _, d := range scope {
		if d.prefix != "" && d.uri == "" {
			continue
		}
		b.WriteString(" xmlns")
		if d.prefix != "" {
			b.WriteByte(':')
			b.WriteString(d.prefix)
		}
		b.WriteString(`="`)
		xml.EscapeText(&b, []byte(d.uri))
		b.WriteByte('"')
	}
	b.WriteByte('>')
	b.Write(plaintext)
	b.WriteString("</w>")

	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{PreserveCData: true, MaxDepth: MaxDepth + 1}
	if err := doc.ReadFromBytes(b.Bytes()); err != nil {
		return nil, ErrDecrypt
	}
	// A plaintext such as "</w><w>" would close the wrapper early: exactly one top-level
	// token, the wrapper, must remain.
	if len(doc.Child) != 1 {
		return nil, ErrDecrypt
	}
	w, ok := doc.Child[0].(*etree.Element)
	if !ok || w.Space != "" || w.Tag != "w" {
		return nil, ErrDecrypt
	}
	if !acceptable(w) {
		return nil, ErrDecrypt
	}
	out := make([]etree.Token, len(w.Child))
	for i := len(w.Child) - 1; i >= 0; i-- {
		out[i] = w.RemoveChildAt(i)
	}
	return out, nil
}

// acceptable refuses DOCTYPE and other directives (no DTDs, no entity declarations), XML
// declarations anywhere in the fragment, and prefixes bound nowhere, neither in the fragment
// nor in the wrapper's context (Namespaces in XML 1.0 §5, "Prefix Declared"; etree parses
// with encoding/xml's RawToken, which does not check it). It walks without recursion.
func acceptable(root *etree.Element) bool {
	stack := []*etree.Element{root}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e != root && !prefixesBound(e) {
			return false
		}
		for _, t := range e.Child {
			switch t := t.(type) {
			case *etree.Directive:
				return false
			case *etree.ProcInst:
				if strings.EqualFold(t.Target, "xml") {
					return false
				}
			case *etree.Element:
				stack = append(stack, t)
			}
		}
	}
	return true
}

// prefixesBound reports whether the prefixes of e's name and attributes are declared.
func prefixesBound(e *etree.Element) bool {
	if e.Space == "xmlns" || (e.Space != "" && e.NamespaceURI() == "") {
		return false
	}
	for _, a := range e.Attr {
		if a.Space == "" || a.Space == "xmlns" || a.Space == "xml" {
			continue
		}
		if lookupIn(e, a.Space) == "" {
			return false
		}
	}
	return true
}

// lookupIn resolves a non-empty prefix at e ("" if unbound).
func lookupIn(e *etree.Element, prefix string) string {
	for ; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if a.Space == "xmlns" && a.Key == prefix {
				return a.Value
			}
		}
	}
	return ""
}

// dropRedundant removes from a decrypted top-level element the namespace declarations that
// merely repeat a binding already in scope at its new position (the encryptor added them so
// the plaintext parses standalone). Canonical XML and exclusive C14N ignore such
// declarations, so this does not change any digest; it restores the original tree's shape.
func dropRedundant(e *etree.Element, scope map[string]string) {
	kept := e.Attr[:0]
	for _, a := range e.Attr {
		if p, ok := xmltree.Declaration(a); ok {
			uri, bound := scope[p]
			if (bound && uri == a.Value) || (!bound && p == "" && a.Value == "") {
				continue
			}
		}
		kept = append(kept, a)
	}
	e.Attr = kept
}
