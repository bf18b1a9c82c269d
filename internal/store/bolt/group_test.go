package bolt

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
)

func openT(t *testing.T) *DB {
	t.Helper()
	d, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func putBatch(seq string, n uint64) store.Batch {
	return store.Batch{Actions: []rm.Persistent{
		rm.PutMessage{Role: rm.RoleSource, Seq: seq, Number: n, Payload: rm.Payload("p")},
		rm.PutSource{State: rm.SourceState{Seq: seq, Next: n + 1}},
	}}
}

// stall holds bbolt's writer lock, so that the committer blocks on its next transaction while
// Commit calls queue up behind it; release lets it go.
func stall(t *testing.T, d *DB) (release func()) {
	t.Helper()
	tx, err := d.bdb.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	return func() { _ = tx.Rollback() }
}

// waitQueued waits (without a deadline: the test binary's timeout is the bound) until n
// batches are queued behind the one the committer holds.
func waitQueued(d *DB, n int) {
	for len(d.queue) < n {
		runtime.Gosched()
	}
}

// Batches queued while a transaction is being written share the next one: one transaction,
// one fsync. With the committer held up, 1 + 15 concurrent batches take exactly two
// transactions.
func TestGroupCommit(t *testing.T) {
	d := openT(t)
	release := stall(t, d)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	commit := func(i int) {
		defer wg.Done()
		errs <- d.Commit(context.Background(), putBatch(fmt.Sprintf("urn:s%02d", i), 1))
	}
	wg.Add(1)
	go commit(0)
	waitTaken(d, 1)
	for i := 1; i < 16; i++ {
		wg.Add(1)
		go commit(i)
	}
	waitQueued(d, 15)
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := d.Stats(); st != (Stats{Batches: 16, Transactions: 2}) {
		t.Fatalf("stats %+v, want 16 batches in 2 transactions", st)
	}
}

// waitTaken waits until the committer has taken n batches off the queue (it then blocks on
// the stalled writer lock).
func waitTaken(d *DB, n uint64) {
	for d.taken.Load() < n {
		runtime.Gosched()
	}
}

// A transaction that fails fails exactly its batches, none of them applied; batches of other
// transactions are not affected. The failure is provoked by a damaged structure: a plain
// value where the message bucket of sequence urn:bad should be.
func TestGroupFailureIsolation(t *testing.T) {
	d := openT(t)
	if err := d.Commit(context.Background(), putBatch("urn:before", 1)); err != nil {
		t.Fatal(err)
	}
	err := d.bdb.Update(func(tx *bbolt.Tx) error {
		_, msgs, err := roleBuckets(tx, rm.RoleSource)
		if err != nil {
			return err
		}
		return msgs.Put([]byte("urn:bad"), []byte("not a bucket"))
	})
	if err != nil {
		t.Fatal(err)
	}
	release := stall(t, d)
	results := make(chan error, 1)
	go func() { results <- d.Commit(context.Background(), putBatch("urn:first", 1)) }()
	waitTaken(d, 2)
	var wg sync.WaitGroup
	group := map[string]chan error{}
	for _, seq := range []string{"urn:good1", "urn:bad", "urn:good2"} {
		ch := make(chan error, 1)
		group[seq] = ch
		wg.Add(1)
		go func() { defer wg.Done(); ch <- d.Commit(context.Background(), putBatch(seq, 1)) }()
	}
	waitQueued(d, 3)
	release()
	wg.Wait()
	if err := <-results; err != nil {
		t.Fatalf("batch of the earlier transaction: %v", err)
	}
	for seq, ch := range group {
		if err := <-ch; err == nil || errors.Is(err, store.ErrInvalidBatch) {
			t.Fatalf("%s: Commit = %v, want the transaction's failure", seq, err)
		}
	}
	snap, err := d.Recover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var seqs []string
	for _, st := range snap.Sources {
		seqs = append(seqs, st.Seq)
	}
	if fmt.Sprint(seqs) != "[urn:before urn:first]" {
		t.Fatalf("stored sequences %v: the failed transaction left traces", seqs)
	}
	// The store goes on working for batches that do not touch the damage.
	if err := d.Commit(context.Background(), putBatch("urn:after", 1)); err != nil {
		t.Fatal(err)
	}
}
