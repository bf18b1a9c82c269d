package peer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
)

// responderStore is the responder's persistence: its write path, its storage key, what it
// has persisted of the issuer's tokens, and the delivered log's bookkeeping.
type responderStore struct {
	dur    *durable
	sealer *token.Sealer

	tokMu sync.Mutex
	saved map[string]savedToken // Identifier -> persisted instance

	// The delivered log is written by the committer only (prepare), in commit order, just
	// before the commit that records the deliveries (DeliveredUpTo): a write-ahead record of
	// the application. lines counts its lines; skip holds the deliveries found in the log
	// beyond what the store recorded (written, then the process died before the commit):
	// the engine delivers them again, and they are not written twice.
	log   *trace.DeliveredLog
	lines int
	skip  map[msgKey]string // -> payload digest
}

type savedToken struct {
	instance         string
	created, expires time.Time
}

func savedOf(t token.Token) savedToken {
	return savedToken{instance: t.Instance, created: t.Created, expires: t.Expires}
}

// openStore recovers the responder from cfg.Store (RM-PER-003/004/005): the issuer's tokens
// from their sealed records, the Destination's sequences with their held messages, the
// reverse sequences of a duplex responder with their unacknowledged echoes, and the
// delivered log's position. dcfg configures the Destination. A nil cfg.Store keeps
// everything in memory, as before issue #5.
func (r *Responder) openStore(dcfg rm.DestinationConfig) error {
	cfg := r.cfg
	sealer, err := sealerFor("responder", cfg.Store, cfg.StoreKey)
	if err != nil {
		return err
	}
	p := &responderStore{sealer: sealer, saved: map[string]savedToken{}, log: cfg.Delivered,
		lines: len(cfg.DeliveredPrior), skip: map[msgKey]string{}}
	p.dur = newDurable(cfg.Store)
	p.dur.prepare = p.writeDeliveries
	r.per = p
	if r.rev != nil {
		r.rev.per.dur = p.dur // one write path: a delivery and its echo commit together
	}
	if cfg.Store == nil {
		return nil
	}
	fail := func(err error) error {
		_ = p.dur.close()
		return err
	}
	ctx := context.Background()
	snap, b, toks, err := openSnapshot(ctx, "responder", cfg.Store, sealer)
	if err != nil {
		return fail(err)
	}
	for _, t := range toks {
		if err := r.store.Put(t); err != nil {
			return fail(fmt.Errorf("responder: restore SCT %s: %w", t.Identifier, err))
		}
		p.saved[t.Identifier] = savedOf(t)
	}
	d, err := rm.RecoverDestination(dcfg, snap.Destinations, snap.DestinationMessages, cfg.Now())
	if err != nil {
		return fail(fmt.Errorf("responder: recover: %w", err))
	}
	r.dest = d
	if err := r.recoverReverse(snap, &b); err != nil {
		return fail(err)
	}
	if err := p.reconcile(snap, cfg.DeliveredPrior, &b); err != nil {
		return fail(err)
	}
	if err := p.dur.commit(ctx, b); err != nil {
		return fail(fmt.Errorf("responder: %w", err))
	}
	return nil
}

// reconcile checks the delivered log against the store and finds the deliveries the log
// holds beyond what the store recorded.
func (p *responderStore) reconcile(snap *store.Snapshot, prior []trace.Delivery, b *store.Batch) error {
	if p.log == nil {
		return nil
	}
	if v, ok := snap.Meta[metaDelivered]; ok {
		want, err := strconv.Atoi(string(v))
		if err != nil {
			return fmt.Errorf("responder: stored delivered-log position %q: %w", v, err)
		}
		if len(prior) < want {
			return fmt.Errorf("responder: the delivered log has %d lines but the store recorded %d deliveries written to it: "+
				"the log was truncated or replaced (or DeliveredPrior was not given); refusing to deliver into it", len(prior), want)
		}
	}
	upTo := map[string]uint64{}
	for _, st := range snap.Destinations {
		upTo[st.Seq] = st.DeliveredUpTo
	}
	for _, d := range prior {
		if u, ok := upTo[d.Sequence]; ok && d.MessageNumber > u {
			p.skip[msgKey{d.Sequence, d.MessageNumber}] = d.SHA256
		}
	}
	b.PutMeta(metaDelivered, []byte(strconv.Itoa(p.lines)))
	return nil
}

// writeDeliveries is the committer's prepare step: the group's deliveries go to the
// delivered log, in order, and the log's new length into the group's batch.
func (p *responderStore) writeDeliveries(g *group) error {
	if p.log == nil || len(g.deliveries) == 0 {
		return nil
	}
	for _, d := range g.deliveries {
		k := msgKey{d.Seq, d.Number}
		if h, ok := p.skip[k]; ok {
			delete(p.skip, k)
			if h == trace.PayloadDigest(d.Payload) {
				continue // already in the log (written before the crash, not committed)
			}
		}
		if err := p.log.Record(d.Seq, d.Number, d.Payload); err != nil {
			return err
		}
		p.lines++
	}
	g.b.PutMeta(metaDelivered, []byte(strconv.Itoa(p.lines)))
	return nil
}

// saveTokens persists what changed in the issuer's token table since the last call: new
// and renewed tokens sealed, cancelled and purged ones removed (FLOW §6 "after M2", "on
// renew"). It returns once that is durable, before the issuer's answer leaves, with the
// Identifiers of the tokens that are gone.
func (r *Responder) saveTokens() (gone []string, err error) {
	p := r.per
	p.tokMu.Lock()
	defer p.tokMu.Unlock()
	live := r.store.All()
	var b store.Batch
	seen := make(map[string]bool, len(live))
	for _, t := range live {
		seen[t.Identifier] = true
		if s, ok := p.saved[t.Identifier]; ok && s == savedOf(t) {
			continue
		}
		rec, err := tokenRecord(p.sealer, t)
		if err != nil {
			return nil, fmt.Errorf("responder: seal SCT %s: %w", t.Identifier, err)
		}
		b.PutToken(rec)
	}
	for id := range p.saved {
		if !seen[id] {
			b.DeleteToken(id)
			gone = append(gone, id)
		}
	}
	if b.Len() == 0 {
		return nil, nil
	}
	if err := p.dur.commit(context.Background(), b); err != nil {
		return nil, err
	}
	for _, t := range live {
		p.saved[t.Identifier] = savedOf(t)
	}
	for id := range p.saved {
		if !seen[id] {
			delete(p.saved, id)
		}
	}
	return gone, nil
}

// Close stops the responder's store writer after committing what is staged, and closes the
// store when the responder created it (no ResponderConfig.Store). It does not stop the
// HTTP server or Start's clock: stop those first.
func (r *Responder) Close() error {
	err := r.per.dur.close()
	if r.rev != nil {
		err = errors.Join(err, r.rev.Close())
	}
	return err
}

// Failed receives the error that stopped the responder's store (a commit failed). From then
// on the responder answers every RM request with a fault and acknowledges nothing; restart
// it so that recovery brings it back to what is durable.
func (r *Responder) Failed() <-chan error { return r.per.dur.fail }

// CommitStats reports how the responder's durable writes were grouped.
func (r *Responder) CommitStats() CommitStats { return r.per.dur.stats() }
