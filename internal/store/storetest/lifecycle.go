package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
)

// Everything committed survives Close and a new Open (skipped for stores without reopen).
func testReopen(t *testing.T, h *harness) {
	if h.reopen == nil {
		t.Skip("store does not persist")
	}
	s := h.open(t)
	sl := sealer(t, 7)
	b := store.Batch{Actions: []rm.Persistent{rm.PutSource{State: srcState("urn:a", 3)}, msg(rm.RoleSource, "urn:a", 1),
		msg(rm.RoleSource, "urn:a", 2), rm.PutDestination{State: dstState("urn:d")}, msg(rm.RoleDestination, "urn:d", 2)}}
	b.PutToken(sealed(t, sl, "urn:uuid:p", ""))
	b.PutMeta("k", []byte("v"))
	commit(t, s, b)
	commit(t, s, store.Batch{Actions: []rm.Persistent{rm.DeleteMessages{Role: rm.RoleSource, Seq: "urn:a", Lower: 1, Upper: 1}}})
	want := recoverAll(t, s)
	s = h.reopen(t, s)
	t.Cleanup(func() { _ = s.Close() })
	if got := recoverAll(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen:\n%+v\nwant\n%+v", got, want)
	}
	// ... and the reopened store keeps working.
	commit(t, s, store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:a"}}})
	if got := recoverAll(t, s); len(got.Sources) != 0 || len(got.SourceMessages) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
}

// 16 goroutines commit concurrently (run it under -race); every batch is applied whole.
func testConcurrent(t *testing.T, h *harness) {
	s := h.store(t)
	const workers, rounds = 16, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seq := fmt.Sprintf("urn:w%02d", w)
			for n := uint64(1); n <= rounds; n++ {
				st := srcState(seq, n+1)
				b := store.Batch{Actions: []rm.Persistent{msg(rm.RoleSource, seq, n), rm.PutSource{State: st}}}
				b.PutMeta(seq, []byte{byte(n)})
				if err := s.Commit(ctx, b); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Commit: %v", err)
	}
	snap := recoverAll(t, s)
	if len(snap.Sources) != workers || len(snap.SourceMessages) != workers*rounds || len(snap.Meta) != workers {
		t.Fatalf("%d states, %d messages, %d meta; want %d, %d, %d", len(snap.Sources), len(snap.SourceMessages),
			len(snap.Meta), workers, workers*rounds, workers)
	}
	for i, st := range snap.Sources {
		if st.Next != rounds+1 || len(numbers(snap.SourceMessages, st.Seq)) != rounds || snap.Meta[st.Seq][0] != rounds {
			t.Fatalf("sequence %d: %+v", i, st)
		}
	}
}
