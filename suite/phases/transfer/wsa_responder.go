package transfer

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// exchange runs a typical sequence against the SUT responder: create, two messages (one with
// AckRequested), a stand-alone AckRequested, a message for an unknown sequence (a fault),
// and in 1.1 Close (when supported) and Terminate.
func exchange(ctx SpecContext, s *Spec, c *Client) *Seq {
	sq := kit.Open(ctx, c)
	kit.SendAll(ctx, c, sq, 1)
	kit.Send(ctx, c, sq, Msg{Number: 2, AckRequested: true})
	kit.AckReq(ctx, c, sq)
	kit.Send(ctx, c, &Seq{ID: NewID(), Token: sq.Token, Next: 1}, Msg{})
	if c.RM() == wsrm.V200702 {
		if s.Config().SUT.Has(CapClose) {
			_, err := c.Close(ctx, sq, 2, nil)
			Expect(err).NotTo(HaveOccurred())
		}
		_, err := c.Terminate(ctx, sq, 2, nil)
		Expect(err).NotTo(HaveOccurred())
	}
	return sq
}

// rmAction is the action an RM message must carry, from its body and headers ("" when it
// is not one of the RM protocol messages).
func rmAction(v wsrm.Version, m *codec.Message) string {
	switch m.Payload.(type) {
	case *wsrm.CreateSequence:
		return v.Action(wsrm.KindCreateSequence)
	case *wsrm.CreateSequenceResponse:
		return v.Action(wsrm.KindCreateSequenceResponse)
	case *wsrm.CloseSequence:
		return v.Action(wsrm.KindCloseSequence)
	case *wsrm.CloseSequenceResponse:
		return v.Action(wsrm.KindCloseSequenceResponse)
	case *wsrm.TerminateSequence:
		return v.Action(wsrm.KindTerminateSequence)
	case *wsrm.TerminateSequenceResponse:
		return v.Action(wsrm.KindTerminateSequenceResponse)
	}
	if m.BodyCount != 0 {
		return ""
	}
	if h, _ := codec.Find[*wsrm.Sequence](m); h != nil {
		if h.LastMessage {
			return v.Action(wsrm.KindLastMessage)
		}
		return ""
	}
	if h, _ := codec.Find[*wsrm.AckRequested](m); h != nil {
		return v.Action(wsrm.KindAckRequested)
	}
	if h, _ := codec.Find[*wsrm.SequenceAcknowledgement](m); h != nil {
		return v.Action(wsrm.KindSequenceAcknowledgement)
	}
	return ""
}

// checkActions judges the wsa:Action of every message from the SUT.
func checkActions(s *Spec) int {
	v := s.Config().Profile.RM()
	n := 0
	for _, m := range s.Wire.FromSUT() {
		if m.Msg == nil || IsMustUnderstandFault(m.Msg) {
			continue // undecodable (its problems are in the wire log) or raised before any header was processed
		}
		n++
		Expect(m.Msg.HasAddressing && m.Action() != "").To(BeTrue(),
			"expected: a wsa:Action on every message\nactual:   none on message %d", m.N)
		if want := rmAction(v, m.Msg); want != "" {
			Expect(m).To(HaveAction(want), "message %d", m.N)
		}
	}
	Expect(n).To(BeNumerically(">", 0), "expected: messages from the SUT\nactual:   none")
	return n
}

