package rm

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

func TestCreateSequenceResponse(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.IncompleteSequenceBehavior = wsrm.DiscardFollowingFirstGap })
	for _, v := range []wsrm.Version{wsrm.V200702, wsrm.V200502} {
		for _, acksTo := range []wsa.EPR{anon, client} {
			acts := d.CreateSequence(scopedReq(v, acksTo, tokA), signed(tokA), t0)
			if _, ok := acts[0].(PutDestination); !ok {
				t.Fatalf("the new sequence must be persisted before the response: %s", describe(acts))
			}
			r := one[Reply](t, acts)
			csr := r.Msg.(*wsrm.CreateSequenceResponse)
			if r.Kind != wsrm.KindCreateSequenceResponse || csr.V != v || !wsrm.AbsoluteURI(csr.Identifier) || r.Token != tokA {
				t.Fatalf("bad reply %+v %+v", r, csr)
			}
			if err := csr.Validate(); err != nil {
				t.Fatal(err)
			}
			// RM-CSR-004: ISB only in 1.1.
			if (csr.IncompleteSequenceBehavior != "") != (v == wsrm.V200702) {
				t.Fatalf("ISB %q in %s", csr.IncompleteSequenceBehavior, v)
			}
			st := one[PutDestination](t, acts).State
			if !reflect.DeepEqual(st.AcksTo, acksTo) {
				t.Fatalf("AcksTo %v", st.AcksTo)
			}
		}
	}
}

// RM-CS-003: Expires honoured or shortened, never lengthened; the sequence expires then.
func TestCreateSequenceExpires(t *testing.T) {
	tests := []struct {
		req, limit string
		want       string
	}{
		{"", "", ""},
		{"PT1H", "", "PT1H"},
		{"PT1H", "PT30M", "PT30M"},
		{"PT10M", "PT30M", "PT10M"},
		{"", "PT30M", "PT30M"},
		{"PT0S", "PT30M", "PT30M"},
	}
	for _, tt := range tests {
		limit, _ := ParseDuration(tt.limit)
		d := newDest(t, func(c *DestinationConfig) { c.MaxExpires = limit })
		req := scopedReq(wsrm.V200702, anon, tokA)
		req.Msg.Expires = tt.req
		acts := d.CreateSequence(req, signed(tokA), t0)
		csr := one[Reply](t, acts).Msg.(*wsrm.CreateSequenceResponse)
		if csr.Expires != tt.want {
			t.Fatalf("req %q limit %q: granted %q want %q", tt.req, tt.limit, csr.Expires, tt.want)
		}
		if tt.want == "" {
			if _, ok := d.NextDeadline(); ok {
				t.Fatal("a sequence that never expires needs no timer")
			}
			continue
		}
		g, _ := ParseDuration(tt.want)
		if dl, ok := d.NextDeadline(); !ok || !dl.Equal(t0.Add(g)) {
			t.Fatalf("deadline %v want %v", dl, t0.Add(g))
		}
		if acts := d.Tick(t0.Add(g - time.Nanosecond)); len(acts) != 0 {
			t.Fatalf("early tick: %s", describe(acts))
		}
		acts = d.Tick(t0.Add(g))
		if e := one[Ended](t, acts); e.Reason != EndExpired {
			t.Fatalf("ended %v", e.Reason)
		}
		one[DeleteSequence](t, acts)
		// RM-PER-009: after expiry the identifier is unknown.
		f := faultOf(t, d.AckRequested(&wsrm.AckRequested{V: wsrm.V200702, Identifier: csr.Identifier}, signed(tokA), t0.Add(g)))
		if f.Code != wsrm.UnknownSequence {
			t.Fatalf("after expiry: %v", f)
		}
	}
	d := newDest(t, nil)
	req := scopedReq(wsrm.V200702, anon, tokA)
	req.Msg.Expires = "-PT1H"
	if f := faultOf(t, d.CreateSequence(req, signed(tokA), t0)); f.Code != wsrm.CreateSequenceRefused {
		t.Fatalf("negative Expires: %v", f)
	}
}

