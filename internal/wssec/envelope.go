package wssec

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
	"github.com/rspcheck/rspcheck/internal/xmltree"
)

// env locates the parts of a SOAP envelope in a tree.
type env struct {
	root, header, body *etree.Element
	soap               soap.Version
	ids                map[string]bool // every ID in the document, to keep new ones unique (built on first use)
	// b builds what Apply adds (elements, attributes, texts) in a few chunk allocations:
	// the same trees as etree's CreateElement, CreateAttr and SetText make.
	b xmltree.Builder
}

func locate(doc *etree.Document) (*env, error) {
	root := doc.Root()
	if root == nil {
		return nil, errors.New("wssec: empty document")
	}
	v, ok := soap.VersionOf(root.NamespaceURI())
	if !ok || root.Tag != "Envelope" {
		return nil, fmt.Errorf("wssec: document element %s is not a SOAP envelope", root.FullTag())
	}
	e := &env{root: root, soap: v}
	for c := range root.ChildElementsSeq() {
		if c.NamespaceURI() != v.Namespace() {
			continue
		}
		switch c.Tag {
		case "Header":
			if e.header == nil {
				e.header = c
			}
		case "Body":
			if e.body == nil {
				e.body = c
			}
		}
	}
	if e.body == nil {
		return nil, errors.New("wssec: the envelope has no Body")
	}
	return e, nil
}

// ensureHeader returns the Header, creating it before the Body when absent.
func (e *env) ensureHeader() *etree.Element {
	if e.header == nil {
		e.header = etree.NewElement(e.prefix() + "Header")
		e.root.InsertChildAt(e.body.Index(), e.header)
	}
	return e.header
}

// prefix is the envelope's prefix with its colon ("" for a default namespace).
func (e *env) prefix() string {
	if e.root.Space == "" {
		return ""
	}
	return e.root.Space + ":"
}

// newID returns an ID based on base that no element of the document has yet.
func (e *env) newID(base string) string {
	if e.ids == nil {
		e.ids = map[string]bool{}
		walkAll(e.root, func(el *etree.Element) {
			if id, ok := dsig.IDOf(el); ok {
				e.ids[id] = true
			}
		})
	}
	id := base
	for i := 2; e.ids[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	e.ids[id] = true
	return id
}

// ensureID gives el a wsu:Id when it has no ID and returns its ID.
func (e *env) ensureID(el *etree.Element, base string) string {
	if id, ok := dsig.IDOf(el); ok {
		return id
	}
	id := e.newID(base)
	e.b.Attr(el, wsuPrefix(el), "Id", id)
	return id
}

// wsuPrefix returns a prefix bound to the wsu namespace in el's scope, declaring "wsu" on el
// when none is.
func wsuPrefix(el *etree.Element) string {
	for x := el; x != nil; x = x.Parent() {
		for _, a := range x.Attr {
			if a.Space == "xmlns" && a.Value == wsse.NSWSU {
				return a.Key
			}
		}
	}
	el.CreateAttr("xmlns:wsu", wsse.NSWSU)
	return "wsu"
}

// mustUnderstand sets the SOAP mustUnderstand attribute on a header block.
func (e *env) mustUnderstand(el *etree.Element) {
	val := "true"
	if e.soap == soap.V11 {
		val = "1"
	}
	p := e.root.Space
	if p == "" {
		p = "soapenv"
		e.b.Attr(el, "xmlns", p, e.soap.Namespace())
	}
	e.b.Attr(el, p, soap.AttrMustUnderstand, val)
}

// walkAll visits el and every descendant element (not in document order), without
// recursion and without allocating per element.
func walkAll(el *etree.Element, f func(*etree.Element)) {
	stack := make([]*etree.Element, 1, 32)
	stack[0] = el
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		f(x)
		for _, t := range x.Child {
			if c, ok := t.(*etree.Element); ok {
				stack = append(stack, c)
			}
		}
	}
}
