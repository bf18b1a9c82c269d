package rm

import (
	"reflect"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// FLOW M3: the CreateSequence request, STR and UsesSequenceSTR per version (RM-STR-001..003).
func TestSourceCreate(t *testing.T) {
	for _, v := range []wsrm.Version{wsrm.V200702, wsrm.V200502} {
		s := newSrc(t, nil)
		ref, acts := s.Create(CreateParams{Version: v, To: server, Token: tokA, AcksTo: client, Expires: time.Hour,
			Offer: &OfferParams{Endpoint: client, IncompleteSequenceBehavior: wsrm.NoDiscard}}, t0)
		none[PutSource](t, acts) // nothing durable before the response (FLOW §6)
		snd := one[Send](t, acts)
		cs := snd.Msg.(*wsrm.CreateSequence)
		if snd.Kind != wsrm.KindCreateSequence || snd.Ref != ref || snd.Token != tokA || snd.STR != tokA ||
			snd.UsesSequenceSTR != (v == wsrm.V200702) || snd.To.Address != server.Address {
			t.Fatalf("%s: send %+v", v, snd)
		}
		if cs.Expires != "PT1H" || cs.AcksTo.Address != client.Address || cs.Offer == nil || !wsrm.AbsoluteURI(cs.Offer.Identifier) {
			t.Fatalf("%s: cs %+v", v, cs)
		}
		if (cs.Offer.Endpoint != nil) != (v == wsrm.V200702) {
			t.Fatalf("%s: Offer Endpoint only in 1.1", v)
		}
		if err := cs.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	// unscoped: no STR
	s := newSrc(t, nil)
	_, acts := s.Create(CreateParams{Version: wsrm.V200702, To: server}, t0)
	if snd := one[Send](t, acts); snd.STR != "" || snd.UsesSequenceSTR || snd.Msg.(*wsrm.CreateSequence).AcksTo.Address != wsa.V10.Anonymous() {
		t.Fatalf("%+v", snd)
	}
}

// FLOW M4 at the Source: Expires (RM-CS-003), Accept (RM-CSR-002/003), reverse sequence.
func TestSourceCreateSequenceResponse(t *testing.T) {
	s := newSrc(t, nil)
	ref, acts := s.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA, Expires: time.Hour,
		Offer: &OfferParams{Endpoint: client, Expires: time.Minute}}, t0)
	off := one[Send](t, acts).Msg.(*wsrm.CreateSequence).Offer
	acts = s.CreateSequenceResponse(ref, &wsrm.CreateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:fwd",
		Expires: "PT2H", Accept: &wsrm.Accept{AcksTo: server}}, signed(tokA), t0)
	if n := one[Note](t, acts); n.Assertion != "RM-CS-003" {
		t.Fatalf("longer grant must be noted: %+v", n)
	}
	st := one[PutSource](t, acts).State
	if !st.Expires.Equal(t0.Add(time.Hour)) || st.Next != 1 || st.Offer != off.Identifier || st.Token != tokA {
		t.Fatalf("state %+v", st)
	}
	rev := one[Reverse](t, acts)
	if rev.Role != RoleDestination || rev.Seq != off.Identifier || rev.Forward != "urn:uuid:fwd" || rev.Token != tokA ||
		rev.Peer.Address != server.Address || !rev.Expires.Equal(t0.Add(time.Minute)) {
		t.Fatalf("reverse %+v", rev)
	}
	d := newDest(t, nil)
	if _, err := d.Adopt(rev, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Adopt(rev, t0); err == nil {
		t.Fatal("adopting twice")
	}
	// acks for the reverse sequence are bound to the same token (RM-STR-010)
	acts = d.Message(seqH(wsrm.V200702, off.Identifier, 1), nil, signed(tokB), t0)
	if f := faultOf(t, acts); f.Security != FailedAuthentication {
		t.Fatalf("%v", f)
	}
	// Accept without Offer is noted and ignored; a declined Offer is noted.
	ref, _ = s.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA}, t0)
	acts = s.CreateSequenceResponse(ref, &wsrm.CreateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:2", Accept: &wsrm.Accept{AcksTo: server}}, signed(tokA), t0)
	if n := one[Note](t, acts); n.Assertion != "RM-CSR-002" {
		t.Fatal(n)
	}
	none[Reverse](t, acts)
	ref, _ = s.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA, Offer: &OfferParams{Endpoint: client}}, t0)
	acts = s.CreateSequenceResponse(ref, &wsrm.CreateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:3"}, signed(tokA), t0)
	if n := one[Note](t, acts); n.Assertion != "RM-CSR-003" {
		t.Fatal(n)
	}
	// unknown reference; reused identifier
	one[Note](t, s.CreateSequenceResponse("urn:uuid:nope", &wsrm.CreateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:4"}, signed(tokA), t0))
	ref, _ = s.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA}, t0)
	one[Note](t, s.CreateSequenceResponse(ref, &wsrm.CreateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:3"}, signed(tokA), t0))
	// refusal ends the pending creation
	acts = s.Refused(ref, &Fault{Code: wsrm.CreateSequenceRefused}, t0)
	if e := one[Ended](t, acts); e.Seq != ref || e.Reason != EndFailed || e.Fault.Code != wsrm.CreateSequenceRefused {
		t.Fatalf("%+v", e)
	}
	if _, ok := s.Status(ref); ok {
		t.Fatal("refused creation still pending")
	}
}

// RM-SEQ-002: numbers 1..n, +1, payload stored and next persisted before the transmission.
func TestSourceNumbering(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	for k := uint64(1); k <= 5; k++ {
		acts, err := s.Send(id, payload(k), t0)
		if err != nil {
			t.Fatal(err)
		}
		assertPersistFirst(t, acts)
		pm := one[PutMessage](t, acts)
		sm := one[SendMessage](t, acts)
		ps := one[PutSource](t, acts)
		if pm.Number != k || sm.Number != k || sm.Attempt != 0 || ps.State.Next != k+1 || sm.Token != tokA || sm.Stale {
			t.Fatalf("message %d: %+v %+v %+v", k, pm, sm, ps.State)
		}
		if h := sm.Header(); h.MessageNumber != k || h.Identifier != id || h.Validate() != nil {
			t.Fatalf("header %+v", h)
		}
	}
	if _, err := s.Send("urn:uuid:nope", nil, t0); err.(*Fault).Code != wsrm.UnknownSequence {
		t.Fatal(err)
	}
	// RM-CSR-005: no traffic before the response
	ref, _ := s.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA}, t0)
	if _, err := s.Send(ref, nil, t0); err == nil {
		t.Fatal("sent before CreateSequenceResponse")
	}
}

