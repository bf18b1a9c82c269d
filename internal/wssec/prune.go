package wssec

import (
	"maps"

	"github.com/beevik/etree"
)

// pruneDeclarations removes from el and its descendants every namespace declaration that
// rebinds a prefix (or the default namespace) to the URI it already has in scope: the STRs
// and the Security header are built detached and declare what they use, which inside a
// Security header of an envelope declaring the same namespaces only repeats them (~280
// octets per message, a tenth of an acknowledgement, written, sent, parsed and scanned by
// every canonicalization for nothing).
//
// Canonical forms do not change: C14N and exclusive C14N render namespace nodes, which a
// redundant declaration does not add (the in-scope namespaces of every element stay the
// same), so digests computed before or after pruning are equal.
func pruneDeclarations(el *etree.Element) {
	scope := map[string]string{}
	var anc []*etree.Element
	for p := el.Parent(); p != nil; p = p.Parent() {
		anc = append(anc, p)
	}
	for i := len(anc) - 1; i >= 0; i-- {
		bind(scope, anc[i])
	}
	prune(el, scope)
}

// prune removes el's redundant declarations given scope (the bindings of el's parent),
// then recurses with el's own bindings. The depth is that of a Security header built here.
func prune(el *etree.Element, scope map[string]string) {
	kept := el.Attr[:0]
	for _, a := range el.Attr {
		if p, ok := declared(a); ok {
			if uri, in := scope[p]; in && uri == a.Value {
				continue
			}
		}
		kept = append(kept, a)
	}
	clear(el.Attr[len(kept):])
	el.Attr = kept
	inner, copied := scope, false
	for _, a := range el.Attr {
		if p, ok := declared(a); ok {
			if !copied {
				inner, copied = maps.Clone(scope), true
			}
			inner[p] = a.Value
		}
	}
	for c := range el.ChildElementsSeq() {
		prune(c, inner)
	}
}

// declared reports the prefix a declares ("" for the default namespace).
func declared(a etree.Attr) (string, bool) {
	switch {
	case a.Space == "xmlns":
		return a.Key, true
	case a.Space == "" && a.Key == "xmlns":
		return "", true
	}
	return "", false
}

// bind adds el's declarations to scope.
func bind(scope map[string]string, el *etree.Element) {
	for _, a := range el.Attr {
		if p, ok := declared(a); ok {
			scope[p] = a.Value
		}
	}
}
