package codec

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

const envOpen = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:r="http://docs.oasis-open.org/ws-rx/wsrm/200702">`

func TestDecodeRefusesBadInput(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "empty input"},
		{"not xml", "hello world", "not"},
		{"doctype", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`, "DOCTYPE"},
		{"not soap", `<x xmlns="urn:x"/>`, "not a SOAP"},
		{"unclosed", envOpen + `<s:Body>`, "not well-formed"},
		{"too deep", envOpen + strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200) + `</s:Envelope>`, "deeper"},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.in), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
	if _, err := Decode([]byte(strings.Repeat(" ", 100)+envOpen), Options{MaxSize: 50}); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("size limit: %v", err)
	}
}

func TestCheckLocatesProblems(t *testing.T) {
	in := envOpen + `
<s:Header>
  <a:Action>urn:app</a:Action>
  <r:Sequence><r:Identifier>urn:uuid:1</r:Identifier><r:MessageNumber>0</r:MessageNumber></r:Sequence>
  <r:SequenceAcknowledgement><r:Identifier>urn:uuid:2</r:Identifier><r:AcknowledgementRange Lower="1" Upper="4"/><r:AcknowledgementRange Lower="7" Upper="5"/><r:AcknowledgementRange Lower="3" Upper="6"/></r:SequenceAcknowledgement>
</s:Header><s:Body/></s:Envelope>`
	m, err := Decode([]byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Check(ProfileAuto)
	want := []struct {
		line    int
		element string
		reason  string
	}{
		{4, "r:Sequence", "mustUnderstand"},
		{4, "r:MessageNumber", "start at 1"},
		{5, "r:AcknowledgementRange", "inverted"},
		{5, "r:AcknowledgementRange", "overlap"},
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			if p.Line == w.line && p.Element == w.element && strings.Contains(p.Reason, w.reason) && p.Column > 1 {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %+v in\n%v", w, Problems(ps))
		}
	}
}

func TestDecodeKeepsVendorExtensions(t *testing.T) {
	in := envOpen + `<s:Header><a:Action>http://docs.oasis-open.org/ws-rx/wsrm/200702/SequenceAcknowledgement</a:Action>
<r:SequenceAcknowledgement><r:Identifier>urn:uuid:2</r:Identifier><r:AcknowledgementRange Lower="1" Upper="4"/><netrm:BufferRemaining xmlns:netrm="http://schemas.microsoft.com/ws/2006/05/rm">8</netrm:BufferRemaining></r:SequenceAcknowledgement>
<v:Unknown xmlns:v="urn:vendor" s:mustUnderstand="false">x</v:Unknown></s:Header><s:Body/></s:Envelope>`
	m, err := Decode([]byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ps := m.Check(ProfileP11); len(ps) != 0 {
		t.Fatalf("unexpected problems %v", Problems(ps))
	}
	ack, _ := Find[*wsrm.SequenceAcknowledgement](m)
	if ack == nil || len(ack.Extra) != 1 || ack.Extra[0].Name.Local != "BufferRemaining" || ack.Extra[0].Text != "8" {
		t.Fatalf("vendor extension lost: %+v", ack)
	}
	out, err := Encode(m.ToEnvelope(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"BufferRemaining", "urn:vendor", "Unknown"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("re-encoded message lost %s:\n%s", s, out)
		}
	}
}

func TestEncodeRefusesIllegalUnlessAllowed(t *testing.T) {
	env := &Envelope{Headers: []Header{{Value: &wsrm.Sequence{Identifier: "urn:uuid:1", MessageNumber: 0}, MustUnderstand: true}}}
	if _, err := Encode(env, Options{}); err == nil {
		t.Fatal("MessageNumber 0 encoded without AllowIllegal")
	}
	out, err := Encode(env, Options{AllowIllegal: true})
	if err != nil || !strings.Contains(string(out), "<wsrm:MessageNumber>0</wsrm:MessageNumber>") {
		t.Fatalf("AllowIllegal: %v\n%s", err, out)
	}
}
