package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/rspcheck/rspcheck/internal/token"
)

// RekeyError names the token record that could not be re-sealed. Nothing was changed.
type RekeyError struct {
	Identifier string
	Err        error
}

func (e *RekeyError) Error() string {
	return fmt.Sprintf("store: rekey: record of %s: %v", e.Identifier, e.Err)
}

func (e *RekeyError) Unwrap() error { return e.Err }

// Rekeyer is a Store that re-seals its token records itself, reading and writing them in one
// transaction.
type Rekeyer interface {
	Rekey(ctx context.Context, old, new *token.Sealer) (int, error)
}

// Reseal opens every record with old and seals the token again with new (fresh nonce). A
// record that does not open with old — tampered, swapped, another key — fails the whole call
// with a *RekeyError naming its Identifier (wrapping token.ErrOpen or the like): a record is
// never passed through unchanged, and never re-sealed with a different key inside
// (RM-PER-005). The decrypted secret is wiped after use.
func Reseal(recs []TokenRecord, old, new *token.Sealer) ([]TokenRecord, error) {
	if old == nil || new == nil {
		return nil, errors.New("store: rekey: both the old and the new storage key are required")
	}
	out := make([]TokenRecord, 0, len(recs))
	for _, r := range recs {
		t, err := old.UnmarshalFor(r.Sealed, r.Identifier, r.Instance)
		if err != nil {
			return nil, &RekeyError{Identifier: r.Identifier, Err: err}
		}
		sealed, err := new.Marshal(t)
		clear(t.Secret)
		if err != nil {
			return nil, &RekeyError{Identifier: r.Identifier, Err: err}
		}
		r.Sealed = sealed
		out = append(out, r)
	}
	return out, nil
}

// Rekey re-seals every token record of s under new and returns how many it re-sealed; all
// or nothing. A Rekeyer does it in one transaction; for other stores the records are read
// with Recover and written back in one Batch, so nothing else may write tokens meanwhile
// (run it with the peer stopped).
func Rekey(ctx context.Context, s Store, old, new *token.Sealer) (int, error) {
	if r, ok := s.(Rekeyer); ok {
		return r.Rekey(ctx, old, new)
	}
	snap, err := s.Recover(ctx)
	if err != nil {
		return 0, err
	}
	recs, err := Reseal(snap.Tokens, old, new)
	if err != nil {
		return 0, err
	}
	var b Batch
	for _, r := range recs {
		b.PutToken(r)
	}
	if err := s.Commit(ctx, b); err != nil {
		return 0, err
	}
	return len(recs), nil
}
