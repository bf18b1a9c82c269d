package peer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/store/bolt"
)

// TestDuplexResumeAfterRestart: a duplex job (Offer accepted, every delivered message echoed
// on the reverse sequence of its forward sequence) is stopped in the middle, with echoes
// delivered and others still in flight; both peers restart on their state directories. The
// responder's unacknowledged echoes are retransmitted from its store, the initiator's
// reverse Destination is recovered, and every reverse sequence carries the echo of its
// forward sequence exactly once, in order — the replies delivered before the restart come
// from the job's metadata. Peers started without Duplex / Offer on such stores refuse them.
func TestDuplexResumeAfterRestart(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		t.Run(p.String(), func(t *testing.T) { duplexResume(t, p) })
	}
}

func duplexResume(t *testing.T, p Profile) {
	g := duplexRig(t)
	g.profile = p
	g.startResponder()
	plan := Plan{Messages: 40, Sequences: 3, Size: 64, Interval: 10 * time.Millisecond}
	g.interruptedWhen(plan, func(in *Initiator) bool {
		return len(g.resp.Delivered()) >= 15 && len(in.Replies()) >= 5
	})
	g.stopResponder()

	isnap, rsnap := snapshot(t, g.idir), snapshot(t, g.rdir)
	if len(isnap.Destinations) == 0 || len(rsnap.Sources) == 0 {
		t.Fatalf("interrupted duplex job: the initiator stored %d reverse sequences, the responder %d", len(isnap.Destinations), len(rsnap.Sources))
	}
	echoes := map[string]uint64{}
	for _, st := range rsnap.Sources {
		if st.Forward == "" || st.Token == "" {
			t.Errorf("responder's reverse sequence %s: forward %q, token %q", st.Seq, st.Forward, st.Token)
		}
		echoes[st.Seq] = st.Next - 1
	}
	for _, st := range rsnap.Destinations {
		if n, ok := echoes[st.Offer]; !ok || n != st.DeliveredUpTo {
			t.Errorf("forward sequence %s delivered %d messages; its reverse sequence %q numbered %d echoes (present: %t)",
				st.Seq, st.DeliveredUpTo, st.Offer, n, ok)
		}
	}
	stored := 0
	for k := range isnap.Meta {
		if strings.HasPrefix(k, metaReply) {
			stored++
		}
	}
	if stored < 5 {
		t.Fatalf("the initiator recorded %d replies before the restart, want >= 5", stored)
	}

	// Without Duplex / Offer the stores are refused: nothing would send or receive on the
	// reverse sequences.
	for _, c := range []struct {
		dir, want string
		open      func(*bolt.DB) error
	}{
		{g.rdir, "run with Duplex", func(st *bolt.DB) error {
			return errOf(NewResponder(ResponderConfig{Store: st, StoreKey: g.key}))
		}},
		{g.idir, "run with an Offer", func(st *bolt.DB) error {
			return errOf(NewInitiator(InitiatorConfig{To: g.to(), Store: st, StoreKey: g.key}))
		}},
	} {
		st, err := bolt.Open(c.dir, bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.open(st); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("opened without duplex: %v, want an error about %q", err, c.want)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}

	g.startResponder()
	// The reverse sequences are sent to the initiator's endpoint: a resumed job must listen
	// there again.
	st, err := bolt.Open(g.idir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := NewInitiator(InitiatorConfig{To: g.to(), Store: st, StoreKey: g.key, Offer: true, AcksTo: "http://127.0.0.1:1/elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	var mismatch *JobMismatchError
	if _, err := moved.Run(context.Background(), plan); !errors.As(err, &mismatch) || !strings.Contains(err.Error(), "duplex at "+g.ifront.URL) {
		t.Errorf("resumed at another endpoint: %v, want a *JobMismatchError naming the stored endpoint", err)
	}
	_ = moved.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	sum, err := g.resume(plan)
	if err != nil {
		t.Fatalf("resume: %v (%s)", err, sum)
	}
	if !sum.Resumed || sum.Acknowledged != plan.Messages || sum.Terminated != plan.Sequences || !sum.Cancelled ||
		sum.Replies != plan.Messages {
		t.Fatalf("resumed duplex job: %s (replies %d)", sum, sum.Replies)
	}
	g.verify(sum, plan)
	// The initiator's run ends when it has answered the last TerminateSequence; the
	// responder deletes the reverse sequence when that answer arrives.
	rev := g.resp.rev
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		rev.mu.Lock()
		n := rev.src.Len()
		rev.mu.Unlock()
		if n == 0 {
			break
		}
	}
	g.stopResponder()
	isnap, rsnap = snapshot(t, g.idir), snapshot(t, g.rdir)
	if len(isnap.Destinations)+len(isnap.Sources)+len(rsnap.Sources)+len(rsnap.Destinations) != 0 {
		t.Errorf("sequences left after the job: initiator %d+%d, responder %d+%d",
			len(isnap.Sources), len(isnap.Destinations), len(rsnap.Sources), len(rsnap.Destinations))
	}
}
