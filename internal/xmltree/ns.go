package xmltree

import "github.com/beevik/etree"

// Declaration reports whether a is a namespace declaration (xmlns:p="..." or xmlns="...")
// and returns the prefix it binds ("" for the default namespace).
func Declaration(a etree.Attr) (prefix string, ok bool) {
	switch {
	case a.Space == "xmlns":
		return a.Key, true
	case a.Space == "" && a.Key == "xmlns":
		return "", true
	}
	return "", false
}

// DeclaresPrefix reports whether e itself binds prefix ("" for the default namespace): the
// first place etree's NamespaceURI looks before walking up to the ancestors.
func DeclaresPrefix(e *etree.Element, prefix string) bool {
	for i := range e.Attr {
		if p, ok := Declaration(e.Attr[i]); ok && p == prefix {
			return true
		}
	}
	return false
}
