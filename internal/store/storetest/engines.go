package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

const engineToken = "urn:uuid:sct-engine"

var (
	engineAuth = rm.Auth{Token: engineToken, Headers: true, Body: true}
	rmdAddr    = wsa.EPR{Address: "http://server.example/rm"}
	acksAddr   = wsa.EPR{Address: "http://client.example/acks"}
)

func ids(prefix string) func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("urn:uuid:%s-%d", prefix, n) }
}

// persist commits the Persistent actions of one engine call, as the peer does before
// performing anything else, and returns the actions.
func persist(t *testing.T, s store.Store, acts []rm.Action) []rm.Action {
	t.Helper()
	commit(t, s, store.NewBatch(acts))
	return acts
}

func of[T rm.Action](acts []rm.Action) []T {
	var out []T
	for _, a := range acts {
		if x, ok := a.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// utc puts the times of rm states in the form a store returns them (UTC, no monotonic
// reading), so that an engine snapshot compares equal with reflect.DeepEqual.
func utcSources(xs []rm.SourceState) []rm.SourceState {
	for i := range xs {
		xs[i].Expires = xs[i].Expires.UTC()
	}
	return xs
}

func utcDestinations(xs []rm.DestinationState) []rm.DestinationState {
	for i := range xs {
		xs[i].Expires = xs[i].Expires.UTC()
	}
	return xs
}

// sameAsSource checks that the store holds exactly what the Source's Snapshot says.
func sameAsSource(t *testing.T, s store.Store, src *rm.Source) *store.Snapshot {
	t.Helper()
	snap := recoverAll(t, s)
	states, msgs := src.Snapshot()
	if !reflect.DeepEqual(snap.Sources, utcSources(states)) {
		t.Fatalf("stored source states differ from the engine's snapshot:\nstore  %+v\nengine %+v", snap.Sources, states)
	}
	if !reflect.DeepEqual(snap.SourceMessages, msgs) {
		t.Fatalf("stored source messages differ from the engine's snapshot:\nstore  %v\nengine %v", snap.SourceMessages, msgs)
	}
	return snap
}

func sameAsDestination(t *testing.T, s store.Store, d *rm.Destination) *store.Snapshot {
	t.Helper()
	snap := recoverAll(t, s)
	states, msgs := d.Snapshot()
	if !reflect.DeepEqual(snap.Destinations, utcDestinations(states)) {
		t.Fatalf("stored destination states differ from the engine's snapshot:\nstore  %+v\nengine %+v", snap.Destinations, states)
	}
	if !reflect.DeepEqual(snap.DestinationMessages, msgs) {
		t.Fatalf("stored destination messages differ:\nstore  %v\nengine %v", snap.DestinationMessages, msgs)
	}
	return snap
}

// RM-PER-001/002/004/008 through a store: a Source driven through creation, sends, a partial
// ack, a Close and a completed sequence; the store equals the engine's Snapshot after every
// call; RecoverSource from the store retransmits exactly the unacknowledged messages, with
// the same token, and continues the numbering.
func testSourceEngine(t *testing.T, h *harness) {
	s := h.store(t)
	cfg := rm.SourceConfig{NewID: ids("src")}
	src, err := rm.NewSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	create := func(id string, v wsrm.Version, expires time.Duration) {
		ref, acts := src.Create(rm.CreateParams{Version: v, To: rmdAddr, Token: engineToken, AcksTo: acksAddr, Expires: expires}, t0)
		persist(t, s, acts)
		resp := &wsrm.CreateSequenceResponse{V: v, Identifier: id}
		if expires > 0 {
			resp.Expires = rm.FormatDuration(expires)
		}
		persist(t, s, src.CreateSequenceResponse(ref, resp, engineAuth, t0))
	}
	send := func(id string, n uint64) {
		acts, err := src.Send(id, payload(id, n), t0)
		if err != nil {
			t.Fatal(err)
		}
		if got := of[rm.SendMessage](persist(t, s, acts)); len(got) != 1 || got[0].Number != n {
			t.Fatalf("send %d: %+v", n, got)
		}
	}
	ack := func(id string, v wsrm.Version, rs ...wsrm.AckRange) {
		persist(t, s, src.Ack(&wsrm.SequenceAcknowledgement{V: v, Identifier: id, Ranges: rs}, engineAuth, t0))
	}
	const a, b, c = "urn:uuid:seq-a", "urn:uuid:seq-b", "urn:uuid:seq-c"
	create(a, wsrm.V200702, time.Hour)
	create(b, wsrm.V200502, 0)
	create(c, wsrm.V200702, 0)
	for n := uint64(1); n <= 6; n++ {
		send(a, n)
		sameAsSource(t, s, src)
	}
	send(b, 1)
	send(b, 2)
	send(c, 1)
	ack(a, wsrm.V200702, wsrm.AckRange{Lower: 1, Upper: 2}, wsrm.AckRange{Lower: 4, Upper: 4})
	ack(b, wsrm.V200502, wsrm.AckRange{Lower: 1, Upper: 1})
	ack(c, wsrm.V200702, wsrm.AckRange{Lower: 1, Upper: 1})
	sameAsSource(t, s, src)
	// c completes: Close, its response, Terminate, its response -> DeleteSequence.
	acts, err := src.Close(c, t0)
	if err != nil {
		t.Fatal(err)
	}
	persist(t, s, acts)
	persist(t, s, src.CloseSequenceResponse(&wsrm.CloseSequenceResponse{V: wsrm.V200702, Identifier: c}, engineAuth, t0))
	sameAsSource(t, s, src)
	if acts, err = src.Terminate(c, t0); err != nil {
		t.Fatal(err)
	}
	persist(t, s, acts)
	persist(t, s, src.TerminateSequenceResponse(&wsrm.TerminateSequenceResponse{V: wsrm.V200702, Identifier: c}, engineAuth, t0))
	snap := sameAsSource(t, s, src)
	if len(snap.Sources) != 2 {
		t.Fatalf("completed sequence still stored: %+v", snap.Sources)
	}
	// Crash; recover ten minutes later from what the store holds.
	later := t0.Add(10 * time.Minute)
	r, err := rm.RecoverSource(rm.SourceConfig{NewID: ids("src2")}, snap.Sources, snap.SourceMessages, later)
	if err != nil {
		t.Fatalf("RecoverSource from the store: %v", err)
	}
	resent := map[string][]uint64{}
	for _, m := range of[rm.SendMessage](r.Tick(later)) {
		if m.Token != engineToken || m.Attempt == 0 || string(m.Payload) != string(payload(m.Seq, m.Number)) {
			t.Fatalf("retransmission after recovery: %+v", m)
		}
		resent[m.Seq] = append(resent[m.Seq], m.Number)
	}
	for seq := range resent {
		slices.Sort(resent[seq])
	}
	if !reflect.DeepEqual(resent, map[string][]uint64{a: {3, 5, 6}, b: {2}}) {
		t.Fatalf("retransmitted %v, want a: 3 5 6, b: 2", resent)
	}
	// Numbers continue (RM-PER-002), and the store keeps following the recovered engine.
	acts, err = r.Send(a, payload(a, 7), later)
	if err != nil {
		t.Fatal(err)
	}
	if m := of[rm.SendMessage](persist(t, s, acts)); len(m) != 1 || m[0].Number != 7 {
		t.Fatalf("first send after recovery: %+v", m)
	}
	persist(t, s, r.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: a,
		Ranges: []wsrm.AckRange{{Lower: 1, Upper: 7}}}, engineAuth, later))
	snap = sameAsSource(t, s, r)
	if got := numbers(snap.SourceMessages, a); len(got) != 0 {
		t.Fatalf("acknowledged messages still stored: %v", got)
	}
}

