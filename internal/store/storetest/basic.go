package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)

func srcState(seq string, next uint64) rm.SourceState {
	return rm.SourceState{Seq: seq, Version: wsrm.V200702, Token: "urn:uuid:tok-" + seq, Next: next,
		To: wsa.EPR{Address: "http://server.example/rm"}, AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()}}
}

func dstState(seq string) rm.DestinationState {
	return rm.DestinationState{Seq: seq, Version: wsrm.V200502, Token: "urn:uuid:tok-" + seq,
		AcksTo: wsa.EPR{Address: "http://client.example/acks"}, Received: []wsrm.AckRange{{Lower: 1, Upper: 3}}}
}

func msg(role rm.Role, seq string, n uint64) rm.PutMessage {
	return rm.PutMessage{Role: role, Seq: seq, Number: n, Payload: payload(seq, n)}
}

func payload(seq string, n uint64) rm.Payload {
	return rm.Payload(fmt.Sprintf("<m seq=%q n=%d/>", seq, n))
}

// numbers lists the numbers of the messages of seq.
func numbers(ms []rm.StoredMessage, seq string) []uint64 {
	var out []uint64
	for _, m := range ms {
		if m.Seq == seq {
			out = append(out, m.Number)
		}
	}
	return out
}

func testEmpty(t *testing.T, h *harness) {
	s := h.store(t)
	snap := recoverAll(t, s)
	if len(snap.Sources)+len(snap.Destinations)+len(snap.SourceMessages)+len(snap.DestinationMessages)+
		len(snap.Tokens)+len(snap.Meta)+len(snap.Orphans) != 0 {
		t.Fatalf("new store is not empty: %+v", snap)
	}
	if err := s.Commit(ctx, store.Batch{}); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
}

