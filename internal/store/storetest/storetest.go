// Package storetest is the contract every store.Store implementation must meet (issue #5):
// batch atomicity and order, DeleteSequence and DeleteMessages semantics, Recover in the form
// rm takes (checked against real rm engines driven through a few calls), tokens, metadata,
// isolation from the caller's memory, cancellation, closing, persistence across a reopen and
// concurrent Commit. Plain testing, so that every implementation runs it from its own tests:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() }, nil)
//	}
package storetest

import (
	"context"
	"testing"

	"github.com/rspcheck/rspcheck/internal/store"
)

// Opener returns a new, empty store. The suite closes it (closing twice must be harmless).
type Opener func(t *testing.T) store.Store

// Reopener closes s and opens the same storage again. nil: the store does not outlive Close
// and the persistence checks are skipped.
type Reopener func(t *testing.T, s store.Store) store.Store

// Run runs the contract as subtests of t.
func Run(t *testing.T, open Opener, reopen Reopener) {
	h := &harness{open: open, reopen: reopen}
	for _, c := range []struct {
		name string
		fn   func(*testing.T, *harness)
	}{
		{"Empty", testEmpty},
		{"BatchAtomic", testBatchAtomic},
		{"BatchOrder", testBatchOrder},
		{"DeleteSequence", testDeleteSequence},
		{"DeleteMessages", testDeleteMessages},
		{"Orphans", testOrphans},
		{"SourceEngine", testSourceEngine},
		{"DestinationEngine", testDestinationEngine},
		{"Tokens", testTokens},
		{"Meta", testMeta},
		{"Isolation", testIsolation},
		{"Context", testContext},
		{"Closed", testClosed},
		{"Rekey", testRekey},
		{"Dump", testDump},
		{"Reopen", testReopen},
		{"Concurrent", testConcurrent},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, h) })
	}
}

type harness struct {
	open   Opener
	reopen Reopener
}

// store opens a fresh store closed at the end of the test.
func (h *harness) store(t *testing.T) store.Store {
	t.Helper()
	s := h.open(t)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var ctx = context.Background()

func commit(t *testing.T, s store.Store, b store.Batch) {
	t.Helper()
	if err := s.Commit(ctx, b); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func recoverAll(t *testing.T, s store.Store) *store.Snapshot {
	t.Helper()
	snap, err := s.Recover(ctx)
	if err != nil {
		t.Fatalf("Recover: %v", err)
	}
	if snap == nil || snap.Meta == nil {
		t.Fatal("Recover returned a nil snapshot or nil Meta")
	}
	return snap
}
