package peer

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

// refName is the reference parameter the tests put into EPRs.
var refName = wire.QName{Space: "urn:rspcheck:test", Local: "Ref"}

func refParams(v string) []wire.Any { return []wire.Any{{Name: refName, Prefix: "rt", Text: v}} }

// refHeaders returns the texts of m's rt:Ref headers, each with ":marked" when it carries
// wsa:IsReferenceParameter="true" (WS-Addressing 1.0 SOAP Binding §2.3).
func refHeaders(m *codec.Message) []string {
	if m == nil {
		return nil
	}
	var out []string
	for _, h := range m.HeaderNamed(refName) {
		s := strings.TrimSpace(h.El.Text())
		for _, a := range h.El.Attr {
			if a.Key == "IsReferenceParameter" && a.NamespaceURI() == wsa.NS10 && a.Value == "true" {
				s += ":marked"
			}
		}
		out = append(out, s)
	}
	return out
}

// wantRefs checks the reference parameter headers of m, a message of profile p, and that m is
// clean in p.
func wantRefs(t *testing.T, p codec.Profile, what string, m *codec.Message, want ...string) {
	t.Helper()
	got := refHeaders(m)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s: reference parameter headers %q, want %q\n%.1500s", what, got, want, rawOf(m))
	}
	if m == nil {
		return
	}
	if ps := m.Check(p); len(ps) > 0 {
		t.Errorf("%s violates %s: %v", what, p, codec.Problems(ps))
	}
}

// forEachRig runs f for both profiles and both SOAP versions.
func forEachRig(t *testing.T, f func(t *testing.T, r *rig)) {
	for _, p := range []Profile{P11, P05} {
		for _, sv := range []soap.Version{soap.V12, soap.V11} {
			t.Run(p.String()+"-"+sv.String(), func(t *testing.T) { f(t, newRig(t, p, sv)) })
		}
	}
}

// TestReplyReferenceParameters (WSA-003): every reply on the back-channel carries the
// reference parameters of the EPR it goes to as headers marked wsa:IsReferenceParameter —
// the ReplyTo's on CreateSequenceResponse and RSTR, the FaultTo's (else the ReplyTo's) on
// faults — and a stand-alone acknowledgement on the back-channel those of the anonymous AcksTo
// (RM-ACK-001). Every message stays clean in its profile.
func TestReplyReferenceParameters(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		anon := wsa.V10.Anonymous()
		env := r.createSeq(r.tok.Reference(false), r.p == P11)
		env.Addressing.ReplyTo = &wsa.EPR{Address: anon, ReferenceParameters: refParams("reply")}
		env.Body[0].(*wsrm.CreateSequence).AcksTo = wsa.EPR{Address: anon, ReferenceParameters: refParams("acks")}
		m, _ := r.send(env, &r.tok)
		csr, ok := payloadOf[*wsrm.CreateSequenceResponse](m)
		if !ok {
			t.Fatalf("CreateSequence not accepted:\n%s", rawOf(m))
		}
		wantRefs(t, r.p.Codec(), "CreateSequenceResponse", m, "reply:marked")
		if m.Addressing.To != anon {
			t.Errorf("CreateSequenceResponse wsa:To %q, want the ReplyTo address", m.Addressing.To)
		}

		// The stand-alone ack of the empty sequence goes to the anonymous AcksTo.
		ar := r.ackRequested(csr.Identifier)
		ar.Addressing.ReplyTo = &wsa.EPR{Address: anon, ReferenceParameters: refParams("reply")}
		m, _ = r.send(ar, &r.tok)
		if ackOf(m, csr.Identifier) == nil {
			t.Fatalf("AckRequested not answered with an ack:\n%s", rawOf(m))
		}
		wantRefs(t, r.p.Codec(), "stand-alone SequenceAcknowledgement", m, "acks:marked")

		// A fault goes to FaultTo when present.
		app := r.app("urn:uuid:00000000-0000-4000-8000-0000000000f1", 1, false)
		app.Addressing.ReplyTo = &wsa.EPR{Address: anon, ReferenceParameters: refParams("reply")}
		app.Addressing.FaultTo = &wsa.EPR{Address: anon, ReferenceParameters: refParams("fault")}
		m, _ = r.send(app, &r.tok)
		if !isFault(m, "UnknownSequence") {
			t.Fatalf("message of an unknown sequence not refused:\n%s", rawOf(m))
		}
		wantRefs(t, r.p.Codec(), "UnknownSequence fault", m, "fault:marked")
		app = r.app("urn:uuid:00000000-0000-4000-8000-0000000000f2", 1, false)
		app.Addressing.ReplyTo = &wsa.EPR{Address: anon, ReferenceParameters: refParams("reply")}
		m, _ = r.send(app, &r.tok)
		wantRefs(t, r.p.Codec(), "fault without FaultTo", m, "reply:marked")

		// WS-Trust replies: the RSTR and a refused RST.
		tv := r.trustV()
		rst := r.rst(wsc.BindingIssue, &wst.RequestSecurityToken{V: tv, TokenType: r.p.SC().SCTTokenType(), RequestType: tv.RequestType(wst.Issue)})
		rst.Addressing.ReplyTo = &wsa.EPR{Address: anon, ReferenceParameters: refParams("trust")}
		m, _ = r.send(rst, nil)
		if m == nil || m.Fault() != nil {
			t.Fatalf("RST not answered:\n%s", rawOf(m))
		}
		wantRefs(t, r.p.Codec(), "RSTR", m, "trust:marked")
		bad := r.rst(wsc.BindingIssue, &wst.RequestSecurityToken{V: tv, TokenType: r.p.SC().SCTTokenType()})
		bad.Addressing.ReplyTo = &wsa.EPR{Address: anon, ReferenceParameters: refParams("trust")}
		m, _ = r.send(bad, nil)
		if m == nil || m.Fault() == nil {
			t.Fatalf("RST without RequestType not refused:\n%s", rawOf(m))
		}
		wantRefs(t, r.p.Codec(), "WS-Trust fault", m, "trust:marked")
	})
}

