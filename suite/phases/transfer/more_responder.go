package transfer

import (
	"slices"

	"github.com/beevik/etree"
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

// addressingFaults are the names of "an addressing fault" by family (WSA-007).
var addressingFaults = map[string][]string{
	"WS-Addressing 1.0 (Recommendation)": {"MessageAddressingHeaderRequired", "InvalidAddressingHeader", "ActionNotSupported",
		"DestinationUnreachable", "EndpointUnavailable", "InvalidCardinality", "MissingAddressInEPR", "DuplicateMessageID", "ActionMismatch"},
	"CXF (Candidate Recommendation names)": {"MessageAddressingPropertyRequired", "InvalidMessageAddressingProperty"},
	"WS-Addressing 2004/08":                {"MessageInformationHeaderRequired", "InvalidMessageInformationHeader"},
}

// addressingFamily classifies the fault m states as an addressing fault ("" when it is none).
func addressingFamily(m *codec.Message) (family, code string) {
	f := m.Fault()
	if f == nil {
		return "", ""
	}
	for _, q := range append([]wire.QName{f.CodeQName}, f.Subcodes...) {
		if _, ok := wsa.VersionOf(q.Space); !ok {
			continue
		}
		for fam, names := range addressingFaults {
			if slices.Contains(names, q.Local) {
				return fam, q.String()
			}
		}
	}
	return "", ""
}

// rawCreate sends a CreateSequence bound to tok after edit has changed its addressing.
func rawCreate(ctx SpecContext, c *Client, tok token.Token, edit func(h *wsa.Headers)) *Response {
	v := c.RM()
	h := c.Addressing(v.Action(wsrm.KindCreateSequence))
	edit(h)
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: h,
		Body: []any{&wsrm.CreateSequence{V: v, AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()}, STR: tok.Reference(false)}}}
	if v == wsrm.V200702 {
		env.Headers = append(env.Headers, codec.Header{Value: &wsrm.UsesSequenceSTR{}, MustUnderstand: true})
	}
	r, err := c.Send(ctx, env, Protection{Token: &tok})
	Expect(err).NotTo(HaveOccurred())
	return r
}

var _ = Describe("transfer: how a SUT responder words addressing faults (interop notes)", func() {
	// WSA-006 (INFO, WCF): a CreateSequence addressed (wsa:To) to an endpoint the SUT does not
	// host is answered with wsa:EndpointUnavailable.
	Assert("WSA-006", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		r := rawCreate(ctx, c, tok, func(h *wsa.Headers) { h.To = c.Endpoint + "/rspcheck-no-such-endpoint" })
		s.Observe("CreateSequence to %s/rspcheck-no-such-endpoint: %s", c.Endpoint, r)
		Expect(r).To(BeFault(wire.QName{Space: wsa.NS10, Local: "EndpointUnavailable"}),
			"a CreateSequence whose wsa:To names no endpoint of the SUT (WCF answers wsa:EndpointUnavailable)")
	})

	// WSA-007 (INFO): a request-reply message without wsa:MessageID (an RST/SCT) is answered
	// with an addressing fault; the name depends on the stack (Recommendation, CXF, 2004/08):
	// record which.
	Assert("WSA-007", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapIssuance)
		c := s.Client(s.Responder())
		x, err := seckit.Send(ctx, c, seckit.RST{}, Protection{Mutate: func(doc *etree.Document) error {
			for _, el := range doc.FindElements("//Header/MessageID") {
				el.Parent().RemoveChild(el)
			}
			return nil
		}})
		Expect(err).NotTo(HaveOccurred())
		r := x.Resp
		Expect(r.Message).NotTo(BeNil(), "expected: an addressing fault for an RST/SCT without wsa:MessageID\nactual:   %s", r)
		Expect(r.Msg).NotTo(BeNil(), "expected: an addressing fault\nactual:   %s", r)
		fam, code := addressingFamily(r.Msg)
		Expect(fam).NotTo(BeEmpty(), "expected: an addressing fault (any family) for an RST/SCT without wsa:MessageID\nactual:   %s", r)
		s.Observe("RST/SCT without wsa:MessageID: %s, a %s name", code, fam)
	})
})
