package dsig

import (
	"github.com/beevik/etree"
)

// NSWSU is the WSS utility namespace whose Id attribute WS-Security references use.
const NSWSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

const nsXML = "http://www.w3.org/XML/1998/namespace"

// IDOf returns the ID of el: wsu:Id, xml:id, or an unqualified Id or ID attribute (the forms
// WS-Security, XML-DSig and SAML elements use), and whether it has one.
func IDOf(el *etree.Element) (string, bool) {
	for i := range el.Attr {
		a := &el.Attr[i]
		switch {
		case a.Space == "" && (a.Key == "Id" || a.Key == "ID"):
			return a.Value, true
		case a.Space != "" && a.Space != "xmlns" && a.Key == "Id" && a.NamespaceURI() == NSWSU:
			return a.Value, true
		case a.Space == "xml" && a.Key == "id":
			return a.Value, true
		}
	}
	return "", false
}

// idIndex maps every ID of the document to its element. A second element with the same ID
// makes the document unusable for verification: a reference could then be steered to either
// (the classic signature-wrapping setup), so it is an error, not a choice. The entries are
// appended to buf (Verify passes an array of its stack).
func idIndex(root *etree.Element, buf []idEntry) (idTable, error) {
	idx := idTable{list: buf}
	stack := make([]*etree.Element, 1, 32)
	stack[0] = root
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
			prev, dup := idx.get(a.Value)
			if dup && prev != e {
				return idTable{}, fail(ErrDuplicateID, "#"+a.Value, "elements %s and %s share the ID", prev.FullTag(), e.FullTag())
			}
			if !dup {
				idx = idx.add(a.Value, e)
			}
		}
		for _, t := range e.Child {
			if c, ok := t.(*etree.Element); ok {
				stack = append(stack, c)
			}
		}
	}
	return idx, nil
}

// idTable maps IDs to elements: a list searched linearly while it is short (a SOAP message
// has about a dozen IDs, for which the list needs no allocation and is faster than a map
// that grows), a map beyond maxIDList. It is a value (t = t.add(...)) so that the list can
// live in an array of the caller's stack.
type idTable struct {
	list []idEntry
	m    map[string]*etree.Element // all entries, once there are more than maxIDList
}

type idEntry struct {
	id string
	el *etree.Element
}

const maxIDList = 32

func (t idTable) get(id string) (*etree.Element, bool) {
	if t.m != nil {
		el, ok := t.m[id]
		return el, ok
	}
	for i := range t.list {
		if t.list[i].id == id {
			return t.list[i].el, true
		}
	}
	return nil, false
}

// add records a new ID (not in t yet).
func (t idTable) add(id string, el *etree.Element) idTable {
	if t.m == nil && len(t.list) < maxIDList {
		t.list = append(t.list, idEntry{id, el})
		return t
	}
	if t.m == nil {
		t.m = make(map[string]*etree.Element, 2*maxIDList)
		for _, x := range t.list {
			t.m[x.id] = x.el
		}
		t.list = nil
	}
	t.m[id] = el
	return t
}

func documentRoot(el *etree.Element) *etree.Element {
	for el.Parent() != nil && el.Parent().Tag != "" {
		el = el.Parent()
	}
	return el
}
