package peer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/token"
)

// Persistence (issue #5; FLOW §6; RM-PER-001..005).
//
// Every engine call of a peer returns its Persistent actions first (rm, "Durability before
// acknowledgement"). The peer stages them, in call order, while it still holds the lock that
// serialises its engine, and performs the call's other actions only once they are durable:
// a Destination never acknowledges, and a Source never sends (never reports as sent), what
// the store does not hold yet.
//
// Staging and committing are separated so that concurrent engine calls share one store
// transaction (one fsync) without reordering: batches staged while a commit is being written
// are merged, in staging order, into the next one (group commit at the peer). Merging keeps
// each call's batch atomic (it lies inside one atomic batch) and keeps order (a batch's
// operations apply in order, so a later PutSource of a sequence still wins). The store's own
// group commit cannot be used for this: concurrent Commit calls reach its queue in any order,
// and two states of one sequence committed in the wrong order would leave the older one.
//
// A failed commit poisons the peer: the engine's memory is then ahead of the store, so nothing
// it decides afterwards may be acknowledged or sent. Every later wait fails with the error;
// the process should be restarted, and recovery brings the engine back to what is durable.

// Metadata keys of the peers (store.Batch.PutMeta).
const (
	metaRole      = "peer/role"               // "initiator" or "responder"
	metaDelivered = "responder/delivered-log" // lines of the delivered log accounted for
)

// errClosed: the peer was closed.
var errClosed = errors.New("peer: closed")

// errPoisoned wraps the commit failure that stopped a peer's store.
var errPoisoned = errors.New("peer: the store failed; restart the peer (recovery resumes from what is durable)")

// durable is a peer's write path to its store: staging in engine order, one committer
// goroutine, waiting for durability.
type durable struct {
	st    store.Store
	owned bool // the peer created st (memstore) and closes it
	// prepare, when set, runs in the committer before a group is committed, in group order
	// (the responder writes the group's deliveries to its delivered log there).
	prepare func(g *group) error

	mu       sync.Mutex
	pending  *group // collecting
	inflight *group // being committed
	failed   error
	closed   bool
	running  bool       // the committer goroutine runs
	fail     chan error // receives the failure once (Failed)

	commits, calls atomic.Uint64
	// serial commits every staged call at once, under the engine's lock, without grouping:
	// the write path of a memory-only peer (volatile), and for a real store the naive path,
	// kept to measure what grouping gains (BenchmarkDurableRM16).
	serial bool
}

// group is the merged batch of the engine calls staged while the previous one was committed.
type group struct {
	b          store.Batch
	deliveries []rm.Deliver
	calls      int
	done       chan struct{}
	err        error
}

func newDurable(st store.Store) *durable {
	d := &durable{st: st, fail: make(chan error, 1)}
	if st == nil {
		// Memory only: the engine's memory is the state and nothing is ever read back, so
		// batches are validated (a malformed one is the error it would be on disk) and
		// dropped, synchronously — no copy of the state, no committer goroutine to hand
		// each call to (measured: ~7% of the CPU of BenchmarkSecuredRM16 went to encoding
		// and storing state no one would read).
		d.st, d.owned, d.serial = volatile{}, true, true
	}
	return d
}

// volatile is the store of a memory-only peer: Commit validates and keeps nothing.
type volatile struct{}

func (volatile) Commit(ctx context.Context, b store.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return ctx.Err()
}

func (volatile) Recover(context.Context) (*store.Snapshot, error) { return &store.Snapshot{}, nil }

func (volatile) Close() error { return nil }