// sink is an addressable endpoint that collects what the responder sends it.
type sink struct {
	url  string
	msgs chan *codec.Message
}

func newSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{msgs: make(chan *codec.Message, 16)}
	srv := httptest.NewServer(&transport.Handler{Serve: func(_ context.Context, req *transport.Request) (*transport.Reply, error) {
		m, err := codec.Decode(req.Body, codec.Options{})
		if err != nil {
			return nil, err
		}
		s.msgs <- m
		return nil, nil
	}})
	t.Cleanup(srv.Close)
	s.url = srv.URL + "/acks"
	return s
}

func (s *sink) await(t *testing.T) *codec.Message {
	t.Helper()
	select {
	case m := <-s.msgs:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("nothing arrived at the addressable AcksTo")
		return nil
	}
}

// TestAcksToReferenceParameters (RM-ACK-001): an acknowledgement sent to an addressable AcksTo
// is a new request to its address carrying its reference parameters as headers marked
// wsa:IsReferenceParameter="true"; the message acknowledged gets an empty HTTP 202.
func TestAcksToReferenceParameters(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		k := newSink(t)
		env := r.createSeq(r.tok.Reference(false), r.p == P11)
		env.Body[0].(*wsrm.CreateSequence).AcksTo = wsa.EPR{Address: k.url, ReferenceParameters: refParams("acks")}
		m, _ := r.send(env, &r.tok)
		csr, ok := payloadOf[*wsrm.CreateSequenceResponse](m)
		if !ok {
			t.Fatalf("CreateSequence not accepted:\n%s", rawOf(m))
		}
		app := r.app(csr.Identifier, 1, false)
		app.Headers = append(app.Headers, codec.Header{Value: &wsrm.AckRequested{V: r.p.RM(), Identifier: csr.Identifier}})
		m, st := r.send(app, &r.tok)
		if m != nil || st != 202 {
			t.Fatalf("message 1: HTTP %d, want an empty 202:\n%s", st, rawOf(m))
		}
		a := k.await(t)
		if !acked(a, csr.Identifier, 1) {
			t.Fatalf("no acknowledgement of message 1 at AcksTo:\n%s", rawOf(a))
		}
		wantRefs(t, r.p.Codec(), "acknowledgement to the addressable AcksTo", a, "acks:marked")
		if a.Addressing.Version != wsa.V10 || a.Addressing.To != k.url {
			t.Errorf("acknowledgement: WS-Addressing %s wsa:To %q, want 1.0 and %q", a.Addressing.Version, a.Addressing.To, k.url)
		}
		r.pr.cap.check(t, r.p)
	})
}

// TestAcksTo200408 (RM-ACK-001, P05): an AcksTo in the WS-Addressing 2004/08 form gets its
// acknowledgements in 2004/08, the reference properties copied as plain headers (2004/08 §2.3;
// that version has no IsReferenceParameter).
func TestAcksTo200408(t *testing.T) {
	r := newRig(t, P05, soap.V12)
	k := newSink(t)
	props := wire.Any{Name: wire.QName{Space: wsa.NS200408, Local: "ReferenceProperties"}, Prefix: "wsa04",
		Children: refParams("prop")}
	env := r.createSeq(r.tok.Reference(false), false)
	env.Body[0].(*wsrm.CreateSequence).AcksTo = wsa.EPR{Address: k.url, Extra: []wire.Any{props}}
	m, _ := r.send(env, &r.tok)
	csr, ok := payloadOf[*wsrm.CreateSequenceResponse](m)
	if !ok {
		t.Fatalf("CreateSequence not accepted:\n%s", rawOf(m))
	}
	app := r.app(csr.Identifier, 1, false)
	app.Headers = append(app.Headers, codec.Header{Value: &wsrm.AckRequested{V: wsrm.V200502, Identifier: csr.Identifier}})
	r.send(app, &r.tok)
	a := k.await(t)
	if !acked(a, csr.Identifier, 1) {
		t.Fatalf("no acknowledgement of message 1 at AcksTo:\n%s", rawOf(a))
	}
	if a.Addressing.Version != wsa.V200408 || a.Addressing.To != k.url {
		t.Errorf("acknowledgement: WS-Addressing %s wsa:To %q, want 2004/08 and %q", a.Addressing.Version, a.Addressing.To, k.url)
	}
	wantRefs(t, codec.ProfileP05, "2004/08 acknowledgement", a, "prop")
}

