package main

import (
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/schemas"
)

// waivedP05EPR reports a schema problem that is an artefact of the official WS-RM 2005/02
// schema rather than a fault of the message: that schema types wsrm:AcksTo (and the AcksTo of
// wsrm:Accept) as a WS-Addressing 2004/08 endpoint reference, while the stacks that use
// WS-RM 2005/02 with WS-Addressing 1.0 — WCF's WSHttpBinding, the P05 profile — write those
// EPRs in the addressing version of the binding (WCF's CreateSequence writes AcksTo with the
// message's AddressingVersion). The waiver is narrow: the message uses WS-Addressing 1.0, the
// element is a WS-Addressing 1.0 Address, its EPR is a child of a WS-RM 2005/02 element, and
// libxml2 asked for the 2004/08 Address instead. README documents it.
func waivedP05EPR(m *codec.Message, p schemas.Problem) bool {
	if !m.HasAddressing || m.Addressing.Version != wsa.V10 || p.Namespace != wsa.NS10 || !strings.HasSuffix(p.Element, "Address") {
		return false
	}
	if !strings.Contains(p.Reason, "{"+wsa.NS200408+"}Address") {
		return false
	}
	el := elementAt(m, p.Line, p.Column)
	if el == nil || el.Parent() == nil {
		return false
	}
	epr := el.Parent()
	return epr.Parent() != nil && epr.Parent().NamespaceURI() == wsrm.NS200502
}

// elementAt finds the element whose start tag is at line:col.
func elementAt(m *codec.Message, line, col int) *etree.Element {
	var found *etree.Element
	stack := []*etree.Element{m.Envelope}
	for len(stack) > 0 && found == nil {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if l, c := m.Position(e); l == line && c == col {
			found = e
		}
		stack = append(stack, e.ChildElements()...)
	}
	return found
}