// RM-SEQ-003: at the maximum the Source refuses to send more (MessageNumberRollover).
func TestSourceRollover(t *testing.T) {
	s := newSrc(t, func(c *SourceConfig) { c.MaxMessageNumber = 2 })
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	s.Send(id, nil, t0)
	s.Send(id, nil, t0)
	_, err := s.Send(id, nil, t0)
	if f, ok := err.(*Fault); !ok || f.Code != wsrm.MessageNumberRollover || f.MaxMessageNumber != 2 {
		t.Fatalf("%v", err)
	}
	// and at the real maximum, after recovery near the end of the number space
	st := SourceState{Seq: "urn:uuid:big", Version: wsrm.V200702, To: server, Token: tokA, Next: wsrm.MaxMessageNumber}
	s2, err := RecoverSource(SourceConfig{NewID: ids("r")}, []SourceState{st}, nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	acts, err := s2.Send("urn:uuid:big", nil, t0)
	if err != nil || one[SendMessage](t, acts).Number != wsrm.MaxMessageNumber {
		t.Fatalf("last number: %v", err)
	}
	if _, err := s2.Send("urn:uuid:big", nil, t0); err.(*Fault).Code != wsrm.MessageNumberRollover {
		t.Fatal(err)
	}
}

// RM-ACK-009, RM-SEQ-008: backoff schedule; each retransmission is a fresh SendMessage.
func TestRetransmissionBackoff(t *testing.T) {
	b := Backoff{Base: time.Second, Factor: 2, Max: 8 * time.Second}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := b.Delay(i); got != w {
			t.Fatalf("Delay(%d) = %v want %v", i, got, w)
		}
	}
	if (Backoff{}).Delay(0) != DefaultBackoff.Base || (Backoff{Base: time.Second, Factor: 1}).Delay(10) != time.Second {
		t.Fatal("defaults / constant interval")
	}
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	s.Send(id, payload(1), t0)
	// retransmissions at 1, 1+2, 3+4, 7+8, 15+8
	var times []time.Duration
	now := t0
	for len(times) < 5 {
		dl, ok := s.NextDeadline()
		if !ok {
			t.Fatal("no deadline")
		}
		if acts := s.Tick(dl.Add(-time.Nanosecond)); len(acts) != 0 {
			t.Fatalf("early: %s", describe(acts))
		}
		now = dl
		acts := s.Tick(now)
		sm := one[SendMessage](t, acts)
		none[PutMessage](t, acts) // the stored unprotected message is reused, not re-stored
		if sm.Number != 1 || sm.Attempt != len(times)+1 || string(sm.Payload) != "msg-1" || !sm.AckRequested || sm.Stale || sm.Token != tokA {
			t.Fatalf("resend %+v", sm)
		}
		times = append(times, now.Sub(t0))
	}
	if !reflect.DeepEqual(times, []time.Duration{1 * time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second, 23 * time.Second}) {
		t.Fatalf("schedule %v", times)
	}
	// an ack stops it
	s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 1)}}, signed(tokA), now)
	if acts := s.Tick(now.Add(time.Hour)); len(all[SendMessage](acts)) != 0 {
		t.Fatalf("retransmitted an acked message: %s", describe(acts))
	}
}