// TestUnknownAction (WSA-001): the RM endpoint answers an action it does not know with
// wsa:ActionNotSupported — secured or not — and still serves what it knows: application
// messages (AppAction), the echo action of the reverse sequences, messages without
// WS-Addressing. (The fault's shape in every profile and SOAP version: TestFaultCodes.)
func TestUnknownAction(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		bogus := "urn:rspcheck:test:NoSuchAction"
		env := &codec.Envelope{SOAP: r.sv, Addressing: addressing(bogus, r.to()), Body: []any{appBody([]byte("x"))}}
		for _, tok := range []*token.Token{&r.tok, nil} {
			m, st := r.send(env, tok)
			if !isFault(m, "ActionNotSupported") || st != 500 {
				t.Fatalf("secured=%v: HTTP %d, want wsa:ActionNotSupported:\n%s", tok != nil, st, rawOf(m))
			}
			f := m.Fault()
			pa := f.Detail
			if r.sv == soap.V11 {
				pa = faultDetail(m)
				if len(f.Detail) != 0 {
					t.Errorf("SOAP 1.1: detail element in the Body fault: %+v", f.Detail)
				}
			}
			if !hasElem(pa, "Action", bogus) {
				t.Errorf("ProblemAction does not name %s: %+v", bogus, pa)
			}
			if m.Addressing.Action != wsa.V10.FaultAction() {
				t.Errorf("fault action %q, want %q", m.Addressing.Action, wsa.V10.FaultAction())
			}
		}

		id := r.create(&r.tok)
		app := r.app(id, 1, false)
		app.Headers = append(app.Headers, codec.Header{Value: &wsrm.AckRequested{V: r.p.RM(), Identifier: id}})
		if m, _ := r.send(app, &r.tok); !acked(m, id, 1) || !r.delivered(id, 1) {
			t.Errorf("application message not served:\n%s", rawOf(m))
		}
		// a message of the sequence with an application action of another stack is an
		// application message: delivered, not refused (the suite's scripted responder judges
		// external initiators that send their own actions)
		own := r.app(id, 2, false)
		own.Addressing.Action = "urn:example:vendor:Echo"
		own.Headers = append(own.Headers, codec.Header{Value: &wsrm.AckRequested{V: r.p.RM(), Identifier: id}})
		if m, _ := r.send(own, &r.tok); !acked(m, id, 2) || !r.delivered(id, 2) {
			t.Errorf("sequenced message with a vendor action not delivered:\n%s", rawOf(m))
		}
		echo := &codec.Envelope{SOAP: r.sv, Addressing: addressing(EchoAction, r.to()), Body: []any{appBody([]byte("x"))}}
		if m, _ := r.send(echo, &r.tok); isFault(m, "ActionNotSupported") {
			t.Errorf("the echo action refused:\n%s", rawOf(m))
		}
		if m, _ := r.send(r.ackRequested(id), &r.tok); !acked(m, id, 1) {
			t.Errorf("AckRequested not served:\n%s", rawOf(m))
		}
		plain := &codec.Envelope{SOAP: r.sv, Body: []any{appBody([]byte("x"))}}
		raw := r.craft(plain, nil, r.now())
		if m, _ := r.post(bogus, raw); isFault(m, "ActionNotSupported") {
			t.Errorf("a message without WS-Addressing answered ActionNotSupported:\n%s", rawOf(m))
		}
	})
}

// TestEmptyAck (RM-ACK-005): AckRequested on a sequence that received nothing is answered — in
// 1.1 with wsrm:None, in 2005/02 with the sole range 0-0 (WCF B1402) — and the answer is clean.
func TestEmptyAck(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		id := r.create(&r.tok)
		m, st := r.send(r.ackRequested(id), &r.tok)
		a := ackOf(m, id)
		if st != 200 || a == nil {
			t.Fatalf("HTTP %d, want an acknowledgement:\n%s", st, rawOf(m))
		}
		if r.p == P11 && (!a.None || len(a.Ranges) != 0) {
			t.Errorf("1.1 empty ack %+v, want wsrm:None", a)
		}
		if r.p == P05 && !a.IsEmpty200502() {
			t.Errorf("2005/02 empty ack %+v, want the sole range 0-0", a)
		}
		if ps := m.Check(r.p.Codec()); len(ps) > 0 {
			t.Errorf("empty ack violates %s: %v", r.p, codec.Problems(ps))
		}
	})
}
