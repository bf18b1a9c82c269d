package rm

import (
	"reflect"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// feed sends the numbers in order and returns the delivered numbers and the last ack.
func feed(t *testing.T, d *Destination, id string, v wsrm.Version, nums ...uint64) ([]uint64, []Action) {
	t.Helper()
	var got []uint64
	var acts []Action
	for _, k := range nums {
		a := d.Message(seqH(v, id, k), payload(k), signed(tokA), t0)
		got = append(got, delivered(a)...)
		acts = append(acts, a...)
	}
	return got, acts
}

// RM-DA-001..005: delivery assurances with duplicates and reordering.
func TestDeliveryAssurances(t *testing.T) {
	in := []uint64{1, 3, 2, 2, 1, 4, 3}
	tests := []struct {
		as   Assurance
		want []uint64
	}{
		{Assurance{Delivery: ExactlyOnce}, []uint64{1, 3, 2, 4}},
		{Assurance{Delivery: AtMostOnce}, []uint64{1, 3, 2, 4}},
		{Assurance{Delivery: AtLeastOnce}, []uint64{1, 3, 2, 2, 1, 4, 3}}, // no filtering
		{Assurance{Delivery: ExactlyOnce, InOrder: true}, []uint64{1, 2, 3, 4}},
		{Assurance{Delivery: AtMostOnce, InOrder: true}, []uint64{1, 2, 3, 4}},
		{Assurance{Delivery: AtLeastOnce, InOrder: true}, []uint64{1, 2, 3, 4}}, // a late copy would break the order
	}
	for _, tt := range tests {
		t.Run(tt.as.Delivery.String()+map[bool]string{true: "+InOrder"}[tt.as.InOrder], func(t *testing.T) {
			d := newDest(t, func(c *DestinationConfig) { c.Assurance = tt.as })
			id := open(t, d, wsrm.V200702, anon)
			got, acts := feed(t, d, id, wsrm.V200702, in...)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("delivered %v want %v", got, tt.want)
			}
			// RM-DA-005: every message, duplicates included, is acknowledged.
			if n := len(all[SendAck](acts)); n != len(in) {
				t.Fatalf("%d acks for %d messages", n, len(in))
			}
			if a := lastAck(t, acts); !reflect.DeepEqual(a.Ranges, []wsrm.AckRange{rng(1, 4)}) {
				t.Fatalf("ack %v", a.Ranges)
			}
			for _, dl := range all[Deliver](acts) {
				if string(dl.Payload) != string(payload(dl.Number)) {
					t.Fatalf("payload of %d is %q", dl.Number, dl.Payload)
				}
			}
		})
	}
}

// RM-DA-004: InOrder holds later messages until the gap fills; held ones are stored.
func TestInOrderBuffer(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.Assurance.InOrder = true })
	id := open(t, d, wsrm.V200702, anon)
	acts := d.Message(seqH(wsrm.V200702, id, 3), payload(3), signed(tokA), t0)
	none[Deliver](t, acts)
	if pm := one[PutMessage](t, acts); pm.Number != 3 || string(pm.Payload) != "msg-3" {
		t.Fatalf("held message not stored: %+v", pm)
	}
	// Durability before acknowledgement: the stored message and state precede the ack.
	assertPersistFirst(t, acts)
	d.Message(seqH(wsrm.V200702, id, 2), payload(2), signed(tokA), t0)
	acts = d.Message(seqH(wsrm.V200702, id, 1), payload(1), signed(tokA), t0)
	if got := delivered(acts); !reflect.DeepEqual(got, []uint64{1, 2, 3}) {
		t.Fatalf("released %v", got)
	}
	if dm := one[DeleteMessages](t, acts); dm.Lower != 2 || dm.Upper != 3 {
		t.Fatalf("delete %+v", dm)
	}
	assertPersistFirst(t, acts)
	st, held, _ := d.Status(id)
	if st.DeliveredUpTo != 3 || len(held) != 0 {
		t.Fatalf("state %+v held %v", st, held)
	}
}

// assertPersistFirst: every Persistent action comes before every other action.
func assertPersistFirst(t *testing.T, acts []Action) {
	t.Helper()
	other := false
	for _, a := range acts {
		_, p := a.(Persistent)
		if p && other {
			t.Fatalf("a Persistent action follows a non-persistent one: %s", describe(acts))
		}
		other = other || !p
	}
}

