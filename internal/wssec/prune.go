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
	// Iterative, with the scope and the open elements in arrays on the stack: a Security
	// header fits them (a deeper or wider tree only makes append move them to the heap).
	var sbuf [24]binding
	scope := sbuf[:0]
	var abuf [8]*etree.Element
	chain := abuf[:0]
	for p := el.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	for i := len(chain) - 1; i >= 0; i-- { // outermost first: inner bindings shadow outer
		scope = bind(scope, chain[i].Attr)
	}
	type open struct {
		el   *etree.Element
		next int // index in el.Child of the next token to visit
		mark int // len(scope) before el's own bindings
	}
	var obuf [16]open
	stack := obuf[:0]
	enter := func(e *etree.Element) {
		mark := len(scope)
		kept := e.Attr[:0]
		for _, a := range e.Attr {
			if p, ok := xmltree.Declaration(a); ok {
				if uri, in := lookup(scope[:mark], p); in && uri == a.Value {
					continue // repeats the binding in scope
				}
			}
			kept = append(kept, a)
		}
		clear(e.Attr[len(kept):])
		e.Attr = kept
		scope = bind(scope, e.Attr)
		stack = append(stack, open{el: e, mark: mark})
	}
	enter(el)
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next == len(top.el.Child) {
			scope = scope[:top.mark]
			stack = stack[:len(stack)-1]
			continue
		}
		tok := top.el.Child[top.next]
		top.next++
		if c, ok := tok.(*etree.Element); ok {
			enter(c)
		}
	}
}

// binding is a prefix ("" for the default namespace) bound to a URI.
type binding struct{ prefix, uri string }

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
