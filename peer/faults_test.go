package peer

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// TestFaultShapes sends faulty requests to a responder and checks each fault: its code, its
// SOAP 1.1 / 1.2 shape (no codec.Check problem in the profile, SequenceFault header for SOAP
// 1.1 sequence faults) and its HTTP status.
func TestFaultShapes(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		for _, sv := range []soap.Version{soap.V12, soap.V11} {
			t.Run(p.String()+"-"+sv.String(), func(t *testing.T) { faultShapes(t, p, sv) })
		}
	}
}

func faultShapes(t *testing.T, p Profile, sv soap.Version) {
	pr := newPair(t, p, sv, ResponderConfig{}, InitiatorConfig{})
	ctx := context.Background()
	tok, err := pr.init.prov.SCT(ctx, pr.init.cfg.To)
	if err != nil {
		t.Fatal(err)
	}
	sec := tok.Security()
	v := p.RM()
	seq := func(id string) *codec.Envelope {
		return &codec.Envelope{SOAP: sv, Addressing: addressing(AppAction, pr.init.cfg.To),
			Headers: []codec.Header{{Value: &wsrm.Sequence{V: v, Identifier: id, MessageNumber: 1}, MustUnderstand: true}},
			Body:    []any{appBody([]byte("x"))}}
	}
	cs := func() *codec.Envelope {
		h := addressing(v.Action(wsrm.KindCreateSequence), pr.init.cfg.To)
		h.ReplyTo = &wsa.EPR{Address: wsa.V10.Anonymous()}
		env := &codec.Envelope{SOAP: sv, Addressing: h,
			Body: []any{&wsrm.CreateSequence{V: v, AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()}, STR: tok.Reference(false)}}}
		if v == wsrm.V200702 {
			env.Headers = []codec.Header{{Value: &wsrm.UsesSequenceSTR{}, MustUnderstand: true}}
		}
		return env
	}
	cases := []struct {
		name string
		env  *codec.Envelope
		tok  *wssec.Token
		want string // local name of the fault code
	}{
		{"unknown sequence", seq("urn:uuid:00000000-0000-4000-8000-000000000000"), &sec, "UnknownSequence"},
		{"unsecured CreateSequence", cs(), nil, "CreateSequenceRefused"},
		{"unknown token", seq("urn:uuid:00000000-0000-4000-8000-000000000001"), &wssec.Token{Identifier: "urn:uuid:11111111-1111-4111-8111-111111111111", Secret: make([]byte, 32)}, "BadContextToken"},
	}
	if p == P11 {
		plain := &codec.Envelope{SOAP: sv, Addressing: addressing(AppAction, pr.init.cfg.To), Body: []any{appBody([]byte("x"))}}
		cases = append(cases, struct {
			name string
			env  *codec.Envelope
			tok  *wssec.Token
			want string
		}{"no sequence header", plain, &sec, "WSRMRequired"})
	}
	for _, c := range cases {
		probe(t, pr, p, sv, c.name, c.env, c.tok, c.want)
	}
	// A request of the other profile's WS-RM version is not served.
	ov := wsrm.V200502
	if p == P05 {
		ov = wsrm.V200702
	}
	other := &codec.Envelope{SOAP: sv, Addressing: addressing(ov.Action(wsrm.KindCreateSequence), pr.init.cfg.To),
		Body: []any{&wsrm.CreateSequence{V: ov, AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()}, STR: tok.Reference(false)}}}
	other.Addressing.ReplyTo = &wsa.EPR{Address: wsa.V10.Anonymous()}
	probeAny(t, pr, sv, "other profile", other, &sec, "ActionNotSupported")
	// After the SCT is cancelled, a message secured by it names a bad context (SC-CNL-003).
	if err := pr.init.prov.Cancel(ctx, pr.init.cfg.To); err != nil {
		t.Fatal(err)
	}
	probe(t, pr, p, sv, "cancelled token", seq("urn:uuid:00000000-0000-4000-8000-000000000002"), &sec, "BadContextToken")
}

// probeAny is probe for an exchange whose messages need not belong to one profile.
func probeAny(t *testing.T, pr *pair, sv soap.Version, name string, env *codec.Envelope, tok *wssec.Token, want string) {
	t.Helper()
	probe(t, pr, -1, sv, name, env, tok, want)
}