// RM-DA-006: IncompleteSequenceBehavior at Close and at Terminate, with and without InOrder.
func TestIncompleteSequenceBehavior(t *testing.T) {
	tests := []struct {
		isb       string
		inOrder   bool
		nums      []uint64 // received, last = 5 → gap at 3
		before    []uint64 // delivered before the end
		atEnd     []uint64 // delivered at the end
		discarded []uint64
	}{
		{wsrm.NoDiscard, false, []uint64{1, 2, 4, 5}, []uint64{1, 2, 4, 5}, nil, nil},
		{wsrm.NoDiscard, true, []uint64{1, 2, 4, 5}, []uint64{1, 2}, []uint64{4, 5}, nil},
		{wsrm.DiscardFollowingFirstGap, false, []uint64{1, 2, 4, 5}, []uint64{1, 2}, nil, []uint64{4, 5}},
		{wsrm.DiscardFollowingFirstGap, true, []uint64{1, 2, 4, 5}, []uint64{1, 2}, nil, []uint64{4, 5}},
		{wsrm.DiscardEntireSequence, false, []uint64{1, 2, 4, 5}, nil, nil, []uint64{1, 2, 4, 5}},
		{wsrm.DiscardEntireSequence, true, []uint64{5, 1, 2, 4}, nil, nil, []uint64{1, 2, 4, 5}},
		{wsrm.DiscardEntireSequence, false, []uint64{2, 1, 3, 5, 4}, nil, []uint64{1, 2, 3, 4, 5}, nil}, // complete
	}
	for _, tt := range tests {
		for _, end := range []string{"close", "terminate", "terminate-2005"} {
			t.Run(tt.isb+"/"+end, func(t *testing.T) {
				d := newDest(t, func(c *DestinationConfig) {
					c.IncompleteSequenceBehavior = tt.isb
					c.Assurance.InOrder = tt.inOrder
				})
				v := wsrm.V200702
				if end == "terminate-2005" {
					v = wsrm.V200502
				}
				id := open(t, d, v, anon)
				got, _ := feed(t, d, id, v, tt.nums...)
				if !reflect.DeepEqual(got, tt.before) {
					t.Fatalf("before end: delivered %v want %v", got, tt.before)
				}
				var acts []Action
				if end == "close" {
					acts = d.CloseSequence(&wsrm.CloseSequence{V: v, Identifier: id, LastMsgNumber: 5, HasLast: true}, signed(tokA), t0)
				} else {
					acts = d.TerminateSequence(&wsrm.TerminateSequence{V: v, Identifier: id}, signed(tokA), t0)
				}
				if got := delivered(acts); !reflect.DeepEqual(got, tt.atEnd) {
					t.Fatalf("at end: delivered %v want %v", got, tt.atEnd)
				}
				var disc []uint64
				for _, x := range all[Discard](acts) {
					disc = append(disc, x.Number)
				}
				if !reflect.DeepEqual(disc, tt.discarded) {
					t.Fatalf("discarded %v want %v", disc, tt.discarded)
				}
				assertPersistFirst(t, acts)
			})
		}
	}
}

// DiscardEntireSequence: a 2005/02 LastMessage completing the sequence releases everything at
// once, without waiting for Terminate.
func TestDiscardEntireSequenceLastMessage(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.IncompleteSequenceBehavior = wsrm.DiscardEntireSequence })
	id := open(t, d, wsrm.V200502, anon)
	got, _ := feed(t, d, id, wsrm.V200502, 2, 1)
	if len(got) != 0 {
		t.Fatalf("delivered before completion: %v", got)
	}
	// WCF's empty-bodied LastMessage message (nil payload) takes number 3 but is not delivered.
	acts := d.Message(&wsrm.Sequence{V: wsrm.V200502, Identifier: id, MessageNumber: 3, LastMessage: true}, nil, signed(tokA), t0)
	if got := delivered(acts); !reflect.DeepEqual(got, []uint64{1, 2}) {
		t.Fatalf("delivered %v", got)
	}
	if a := one[SendAck](t, acts); !a.Urgent || a.Ack.Ranges[0] != rng(1, 3) {
		t.Fatal("the LastMessage ack is urgent and covers it")
	}
	// An application message that carries the LastMessage header is delivered.
	d2 := newDest(t, func(c *DestinationConfig) { c.Assurance.InOrder = true })
	id = open(t, d2, wsrm.V200502, anon)
	acts = d2.Message(&wsrm.Sequence{V: wsrm.V200502, Identifier: id, MessageNumber: 2, LastMessage: true}, payload(2), signed(tokA), t0)
	none[Deliver](t, acts)
	if got := delivered(d2.Message(seqH(wsrm.V200502, id, 1), payload(1), signed(tokA), t0)); !reflect.DeepEqual(got, []uint64{1, 2}) {
		t.Fatalf("delivered %v", got)
	}
}

