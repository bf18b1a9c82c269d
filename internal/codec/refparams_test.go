package codec

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// RM-ACK-005: the empty acknowledgement of WS-RM 2005/02 (the sole range 0-0, WCF B1402) is
// encoded and decoded without a problem; in 1.1 the same range is still refused.
func TestEmptyAck200502(t *testing.T) {
	id := "urn:uuid:7d8a2f1e-0000-4000-8000-000000000001"
	ack := &wsrm.SequenceAcknowledgement{V: wsrm.V200502, Identifier: id, Ranges: []wsrm.AckRange{{}}}
	env := &Envelope{SOAP: soap.V12, Addressing: &wsa.Headers{Version: wsa.V10,
		Action: wsrm.V200502.Action(wsrm.KindSequenceAcknowledgement), MessageID: "urn:uuid:7d8a2f1e-0000-4000-8000-000000000002",
		To: wsa.V10.Anonymous()}, Headers: []Header{{Value: ack}}}
	raw, err := Encode(env, Options{})
	if err != nil {
		t.Fatalf("2005/02 empty ack refused: %v", err)
	}
	if !strings.Contains(string(raw), `Upper="0" Lower="0"`) {
		t.Fatalf("no 0-0 range:\n%s", raw)
	}
	m, err := Decode(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ps := m.Check(ProfileP05); len(ps) != 0 {
		t.Fatalf("2005/02 empty ack: %v", Problems(ps))
	}
	got, _ := Find[*wsrm.SequenceAcknowledgement](m)
	if got == nil || !got.IsEmpty200502() {
		t.Fatalf("decoded %+v, want the empty 2005/02 ack", got)
	}

	for name, a := range map[string]*wsrm.SequenceAcknowledgement{
		"1.1":                 {V: wsrm.V200702, Identifier: id, Ranges: []wsrm.AckRange{{}}},
		"2005/02, two ranges": {V: wsrm.V200502, Identifier: id, Ranges: []wsrm.AckRange{{}, {Lower: 1, Upper: 1}}},
	} {
		e := *env
		e.Headers = []Header{{Value: a}}
		if a.V == wsrm.V200702 {
			e.Addressing = &wsa.Headers{Version: wsa.V10, Action: wsrm.V200702.Action(wsrm.KindSequenceAcknowledgement)}
		}
		if _, err := Encode(&e, Options{}); err == nil || !strings.Contains(err.Error(), "at least 1") {
			t.Errorf("%s: range 0-0 encoded: %v", name, err)
		}
		raw, err := Encode(&e, Options{AllowIllegal: true})
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(raw, Options{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range m.Check(ProfileAuto) {
			found = found || (p.Element == "wsrm:AcknowledgementRange" && strings.Contains(p.Reason, "at least 1"))
		}
		if !found {
			t.Errorf("%s: range 0-0 not reported: %v", name, Problems(m.Check(ProfileAuto)))
		}
	}
}

// ReferenceHeaders: WS-Addressing 1.0 marks each reference parameter (once), 2004/08 copies
// reference properties and parameters as they are.
func TestReferenceHeaders(t *testing.T) {
	ref := func(local, text string, attrs ...wire.Attr) wire.Any {
		return wire.Any{Name: wire.QName{Space: "urn:x", Local: local}, Prefix: "x", Text: text, Attrs: attrs}
	}
	mark := wire.Attr{Name: wire.QName{Space: wsa.NS10, Local: "IsReferenceParameter"}, Value: "true"}
	if hs := ReferenceHeaders(wsa.V10, nil); hs != nil {
		t.Fatalf("nil EPR: %v", hs)
	}
	if hs := ReferenceHeaders(wsa.V10, &wsa.EPR{Address: wsa.V10.Anonymous()}); hs != nil {
		t.Fatalf("EPR without parameters: %v", hs)
	}
	other := wire.Attr{Name: wire.QName{Local: "k"}, Value: "v"}
	stale := wire.Attr{Name: mark.Name, Value: "false"}
	e := &wsa.EPR{Address: "http://example.org/a", ReferenceParameters: []wire.Any{ref("A", "1", other), ref("B", "2", stale)}}
	hs := ReferenceHeaders(wsa.V10, e)
	if len(hs) != 2 {
		t.Fatalf("got %d headers, want 2", len(hs))
	}
	for i, h := range hs {
		a := h.Value.(wire.Any)
		n := 0
		for _, at := range a.Attrs {
			if at.Name == mark.Name {
				n++
				if at.Value != "true" {
					t.Errorf("header %d: IsReferenceParameter=%q", i, at.Value)
				}
			}
		}
		if n != 1 {
			t.Errorf("header %d: %d IsReferenceParameter attributes, want 1", i, n)
		}
	}
	if a := hs[0].Value.(wire.Any); a.Attrs[0] != other || a.Text != "1" {
		t.Errorf("header 0 lost its content: %+v", a)
	}
	if len(e.ReferenceParameters[1].Attrs) != 1 || e.ReferenceParameters[1].Attrs[0] != stale {
		t.Errorf("the EPR was changed: %+v", e.ReferenceParameters[1])
	}
	env := &Envelope{SOAP: soap.V12, Addressing: &wsa.Headers{Version: wsa.V10, Action: "urn:a", To: e.Address}, Headers: hs}
	raw, err := Encode(env, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`<x:A k="v" wsa:IsReferenceParameter="true">1</x:A>`, `<x:B wsa:IsReferenceParameter="true">2</x:B>`} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("missing %s in\n%s", s, raw)
		}
	}

	// 2004/08: reference properties (kept whole in Extra by readEPR) and parameters, plain.
	props := wire.Any{Name: wire.QName{Space: wsa.NS200408, Local: "ReferenceProperties"}, Prefix: "wsa",
		Children: []wire.Any{ref("P", "p")}}
	e = &wsa.EPR{Address: "http://example.org/b", ReferenceParameters: []wire.Any{ref("Q", "q")}, Extra: []wire.Any{props}}
	hs = ReferenceHeaders(wsa.V200408, e)
	if len(hs) != 2 || hs[0].Value.(wire.Any).Name.Local != "P" || hs[1].Value.(wire.Any).Name.Local != "Q" {
		t.Fatalf("2004/08 headers %+v", hs)
	}
	for _, h := range hs {
		if len(h.Value.(wire.Any).Attrs) != 0 {
			t.Errorf("2004/08 header annotated: %+v", h.Value)
		}
	}
}