// Backoff.Limit: giving up fails the sequence.
func TestRetransmissionLimit(t *testing.T) {
	s := newSrc(t, func(c *SourceConfig) { c.Retransmit.Limit = 2 })
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	s.Send(id, payload(1), t0)
	var acts []Action
	for i := 0; i < 3; i++ {
		dl, _ := s.NextDeadline()
		acts = s.Tick(dl)
	}
	if e := one[Ended](t, acts); e.Reason != EndFailed || e.Fault.Code != wsrm.SequenceTerminated {
		t.Fatalf("%+v", e)
	}
	if d := one[Discard](t, acts); d.Number != 1 {
		t.Fatal(d)
	}
	// an unanswered CreateSequence is retransmitted too, then given up
	ref, _ := s.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA}, t0)
	dl, _ := s.NextDeadline()
	if snd := one[Send](t, s.Tick(dl)); snd.Kind != wsrm.KindCreateSequence || snd.Attempt != 1 || snd.Ref != ref {
		t.Fatalf("%+v", snd)
	}
}

// RM-ACK-003/004/006/007: acks release messages; invalid acks are faulted, not applied; Nacks
// trigger retransmission.
func TestSourceAcks(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	for k := uint64(1); k <= 5; k++ {
		s.Send(id, payload(k), t0)
	}
	ack := func(rs ...wsrm.AckRange) *wsrm.SequenceAcknowledgement {
		return &wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, Ranges: rs}
	}
	acts := s.Ack(ack(rng(1, 2), rng(4, 4)), signed(tokA), t0)
	var dels []wsrm.AckRange
	for _, d := range all[DeleteMessages](acts) {
		dels = append(dels, rng(d.Lower, d.Upper))
	}
	if !reflect.DeepEqual(dels, []wsrm.AckRange{rng(1, 2), rng(4, 4)}) {
		t.Fatalf("deleted %v", dels)
	}
	if st, _ := s.Status(id); !reflect.DeepEqual(st.Unacked, []uint64{3, 5}) {
		t.Fatalf("unacked %v", st.Unacked)
	}
	invalid := map[string]*wsrm.SequenceAcknowledgement{
		"never sent":     ack(rng(1, 6)),
		"retracts":       ack(rng(1, 1), rng(5, 5)), // drops 2 and 4, adds 5: contradicts, not stale
		"overlap":        ack(rng(1, 3), rng(2, 4)),
		"inverted":       ack(rng(3, 1)),
		"nack unsent":    {V: wsrm.V200702, Identifier: id, Nacks: []uint64{9}},
		"nack acked":     {V: wsrm.V200702, Identifier: id, Nacks: []uint64{1}},
		"nack and range": {V: wsrm.V200702, Identifier: id, Nacks: []uint64{3}, Ranges: []wsrm.AckRange{rng(1, 2)}},
	}
	for name, a := range invalid {
		acts := s.Ack(a, signed(tokA), t0)
		f := faultOf(t, acts)
		if f.Code != wsrm.InvalidAcknowledgement || f.Ack == nil || f.Ack.Identifier != id {
			t.Fatalf("%s: %v", name, f)
		}
		none[DeleteMessages](t, acts)
		if st, _ := s.Status(id); !reflect.DeepEqual(st.Unacked, []uint64{3, 5}) {
			t.Fatalf("%s changed state: %v", name, st.Unacked)
		}
	}
	// a stale ack (a subset of what is acknowledged, overtaken by a later one) is dropped: no
	// fault, no change
	for _, stale := range []*wsrm.SequenceAcknowledgement{ack(rng(1, 2)), ack(rng(1, 1)), ack(rng(4, 4))} {
		acts := s.Ack(stale, signed(tokA), t0)
		none[SendFault](t, acts)
		none[DeleteMessages](t, acts)
		if len(all[Drop](acts)) != 1 {
			t.Fatalf("stale %v: %v", stale.Ranges, acts)
		}
		if st, _ := s.Status(id); !reflect.DeepEqual(st.Unacked, []uint64{3, 5}) {
			t.Fatalf("stale ack changed state: %v", st.Unacked)
		}
	}
	// Nack 3 and 5: immediate retransmission in order
	acts = s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, Nacks: []uint64{5, 3, 3}}, signed(tokA), t0)
	var re []uint64
	for _, sm := range all[SendMessage](acts) {
		if sm.Attempt != 1 {
			t.Fatalf("%+v", sm)
		}
		re = append(re, sm.Number)
	}
	if !reflect.DeepEqual(re, []uint64{3, 5}) {
		t.Fatalf("nack resend %v", re)
	}
	// Final then a changed range is invalid (RM-ACK-006)
	s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 2), rng(4, 4)}, Final: true}, signed(tokA), t0)
	if f := faultOf(t, s.Ack(ack(rng(1, 5)), signed(tokA), t0)); f.Code != wsrm.InvalidAcknowledgement {
		t.Fatal(f)
	}
	// an ack for an unknown sequence
	if f := faultOf(t, s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: "urn:uuid:zz", None: true}, signed(tokA), t0)); f.Code != wsrm.UnknownSequence {
		t.Fatal(f)
	}
	// WCF's empty 2005/02 ack (0-0) is accepted as "nothing"
	s05 := newSrc(t, nil)
	id05 := createdSource(t, s05, wsrm.V200502, tokA, nil)
	s05.Send(id05, nil, t0)
	if acts := s05.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200502, Identifier: id05, Ranges: []wsrm.AckRange{{}}}, signed(tokA), t0); len(all[SendFault](acts)) != 0 {
		t.Fatalf("0-0 rejected: %s", describe(acts))
	}
}