// RM-CS-004/005/006, RM-CSR-002: Offer handling.
func TestCreateSequenceOffer(t *testing.T) {
	endpoint := wsa.EPR{Address: "http://client.example/reverse"}
	mk := func(v wsrm.Version, id string, ep *wsa.EPR, isb string) CreateSequenceRequest {
		r := scopedReq(v, anon, tokA)
		r.Msg.Offer = &wsrm.Offer{Identifier: id, Endpoint: ep, IncompleteSequenceBehavior: isb, Expires: "PT1H"}
		return r
	}
	accepting := func(c *DestinationConfig) { c.AcceptOffers = true; c.AcceptAcksTo = server }

	d := newDest(t, accepting)
	acts := d.CreateSequence(mk(wsrm.V200702, "urn:uuid:offer-1", &endpoint, wsrm.NoDiscard), signed(tokA), t0)
	csr := one[Reply](t, acts).Msg.(*wsrm.CreateSequenceResponse)
	if csr.Accept == nil || csr.Accept.AcksTo.Address != server.Address {
		t.Fatalf("offer not accepted: %+v", csr)
	}
	rev := one[Reverse](t, acts)
	if rev.Role != RoleSource || rev.Seq != "urn:uuid:offer-1" || rev.Forward != csr.Identifier || rev.Token != tokA ||
		rev.Peer.Address != endpoint.Address || !rev.Expires.Equal(t0.Add(time.Hour)) {
		t.Fatalf("reverse %+v", rev)
	}
	// RM-CS-005: the same offered identifier again is refused.
	f := faultOf(t, d.CreateSequence(mk(wsrm.V200702, "urn:uuid:offer-1", &endpoint, ""), signed(tokA), t0))
	if f.Code != wsrm.CreateSequenceRefused || f.Assertion != "RM-CS-005" {
		t.Fatalf("duplicate offer: %v", f)
	}
	// ... and so is an Offer reusing the identifier of an existing sequence.
	f = faultOf(t, d.CreateSequence(mk(wsrm.V200702, csr.Identifier, &endpoint, ""), signed(tokA), t0))
	if f.Assertion != "RM-CS-005" {
		t.Fatalf("offer = existing sequence: %v", f)
	}
	// RM-CS-004: 1.1 Offer without Endpoint; RM-CS-006: invalid ISB; relative identifier.
	for name, req := range map[string]CreateSequenceRequest{
		"no endpoint": mk(wsrm.V200702, "urn:uuid:offer-2", nil, ""),
		"bad isb":     mk(wsrm.V200702, "urn:uuid:offer-3", &endpoint, "Discard"),
		"relative id": mk(wsrm.V200702, "offer-4", &endpoint, ""),
		"bad expires": func() CreateSequenceRequest {
			r := mk(wsrm.V200702, "urn:uuid:o5", &endpoint, "")
			r.Msg.Offer.Expires = "soon"
			return r
		}(),
		"no acks addr": func() CreateSequenceRequest {
			r := mk(wsrm.V200702, "urn:uuid:o6", &endpoint, "")
			r.Msg.AcksTo = wsa.EPR{}
			return r
		}(),
	} {
		if f := faultOf(t, d.CreateSequence(req, signed(tokA), t0)); f.Code != wsrm.CreateSequenceRefused {
			t.Fatalf("%s: %v", name, f)
		}
	}
	// 2005/02 Offer has no Endpoint: accepted, Peer left for the caller (ReplyTo).
	acts = d.CreateSequence(mk(wsrm.V200502, "urn:uuid:offer-05", nil, ""), signed(tokA), t0)
	if rev := one[Reverse](t, acts); rev.Peer.Address != "" || rev.Version != wsrm.V200502 {
		t.Fatalf("2005/02 reverse %+v", rev)
	}
	// Declined (RM-CSR-002/003): no Accept, no Reverse.
	d2 := newDest(t, nil)
	acts = d2.CreateSequence(mk(wsrm.V200702, "urn:uuid:offer-9", &endpoint, ""), signed(tokA), t0)
	if csr := one[Reply](t, acts).Msg.(*wsrm.CreateSequenceResponse); csr.Accept != nil {
		t.Fatal("declined offer must not carry Accept")
	}
	none[Reverse](t, acts)
}

// The identifier generator is injected; a colliding or unusable identifier is our problem:
// CreateSequenceRefused with Code Receiver.
func TestCreateSequenceIdentifierCollision(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.NewID = func() string { return "urn:uuid:same" } })
	open(t, d, wsrm.V200702, anon)
	f := faultOf(t, d.CreateSequence(scopedReq(wsrm.V200702, anon, tokA), signed(tokA), t0))
	if f.Code != wsrm.CreateSequenceRefused || !f.Receiver {
		t.Fatalf("%v receiver=%v", f, f.Receiver)
	}
}

