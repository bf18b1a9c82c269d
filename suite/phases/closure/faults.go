package closure

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/peer"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// sendNumber sends an application message on sq numbered exactly n (0 included).
func sendNumber(ctx SpecContext, c *Client, sq *Seq, n uint64) *Response {
	v := c.RM()
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(c.AppAction),
		Headers: []codec.Header{{Value: &wsrm.Sequence{V: v, Identifier: sq.ID, MessageNumber: n}, MustUnderstand: true}},
		Body:    []any{appBody(n)}}
	r, err := c.Send(ctx, env, Protection{Token: &sq.Token})
	Expect(err).NotTo(HaveOccurred())
	return r
}

// faulted provokes RM faults at the SUT responder: UnknownSequence for a message and an
// AckRequested, MessageNumberRollover, and (1.1, Close supported) SequenceClosed. It returns
// the responses with the identifier each fault is about.
func faulted(ctx SpecContext, s *Spec, c *Client) map[*Response]string {
	sq := kit.Open(ctx, c)
	kit.SendAll(ctx, c, sq, 1)
	unknown := &Seq{ID: NewID(), Token: sq.Token, Next: 1}
	out := map[*Response]string{
		kit.Send(ctx, c, unknown, Msg{}):                             unknown.ID,
		kit.AckReq(ctx, c, unknown):                                  unknown.ID,
		kit.Send(ctx, c, sq, Msg{Number: wsrm.MaxMessageNumber + 1}): sq.ID,
	}
	if c.RM() == wsrm.V200702 && s.Config().SUT.Has(CapClose) {
		closeSeq(ctx, c, sq, 1)
		out[kit.Send(ctx, c, sq, Msg{Number: 2})] = sq.ID
	}
	return out
}

// rmCode is the WS-RM fault code a fault message states (SOAP 1.2 Subcode, SOAP 1.1
// faultcode or SequenceFault header), if any.
func rmCode(m *codec.Message) (wsrm.FaultCode, bool) {
	f := m.Fault()
	if f == nil {
		return "", false
	}
	qs := append([]wire.QName{f.CodeQName}, f.Subcodes...)
	if sf, _ := codec.Find[*wsrm.SequenceFault](m); sf != nil {
		qs = append(qs, sf.FaultCode)
	}
	for _, q := range qs {
		if c, _, ok := wsrm.FaultCodeOf(q); ok {
			return c, true
		}
	}
	return "", false
}

// hasIdentifier reports whether detail holds wsrm:Identifier id.
func hasIdentifier(v wsrm.Version, detail []wire.Any, id string) bool {
	for _, d := range detail {
		if d.Name == (wire.QName{Space: v.Namespace(), Local: "Identifier"}) && d.Text == id {
			return true
		}
	}
	return false
}

