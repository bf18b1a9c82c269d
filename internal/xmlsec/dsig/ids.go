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
// (the classic signature-wrapping setup), so it is an error, not a choice.
func idIndex(root *etree.Element) (map[string]*etree.Element, error) {
	idx := map[string]*etree.Element{}
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
			if prev, dup := idx[a.Value]; dup && prev != e {
				return nil, fail(ErrDuplicateID, "#"+a.Value, "elements %s and %s share the ID", prev.FullTag(), e.FullTag())
			}
			idx[a.Value] = e
		}
		for _, t := range e.Child {
			if c, ok := t.(*etree.Element); ok {
				stack = append(stack, c)
			}
		}
	}
	return idx, nil
}

func documentRoot(el *etree.Element) *etree.Element {
	for el.Parent() != nil && el.Parent().Tag != "" {
		el = el.Parent()
	}
	return el
}
