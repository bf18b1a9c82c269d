package msgcheck

import (
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/schemas"
)

// A waiver drops a schema problem that is an artefact of an official schema contradicting
// its own specification and the stacks that implement it, rather than a fault of the
// message. Each is narrow (namespace, element, parent and libxml2's complaint must all
// match) and documented in README ("Schema waivers"); fixtures/golden/xsd-errata.tsv lists
// the golden messages that plain xmllint rejects because of them.
type waiver struct {
	name  string
	match func(m *codec.Message, p schemas.Problem, el *etree.Element) bool
}

var waivers = []waiver{
	{
		// The WS-RM 2005/02 XSD types wsrm:AcksTo (and Accept/AcksTo) as a WS-Addressing
		// 2004/08 EPR. Stacks using WS-RM 2005/02 with WS-Addressing 1.0 — WCF's
		// WSHttpBinding, profile P05 — write those EPRs in the message's addressing version
		// (WCF CreateSequence writes AcksTo with its AddressingVersion).
		name: "wsrm-200502-epr-addressing-version",
		match: func(m *codec.Message, p schemas.Problem, el *etree.Element) bool {
			if !m.HasAddressing || m.Addressing.Version != wsa.V10 || p.Namespace != wsa.NS10 ||
				!strings.Contains(p.Reason, "{"+wsa.NS200408+"}Address") {
				return false
			}
			epr := el.Parent()
			return epr != nil && epr.Parent() != nil && epr.Parent().NamespaceURI() == wsrm.NS200502
		},
	},
	{
		// The WS-RM 1.1 XSD declares wsrm:Detail (inside wsrm:SequenceFault) with an
		// ##other wildcard, but WS-RM 1.1 §4 gives the detail of the header faults as
		// wsrm:Identifier or wsrm:SequenceAcknowledgement, which WCF writes there.
		name: "wsrm-11-sequencefault-detail",
		match: func(m *codec.Message, p schemas.Problem, el *etree.Element) bool {
			if p.Namespace != wsrm.NS200702 || !strings.Contains(p.Reason, "##other{"+wsrm.NS200702+"}") {
				return false
			}
			d := el.Parent()
			return d != nil && d.Tag == "Detail" && d.NamespaceURI() == wsrm.NS200702 &&
				d.Parent() != nil && d.Parent().Tag == "SequenceFault"
		},
	},
}

// Waived reports whether a schema problem is covered by a waiver, and which.
func Waived(m *codec.Message, p schemas.Problem) (string, bool) {
	el := elementAt(m, p.Line, p.Column)
	if el == nil {
		return "", false
	}
	for _, w := range waivers {
		if w.match(m, p, el) {
			return w.name, true
		}
	}
	return "", false
}

// elementAt finds the element whose start tag is at line:col.
func elementAt(m *codec.Message, line, col int) *etree.Element {
	stack := []*etree.Element{m.Envelope}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if l, c := m.Position(e); l == line && c == col {
			return e
		}
		stack = append(stack, e.ChildElements()...)
	}
	return nil
}