// RM-PER-003 through a store: an InOrder Destination holds 3 and 4 while 2 is missing; after
// recovery a duplicate is acknowledged, not redelivered, and 2 releases 2, 3, 4 in order.
func testDestinationEngine(t *testing.T, h *harness) {
	s := h.store(t)
	cfg := rm.DestinationConfig{NewID: ids("dst"), RequireSTR: true, RequireUsesSequenceSTR: true,
		Assurance: rm.Assurance{Delivery: rm.ExactlyOnce, InOrder: true}}
	d, err := rm.NewDestination(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cs := &wsrm.CreateSequence{V: wsrm.V200702, AcksTo: acksAddr, Expires: "PT1H",
		STR: &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: engineToken}}}
	acts := persist(t, s, d.CreateSequence(rm.CreateSequenceRequest{Msg: cs, UsesSequenceSTR: true, STRToken: rm.STRToken(cs, nil)}, engineAuth, t0))
	replies := of[rm.Reply](acts)
	if len(replies) != 1 {
		t.Fatalf("CreateSequence: %+v", acts)
	}
	id := replies[0].Msg.(*wsrm.CreateSequenceResponse).Identifier
	deliver := func(d *rm.Destination, n uint64, now time.Time) []uint64 {
		h := &wsrm.Sequence{V: wsrm.V200702, Identifier: id, MessageNumber: n}
		var got []uint64
		for _, x := range of[rm.Deliver](persist(t, s, d.Message(h, payload(id, n), engineAuth, now))) {
			if string(x.Payload) != string(payload(id, x.Number)) {
				t.Fatalf("delivered payload of %d: %q", x.Number, x.Payload)
			}
			got = append(got, x.Number)
		}
		return got
	}
	for _, n := range []uint64{1, 3, 4} {
		deliver(d, n, t0)
		sameAsDestination(t, s, d)
	}
	snap := sameAsDestination(t, s, d)
	if got := numbers(snap.DestinationMessages, id); !slices.Equal(got, []uint64{3, 4}) {
		t.Fatalf("held messages %v, want 3 4", got)
	}
	if st := snap.Destinations[0]; st.Token != engineToken || st.Expires.IsZero() {
		t.Fatalf("binding or Expires lost: %+v", st)
	}
	later := t0.Add(time.Minute)
	r, err := rm.RecoverDestination(cfg, snap.Destinations, snap.DestinationMessages, later)
	if err != nil {
		t.Fatalf("RecoverDestination from the store: %v", err)
	}
	if got := deliver(r, 3, later); len(got) != 0 {
		t.Fatalf("duplicate redelivered after recovery: %v", got)
	}
	if got := deliver(r, 2, later); !slices.Equal(got, []uint64{2, 3, 4}) {
		t.Fatalf("after recovery 2 delivered %v, want 2 3 4", got)
	}
	snap = sameAsDestination(t, s, r)
	if len(snap.DestinationMessages) != 0 || snap.Destinations[0].DeliveredUpTo != 4 {
		t.Fatalf("after delivery: held %v, state %+v", snap.DestinationMessages, snap.Destinations[0])
	}
}
