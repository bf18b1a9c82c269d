package rm

import (
	"reflect"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// store is a minimal store for tests: it applies Persistent actions as the store of issue #5
// will (sequences by (role, id), messages by (role, id, number)).
type store struct {
	src  map[string]SourceState
	dst  map[string]DestinationState
	msgs map[Role]map[string]map[uint64]Payload
}

func newStore() *store {
	return &store{src: map[string]SourceState{}, dst: map[string]DestinationState{},
		msgs: map[Role]map[string]map[uint64]Payload{RoleSource: {}, RoleDestination: {}}}
}

func (st *store) apply(acts []Action) {
	for _, a := range acts {
		switch x := a.(type) {
		case PutSource:
			st.src[x.State.Seq] = x.State
		case PutDestination:
			st.dst[x.State.Seq] = x.State
		case DeleteSequence:
			if x.Role == RoleSource {
				delete(st.src, x.Seq)
			} else {
				delete(st.dst, x.Seq)
			}
			delete(st.msgs[x.Role], x.Seq)
		case PutMessage:
			m := st.msgs[x.Role][x.Seq]
			if m == nil {
				m = map[uint64]Payload{}
				st.msgs[x.Role][x.Seq] = m
			}
			m[x.Number] = x.Payload
		case DeleteMessages:
			for k := range st.msgs[x.Role][x.Seq] {
				if k >= x.Lower && k <= x.Upper {
					delete(st.msgs[x.Role][x.Seq], k)
				}
			}
		}
	}
}

func (st *store) load(r Role) ([]SourceState, []DestinationState, []StoredMessage) {
	var ss []SourceState
	var ds []DestinationState
	var ms []StoredMessage
	for _, s := range st.src {
		ss = append(ss, s)
	}
	for _, d := range st.dst {
		ds = append(ds, d)
	}
	for id, m := range st.msgs[r] {
		for k, p := range m {
			ms = append(ms, StoredMessage{Seq: id, Number: k, Payload: p})
		}
	}
	sortStates(ss, func(x SourceState) string { return x.Seq })
	sortStates(ds, func(x DestinationState) string { return x.Seq })
	sortMsgs(ms)
	return ss, ds, ms
}

// RM-PER-001/002/004/008: a recovered Source keeps its numbers, its binding and its
// unacknowledged messages, and retransmits them at once, protected afresh.
func TestRecoverSource(t *testing.T) {
	st := newStore()
	s := newSrc(t, nil)
	ref, acts := s.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA}, t0)
	st.apply(acts)
	st.apply(s.CreateSequenceResponse(ref, &wsrm.CreateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:f"}, signed(tokA), t0))
	for k := uint64(1); k <= 5; k++ {
		acts, _ := s.Send("urn:uuid:f", payload(k), t0)
		st.apply(acts)
	}
	st.apply(s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: "urn:uuid:f", Ranges: []wsrm.AckRange{rng(1, 2)}}, signed(tokA), t0))
	// the store equals the engine's own snapshot
	states, _, msgs := st.load(RoleSource)
	snapS, snapM := s.Snapshot()
	if !reflect.DeepEqual(states, snapS) || !reflect.DeepEqual(msgs, snapM) {
		t.Fatalf("store %+v %v\nsnapshot %+v %v", states, msgs, snapS, snapM)
	}
	// crash; recover 10 minutes later
	later := at(10 * time.Minute)
	r, err := RecoverSource(SourceConfig{NewID: ids("r")}, states, msgs, later)
	if err != nil {
		t.Fatal(err)
	}
	acts = r.Tick(later)
	var re []uint64
	for _, sm := range all[SendMessage](acts) {
		if sm.Attempt == 0 || sm.Token != tokA || sm.Stale {
			t.Fatalf("resend after recovery must be a fresh re-protection with the same token: %+v", sm)
		}
		re = append(re, sm.Number)
	}
	if !reflect.DeepEqual(re, []uint64{3, 4, 5}) {
		t.Fatalf("retransmitted %v", re)
	}
	// never renumber
	acts, _ = r.Send("urn:uuid:f", payload(6), later)
	if n := one[SendMessage](t, acts).Number; n != 6 {
		t.Fatalf("after recovery the next number is %d", n)
	}
	// a lost PutSource (non-atomic store) cannot make numbers go backwards
	states[0].Next = 2
	r2, _ := RecoverSource(SourceConfig{NewID: ids("r")}, states, msgs, later)
	if acts, _ := r2.Send("urn:uuid:f", nil, later); one[SendMessage](t, acts).Number != 6 {
		t.Fatal("renumbered after recovery")
	}
	// a Close in flight is resent after recovery
	acts, _ = r.Close("urn:uuid:f", later)
	st.apply(acts)
	states, _, msgs = st.load(RoleSource)
	r3, _ := RecoverSource(SourceConfig{NewID: ids("r")}, states, msgs, later)
	if cl := one[Send](t, r3.Tick(later)); cl.Kind != wsrm.KindCloseSequence || cl.Msg.(*wsrm.CloseSequence).LastMsgNumber != 6 {
		t.Fatalf("%+v", cl)
	}
	if _, err := RecoverSource(SourceConfig{NewID: ids("r")}, append(states, states...), nil, later); err == nil {
		t.Fatal("duplicate states accepted")
	}
	if _, err := RecoverSource(SourceConfig{NewID: ids("r")}, nil, msgs, later); err == nil {
		t.Fatal("orphan message accepted")
	}
}