// FLOW §4, P11: Finish waits for every ack, then Close (LastMsgNumber), then Terminate
// (same LastMsgNumber), then the sequence ends.
func TestSourceFinish11(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	s.Send(id, payload(1), t0)
	s.Send(id, payload(2), t0)
	acts, _ := s.Finish(id, t0)
	if snd := one[Send](t, acts); snd.Kind != wsrm.KindAckRequested {
		t.Fatalf("Finish with unacked messages asks for an ack: %s", describe(acts))
	}
	if _, err := s.Send(id, nil, t0); err != nil {
		t.Fatal("Finish does not close the sequence before everything is acked")
	}
	acts = s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 3)}}, signed(tokA), t0)
	cl := one[Send](t, acts)
	c := cl.Msg.(*wsrm.CloseSequence)
	if cl.Kind != wsrm.KindCloseSequence || c.LastMsgNumber != 3 || !c.HasLast {
		t.Fatalf("close %+v", c)
	}
	if _, err := s.Send(id, nil, t0); err.(*Fault).Code != wsrm.SequenceClosed {
		t.Fatal("sent after close")
	}
	// Close is retransmitted until answered
	dl, _ := s.NextDeadline()
	if r := one[Send](t, s.Tick(dl)); r.Kind != wsrm.KindCloseSequence || r.Attempt != 1 {
		t.Fatalf("%+v", r)
	}
	acts = s.CloseSequenceResponse(&wsrm.CloseSequenceResponse{V: wsrm.V200702, Identifier: id}, signed(tokA), dl)
	ts := one[Send](t, acts)
	if tm := ts.Msg.(*wsrm.TerminateSequence); ts.Kind != wsrm.KindTerminateSequence || tm.LastMsgNumber != 3 {
		t.Fatalf("terminate %+v", ts)
	}
	acts = s.TerminateSequenceResponse(&wsrm.TerminateSequenceResponse{V: wsrm.V200702, Identifier: id}, signed(tokA), dl)
	if e := one[Ended](t, acts); e.Reason != EndCompleted {
		t.Fatal(e)
	}
	one[DeleteSequence](t, acts)
	if s.Len() != 0 {
		t.Fatal("sequence left")
	}
}