// stage adds one engine call's Persistent actions, token and metadata operations and
// deliveries to the next commit. Call it with the engine's lock held, right after the call,
// so that staging order is engine order. It returns the call's ticket for wait: the group
// that commits last of those staged so far, the call's own included. Waiting for that group
// rather than for whatever is latest when the caller gets round to waiting keeps a call from
// also waiting for groups staged after it (up to a whole extra commit per hop) while still
// covering every earlier call whose state the engine's decision reflects (an ack of a
// duplicate names numbers another call staged).
func (d *durable) stage(acts []rm.Action, extra store.Batch, deliveries []rm.Deliver) *group {
	b := store.NewBatch(acts)
	d.mu.Lock()
	defer d.mu.Unlock()
	if b.Len()+extra.Len()+len(deliveries) == 0 || d.failed != nil || d.closed {
		return d.latest()
	}
	if d.serial {
		d.commitNow(b, extra, deliveries)
		return nil
	}
	if d.pending == nil {
		d.pending = &group{done: make(chan struct{})}
		if !d.running {
			d.running = true
			go d.run()
		}
	}
	g := d.pending
	g.b.Actions = append(g.b.Actions, b.Actions...)
	g.b.Actions = append(g.b.Actions, extra.Actions...)
	g.b.Tokens = append(g.b.Tokens, extra.Tokens...)
	g.b.Meta = append(g.b.Meta, extra.Meta...)
	g.deliveries = append(g.deliveries, deliveries...)
	g.calls++
	return g
}

// barrier returns once everything staged so far is durable: the caller may then perform the
// non-Persistent actions of the calls it staged. It fails when the store failed (the peer
// is poisoned) or ctx ended first.
func (d *durable) barrier(ctx context.Context) error {
	d.mu.Lock()
	g := d.latest()
	d.mu.Unlock()
	return d.wait(ctx, g)
}

// wait returns once the ticket t of stage is durable (and with it every group before it),
// with barrier's failures.
func (d *durable) wait(ctx context.Context, t *group) error {
	d.mu.Lock()
	err := d.failed
	if err == nil && d.closed {
		err = errClosed
	}
	d.mu.Unlock()
	if err != nil {
		return err
	}
	return t.wait(ctx)
}

// err is the failure that poisoned the store writer, or nil.
func (d *durable) err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed
}

// latest is the group that commits last of those staged so far (nil: none). Caller holds mu.
func (d *durable) latest() *group {
	if d.pending != nil {
		return d.pending
	}
	return d.inflight
}

