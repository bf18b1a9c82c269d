package codec

import "github.com/beevik/etree"

// nsScope is the namespace prefixes in scope during a depth-first walk of a tree, so that
// resolving a prefix costs a scan of the bindings in scope instead of etree's walk up the
// ancestors, which scans every attribute of every ancestor on each call: checkTree resolves
// every prefixed element and attribute name, which made it O(n·depth).
//
// It resolves exactly as etree's (*Element).NamespaceURI and (*Attr).NamespaceURI do for a
// prefix p: the value of the first xmlns:p attribute of the nearest element (itself or an
// ancestor) that has one, "" when none does. A prefix bound to "" (xmlns:p="") thus resolves
// to "" — undeclared, for the callers. The default namespace (prefix "") is not tracked.
//
// It is a slice used as a value (s = s.enter(e) ... s = s[:mark]) rather than a struct
// updated through a pointer: that way a walk can back it with an array on its stack.
type nsScope []nsBinding

type nsBinding struct{ prefix, uri string }

// enter returns the scope inside e: s with e's xmlns:p declarations added. The scope after
// leaving e again is s[:len(s)].
func (s nsScope) enter(e *etree.Element) nsScope {
	// Added last attribute first, so that of two declarations of one prefix on e the first
	// ends up nearest the end, where lookup finds it first (etree's rule).
	for i := len(e.Attr) - 1; i >= 0; i-- {
		if a := &e.Attr[i]; a.Space == "xmlns" {
			s = append(s, nsBinding{a.Key, a.Value})
		}
	}
	return s
}

// lookup returns the namespace URI bound to prefix (not "") in s, or "".
func (s nsScope) lookup(prefix string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i].prefix == prefix {
			return s[i].uri
		}
	}
	return ""
}
