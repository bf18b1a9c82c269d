package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/record"
)

// Recover reads the whole store in one read transaction (a consistent snapshot even while
// batches are being committed). Keys are read in order, so the result needs no sorting.
func (d *DB) Recover(ctx context.Context) (*store.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, store.ErrClosed
	}
	var snap *store.Snapshot
	err := d.safe("recover", func() error {
		return d.bdb.View(func(tx *bbolt.Tx) error {
			var err error
			snap, err = read(ctx, tx)
			return err
		})
	})
	var ce *store.CorruptError
	switch {
	case errors.As(err, &ce):
		return nil, err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, err
	case err != nil:
		var le *locatedError
		if errors.As(err, &le) {
			return nil, &store.CorruptError{Path: d.path, Where: le.where, Err: le.err}
		}
		return nil, &store.CorruptError{Path: d.path, Err: err}
	}
	return snap, nil
}

// locatedError is a decoding failure and the record it concerns.
type locatedError struct {
	where string
	err   error
}

func (e *locatedError) Error() string { return e.where + ": " + e.err.Error() }

// ascending checks that bbolt returns keys in strictly ascending order: a damaged branch
// page can make a cursor visit a leaf twice or out of place, which the record checksums
// alone would not notice.
type ascending struct{ prev []byte }

func (a *ascending) next(k []byte, format string, args ...any) error {
	if a.prev != nil && bytes.Compare(k, a.prev) <= 0 {
		return at(errors.New("keys out of order (damaged page)"), format, args...)
	}
	a.prev = append(a.prev[:0], k...)
	return nil
}

func at(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &locatedError{where: fmt.Sprintf(format, args...), err: err}
}

func read(ctx context.Context, tx *bbolt.Tx) (*store.Snapshot, error) {
	snap := &store.Snapshot{Meta: map[string][]byte{}}
	for _, role := range []rm.Role{rm.RoleSource, rm.RoleDestination} {
		if err := readRole(ctx, tx, role, snap); err != nil {
			return nil, err
		}
	}
	tokens, err := topBucket(tx, bTokens)
	if err != nil {
		return nil, err
	}
	var order ascending
	err = tokens.ForEach(func(k, v []byte) error {
		id := string(k)
		if err := order.next(k, "tokens"); err != nil {
			return err
		}
		inst, ep, sealed, err := record.DecodeToken(id, v)
		snap.Tokens = append(snap.Tokens, store.TokenRecord{Identifier: id, Instance: inst, Endpoint: ep, Sealed: sealed})
		return at(err, "token %q", id)
	})
	if err != nil {
		return nil, err
	}
	meta, err := topBucket(tx, bAppMeta)
	if err != nil {
		return nil, err
	}
	order = ascending{}
	err = meta.ForEach(func(k, v []byte) error {
		if err := order.next(k, "metadata"); err != nil {
			return err
		}
		val, err := record.DecodeMeta(string(k), v)
		snap.Meta[string(k)] = val
		return at(err, "metadata %q", k)
	})
	if err != nil {
		return nil, err
	}
	return snap, ctx.Err()
}

func readRole(ctx context.Context, tx *bbolt.Tx, role rm.Role, snap *store.Snapshot) error {
	states, msgs, err := roleBuckets(tx, role)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	var order ascending
	err = states.ForEach(func(k, v []byte) error {
		seq := string(k)
		if err := order.next(k, "%s states", role); err != nil {
			return err
		}
		known[seq] = true
		if role == rm.RoleSource {
			st, err := record.DecodeSource(seq, v)
			snap.Sources = append(snap.Sources, st)
			return at(err, "source state %q", seq)
		}
		st, err := record.DecodeDestination(seq, v)
		snap.Destinations = append(snap.Destinations, st)
		return at(err, "destination state %q", seq)
	})
	if err != nil {
		return err
	}
	order = ascending{}
	return msgs.ForEachBucket(func(k []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		seq := string(k)
		if err := order.next(k, "%s messages", role); err != nil {
			return err
		}
		var numbers ascending
		return msgs.Bucket(k).ForEach(func(nk, v []byte) error {
			if err := numbers.next(nk, "%s messages of %q", role, seq); err != nil {
				return err
			}
			n, err := record.ParseNumberKey(nk)
			if err != nil {
				return at(err, "%s messages of %q", role, seq)
			}
			p, err := record.DecodeMessage(role, seq, n, v)
			if err != nil {
				return at(err, "%s message %q #%d", role, seq, n)
			}
			snap.AddMessage(role, rm.StoredMessage{Seq: seq, Number: n, Payload: p}, known[seq])
			return nil
		})
	})
}