// wait waits for g (nil: nothing to wait for).
func (g *group) wait(ctx context.Context) error {
	if g == nil {
		return nil
	}
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commit stages b alone and waits for it (token records, metadata).
func (d *durable) commit(ctx context.Context, b store.Batch) error {
	d.stage(nil, b, nil)
	return d.barrier(ctx)
}

// run is the committer: started by stage when a group is pending and none runs, it commits
// the groups one after the other, in staging order, and ends when nothing is pending.
func (d *durable) run() {
	for {
		d.mu.Lock()
		g := d.pending
		d.pending, d.inflight = nil, g
		if g == nil {
			d.running = false // an idle peer keeps no goroutine
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
		err := d.flush(g)
		d.mu.Lock()
		d.inflight = nil
		if err != nil && d.failed == nil {
			d.failed = fmt.Errorf("%w: %w", errPoisoned, err)
			d.fail <- d.failed
		}
		if d.failed != nil {
			err = d.failed
		}
		d.mu.Unlock()
		g.err = err
		close(g.done)
	}
}

func (d *durable) flush(g *group) error {
	d.mu.Lock()
	err := d.failed
	d.mu.Unlock()
	if err != nil {
		return err
	}
	return d.write(g)
}

// write writes g: prepare, then one store commit.
func (d *durable) write(g *group) error {
	if d.prepare != nil {
		if err := d.prepare(g); err != nil {
			return err
		}
	}
	// Never cancelled: once staged, the engine's memory already holds the change.
	if err := d.st.Commit(context.Background(), g.b); err != nil {
		return err
	}
	d.commits.Add(1)
	d.calls.Add(uint64(g.calls))
	return nil
}

// commitNow is the serial write path: the call's batch alone, committed while the engine's
// lock is held. Caller holds d.mu.
func (d *durable) commitNow(b, extra store.Batch, deliveries []rm.Deliver) {
	g := &group{b: b, deliveries: deliveries, calls: 1}
	g.b.Actions = append(g.b.Actions, extra.Actions...)
	g.b.Tokens, g.b.Meta = extra.Tokens, extra.Meta
	if err := d.write(g); err != nil {
		d.failed = fmt.Errorf("%w: %w", errPoisoned, err)
		d.fail <- d.failed
	}
}

// close commits what is staged, stops the committer and closes the store when the peer
// owns it.
func (d *durable) close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	g := d.latest()
	d.mu.Unlock()
	err := g.wait(context.Background())
	if errors.Is(err, errPoisoned) {
		err = nil // reported by Failed already
	}
	if d.owned {
		err = errors.Join(err, d.st.Close())
	}
	return err
}

// effects reports whether acts holds anything to perform besides Persistent actions.
func effects(acts []rm.Action) bool {
	for _, a := range acts {
		if _, ok := a.(rm.Persistent); !ok {
			return true
		}
	}
	return false
}

// sealerFor returns the storage-key sealer of a peer: key when given, else — for a store
// the peer keeps in memory — a random key (nothing outlives the process).
func sealerFor(role string, st store.Store, key []byte) (*token.Sealer, error) {
	if key == nil {
		if st != nil {
			return nil, fmt.Errorf("%s: a persistent store needs a storage key (%d octets) to seal the SCTs at rest (RM-PER-005)", role, token.StorageKeySize)
		}
		key = make([]byte, token.StorageKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("%s: storage key: %w", role, err)
		}
	}
	s, err := token.NewSealer(key, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	return s, nil
}

// tokenRecord seals t for the store.
func tokenRecord(s *token.Sealer, t token.Token) (store.TokenRecord, error) {
	sealed, err := s.Marshal(t)
	if err != nil {
		return store.TokenRecord{}, err
	}
	return store.TokenRecord{Identifier: t.Identifier, Instance: t.Instance, Endpoint: t.Endpoint, Sealed: sealed}, nil
}

// openTokens unseals every token record of snap. A record that does not open — another
// storage key, tampering, a record moved to another token — is an error naming it, never a
// token with a different key (RM-PER-005).
// openSnapshot is the common start of a peer's recovery: the store read whole, its role
// checked (b receives the role record of a fresh store), sequences of the other role refused
// (an initiator without Offer keeps no destination sequences, a responder no source ones)
// and the sealed SCTs opened.
func openSnapshot(ctx context.Context, role string, st store.Store, s *token.Sealer) (*store.Snapshot, store.Batch, []token.Token, error) {
	var b store.Batch
	snap, err := st.Recover(ctx)
	if err != nil {
		return nil, b, nil, fmt.Errorf("%s: recover: %w", role, err)
	}
	if err := checkRole(role, snap, &b); err != nil {
		return nil, b, nil, err
	}
	toks, err := openTokens(role, s, snap.Tokens)
	if err != nil {
		return nil, b, nil, err
	}
	return snap, b, toks, nil
}

func openTokens(role string, s *token.Sealer, recs []store.TokenRecord) ([]token.Token, error) {
	out := make([]token.Token, 0, len(recs))
	for _, r := range recs {
		t, err := s.UnmarshalFor(r.Sealed, r.Identifier, r.Instance)
		if err != nil {
			return nil, fmt.Errorf("%s: stored SCT %s does not open with the storage key (another key, or the record was tampered with): %w", role, r.Identifier, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// checkRole records which peer a state directory belongs to and refuses the other one's.
func checkRole(role string, snap *store.Snapshot, b *store.Batch) error {
	got, ok := snap.Meta[metaRole]
	switch {
	case !ok:
		b.PutMeta(metaRole, []byte(role))
	case string(got) != role:
		return fmt.Errorf("%s: the store holds the state of an %s, not of a %s (use another state directory)", role, got, role)
	}
	return nil
}

// CommitStats reports how a peer's durable writes were grouped: Calls engine calls (and
// token or metadata writes) were made durable by Commits store commits.
type CommitStats struct {
	Commits uint64
	Calls   uint64
}

func (d *durable) stats() CommitStats {
	return CommitStats{Commits: d.commits.Load(), Calls: d.calls.Load()}
}