// FLOW §4, P05: Finish sends the LastMessage message (numbered, retransmitted until acked),
// then the one-way TerminateSequence, and the sequence ends at once.
func TestSourceFinish05(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200502, tokA, nil)
	s.Send(id, payload(1), t0)
	s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200502, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 1)}}, signed(tokA), t0)
	acts, _ := s.Finish(id, t0)
	lm := one[SendMessage](t, acts)
	h := lm.Header()
	if !lm.Last || lm.Number != 2 || lm.Payload != nil || !h.LastMessage || h.Validate() != nil {
		t.Fatalf("LastMessage %+v", lm)
	}
	if _, err := s.Send(id, nil, t0); err == nil {
		t.Fatal("sent after LastMessage")
	}
	dl, _ := s.NextDeadline()
	if r := one[SendMessage](t, s.Tick(dl)); !r.Last || r.Attempt != 1 {
		t.Fatalf("%+v", r)
	}
	acts = s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200502, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 2)}}, signed(tokA), dl)
	ts := one[Send](t, acts)
	if ts.Kind != wsrm.KindTerminateSequence || ts.Msg.(*wsrm.TerminateSequence).HasLast {
		t.Fatalf("%+v", ts)
	}
	if e := one[Ended](t, acts); e.Reason != EndCompleted {
		t.Fatal(e)
	}
}

// Terminate on demand with unacknowledged messages: they are discarded, EndIncomplete.
func TestSourceTerminateIncomplete(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	s.Send(id, payload(1), t0)
	s.Close(id, t0)
	acts, _ := s.Terminate(id, t0)
	one[Send](t, acts)
	acts = s.TerminateSequenceResponse(&wsrm.TerminateSequenceResponse{V: wsrm.V200702, Identifier: id}, signed(tokA), t0)
	if e := one[Ended](t, acts); e.Reason != EndIncomplete {
		t.Fatal(e)
	}
	if d := one[Discard](t, acts); d.Number != 1 || string(d.Payload) != "msg-1" {
		t.Fatal(d)
	}
}

// Faults received about a sequence (RM-FLT-003, RM-SEQ-005).
func TestSourceFaults(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	one[PutSource](t, s.Fault(&Fault{Code: wsrm.SequenceClosed, Identifier: id}, signed(tokA), t0))
	if _, err := s.Send(id, nil, t0); err == nil {
		t.Fatal("sent after SequenceClosed")
	}
	acts := s.Fault(&Fault{Code: wsrm.UnknownSequence, Identifier: id}, signed(tokA), t0)
	if e := one[Ended](t, acts); e.Reason != EndFailed {
		t.Fatal(e)
	}
	one[Note](t, s.Fault(&Fault{Code: wsrm.UnknownSequence, Identifier: id}, signed(tokA), t0))
}