// TestFaultCodes produces every WS-RM fault code (CONSTANTS §9.1, §9.2) from a real scenario
// and checks code, SOAP 1.2 Sender/Receiver and detail.
func TestFaultCodes(t *testing.T) {
	v11, v05 := wsrm.V200702, wsrm.V200502
	tests := []struct {
		code wsrm.FaultCode
		run  func(t *testing.T) *Fault
		id   bool // detail carries the Identifier
	}{
		{wsrm.UnknownSequence, func(t *testing.T) *Fault {
			d := newDest(t, nil)
			return faultOf(t, d.Message(seqH(v11, "urn:uuid:never-issued", 1), nil, signed(tokA), t0))
		}, true},
		{wsrm.SequenceTerminated, func(t *testing.T) *Fault {
			d := newDest(t, nil)
			id := open(t, d, v11, anon)
			acts := d.Message(seqH(v11, id, 0), nil, signed(tokA), t0)
			if e := one[Ended](t, acts); e.Reason != EndFailed {
				t.Fatal("SequenceTerminated must end the sequence")
			}
			return faultOf(t, acts)
		}, true},
		{wsrm.InvalidAcknowledgement, func(t *testing.T) *Fault {
			s := newSrc(t, nil)
			id := createdSource(t, s, v11, tokA, nil)
			s.Send(id, payload(1), t0)
			f := faultOf(t, s.Ack(&wsrm.SequenceAcknowledgement{V: v11, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 10)}}, signed(tokA), t0))
			if f.Ack == nil || f.Ack.Ranges[0] != rng(1, 10) {
				t.Fatal("InvalidAcknowledgement detail must carry the offending ack")
			}
			return f
		}, true},
		{wsrm.MessageNumberRollover, func(t *testing.T) *Fault {
			d := newDest(t, nil)
			id := open(t, d, v11, anon)
			f := faultOf(t, d.Message(seqH(v11, id, wsrm.MaxMessageNumber+1), nil, signed(tokA), t0))
			if f.MaxMessageNumber != wsrm.MaxMessageNumber {
				t.Fatalf("MaxMessageNumber detail %d", f.MaxMessageNumber)
			}
			return f
		}, true},
		{wsrm.CreateSequenceRefused, func(t *testing.T) *Fault {
			d := newDest(t, nil)
			return faultOf(t, d.CreateSequence(scopedReq(v11, anon, tokA), signed(tokB), t0))
		}, false},
		{wsrm.SequenceClosed, func(t *testing.T) *Fault {
			d := newDest(t, nil)
			id := open(t, d, v11, anon)
			d.CloseSequence(&wsrm.CloseSequence{V: v11, Identifier: id}, signed(tokA), t0)
			return faultOf(t, d.Message(seqH(v11, id, 1), nil, signed(tokA), t0))
		}, true},
		{wsrm.WSRMRequired, func(t *testing.T) *Fault {
			d := newDest(t, func(c *DestinationConfig) { c.RequireRM = true })
			if d.Unsequenced(v05) != nil {
				t.Fatal("2005/02 has no WSRMRequired")
			}
			if newDest(t, nil).Unsequenced(v11) != nil {
				t.Fatal("RM not required: no fault")
			}
			return d.Unsequenced(v11)
		}, false},
		{wsrm.LastMessageNumberExceeded, func(t *testing.T) *Fault {
			d := newDest(t, nil)
			id := open(t, d, v05, anon)
			d.Message(&wsrm.Sequence{V: v05, Identifier: id, MessageNumber: 1, LastMessage: true}, nil, signed(tokA), t0)
			return faultOf(t, d.Message(seqH(v05, id, 2), nil, signed(tokA), t0))
		}, true},
	}
	seen := map[wsrm.FaultCode]bool{}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			f := tt.run(t)
			if f.Code != tt.code {
				t.Fatalf("got %v want %s", f, tt.code)
			}
			// CONSTANTS §9.1: every code here is Sender (the two "either" codes are Sender
			// when the requester is at fault, as in these scenarios).
			if f.Receiver {
				t.Fatal("want SOAP 1.2 Code Sender")
			}
			if tt.id && f.Identifier == "" {
				t.Fatal("detail must carry the wsrm:Identifier")
			}
			if f.QName().Space != f.Version.Namespace() || f.QName().Local != string(tt.code) {
				t.Fatalf("QName %v", f.QName())
			}
			if f.Error() == "" {
				t.Fatal("Error")
			}
		})
		seen[tt.code] = true
	}
	for _, v := range []wsrm.Version{v11, v05} {
		for _, c := range v.Codes() {
			if !seen[c] {
				t.Errorf("fault code %s (%s) has no test", c, v)
			}
		}
	}
}