var _ = Describe("transfer: a SUT responder follows the WS-Addressing rules of the flow", func() {
	// WSA-001: every message the RMD sends has the exact wsa:Action; an action the endpoint
	// does not know is answered with wsa:ActionNotSupported.
	Assert("WSA-001", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		sq := exchange(ctx, s, c)
		s.Observe("%d messages with their actions", checkActions(s))
		bogus := c.RM().Namespace() + "/NoSuchAction"
		env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(bogus)}
		r, err := c.Send(ctx, env, Protection{Token: &sq.Token})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(wire.QName{Space: wsa.NS10, Local: "ActionNotSupported"}), "a message with action %s", bogus)
	})

	// WSA-002: every reply carries wsa:RelatesTo with the request's MessageID.
	Assert("WSA-002", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		exchange(ctx, s, c)
		msgs := s.Wire.Messages(nil)
		n := 0
		for i := 1; i < len(msgs); i++ {
			req, rep := msgs[i-1], msgs[i]
			if req.Dir != ToSUT || rep.Dir != FromSUT || req.Msg == nil || rep.Msg == nil || !isReply(rep.Msg) || IsMustUnderstandFault(rep.Msg) {
				continue
			}
			n++
			want := req.Msg.Addressing.MessageID
			got := ""
			if rep.Msg.HasAddressing {
				got, _ = rep.Msg.Addressing.RelatesToReply()
			}
			Expect(got).To(Equal(want), "expected: wsa:RelatesTo %s (the request's MessageID) on %s\nactual:   %q (message %d)", want, rep.Action(), got, rep.N)
		}
		Expect(n).To(BeNumerically(">", 0), "expected: replies from the SUT\nactual:   none")

		// negative: a CreateSequence (a request that expects a reply) without wsa:MessageID is
		// refused with wsa:MessageAddressingHeaderRequired, not answered.
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		cs := &wsrm.CreateSequence{V: c.RM(), AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()}, STR: tok.Reference(false)}
		env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(c.RM().Action(wsrm.KindCreateSequence)), Body: []any{cs}}
		env.Addressing.MessageID = ""
		if c.RM() == wsrm.V200702 {
			env.Headers = append(env.Headers, codec.Header{Value: &wsrm.UsesSequenceSTR{}, MustUnderstand: true})
		}
		r, err := c.Send(ctx, env, Protection{Token: &tok})
		Expect(err).NotTo(HaveOccurred())
		// The reply could not be related to the request: it must be refused. The fault code is
		// wsa:MessageAddressingHeaderRequired (WS-Addressing SOAP Binding §6.4.1, as WCF
		// answers), but a SUT may refuse for another reason first (a mustUnderstand header, a
		// security check): any fault is a refusal; only the WS-Addressing one passes silently.
		Expect(r).To(BeFault(), "expected: a CreateSequence without wsa:MessageID refused (wsa:MessageAddressingHeaderRequired)\nactual:   %v", r)
		if ok, _ := BeFault(wire.QName{Space: wsa.NS10, Local: "MessageAddressingHeaderRequired"}).Match(r); !ok {
			s.Observe("a CreateSequence without wsa:MessageID was refused with another fault than wsa:MessageAddressingHeaderRequired: %v", r)
		}
	})

	// WSA-003: a reply goes to the request's ReplyTo and carries its reference parameters as
	// headers marked wsa:IsReferenceParameter.
	Assert("WSA-003", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		anon := wsa.V10.Anonymous()
		r := kit.CreateRaw(ctx, c, tok, wsa.EPR{Address: anon}, &wsa.EPR{Address: anon, ReferenceParameters: kit.RefParams("reply")})
		// The reply under test is the CreateSequenceResponse; a refusal of the conforming
		// CreateSequence is judged by RM-CSR-001 (a mustUnderstand fault, for one, is raised
		// before the addressing headers are processed at all).
		s.Precondition(r != nil && r.Msg != nil && r.Fault() == nil, "the conforming CreateSequence was refused (judged by RM-CSR-001): %v", r)
		Expect(r).To(HaveAction(c.RM().Action(wsrm.KindCreateSequenceResponse)), "the CreateSequence must be answered")
		to := r.Msg.Addressing.To
		Expect(to == "" || to == anon).To(BeTrue(), "expected: wsa:To the ReplyTo address (anonymous)\nactual:   %q", to)
		Expect(kit.RefParamHeader(r.Message, "reply")).To(kit.BeOK(), "the ReplyTo reference parameter echoed")
	})

	// WSA-004: an addressable AcksTo gets the acknowledgements as new requests; the originals
	// get an empty HTTP 2xx. An anonymous one gets them on the HTTP response.
	Assert("WSA-004", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapAddressableAT)
		c := s.Client(s.Responder())
		sq := kit.Open(ctx, c)
		r := kit.Send(ctx, c, sq, Msg{Number: 1, AckRequested: true})
		Expect(r.Status/100 == 2 && kit.AckOf(r, sq.ID) != nil).To(BeTrue(),
			"expected: anonymous AcksTo: the ack on the HTTP response\nactual:   %s", kit.Summary(r))
		k, url := kit.Listen(s)
		aq := kit.CreateTo(ctx, c, sq.Token, wsa.EPR{Address: url}, nil)
		r = kit.Send(ctx, c, aq, Msg{Number: 1, AckRequested: true})
		Expect(r.Status/100 == 2 && r.Message == nil).To(BeTrue(),
			"expected: addressable AcksTo: an empty HTTP 202 to the message\nactual:   %s", kit.Summary(r))
		Expect(k.Await(aq.ID, wait)).NotTo(BeNil(),
			"expected: the acknowledgement of %s as a new request to %s\nactual:   none within %s", aq.ID, url, wait)
		s.Observe("addressable AcksTo: HTTP %d to the message", r.Status)
	})

	// WSA-005: one WS-Addressing version for everything about a sequence.
	Assert("WSA-005", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		exchange(ctx, s, c)
		for _, m := range s.Wire.FromSUT() {
			if m.Msg.HasAddressing {
				Expect(m.Msg.Addressing.Version).To(Equal(wsa.V10),
					"expected: WS-Addressing 1.0, the version of the sequence\nactual:   %s (message %d)", m.Msg.Addressing.Version, m.N)
			}
		}
	})
})

// isReply reports whether m is a reply that must relate to its request: an RM response, a
// WS-Trust response or a fault.
func isReply(m *codec.Message) bool {
	switch m.Payload.(type) {
	case *wsrm.CreateSequenceResponse, *wsrm.CloseSequenceResponse, *wsrm.TerminateSequenceResponse:
		return true
	}
	if m.Fault() != nil {
		return true
	}
	if m.HasAddressing {
		if _, _, resp, ok := wsc.BindingOfAction(m.Addressing.Action); ok && resp {
			return true
		}
	}
	return false
}
