package bolt

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/record"
	"github.com/rspcheck/rspcheck/internal/token"
)

// Rekey re-seals every token record under new in one read-write transaction (RM-PER-005: a
// storage key can be rotated without ever writing a secret in the clear). A record that does
// not open with old fails the call with a *store.RekeyError naming its Identifier, and
// nothing is changed. Batches queued meanwhile wait for it.
func (d *DB) Rekey(ctx context.Context, old, new *token.Sealer) (int, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	switch {
	case d.closed:
		return 0, store.ErrClosed
	case d.readOnly:
		return 0, store.ErrReadOnly
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := d.safe("rekey", func() error {
		return d.bdb.Update(func(tx *bbolt.Tx) error {
			b, err := topBucket(tx, bTokens)
			if err != nil {
				return err
			}
			var recs []store.TokenRecord
			err = b.ForEach(func(k, v []byte) error {
				inst, ep, sealed, err := record.DecodeToken(string(k), v)
				recs = append(recs, store.TokenRecord{Identifier: string(k), Instance: inst, Endpoint: ep, Sealed: sealed})
				return at(err, "token %q", k)
			})
			if err != nil {
				return err
			}
			recs, err = store.Reseal(recs, old, new)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if err := b.Put([]byte(r.Identifier), record.EncodeToken(r.Identifier, r.Instance, r.Endpoint, r.Sealed)); err != nil {
					return err
				}
			}
			n = len(recs)
			return nil
		})
	})
	var le *locatedError
	if errors.As(err, &le) {
		return 0, &store.CorruptError{Path: d.path, Where: le.where, Err: le.err}
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// RekeyDir opens the store in dir, re-seals its token records (DB.Rekey) and closes it: the
// offline `rsppeer store rekey` operation.
func RekeyDir(ctx context.Context, dir string, o Options, old, new *token.Sealer) (int, error) {
	o.ReadOnly = false
	d, err := Open(dir, o)
	if err != nil {
		return 0, err
	}
	n, err := d.Rekey(ctx, old, new)
	if cerr := d.Close(); err == nil && cerr != nil {
		// The re-sealed records were committed (fsync included) before Close failed.
		return n, fmt.Errorf("store: rekey %s: %w", d.path, cerr)
	}
	return n, err
}
