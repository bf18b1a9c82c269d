package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/rspcheck/rspcheck/internal/rm"
)

// Store is durable storage for the peers' RM and token state. Implementations are safe for
// concurrent use.
type Store interface {
	// Commit applies b atomically and returns once it is durable. An invalid batch (an error
	// wrapping ErrInvalidBatch) and a batch whose ctx ended before it was taken up are not
	// applied at all. An empty batch is a no-op. The store keeps no reference to b's memory.
	Commit(ctx context.Context, b Batch) error
	// Recover reads the whole store. A value that does not decode is a *CorruptError; it is
	// never skipped.
	Recover(ctx context.Context) (*Snapshot, error)
	// Close releases the store; batches already accepted are finished first. Later Commit and
	// Recover calls return ErrClosed; closing again is a no-op.
	Close() error
}

// TokenRecord is a sealed SCT as the store keeps it: Identifier and Instance in the clear
// (they travel in clear in every message), Endpoint (who the token is shared with, for
// listings and for the initiator's reuse by endpoint) and Sealed, the output of
// token.Sealer.Marshal, which alone holds the secret (RM-PER-004/005).
type TokenRecord struct {
	Identifier string
	Instance   string
	Endpoint   string
	Sealed     []byte
}

// MessageRef names a stored message without its payload.
type MessageRef struct {
	Role   rm.Role
	Seq    string
	Number uint64
	Size   int
}

// Snapshot is the whole content of a store. States and messages are sorted as rm's Snapshot
// methods sort them and can be passed to rm.RecoverSource / rm.RecoverDestination as they are.
// Times are in UTC.
type Snapshot struct {
	Sources             []rm.SourceState
	SourceMessages      []rm.StoredMessage
	Destinations        []rm.DestinationState
	DestinationMessages []rm.StoredMessage
	// Orphans are stored messages whose sequence has no state. rm never produces them (a
	// sequence's messages are written with or after its state and deleted with it); they are
	// reported here, not handed to rm, whose Recover functions would refuse them.
	Orphans []MessageRef
	// Tokens are sorted by Identifier.
	Tokens []TokenRecord
	// Meta is never nil.
	Meta map[string][]byte
}

// Token returns the record of identifier.
func (s *Snapshot) Token(identifier string) (TokenRecord, bool) {
	for _, t := range s.Tokens {
		if t.Identifier == identifier {
			return t, true
		}
	}
	return TokenRecord{}, false
}

// Errors.
var (
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrReadOnly: the store was opened read-only.
	ErrReadOnly = errors.New("store: opened read-only")
	// ErrInvalidBatch: Commit refused a batch before applying any of it (see *BatchError).
	ErrInvalidBatch = errors.New("store: invalid batch")
	// ErrCorrupt: stored data does not decode (see *CorruptError).
	ErrCorrupt = errors.New("store: corrupt")
)

// BatchError says which operation of a batch is invalid. Nothing of the batch was applied.
type BatchError struct {
	Part   string // "action", "token" or "meta"
	Index  int    // position in Batch.Actions, Batch.Tokens or Batch.Meta
	What   string // the operation, e.g. `PutMessage source "urn:uuid:x" #0`
	Reason string
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("store: invalid batch: %s %d (%s): %s", e.Part, e.Index, e.What, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidBatch) hold.
func (e *BatchError) Unwrap() error { return ErrInvalidBatch }

// CorruptError is stored data that cannot be read: Path names the file (or "memory"), Where
// the record or structure concerned. A store never resets or repairs itself silently.
type CorruptError struct {
	Path  string
	Where string
	Err   error
}

func (e *CorruptError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("store: %s is corrupt: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("store: %s is corrupt: %s: %v", e.Path, e.Where, e.Err)
}

// Unwrap returns the cause; errors.Is(err, ErrCorrupt) holds as well.
func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }
