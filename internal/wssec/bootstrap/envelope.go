package bootstrap

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
)

// roleUltimateReceiver is the SOAP 1.2 role that equals an absent role (SOAP 1.2 Part 1
// §5.2.2).
const roleUltimateReceiver = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"

// envelope holds the parts of a SOAP envelope found by namespace, never by prefix.
type envelope struct {
	root, header, body *etree.Element
	version            soap.Version
}

// locate finds Envelope, Header (may be nil) and Body. Two Headers or two Bodies make the
// envelope ambiguous, and a receiver cannot know which Body a signature was meant to cover.
func locate(doc *etree.Document) (*envelope, error) {
	if doc == nil || doc.Root() == nil {
		return nil, failf(ErrEnvelope, wsse.InvalidSecurity, "empty document")
	}
	root := doc.Root()
	v, ok := soap.VersionOf(root.NamespaceURI())
	if !ok || root.Tag != "Envelope" {
		return nil, failf(ErrEnvelope, wsse.InvalidSecurity, "document element {%s}%s is not a SOAP 1.1 or 1.2 Envelope", root.NamespaceURI(), root.Tag)
	}
	e := &envelope{root: root, version: v}
	for c := range root.ChildElementsSeq() {
		if c.NamespaceURI() != v.Namespace() {
			continue
		}
		switch c.Tag {
		case "Header":
			if e.header != nil {
				return nil, failf(ErrEnvelope, wsse.InvalidSecurity, "the Envelope has two Header elements")
			}
			e.header = c
		case "Body":
			if e.body != nil {
				return nil, failf(ErrEnvelope, wsse.InvalidSecurity, "the Envelope has two Body elements")
			}
			e.body = c
		}
	}
	if e.body == nil {
		return nil, failf(ErrEnvelope, wsse.InvalidSecurity, "the Envelope has no Body")
	}
	return e, nil
}

// forUs reports whether a header block is targeted at the ultimate receiver: no role
// (SOAP 1.2) or actor (SOAP 1.1) attribute, or the SOAP 1.2 ultimateReceiver role.
func (e *envelope) forUs(h *etree.Element) bool {
	name := soap.AttrRole12
	if e.version == soap.V11 {
		name = soap.AttrActor11
	}
	for i := range h.Attr {
		a := &h.Attr[i]
		if a.Key == name && a.Space != "" && a.NamespaceURI() == e.version.Namespace() {
			return e.version == soap.V12 && strings.TrimSpace(a.Value) == roleUltimateReceiver
		}
	}
	return true
}

// mustUnderstand reports whether h carries mustUnderstand="true" or "1" in the envelope
// namespace.
func (e *envelope) mustUnderstand(h *etree.Element) bool {
	for i := range h.Attr {
		a := &h.Attr[i]
		if a.Key == soap.AttrMustUnderstand && a.Space != "" && a.NamespaceURI() == e.version.Namespace() {
			v := strings.TrimSpace(a.Value)
			return v == "1" || v == "true"
		}
	}
	return false
}

// setMustUnderstand replaces any mustUnderstand attribute of h by the true value of the
// SOAP version ("1" in SOAP 1.1 §4.2.3, "true" in SOAP 1.2 Part 1 §5.2.3).
func (e *envelope) setMustUnderstand(h *etree.Element) {
	for i := len(h.Attr) - 1; i >= 0; i-- {
		a := &h.Attr[i]
		if a.Key == soap.AttrMustUnderstand && a.Space != "" && a.NamespaceURI() == e.version.Namespace() {
			h.RemoveAttr(a.FullKey())
		}
	}
	val := "true"
	if e.version == soap.V11 {
		val = "1"
	}
	h.CreateAttr(prefixFor(h, e.version.Namespace(), "soap")+":"+soap.AttrMustUnderstand, val)
}

// securityHeaders returns the wsse:Security blocks of the Header targeted at the ultimate
// receiver.
func (e *envelope) securityHeaders() []*etree.Element {
	if e.header == nil {
		return nil
	}
	var out []*etree.Element
	for c := range e.header.ChildElementsSeq() {
		if is(c, wsse.NS, "Security") && e.forUs(c) {
			out = append(out, c)
		}
	}
	return out
}

// addressingHeaders returns the header blocks in either WS-Addressing namespace that are
// direct children of the Header, in document order.
func (e *envelope) addressingHeaders() []*etree.Element {
	if e.header == nil {
		return nil
	}
	var out []*etree.Element
	for c := range e.header.ChildElementsSeq() {
		if ns := c.NamespaceURI(); ns == wsa.NS10 || ns == wsa.NS200408 {
			out = append(out, c)
		}
	}
	return out
}

func is(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// children returns the child elements of el named {ns}local.
func children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for c := range el.ChildElementsSeq() {
		if is(c, ns, local) {
			out = append(out, c)
		}
	}
	return out
}

// prefixFor returns a prefix bound to ns in scope at el. When none is, it declares one on
// el: preferred, or preferred followed by a number if that name is bound to something else
// in el's scope, so no existing name changes its meaning.
func prefixFor(el *etree.Element, ns, preferred string) string {
	seen := map[string]bool{"xml": true, "xmlns": true}
	for x := el; x != nil; x = x.Parent() {
		for _, a := range x.Attr {
			if a.Space != "xmlns" || seen[a.Key] {
				continue
			}
			seen[a.Key] = true
			if a.Value == ns {
				return a.Key
			}
		}
	}
	p := preferred
	for i := 1; seen[p]; i++ {
		p = preferred + strconv.Itoa(i)
	}
	el.CreateAttr("xmlns:"+p, ns)
	return p
}

// idSet holds every ID of a document (in the forms dsig.IDOf knows) and how often it occurs.
type idSet map[string]int

func collectIDs(root *etree.Element) idSet {
	ids := idSet{}
	stack := []*etree.Element{root}
	for len(stack) > 0 {
		el := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id, ok := dsig.IDOf(el); ok {
			ids[id]++
		}
		stack = append(stack, el.ChildElements()...)
	}
	return ids
}

// fresh returns base-N for the smallest N not yet used, and records it.
func (s idSet) fresh(base string) string {
	for n := 1; ; n++ {
		id := base + "-" + strconv.Itoa(n)
		if s[id] == 0 {
			s[id] = 1
			return id
		}
	}
}

// ensureID gives el a wsu:Id when it has no ID (WSS 1.1 §4: wsu:Id is the ID attribute of
// every element WS-Security references) and returns its ID.
func (s idSet) ensureID(el *etree.Element, base string) string {
	if id, ok := dsig.IDOf(el); ok {
		return id
	}
	id := s.fresh(base)
	el.CreateAttr(prefixFor(el, wsse.NSWSU, "wsu")+":Id", id)
	return id
}