// RM-ACK-005/006: None (1.1) vs 0-0 (2005/02) for an empty ack; Final after Close.
func TestAckForms(t *testing.T) {
	d := newDest(t, nil)
	id := open(t, d, wsrm.V200702, anon)
	a := lastAck(t, d.AckRequested(&wsrm.AckRequested{V: wsrm.V200702, Identifier: id}, signed(tokA), t0))
	if !a.None || len(a.Ranges) != 0 || a.Final {
		t.Fatalf("1.1 empty ack %+v", a)
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	id05 := open(t, d, wsrm.V200502, anon)
	a = lastAck(t, d.AckRequested(&wsrm.AckRequested{V: wsrm.V200502, Identifier: id05}, signed(tokA), t0))
	if a.None || !reflect.DeepEqual(a.Ranges, []wsrm.AckRange{{}}) {
		t.Fatalf("2005/02 empty ack %+v", a)
	}
	for _, k := range []uint64{1, 2, 4} {
		d.Message(seqH(wsrm.V200702, id, k), payload(k), signed(tokA), t0)
	}
	acts := d.CloseSequence(&wsrm.CloseSequence{V: wsrm.V200702, Identifier: id, LastMsgNumber: 4, HasLast: true}, signed(tokA), t0)
	a = lastAck(t, acts)
	if !a.Final || !reflect.DeepEqual(a.Ranges, []wsrm.AckRange{rng(1, 2), rng(4, 4)}) {
		t.Fatalf("final ack %+v", a)
	}
	// RM-CL-003: AckRequested after close still answered, with Final.
	a = lastAck(t, d.AckRequested(&wsrm.AckRequested{V: wsrm.V200702, Identifier: id}, signed(tokA), t0))
	if !a.Final {
		t.Fatal("ack after close must carry Final")
	}
}

// RM-ACK-001/008: anonymous AcksTo acks every message at once; addressable AcksTo with an
// AckInterval batches, Piggyback takes pending acks early, Tick sends the rest.
func TestAckIntervalAndPiggyback(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.AckInterval = time.Second })
	anonID := open(t, d, wsrm.V200702, anon)
	if acts := d.Message(seqH(wsrm.V200702, anonID, 1), nil, signed(tokA), t0); len(all[SendAck](acts)) != 1 {
		t.Fatal("anonymous AcksTo: the ack must ride this response")
	}
	id := open(t, d, wsrm.V200702, client)
	acts := d.Message(seqH(wsrm.V200702, id, 1), nil, signed(tokA), t0)
	none[SendAck](t, acts)
	if got := d.Piggyback("http://elsewhere/"); len(got) != 0 {
		t.Fatal("piggyback to another address")
	}
	pb := d.Piggyback(client.Address)
	if len(pb) != 1 || pb[0].Ack.Identifier != id || pb[0].Token != tokA {
		t.Fatalf("piggyback %+v", pb)
	}
	if len(d.Piggyback(client.Address)) != 0 {
		t.Fatal("piggy-backed ack must no longer be pending")
	}
	d.Message(seqH(wsrm.V200702, id, 2), nil, signed(tokA), at(100*time.Millisecond))
	if dl, ok := d.NextDeadline(); !ok || !dl.Equal(at(1100*time.Millisecond)) {
		t.Fatalf("deadline %v", dl)
	}
	d.Message(seqH(wsrm.V200702, id, 3), nil, signed(tokA), at(500*time.Millisecond))
	acts = d.Tick(at(1100 * time.Millisecond))
	a := one[SendAck](t, acts)
	if !reflect.DeepEqual(a.Ack.Ranges, []wsrm.AckRange{rng(1, 3)}) || !a.Urgent {
		t.Fatalf("interval ack %+v", a)
	}
	if got, ok := d.Ack(id); !ok || got.Ack.Ranges[0] != rng(1, 3) {
		t.Fatal("Ack query")
	}
}

