package bolt

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/record"
)

// maxGroupBytes bounds the encoded size of the batches sharing a transaction.
const maxGroupBytes = 32 << 20

// maxYields bounds the scheduler yields spent growing a group (see run).
const maxYields = 16

// request is one queued batch.
type request struct {
	ctx  context.Context
	ops  []store.Op
	size int
	done chan error
}

// Stats counts what the committer did.
type Stats struct {
	Batches      uint64 // batches committed
	Transactions uint64 // transactions (fsyncs) that committed them
}

// Stats returns the counters since Open.
func (d *DB) Stats() Stats { return Stats{Batches: d.batches.Load(), Transactions: d.txs.Load()} }

// Commit validates and encodes b, queues it for the committer and returns when the
// transaction holding it is durable (or failed). See the package documentation.
func (d *DB) Commit(ctx context.Context, b store.Batch) error {
	ops, err := b.Prepare()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, ops: ops, done: make(chan error, 1)}
	for _, op := range ops {
		r.size += len(op.Key) + len(op.Value)
	}
	d.mu.RLock()
	switch {
	case d.closed:
		d.mu.RUnlock()
		return store.ErrClosed
	case d.readOnly:
		d.mu.RUnlock()
		return store.ErrReadOnly
	case len(ops) == 0:
		d.mu.RUnlock()
		return nil
	}
	select {
	case d.queue <- r:
	case <-ctx.Done():
		d.mu.RUnlock()
		return ctx.Err()
	}
	d.mu.RUnlock()
	return <-r.done
}

// run is the committer: it takes the batches queued while the previous transaction was
// being written and commits them together. It ends when Close closes the queue (after the
// last sender left, see Commit), having committed everything queued.
//
// Under concurrency (the previous group had company) the callers it has just released need a
// moment to queue their next batches; without it groups alternate between two halves of the
// callers. So before starting a transaction it yields the processor while that makes the
// group grow (at most maxYields times, no timer; after a transaction of one batch it does not
// yield at all, so a caller alone is never delayed).
func (d *DB) run() {
	defer close(d.stopped)
	prev := 1
	for r := range d.queue {
		d.taken.Add(1)
		g := &group{reqs: []*request{r}, size: r.size}
		d.drain(g)
		for i := 0; prev > 1 && i < maxYields && !d.full(g); i++ {
			n := len(g.reqs)
			runtime.Gosched()
			if d.drain(g); len(g.reqs) == n {
				break
			}
		}
		prev = len(g.reqs)
		d.commitGroup(g.reqs)
	}
}

// group is the batches of one transaction.
type group struct {
	reqs []*request
	size int
}

func (d *DB) full(g *group) bool { return len(g.reqs) >= d.maxGroup || g.size >= maxGroupBytes }

// drain adds queued batches to g until the queue is empty or g is full.
func (d *DB) drain(g *group) {
	for !d.full(g) {
		select {
		case r, ok := <-d.queue:
			if !ok {
				return
			}
			d.taken.Add(1)
			g.reqs, g.size = append(g.reqs, r), g.size+r.size
		default:
			return
		}
	}
}

// commitGroup commits the batches of group in one transaction; every batch gets the outcome.
// A batch whose context ended while it was queued is dropped before the transaction begins.
func (d *DB) commitGroup(group []*request) {
	live := make([]*request, 0, len(group))
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	err := d.safe("commit", func() error {
		return d.bdb.Update(func(tx *bbolt.Tx) error {
			for _, r := range live {
				for _, op := range r.ops {
					if err := apply(tx, op); err != nil {
						return err
					}
				}
			}
			return nil
		})
	})
	var ce *store.CorruptError
	if err != nil && !errors.As(err, &ce) {
		err = fmt.Errorf("store: commit to %s (%d batches in the transaction, none applied): %w", d.path, len(live), err)
	}
	if err == nil {
		d.txs.Add(1)
		d.batches.Add(uint64(len(live)))
	}
	for _, r := range live {
		r.done <- err
	}
}

// apply performs one prepared operation in tx.
func apply(tx *bbolt.Tx, op store.Op) error {
	switch op.Kind {
	case store.OpPutState, store.OpDeleteSequence, store.OpPutMessage, store.OpDeleteMessages:
		states, msgs, err := roleBuckets(tx, op.Role)
		if err != nil {
			return err
		}
		return applySeq(states, msgs, op)
	case store.OpPutToken, store.OpDeleteToken:
		b, err := topBucket(tx, bTokens)
		if err != nil {
			return err
		}
		if op.Kind == store.OpDeleteToken {
			return b.Delete([]byte(op.Key))
		}
		return b.Put([]byte(op.Key), op.Value)
	case store.OpPutMeta, store.OpDeleteMeta:
		b, err := topBucket(tx, bAppMeta)
		if err != nil {
			return err
		}
		if op.Kind == store.OpDeleteMeta {
			return b.Delete([]byte(op.Key))
		}
		return b.Put([]byte(op.Key), op.Value)
	}
	return fmt.Errorf("unknown operation %d", op.Kind)
}

func applySeq(states, msgs *bbolt.Bucket, op store.Op) error {
	key := []byte(op.Key)
	switch op.Kind {
	case store.OpPutState:
		return states.Put(key, op.Value)
	case store.OpDeleteSequence:
		if err := states.Delete(key); err != nil {
			return err
		}
		if err := msgs.DeleteBucket(key); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return err
		}
		return nil
	case store.OpPutMessage:
		b, err := msgs.CreateBucketIfNotExists(key)
		if err != nil {
			return err
		}
		return b.Put(record.NumberKey(op.Number), op.Value)
	default: // OpDeleteMessages
		return deleteRange(msgs, key, op.Number, op.Upper)
	}
}

// deleteRange removes messages lower..upper of one sequence: a cursor scan from lower. The
// keys are collected first (deleting under a moving bbolt cursor can skip keys). A bucket
// left empty is dropped.
func deleteRange(msgs *bbolt.Bucket, seq []byte, lower, upper uint64) error {
	b := msgs.Bucket(seq)
	if b == nil {
		return nil
	}
	var doomed [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(record.NumberKey(lower)); k != nil; k, _ = c.Next() {
		n, err := record.ParseNumberKey(k)
		if err != nil {
			return err
		}
		if n > upper {
			break
		}
		doomed = append(doomed, append([]byte(nil), k...))
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	if k, _ := b.Cursor().First(); k == nil {
		return msgs.DeleteBucket(seq)
	}
	return nil
}

// Close stops accepting batches, commits those already queued and closes the file.
func (d *DB) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	if d.queue != nil {
		close(d.queue) // no sender is left: senders hold mu.RLock while sending
	}
	d.mu.Unlock()
	if d.stopped != nil {
		<-d.stopped
	}
	if err := d.bdb.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", d.path, err)
	}
	return nil
}