// A full in-order buffer drops the message unacknowledged (the Source resends it).
func TestInOrderBufferLimit(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.Assurance.InOrder = true; c.MaxBuffered = 2 })
	id := open(t, d, wsrm.V200702, anon)
	feed(t, d, id, wsrm.V200702, 3, 4)
	acts := d.Message(seqH(wsrm.V200702, id, 5), nil, signed(tokA), t0)
	one[Drop](t, acts)
	none[SendAck](t, acts)
	// the next deliverable message is always accepted
	got, _ := feed(t, d, id, wsrm.V200702, 1, 2, 5)
	if !reflect.DeepEqual(got, []uint64{1, 2, 3, 4, 5}) {
		t.Fatalf("delivered %v", got)
	}
}

// RM-CL-003 / RM-SEQ-005: after Close new messages get SequenceClosed, retransmissions of
// received ones are still acknowledged with Final; Close is idempotent.
func TestAfterClose(t *testing.T) {
	d := newDest(t, nil)
	id := open(t, d, wsrm.V200702, anon)
	feed(t, d, id, wsrm.V200702, 1, 2)
	cl := &wsrm.CloseSequence{V: wsrm.V200702, Identifier: id, LastMsgNumber: 2, HasLast: true}
	r1 := one[Reply](t, d.CloseSequence(cl, signed(tokA), t0))
	r2 := one[Reply](t, d.CloseSequence(cl, signed(tokA), t0))
	if r1.Kind != wsrm.KindCloseSequenceResponse || !reflect.DeepEqual(r1.Ack, r2.Ack) || r1.Msg.(*wsrm.CloseSequenceResponse).Identifier != id {
		t.Fatalf("close replies %+v %+v", r1, r2)
	}
	acts := d.Message(seqH(wsrm.V200702, id, 2), nil, signed(tokA), t0)
	none[Deliver](t, acts)
	if a := lastAck(t, acts); !a.Final {
		t.Fatal("duplicate after close: ack with Final")
	}
	if f := faultOf(t, d.Message(seqH(wsrm.V200702, id, 3), nil, signed(tokA), t0)); f.Code != wsrm.SequenceClosed {
		t.Fatalf("%v", f)
	}
	// a LastMsgNumber mismatch on Terminate is noted (RM-CL-004)
	acts = d.TerminateSequence(&wsrm.TerminateSequence{V: wsrm.V200702, Identifier: id, LastMsgNumber: 3, HasLast: true}, signed(tokA), t0)
	if n := one[Note](t, acts); n.Assertion != "RM-CL-004" {
		t.Fatalf("note %+v", n)
	}
}

// RM-TS-002/003: Terminate answers in 1.1 (with the final ack), is one-way in 2005/02, and
// afterwards every message for the sequence gets UnknownSequence.
func TestTerminate(t *testing.T) {
	for _, v := range []wsrm.Version{wsrm.V200702, wsrm.V200502} {
		d := newDest(t, nil)
		id := open(t, d, v, anon)
		feed(t, d, id, v, 1, 2)
		acts := d.TerminateSequence(&wsrm.TerminateSequence{V: v, Identifier: id}, signed(tokA), t0)
		if e := one[Ended](t, acts); e.Reason != EndCompleted {
			t.Fatalf("%v", e)
		}
		if ds := one[DeleteSequence](t, acts); ds.Seq != id || ds.Role != RoleDestination {
			t.Fatalf("%+v", ds)
		}
		if v == wsrm.V200702 {
			r := one[Reply](t, acts)
			if r.Kind != wsrm.KindTerminateSequenceResponse || r.Ack == nil || !r.Ack.Final || r.Ack.Ranges[0] != rng(1, 2) {
				t.Fatalf("reply %+v", r)
			}
		} else {
			none[Reply](t, acts)
		}
		for name, acts := range map[string][]Action{
			"message":      d.Message(seqH(v, id, 3), nil, signed(tokA), t0),
			"ackrequested": d.AckRequested(&wsrm.AckRequested{V: v, Identifier: id}, signed(tokA), t0),
			"terminate":    d.TerminateSequence(&wsrm.TerminateSequence{V: v, Identifier: id}, signed(tokA), t0),
			"close":        d.CloseSequence(&wsrm.CloseSequence{V: v, Identifier: id}, signed(tokA), t0),
		} {
			if f := faultOf(t, acts); f.Code != wsrm.UnknownSequence || f.Identifier != id {
				t.Fatalf("%s after terminate: %v", name, f)
			}
		}
	}
}
