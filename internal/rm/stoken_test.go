package rm

import (
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// TokenGone: the SCT of reverse sequences was cancelled. A sequence terminating with
// everything acknowledged ends completed (its TerminateSequenceResponse, protected by the
// cancelled SCT, can no longer be verified), one with unacknowledged messages ends failed
// with them discarded, a sequence bound to another SCT is untouched; a late response finds
// no live sequence.
func TestSourceTokenGone(t *testing.T) {
	s := newSrc(t, nil)
	adopt := func(id, tok string) {
		t.Helper()
		if _, err := s.Adopt(Reverse{Role: RoleSource, Version: wsrm.V200702, Seq: id, Forward: id + "-fwd", Token: tok, Peer: client}, t0); err != nil {
			t.Fatal(err)
		}
	}
	send := func(id string, n int) {
		t.Helper()
		for range n {
			if _, err := s.Send(id, payload(1), t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	adopt("urn:uuid:done", tokA)
	adopt("urn:uuid:open", tokA)
	adopt("urn:uuid:other", tokB)
	send("urn:uuid:done", 2)
	send("urn:uuid:open", 3)
	send("urn:uuid:other", 1)
	s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: "urn:uuid:done", Ranges: []wsrm.AckRange{rng(1, 2)}, Final: true}, signed(tokA), t0)
	s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: "urn:uuid:open", Ranges: []wsrm.AckRange{rng(1, 1)}}, signed(tokA), t0)
	if _, err := s.Terminate("urn:uuid:done", t0); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Status("urn:uuid:done"); !st.State.Terminating {
		t.Fatalf("not terminating: %+v", st.State)
	}

	acts := s.TokenGone(tokA, at(1))
	ended := map[string]EndReason{}
	for _, e := range all[Ended](acts) {
		ended[e.Seq] = e.Reason
	}
	if len(ended) != 2 || ended["urn:uuid:done"] != EndCompleted || ended["urn:uuid:open"] != EndFailed {
		t.Fatalf("ended %v: %s", ended, describe(acts))
	}
	deleted := map[string]bool{}
	for _, d := range all[DeleteSequence](acts) {
		deleted[d.Seq] = d.Role == RoleSource
	}
	if len(deleted) != 2 || !deleted["urn:uuid:done"] || !deleted["urn:uuid:open"] {
		t.Fatalf("deleted %v", deleted)
	}
	var discarded []uint64
	for _, d := range all[Discard](acts) {
		if d.Seq != "urn:uuid:open" {
			t.Fatalf("discarded %+v", d)
		}
		discarded = append(discarded, d.Number)
	}
	if len(discarded) != 2 || discarded[0] != 2 || discarded[1] != 3 {
		t.Fatalf("discarded %v, want [2 3]", discarded)
	}
	if s.Len() != 1 {
		t.Fatalf("%d sequences left, want the one bound to the other SCT", s.Len())
	}
	if _, ok := s.Status("urn:uuid:other"); !ok {
		t.Fatal("the sequence bound to another SCT was ended")
	}
	late := s.TerminateSequenceResponse(&wsrm.TerminateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:done"}, signed(tokA), at(2))
	if n := one[Note](t, late); n.Seq != "urn:uuid:done" {
		t.Fatalf("late response: %s", describe(late))
	}
	if acts := s.TokenGone(tokA, at(3)); len(acts) != 0 {
		t.Fatalf("second TokenGone: %s", describe(acts))
	}
}
