package peer

import (
	"context"
	"errors"
	"fmt"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/token"
)

// initiatorStore is the initiator's persistence: its write path, its storage key, what
// recovery found and the bookkeeping of the job (job.go).
type initiatorStore struct {
	dur     *durable
	sealer  *token.Sealer
	durable bool // InitiatorConfig.Store was given: Run resumes the job it holds

	meta     map[string][]byte      // metadata found at start-up, then the job's; guarded by Initiator.mu
	restored map[string]token.Token // endpoint -> SCT recovered at start-up
	job      *job                   // the job of the current Run (nil: none)
}

// openStore recovers the initiator from cfg.Store (RM-PER-001/002/004/005/008): the sealed
// SCTs go back to the token Provider, the Source's sequences with their unacknowledged
// messages are rebuilt (every one due at once, to be protected afresh), so are the reverse
// sequences of a duplex run (Offer) with the messages they hold, and the job's metadata is
// kept for Run. scfg configures the Source. A nil cfg.Store keeps everything in
// memory.
func (in *Initiator) openStore(scfg rm.SourceConfig) error {
	cfg := in.cfg
	sealer, err := sealerFor("initiator", cfg.Store, cfg.StoreKey)
	if err != nil {
		return err
	}
	p := &initiatorStore{sealer: sealer, durable: cfg.Store != nil, meta: map[string][]byte{},
		restored: map[string]token.Token{}}
	p.dur = newDurable(cfg.Store)
	in.per = p
	if cfg.Store == nil {
		return nil
	}
	fail := func(err error) error {
		_ = p.dur.close()
		return err
	}
	ctx := context.Background()
	snap, b, toks, err := openSnapshot(ctx, "initiator", cfg.Store, sealer)
	if err != nil {
		return fail(err)
	}
	for _, t := range toks {
		in.tokens[t.Identifier] = t
		p.restored[t.Endpoint] = t
		if in.prov != nil {
			if err := in.prov.Restore(t); err != nil {
				return fail(fmt.Errorf("initiator: restore SCT %s: %w", t.Identifier, err))
			}
		}
	}
	// RM-PER-004/007: a recovered sequence is protected by the SCT it is bound to, or not at
	// all; it is never silently re-bound to another one.
	for _, st := range snap.Sources {
		if _, ok := in.tokens[st.Token]; st.Token != "" && !ok {
			return fail(fmt.Errorf("initiator: sequence %s is bound to SCT %s, whose sealed record is not in the store: it cannot be secured again", st.Seq, st.Token))
		}
	}
	src, err := rm.RecoverSource(scfg, snap.Sources, snap.SourceMessages, cfg.Now())
	if err != nil {
		return fail(fmt.Errorf("initiator: recover: %w", err))
	}
	in.src = src
	if err := in.recoverReverse(snap); err != nil {
		return fail(err)
	}
	p.meta = snap.Meta
	if err := p.dur.commit(ctx, b); err != nil {
		return fail(fmt.Errorf("initiator: %w", err))
	}
	return nil
}

// stage hands one engine call's Persistent actions (and the job's metadata they imply) to
// the store writer. Caller holds in.mu, right after the engine call. The ticket it returns
// is what perform (persisted) waits for.
func (in *Initiator) stage(acts []rm.Action) *group {
	return in.per.dur.stage(acts, in.per.jobMeta(acts), nil)
}

// persisted waits until the ticket t of stage is durable: the Persistent actions of the
// calls whose other actions the caller is about to perform, and of every call before them.
// A failed store stops the run.
func (in *Initiator) persisted(ctx context.Context, t *group) bool {
	err := in.per.dur.wait(ctx, t)
	if err == nil {
		return true
	}
	if errors.Is(err, errPoisoned) {
		in.mu.Lock()
		if in.failed == nil {
			in.failed = err
			in.signal()
		}
		in.mu.Unlock()
	}
	return false
}

// keep persists a token the Provider obtained (established or renewed), sealed, before
// anyone uses it (FLOW §6 "after M2", "on renew"); then remembers it and logs its key when
// asked to.
func (in *Initiator) keep(ctx context.Context, t token.Token) error {
	rec, err := tokenRecord(in.per.sealer, t)
	if err != nil {
		return fmt.Errorf("initiator: seal SCT %s: %w", t.Identifier, err)
	}
	if err := in.per.dur.commit(ctx, store.Batch{Tokens: []store.TokenOp{{Record: rec}}}); err != nil {
		return fmt.Errorf("initiator: persist SCT %s: %w", t.Identifier, err)
	}
	in.mu.Lock()
	in.tokens[t.Identifier] = t
	in.mu.Unlock()
	if in.cfg.KeyLog != nil {
		return in.cfg.KeyLog.Log(t.Identifier, t.Secret)
	}
	return nil
}

// Close stops the initiator's store writer after committing what is staged, and closes the
// store when the initiator created it (no InitiatorConfig.Store). Stop Run first.
func (in *Initiator) Close() error { return in.per.dur.close() }

// Failed receives the error that stopped the initiator's store (a commit failed).
func (in *Initiator) Failed() <-chan error { return in.per.dur.fail }

// CommitStats reports how the initiator's durable writes were grouped.
func (in *Initiator) CommitStats() CommitStats { return in.per.dur.stats() }

// recoverReverse rebuilds the Destination of the reverse sequences of a duplex job (Offer)
// from the store: the states and held messages of the live ones. What they delivered and how
// the ended ones ended is the job's metadata (startJob). A store holding reverse sequences
// is refused without Offer: nothing would receive on them.
func (in *Initiator) recoverReverse(snap *store.Snapshot) error {
	if len(snap.Destinations) == 0 {
		return nil
	}
	if in.dst == nil {
		return fmt.Errorf("initiator: the store holds %d reverse sequences (a duplex job): run with an Offer (--offer) to resume it", len(snap.Destinations))
	}
	d, err := rm.RecoverDestination(in.dcfg, snap.Destinations, snap.DestinationMessages, in.cfg.Now())
	if err != nil {
		return fmt.Errorf("initiator: recover the reverse sequences: %w", err)
	}
	in.dst = d
	for _, st := range snap.Destinations {
		if st.Forward != "" {
			in.reverse[st.Forward] = st.Seq
		}
	}
	return nil
}