// RM-PER-003/004: a recovered Destination still filters and acknowledges duplicates, keeps
// the in-order buffer, the binding and the closed state.
func TestRecoverDestination(t *testing.T) {
	st := newStore()
	d := newDest(t, func(c *DestinationConfig) { c.Assurance.InOrder = true })
	acts := d.CreateSequence(scopedReq(wsrm.V200702, anon, tokA), signed(tokA), t0)
	st.apply(acts)
	id := one[Reply](t, acts).Seq
	for _, k := range []uint64{1, 2, 4, 5} {
		st.apply(d.Message(seqH(wsrm.V200702, id, k), payload(k), signed(tokA), t0))
	}
	_, states, msgs := st.load(RoleDestination)
	snapD, snapM := d.Snapshot()
	if !reflect.DeepEqual(states, snapD) || !reflect.DeepEqual(msgs, snapM) {
		t.Fatalf("store %+v %v\nsnapshot %+v %v", states, msgs, snapD, snapM)
	}
	r, err := RecoverDestination(DestinationConfig{NewID: ids("r")}, states, msgs, t0)
	if err != nil {
		t.Fatal(err)
	}
	// duplicate of a delivered message: acked, not delivered
	acts = r.Message(seqH(wsrm.V200702, id, 2), payload(2), signed(tokA), t0)
	none[Deliver](t, acts)
	if a := lastAck(t, acts); !reflect.DeepEqual(a.Ranges, []wsrm.AckRange{rng(1, 2), rng(4, 5)}) {
		t.Fatalf("ack %v", a.Ranges)
	}
	// the gap fills: held 4, 5 come out of the recovered buffer
	if got := delivered(r.Message(seqH(wsrm.V200702, id, 3), payload(3), signed(tokA), t0)); !reflect.DeepEqual(got, []uint64{3, 4, 5}) {
		t.Fatalf("delivered %v", got)
	}
	// the binding survives
	if f := faultOf(t, r.Message(seqH(wsrm.V200702, id, 6), nil, signed(tokB), t0)); f.Security != FailedAuthentication {
		t.Fatal(f)
	}
	if _, err := RecoverDestination(DestinationConfig{NewID: ids("r")}, states, []StoredMessage{{Seq: id, Number: 9}}, t0); err == nil {
		t.Fatal("held message never received accepted")
	}
}