// A batch is all or nothing: an invalid operation anywhere refuses the whole batch.
func testBatchAtomic(t *testing.T, h *harness) {
	s := h.store(t)
	commit(t, s, store.Batch{Actions: []rm.Persistent{rm.PutSource{State: srcState("urn:a", 3)}, msg(rm.RoleSource, "urn:a", 1)}})
	before := recoverAll(t, s)
	bad := []struct {
		name string
		b    store.Batch
		part string
	}{
		{"number 0", store.Batch{Actions: []rm.Persistent{rm.PutSource{State: srcState("urn:b", 2)}, msg(rm.RoleSource, "urn:b", 0)}}, "action"},
		{"empty seq", store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:a"}, rm.PutSource{State: srcState("", 1)}}}, "action"},
		{"bad role", store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:a"}, rm.DeleteSequence{Role: 9, Seq: "urn:a"}}}, "action"},
		{"reversed range", store.Batch{Actions: []rm.Persistent{rm.DeleteMessages{Role: rm.RoleSource, Seq: "urn:a", Lower: 2, Upper: 1}}}, "action"},
		{"nil action", store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:a"}, nil}}, "action"},
		{"plaintext token", store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:a"}},
			Tokens: []store.TokenOp{{Record: store.TokenRecord{Identifier: "urn:uuid:t", Sealed: []byte(`{"secret":"c2VjcmV0"}`)}}}}, "token"},
		{"empty meta key", store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:a"}},
			Meta: []store.MetaOp{{Key: "ok", Value: []byte("1")}, {Key: "", Value: []byte("x")}}}, "meta"},
	}
	for _, c := range bad {
		err := s.Commit(ctx, c.b)
		var be *store.BatchError
		if !errors.Is(err, store.ErrInvalidBatch) || !errors.As(err, &be) || be.Part != c.part {
			t.Errorf("%s: Commit = %v, want a *BatchError in %s", c.name, err, c.part)
		}
		if after := recoverAll(t, s); !reflect.DeepEqual(after, before) {
			t.Fatalf("%s: a refused batch changed the store:\n%+v\nwas\n%+v", c.name, after, before)
		}
	}
	// A valid batch applies completely.
	var b store.Batch
	b.Actions = append(b.Actions, rm.PutDestination{State: dstState("urn:d")})
	for n := uint64(1); n <= 20; n++ {
		b.Actions = append(b.Actions, msg(rm.RoleDestination, "urn:d", n))
	}
	b.PutMeta("k", []byte("v"))
	commit(t, s, b)
	snap := recoverAll(t, s)
	if len(snap.Destinations) != 1 || len(snap.DestinationMessages) != 20 || string(snap.Meta["k"]) != "v" {
		t.Fatalf("batch applied partially: %d states, %d messages, meta %q", len(snap.Destinations), len(snap.DestinationMessages), snap.Meta["k"])
	}
}

// Within a batch, operations apply in order.
func testBatchOrder(t *testing.T, h *harness) {
	s := h.store(t)
	a := srcState("urn:a", 5)
	commit(t, s, store.Batch{Actions: []rm.Persistent{
		rm.PutSource{State: a}, msg(rm.RoleSource, "urn:a", 1), msg(rm.RoleSource, "urn:a", 2),
		rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:a"}, // removes what came before
		rm.PutSource{State: srcState("urn:b", 2)}, msg(rm.RoleSource, "urn:b", 1),
		rm.DeleteMessages{Role: rm.RoleSource, Seq: "urn:b", Lower: 1, Upper: 1},
		msg(rm.RoleSource, "urn:b", 1), // put again after the delete
	}})
	snap := recoverAll(t, s)
	if len(snap.Sources) != 1 || snap.Sources[0].Seq != "urn:b" || !slices.Equal(numbers(snap.SourceMessages, "urn:b"), []uint64{1}) {
		t.Fatalf("order not respected: %+v %+v", snap.Sources, snap.SourceMessages)
	}
	// A later Put replaces the state; the last one of a batch wins.
	s2 := a
	s2.Next, s2.Closed = 9, true
	commit(t, s, store.Batch{Actions: []rm.Persistent{rm.PutSource{State: a}, rm.PutSource{State: s2}}})
	if got := recoverAll(t, s).Sources[0]; got.Next != 9 || !got.Closed {
		t.Fatalf("last PutSource must win: %+v", got)
	}
}

// DeleteSequence removes the state and every message of (role, seq), and nothing else —
// not the other role's sequence of the same identifier.
func testDeleteSequence(t *testing.T, h *harness) {
	s := h.store(t)
	var b store.Batch
	for _, seq := range []string{"urn:x", "urn:y"} {
		b.Actions = append(b.Actions, rm.PutSource{State: srcState(seq, 4)}, rm.PutDestination{State: dstState(seq)})
		for n := uint64(1); n <= 3; n++ {
			b.Actions = append(b.Actions, msg(rm.RoleSource, seq, n), msg(rm.RoleDestination, seq, n))
		}
	}
	commit(t, s, b)
	commit(t, s, store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:x"}}})
	snap := recoverAll(t, s)
	if len(snap.Sources) != 1 || snap.Sources[0].Seq != "urn:y" || len(numbers(snap.SourceMessages, "urn:x")) != 0 {
		t.Fatalf("source urn:x not fully deleted: %+v %v", snap.Sources, snap.SourceMessages)
	}
	if len(snap.Destinations) != 2 || len(numbers(snap.DestinationMessages, "urn:x")) != 3 || len(numbers(snap.SourceMessages, "urn:y")) != 3 {
		t.Fatalf("DeleteSequence touched other sequences: %+v", snap)
	}
	if len(snap.Orphans) != 0 {
		t.Fatalf("orphans left: %v", snap.Orphans)
	}
	// Deleting what does not exist is not an error.
	commit(t, s, store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:never"}}})
}

// DeleteMessages removes Lower..Upper inclusive of one (role, seq), whatever exists of it.
func testDeleteMessages(t *testing.T, h *harness) {
	s := h.store(t)
	b := store.Batch{Actions: []rm.Persistent{rm.PutSource{State: srcState("urn:a", 11)}, rm.PutSource{State: srcState("urn:b", 11)},
		rm.PutDestination{State: dstState("urn:a")}}}
	for n := uint64(1); n <= 10; n++ {
		b.Actions = append(b.Actions, msg(rm.RoleSource, "urn:a", n), msg(rm.RoleSource, "urn:b", n), msg(rm.RoleDestination, "urn:a", n))
	}
	commit(t, s, b)
	del := func(lo, hi uint64) {
		commit(t, s, store.Batch{Actions: []rm.Persistent{rm.DeleteMessages{Role: rm.RoleSource, Seq: "urn:a", Lower: lo, Upper: hi}}})
	}
	steps := []struct {
		lo, hi uint64
		want   []uint64
	}{
		{3, 5, []uint64{1, 2, 6, 7, 8, 9, 10}},
		{5, 5, []uint64{1, 2, 6, 7, 8, 9, 10}}, // already gone
		{6, 6, []uint64{1, 2, 7, 8, 9, 10}},    // single
		{0, 1, []uint64{2, 7, 8, 9, 10}},       // lower bound 0
		{9, 1 << 62, []uint64{2, 7, 8}},        // past the end
		{11, 20, []uint64{2, 7, 8}},            // nothing there
		{1, ^uint64(0), nil},                   // everything
	}
	for _, st := range steps {
		del(st.lo, st.hi)
		snap := recoverAll(t, s)
		if got := numbers(snap.SourceMessages, "urn:a"); !slices.Equal(got, st.want) {
			t.Fatalf("after deleting %d..%d: %v, want %v", st.lo, st.hi, got, st.want)
		}
		if len(numbers(snap.SourceMessages, "urn:b")) != 10 || len(snap.DestinationMessages) != 10 {
			t.Fatalf("deleting %d..%d of source urn:a touched other sequences", st.lo, st.hi)
		}
	}
	if snap := recoverAll(t, s); len(snap.Sources) != 2 {
		t.Fatal("DeleteMessages must not delete the sequence state")
	}
	// A message can be stored again after its range was deleted (a Destination re-holding).
	commit(t, s, store.Batch{Actions: []rm.Persistent{msg(rm.RoleSource, "urn:a", 4)}})
	if got := numbers(recoverAll(t, s).SourceMessages, "urn:a"); !slices.Equal(got, []uint64{4}) {
		t.Fatalf("re-stored message: %v", got)
	}
}

// Messages without a state are reported as orphans, not handed to rm.
func testOrphans(t *testing.T, h *harness) {
	s := h.store(t)
	commit(t, s, store.Batch{Actions: []rm.Persistent{msg(rm.RoleDestination, "urn:lonely", 7), rm.PutSource{State: srcState("urn:lonely", 1)}}})
	snap := recoverAll(t, s)
	if len(snap.DestinationMessages) != 0 || len(snap.Orphans) != 1 || snap.Orphans[0] !=
		(store.MessageRef{Role: rm.RoleDestination, Seq: "urn:lonely", Number: 7, Size: len(payload("urn:lonely", 7))}) {
		t.Fatalf("orphans %+v, destination messages %+v", snap.Orphans, snap.DestinationMessages)
	}
}