// probe sends env protected by tok and checks that the answer is a well-formed fault want
// (in profile p; -1 = any).
func probe(t *testing.T, pr *pair, p Profile, sv soap.Version, name string, env *codec.Envelope, tok *wssec.Token, want string) {
	t.Helper()
	pol := policy(pr.init.cfg.Profile)
	raw, err := build(env, tok, pol, time.Now())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	resp, err := transport.NewClient(nil).Post(context.Background(), pr.init.cfg.To, sv, env.Addressing.Action, raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m, err := codec.Decode(resp.Body, codec.Options{})
	if err != nil {
		t.Fatalf("%s: response: %v", name, err)
	}
	f := m.Fault()
	if f == nil {
		t.Errorf("%s: no fault:\n%s", name, resp.Body)
		return
	}
	got := f.Subcode().Local
	if got != want {
		t.Errorf("%s: fault %q (%s), want %s", name, got, f.Reason, want)
	}
	if resp.Status != 500 {
		t.Errorf("%s: HTTP status %d", name, resp.Status)
	}
	if m.SOAP != sv {
		t.Errorf("%s: answered in %s", name, m.SOAP)
	}
	cp := codec.ProfileAuto
	if p >= 0 {
		cp = p.Codec()
	}
	if ps := m.Check(cp); len(ps) > 0 {
		t.Errorf("%s: fault violates %s: %v\n%s", name, cp, codec.Problems(ps), resp.Body)
	}
	_, sfh := codec.Find[*wsrm.SequenceFault](m)
	if code, _, ok := wsrm.FaultCodeOf(f.Subcode()); ok && sv == soap.V11 && code.HeaderFault() && sfh == nil {
		t.Errorf("%s: SOAP 1.1 sequence fault without wsrm:SequenceFault header", name)
	}
	if sv == soap.V12 && sfh != nil {
		t.Errorf("%s: wsrm:SequenceFault with SOAP 1.2", name)
	}
}

// TestInitiatorSendsFault: a fault the Source raises about one of its sequences
// (wsrm:InvalidAcknowledgement, RM-ACK-004) goes to the Destination as a secured, well-formed
// SOAP fault carrying the offending acknowledgement's sequence.
func TestInitiatorSendsFault(t *testing.T) {
	for _, sv := range []soap.Version{soap.V12, soap.V11} {
		pr := newPair(t, P11, sv, ResponderConfig{}, InitiatorConfig{})
		ctx := context.Background()
		tok, err := pr.init.obtain(ctx, pr.init.cfg.To)
		if err != nil {
			t.Fatal(err)
		}
		const id = "urn:uuid:00000000-0000-4000-8000-0000000000aa"
		f := &rm.Fault{Version: wsrm.V200702, Code: wsrm.InvalidAcknowledgement, Identifier: id, Reason: "ack covers unsent numbers"}
		pr.init.perform(ctx, nil, []rm.Action{rm.SendFault{Fault: f, Token: tok.Identifier}}, "")
		sent := pr.cap.messages(func(m *codec.Message) bool {
			return m.Fault() != nil && m.Fault().Subcode().Local == "InvalidAcknowledgement"
		})
		// Captured twice: sent by the initiator, received by the responder.
		if len(sent) != 2 || !bytes.Equal(sent[0].Raw(), sent[1].Raw()) {
			t.Fatalf("%s: %d InvalidAcknowledgement faults captured", sv, len(sent))
		}
		m := sent[0]
		if ps := m.Check(P11.Codec()); len(ps) > 0 {
			t.Errorf("%s: %v", sv, codec.Problems(ps))
		}
		if _, h := codec.Find[*wsse.Security](m); h == nil {
			t.Errorf("%s: fault not secured", sv)
		}
		if !strings.Contains(string(m.Raw()), id) {
			t.Errorf("%s: fault does not name the sequence", sv)
		}
	}
}

// TestUndecodable: a request that is not a usable envelope gets a generic Sender fault in the
// SOAP version of its Content-Type.
func TestUndecodable(t *testing.T) {
	for _, sv := range []soap.Version{soap.V12, soap.V11} {
		pr := newPair(t, P11, sv, ResponderConfig{}, InitiatorConfig{})
		body := []byte(`<s:Envelope xmlns:s="` + sv.Namespace() + `"><s:Body><unclosed></s:Body></s:Envelope>`)
		resp, err := transport.NewClient(nil).Post(context.Background(), pr.init.cfg.To, sv, AppAction, body)
		if err != nil {
			t.Fatal(err)
		}
		m, err := codec.Decode(resp.Body, codec.Options{})
		if err != nil {
			t.Fatalf("%s: %v\n%s", sv, err, resp.Body)
		}
		if f := m.Fault(); f == nil || f.Code != soap.Sender || m.SOAP != sv || resp.Status != 500 {
			t.Errorf("%s: status %d, fault %+v", sv, resp.Status, f)
		}
	}
}