var _ = Describe("closure: a SUT responder's RM faults", func() {
	// RM-FLT-001: RM faults carry the WS-RM 1.1 fault action (2005/02: a WS-Addressing fault
	// action).
	Assert("RM-FLT-001", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		want := []string{c.RM().Action(wsrm.KindFault)}
		if c.RM() == wsrm.V200502 {
			want = []string{wsa.V10.FaultAction(), wsa.V10.SOAPFaultAction()}
		}
		n := 0
		for r := range faulted(ctx, s, c) {
			if r.Message == nil || r.Msg == nil {
				continue
			}
			if _, ok := rmCode(r.Msg); !ok {
				continue
			}
			n++
			Expect(want).To(ContainElement(r.Action()), "expected: the RM fault action %v\nactual:   %q (message %d)", want, r.Action(), r.N)
		}
		s.Precondition(n > 0, "no decodable RM fault came from the SUT (the faults themselves are judged by RM-SEQ-004, RM-SEQ-005, RM-TS-003, RM-FLT-002)")
	})

	// RM-FLT-002: SOAP 1.2: Code Sender, Subcode the wsrm QName, Detail wsrm:Identifier, no
	// SequenceFault header; SOAP 1.1: faultcode the wsrm QName with a wsrm:SequenceFault
	// header stating it.
	Assert("RM-FLT-002", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		unknown := &Seq{ID: NewID(), Token: sq.Token, Next: 1}
		q := wsrm.UnknownSequence.QName(c.RM())
		r := kit.Send(ctx, c, unknown, Msg{})
		Expect(r).To(BeFault(q), "the fault to judge (a message for an unknown sequence)")
		f := r.Fault()
		sf, _ := codec.Find[*wsrm.SequenceFault](r.Msg)
		if r.Msg.SOAP == soap.V12 {
			Expect(f.Code == soap.Sender && f.Subcode() == q).To(BeTrue(),
				"expected: Code env:Sender, Subcode %s\nactual:   Code %s, Subcodes %v", q, f.Code, f.Subcodes)
			Expect(hasIdentifier(c.RM(), f.Detail, unknown.ID)).To(BeTrue(),
				"expected: env:Detail with wsrm:Identifier %s\nactual:   %s", unknown.ID, details(f.Detail))
			Expect(sf).To(BeNil(), "expected: no wsrm:SequenceFault header with SOAP 1.2\nactual:   one")
			return
		}
		Expect(f.CodeQName).To(Equal(q), "expected: faultcode %s\nactual:   %s", q, f.CodeQName)
		Expect(sf).NotTo(BeNil(), "expected: a wsrm:SequenceFault header (SOAP 1.1)\nactual:   none")
		Expect(sf.FaultCode).To(Equal(q), "expected: wsrm:SequenceFault/wsrm:FaultCode %s\nactual:   %s", q, sf.FaultCode)
	})

	// RM-FLT-003: a protocol violation (MessageNumber 0) that the RMD answers with
	// SequenceTerminated (Sender or Receiver, detail Identifier) leaves the sequence dead.
	Assert("RM-FLT-003", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		kit.SendAll(ctx, c, sq, 1)
		q := wsrm.SequenceTerminated.QName(c.RM())
		r := sendNumber(ctx, c, sq, 0)
		var code wsrm.FaultCode
		if r.Message != nil && r.Msg != nil {
			code, _ = rmCode(r.Msg)
		}
		if code != wsrm.SequenceTerminated {
			Skip(NotApplicablePrefix + "the SUT did not terminate the sequence for MessageNumber 0 (" + kit.Summary(r) + ")")
		}
		if f := r.Fault(); r.Msg.SOAP == soap.V12 {
			Expect(f.Code == soap.Sender || f.Code == soap.Receiver).To(BeTrue(), "expected: Code Sender or Receiver\nactual:   %s", f.Code)
			Expect(hasIdentifier(c.RM(), f.Detail, sq.ID)).To(BeTrue(),
				"expected: env:Detail with wsrm:Identifier %s\nactual:   %s", sq.ID, details(f.Detail))
		}
		gone := BeFault(wsrm.UnknownSequence.QName(c.RM()), q)
		Expect(kit.Send(ctx, c, sq, Msg{Number: 2})).To(gone, "message 2 after SequenceTerminated: the sequence is dead")
	})

	// RM-FLT-004: refusals to create a sequence are CreateSequenceRefused, Code Sender for the
	// requester's problems (no security; an STR naming an unknown SCT).
	Assert("RM-FLT-004", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		str := tok.Reference(false)
		str.Reference.URI = NewID()
		for what, cr := range map[string]Create{
			"an unsecured CreateSequence":              {Token: tok, Protect: &Protection{}},
			"an STR naming an SCT that was not issued": {Token: tok, STR: str},
		} {
			r, id, err := c.CreateSequence(ctx, cr)
			Expect(err).NotTo(HaveOccurred())
			Expect(id).To(BeEmpty(), "no sequence for %s", what)
			Expect(r).To(BeFault(wsrm.CreateSequenceRefused.QName(c.RM())), "refusal of %s", what)
			if f := r.Fault(); r.Msg.SOAP == soap.V12 {
				Expect(f.Code).To(Equal(soap.Sender), "expected: Code env:Sender (the requester's problem: %s)\nactual:   %s", what, f.Code)
			}
		}
	})

	// RM-FLT-005 (MAY): an application message without a Sequence header at an RM endpoint
	// is refused with WSRMRequired (WCF: WsrmRequired).
	Assert("RM-FLT-005", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(c.AppAction), Body: []any{appBody(1)}}
		r, err := c.Send(ctx, env, Protection{Token: &sq.Token})
		Expect(err).NotTo(HaveOccurred())
		ns := c.RM().Namespace()
		Expect(r).To(BeFault(wsrm.WSRMRequired.QName(c.RM()), wire.QName{Space: ns, Local: "WsrmRequired"}),
			"an application message without wsrm:Sequence")
	})
})

// appBody is the body of the suite's application message n.
func appBody(n uint64) wire.Any { return peer.AppBody([]byte(fmt.Sprintf("rspcheck message %d", n))) }

func details(ds []wire.Any) string {
	if len(ds) == 0 {
		return "no detail"
	}
	out := ""
	for _, d := range ds {
		out += fmt.Sprintf("%s=%q ", d.Name, d.Text)
	}
	return out
}
