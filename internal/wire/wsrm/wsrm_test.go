package wsrm

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

type validatable interface{ Validate() error }

func wantErr(t *testing.T, name string, v validatable, want string) {
	t.Helper()
	err := v.Validate()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: unexpected violation %v", name, err)
	case want != "" && err == nil:
		t.Errorf("%s: no violation, want %q", name, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s: got %v, want %q", name, err, want)
	}
}

const id = "urn:uuid:6c0f6a5e-4bd4-4a29-9c5e-3f0e0d6e3a11"

func TestSequenceRules(t *testing.T) {
	cases := []struct {
		name string
		v    *Sequence
		want string
	}{
		{"first message", &Sequence{Identifier: id, MessageNumber: 1}, ""},
		{"maximum", &Sequence{Identifier: id, MessageNumber: MaxMessageNumber}, ""},
		{"zero", &Sequence{Identifier: id, MessageNumber: 0}, "start at 1"},
		{"beyond maximum", &Sequence{Identifier: id, MessageNumber: MaxMessageNumber + 1}, "exceeds the maximum"},
		{"relative identifier", &Sequence{Identifier: "seq-1", MessageNumber: 1}, "absolute URI"},
		{"missing identifier", &Sequence{MessageNumber: 1}, "missing sequence Identifier"},
		{"LastMessage in 1.1", &Sequence{Identifier: id, MessageNumber: 1, LastMessage: true}, "only in WS-RM 2005/02"},
		{"LastMessage in 2005/02", &Sequence{V: V200502, Identifier: id, MessageNumber: 1, LastMessage: true}, ""},
	}
	for _, c := range cases {
		wantErr(t, c.name, c.v, c.want)
	}
}

func TestAckRules(t *testing.T) {
	r := func(l, u uint64) AckRange { return AckRange{Lower: l, Upper: u} }
	cases := []struct {
		name string
		v    *SequenceAcknowledgement
		want string
	}{
		{"ranges", &SequenceAcknowledgement{Identifier: id, Ranges: []AckRange{r(1, 2), r(4, 9)}}, ""},
		{"ranges out of order but disjoint", &SequenceAcknowledgement{Identifier: id, Ranges: []AckRange{r(4, 9), r(1, 2)}}, ""},
		{"none", &SequenceAcknowledgement{Identifier: id, None: true}, ""},
		{"final", &SequenceAcknowledgement{Identifier: id, Ranges: []AckRange{r(1, 3)}, Final: true}, ""},
		{"nack", &SequenceAcknowledgement{Identifier: id, Nacks: []uint64{3}}, ""},
		{"overlap", &SequenceAcknowledgement{Identifier: id, Ranges: []AckRange{r(1, 3), r(3, 5)}}, "AcknowledgementRange[1]: ranges 1-3 and 3-5 overlap"},
		{"overlap reported at the later one", &SequenceAcknowledgement{Identifier: id, Ranges: []AckRange{r(3, 5), r(1, 3)}}, "AcknowledgementRange[1]"},
		{"inverted", &SequenceAcknowledgement{Identifier: id, Ranges: []AckRange{r(5, 2)}}, "inverted"},
		{"lower zero", &SequenceAcknowledgement{Identifier: id, Ranges: []AckRange{r(0, 2)}}, "at least 1"},
		{"none with ranges", &SequenceAcknowledgement{Identifier: id, None: true, Ranges: []AckRange{r(1, 1)}}, "None cannot be combined"},
		{"nack with ranges", &SequenceAcknowledgement{Identifier: id, Nacks: []uint64{2}, Ranges: []AckRange{r(1, 1)}}, "Nack cannot be combined"},
		{"nack zero", &SequenceAcknowledgement{Identifier: id, Nacks: []uint64{0}}, "not a valid message number"},
		{"empty", &SequenceAcknowledgement{Identifier: id}, "needs AcknowledgementRange, None or Nack"},
		{"None in 2005/02", &SequenceAcknowledgement{V: V200502, Identifier: id, None: true}, "only in WS-RM 1.1"},
		// RM-ACK-005: the empty 2005/02 ack is the sole range 0-0 (WCF B1402); 1.1 says None.
		{"empty 2005/02 ack 0-0", &SequenceAcknowledgement{V: V200502, Identifier: id, Ranges: []AckRange{r(0, 0)}}, ""},
		{"0-0 in 1.1", &SequenceAcknowledgement{Identifier: id, Ranges: []AckRange{r(0, 0)}}, "at least 1"},
		{"0-0 with another range in 2005/02", &SequenceAcknowledgement{V: V200502, Identifier: id, Ranges: []AckRange{r(0, 0), r(1, 2)}}, "AcknowledgementRange[0]: range 0-0: Lower must be at least 1"},
		{"0-0 with a Nack in 2005/02", &SequenceAcknowledgement{V: V200502, Identifier: id, Ranges: []AckRange{r(0, 0)}, Nacks: []uint64{1}}, "Nack cannot be combined"},
		{"0-2 in 2005/02", &SequenceAcknowledgement{V: V200502, Identifier: id, Ranges: []AckRange{r(0, 2)}}, "at least 1"},
	}
	for _, c := range cases {
		wantErr(t, c.name, c.v, c.want)
	}
	a := &SequenceAcknowledgement{Ranges: []AckRange{r(1, 2), r(4, 9)}}
	if !a.Acked(1) || a.Acked(3) || !a.Acked(9) || a.Acked(10) {
		t.Fatal("Acked")
	}
	empty := &SequenceAcknowledgement{V: V200502, Identifier: id, Ranges: []AckRange{r(0, 0)}}
	if !empty.IsEmpty200502() || empty.Acked(1) {
		t.Fatal("IsEmpty200502 / Acked of the 2005/02 empty ack")
	}
	for _, x := range []*SequenceAcknowledgement{
		{Identifier: id, Ranges: []AckRange{r(0, 0)}},
		{V: V200502, Identifier: id, Ranges: []AckRange{r(0, 0), r(1, 1)}},
		{V: V200502, Identifier: id, Ranges: []AckRange{r(1, 1)}},
	} {
		if x.IsEmpty200502() {
			t.Errorf("IsEmpty200502 true for %+v", x)
		}
	}
}