// Keep-alive AckRequested and inactivity at the Source; expiry.
func TestSourceIdle(t *testing.T) {
	s := newSrc(t, func(c *SourceConfig) { c.KeepAlive = 10 * time.Second; c.InactivityTimeout = 25 * time.Second })
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	dl, _ := s.NextDeadline()
	if !dl.Equal(at(10 * time.Second)) {
		t.Fatalf("deadline %v", dl)
	}
	if snd := one[Send](t, s.Tick(dl)); snd.Kind != wsrm.KindAckRequested {
		t.Fatal(snd)
	}
	s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, None: true}, signed(tokA), at(12*time.Second))
	s.Tick(at(20 * time.Second))
	if acts := s.Tick(at(36 * time.Second)); len(all[Ended](acts)) != 0 {
		t.Fatalf("the ack at 12s postpones inactivity: %s", describe(acts))
	}
	acts := s.Tick(at(37 * time.Second))
	if e := one[Ended](t, acts); e.Reason != EndInactive {
		t.Fatal(e)
	}
	// expiry
	s2 := newSrc(t, nil)
	ref, _ := s2.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA, Expires: time.Minute}, t0)
	s2.CreateSequenceResponse(ref, &wsrm.CreateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:e", Expires: "PT30S"}, signed(tokA), t0)
	if e := one[Ended](t, s2.Tick(at(30*time.Second))); e.Reason != EndExpired {
		t.Fatal(e)
	}
}

func TestNewSourceConfig(t *testing.T) {
	if _, err := NewSource(SourceConfig{}); err == nil {
		t.Fatal("NewID required")
	}
	s := newSrc(t, nil)
	if _, err := s.Adopt(Reverse{Role: RoleDestination}, t0); err == nil {
		t.Fatal("wrong role")
	}
	if _, err := s.Adopt(Reverse{Role: RoleSource, Seq: "urn:uuid:r"}, t0); err == nil {
		t.Fatal("no peer endpoint")
	}
	acts, err := s.Adopt(Reverse{Role: RoleSource, Seq: "urn:uuid:r", Peer: client, Token: tokA, Version: wsrm.V200702}, t0)
	if err != nil || one[PutSource](t, acts).State.Token != tokA {
		t.Fatal(err)
	}
	if acts, err := s.Send("urn:uuid:r", payload(1), t0); err != nil || one[SendMessage](t, acts).To.Address != client.Address {
		t.Fatal(err)
	}
	// acks for the offered (reverse) sequence must be protected by the forward sequence's SCT
	rack := &wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: "urn:uuid:r", Ranges: []wsrm.AckRange{rng(1, 1)}}
	one[Drop](t, s.Ack(rack, signed(tokB), t0))
	one[DeleteMessages](t, s.Ack(rack, signed(tokA), t0))
	acts, _ = s.RequestAck("urn:uuid:r", t0)
	if ar := one[Send](t, acts); ar.Kind != wsrm.KindAckRequested || ar.Token != tokA {
		t.Fatal(ar)
	}
}

// After an ack with Final the remaining messages can never be accepted (RM-ACK-006): they are
// no longer retransmitted; Terminate then ends the sequence incomplete.
func TestSourceFinalStopsRetransmission(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	s.Send(id, payload(1), t0)
	s.Send(id, payload(2), t0)
	s.Close(id, t0)
	s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 1)}, Final: true}, signed(tokA), t0)
	s.CloseSequenceResponse(&wsrm.CloseSequenceResponse{V: wsrm.V200702, Identifier: id}, signed(tokA), t0)
	if acts := s.Tick(at(time.Hour)); len(all[SendMessage](acts)) != 0 {
		t.Fatalf("retransmitted after Final: %s", describe(acts))
	}
	if _, ok := s.NextDeadline(); ok {
		t.Fatal("nothing left to wait for")
	}
}

// A sequence never mixes versions: an ack in the other version's namespace names no sequence.
func TestVersionMixing(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	s.Send(id, payload(1), t0)
	if f := faultOf(t, s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200502, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 1)}}, signed(tokA), t0)); f.Code != wsrm.UnknownSequence {
		t.Fatal(f)
	}
	d := newDest(t, nil)
	did := open(t, d, wsrm.V200702, anon)
	if f := faultOf(t, d.Message(seqH(wsrm.V200502, did, 1), nil, signed(tokA), t0)); f.Code != wsrm.UnknownSequence || f.Version != wsrm.V200502 {
		t.Fatal(f)
	}
}