// RM-PER-009: inactivity discards the sequence; traffic postpones it.
func TestDestinationInactivity(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.InactivityTimeout = time.Minute })
	id := open(t, d, wsrm.V200702, anon)
	d.Message(seqH(wsrm.V200702, id, 1), nil, signed(tokA), at(50*time.Second))
	if acts := d.Tick(at(time.Minute)); len(acts) != 0 {
		t.Fatalf("traffic must postpone inactivity: %s", describe(acts))
	}
	// rejected messages do not count as activity
	d.Message(seqH(wsrm.V200702, id, 2), nil, signed(tokB), at(100*time.Second))
	acts := d.Tick(at(110 * time.Second))
	if e := one[Ended](t, acts); e.Reason != EndInactive || e.Seq != id {
		t.Fatalf("%+v", e)
	}
}

func TestNewDestinationConfig(t *testing.T) {
	if _, err := NewDestination(DestinationConfig{}); err == nil {
		t.Fatal("NewID is required")
	}
	if _, err := NewDestination(DestinationConfig{NewID: ids("x"), IncompleteSequenceBehavior: "Sometimes"}); err == nil {
		t.Fatal("invalid ISB accepted")
	}
}

// RM-SEQ-003 with an advertised lower limit.
func TestDestinationOwnLimit(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.MaxMessageNumber = 3 })
	id := open(t, d, wsrm.V200702, anon)
	one[Deliver](t, d.Message(seqH(wsrm.V200702, id, 3), nil, signed(tokA), t0))
	f := faultOf(t, d.Message(seqH(wsrm.V200702, id, 4), nil, signed(tokA), t0))
	if f.Code != wsrm.MessageNumberRollover || f.MaxMessageNumber != 3 {
		t.Fatalf("%v %d", f, f.MaxMessageNumber)
	}
}

// TestCreateSequenceRetransmitted: a CreateSequence retransmitted with the same MessageID (its
// response was lost) gets the same sequence again, not a second one (RM-CS-008).
func TestCreateSequenceRetransmitted(t *testing.T) {
	d := newDest(t, nil)
	req := scopedReq(wsrm.V200702, anon, tokA)
	req.MessageID = "urn:uuid:cs-1"
	first := one[Reply](t, d.CreateSequence(req, signed(tokA), t0))
	acts := d.CreateSequence(req, signed(tokA), at(time.Second))
	again := one[Reply](t, acts)
	if first.Seq != again.Seq || d.Len() != 1 || len(all[PutDestination](acts)) != 0 {
		t.Fatalf("retransmission answered %s after %s (%d live): %s", again.Seq, first.Seq, d.Len(), describe(acts))
	}
	// The same MessageID under another token is another request, judged on its own.
	other := scopedReq(wsrm.V200702, anon, tokB)
	other.MessageID = req.MessageID
	if r := one[Reply](t, d.CreateSequence(other, signed(tokB), t0)); r.Seq == first.Seq {
		t.Fatal("a CreateSequence under another SCT got the first sequence")
	}
}

// TestAckEvery: with AckEvery on an anonymous AcksTo, new in-order messages are acknowledged
// on every n-th response; duplicates, gaps and AckRequested are answered at once.
func TestAckEvery(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.AckEvery = 4 })
	id := open(t, d, wsrm.V200702, anon)
	acked := func(k uint64) bool {
		return len(all[SendAck](d.Message(seqH(wsrm.V200702, id, k), payload(k), signed(tokA), t0))) > 0
	}
	var got []uint64
	for k := uint64(1); k <= 8; k++ {
		if acked(k) {
			got = append(got, k)
		}
	}
	if !slices.Equal(got, []uint64{4, 8}) {
		t.Fatalf("acknowledged after %v, want [4 8]", got)
	}
	if !acked(8) {
		t.Error("a duplicate was not acknowledged at once")
	}
	if !acked(10) {
		t.Error("a gap was not acknowledged at once")
	}
	if len(all[SendAck](d.AckRequested(&wsrm.AckRequested{V: wsrm.V200702, Identifier: id}, signed(tokA), t0))) == 0 {
		t.Error("AckRequested not answered")
	}
}