func TestCreateSequenceRules(t *testing.T) {
	anon := wsa.EPR{Address: wsa.V10.Anonymous()}
	str := &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: id, ValueType: "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct"}}
	cases := []struct {
		name string
		v    validatable
		want string
	}{
		{"minimal", &CreateSequence{AcksTo: anon}, ""},
		{"with STR last", &CreateSequence{AcksTo: anon, STR: str, STRIndex: 0}, ""},
		{"STR not last", &CreateSequence{AcksTo: anon, STR: str, STRIndex: 0, Extra: []wire.Any{{Name: wire.QName{Space: "urn:x", Local: "y"}}}}, "must follow every other child"},
		{"no AcksTo address", &CreateSequence{}, "AcksTo"},
		{"bad expires", &CreateSequence{AcksTo: anon, Expires: "one hour"}, "xs:duration"},
		{"offer without endpoint (1.1)", &CreateSequence{AcksTo: anon, Offer: &Offer{Identifier: id}}, "requires an Endpoint"},
		{"offer without endpoint (2005/02)", &CreateSequence{V: V200502, AcksTo: anon, Offer: &Offer{Identifier: id}}, ""},
		{"offer bad behaviour", &CreateSequence{AcksTo: anon, Offer: &Offer{Identifier: id, Endpoint: &anon, IncompleteSequenceBehavior: "Discard"}}, "unknown value"},
		{"empty STR", &CreateSequence{AcksTo: anon, STR: &wsse.SecurityTokenReference{}}, "no Reference"},
		{"response", &CreateSequenceResponse{Identifier: id, Expires: "PT1H", IncompleteSequenceBehavior: NoDiscard}, ""},
		{"response ISB in 2005/02", &CreateSequenceResponse{V: V200502, Identifier: id, IncompleteSequenceBehavior: NoDiscard}, "does not exist in WS-RM 2005/02"},
		{"response relative id", &CreateSequenceResponse{Identifier: "x"}, "absolute URI"},
		{"close", &CloseSequence{Identifier: id, HasLast: true, LastMsgNumber: 3}, ""},
		{"close last zero", &CloseSequence{Identifier: id, HasLast: true}, "not a valid message number"},
		{"close in 2005/02", &CloseSequence{V: V200502, Identifier: id}, "does not exist in WS-RM 2005/02"},
		{"terminate last in 2005/02", &TerminateSequence{V: V200502, Identifier: id, HasLast: true, LastMsgNumber: 1}, "only in WS-RM 1.1"},
		{"ack requested max used in 1.1", &AckRequested{Identifier: id, MaxMessageNumberUsed: 3}, "only in WS-RM 2005/02"},
	}
	for _, c := range cases {
		wantErr(t, c.name, c.v, c.want)
	}
}

func TestTables(t *testing.T) {
	if got := V200702.Action(KindCreateSequence); got != "http://docs.oasis-open.org/ws-rx/wsrm/200702/CreateSequence" {
		t.Fatal(got)
	}
	if got := V200502.Action(KindLastMessage); got != "http://schemas.xmlsoap.org/ws/2005/02/rm/LastMessage" {
		t.Fatal(got)
	}
	for _, k := range []Kind{KindCloseSequence, KindCloseSequenceResponse, KindTerminateSequenceResponse, KindFault} {
		if V200502.Action(k) != "" {
			t.Errorf("%s must not exist in 2005/02", k)
		}
	}
	if v, k, ok := KindOfAction("http://docs.oasis-open.org/ws-rx/wsrm/200702/fault"); !ok || v != V200702 || k != KindFault {
		t.Fatal("fault action")
	}
	for _, spelling := range []string{"WSRMRequired", "WsrmRequired"} {
		if c, _, ok := FaultCodeOf(wire.QName{Space: NS200702, Local: spelling}); !ok || c != WSRMRequired {
			t.Fatal(spelling)
		}
	}
	for _, d := range []string{"PT0S", "P1Y2M3DT4H5M6.5S", "-PT1H", "P1D"} {
		if !ValidDuration(d) {
			t.Errorf("%s rejected", d)
		}
	}
	for _, d := range []string{"P", "PT", "1H", "P1H", "one hour", ""} {
		if ValidDuration(d) {
			t.Errorf("%q accepted", d)
		}
	}
}
