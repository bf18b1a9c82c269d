package wssec

import (
	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/xmltree"
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
	var buf [24]binding // the scope of a Security header fits: no allocation
	scope := buf[:0]
	var anc [8]*etree.Element
	chain := anc[:0]
	for p := el.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	for i := len(chain) - 1; i >= 0; i-- { // outermost first: inner bindings shadow outer
		scope = bind(scope, chain[i].Attr)
	}
	prune(el, &scope)
}

// binding is a prefix ("" for the default namespace) bound to a URI.
type binding struct{ prefix, uri string }

// prune removes el's declarations that repeat the binding in scope (the bindings of el's
// ancestors, innermost last), then recurses with el's remaining ones added. The depth is
// that of a Security header built here.
func prune(el *etree.Element, scope *[]binding) {
	outer := *scope
	kept := el.Attr[:0]
	for _, a := range el.Attr {
		if p, ok := xmltree.Declaration(a); ok {
			if uri, in := lookup(outer, p); in && uri == a.Value {
				continue
			}
		}
		kept = append(kept, a)
	}
	clear(el.Attr[len(kept):])
	el.Attr = kept
	*scope = bind(outer, el.Attr)
	for c := range el.ChildElementsSeq() {
		prune(c, scope)
	}
	*scope = outer
}

// lookup returns the URI prefix is bound to in scope (innermost binding).
func lookup(scope []binding, prefix string) (string, bool) {
	for i := len(scope) - 1; i >= 0; i-- {
		if scope[i].prefix == prefix {
			return scope[i].uri, true
		}
	}
	return "", false
}

// bind appends the declarations among attrs to scope.
func bind(scope []binding, attrs []etree.Attr) []binding {
	for _, a := range attrs {
		if p, ok := xmltree.Declaration(a); ok {
			scope = append(scope, binding{p, a.Value})
		}
	}
	return scope
}
