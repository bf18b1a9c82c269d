package peer

import (
	"context"
	"fmt"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/token"
)

// EchoAction is the wsa:Action of the replies the responder's application sends on reverse
// sequences (duplex).
const EchoAction = "urn:rspcheck:app:Echo"

// newReverse builds the responder's sender for reverse sequences: an Initiator without a
// token provider, whose tokens are the issuer's (the reverse sequence is bound to the SCT of
// its forward sequence, RM-STR-010) and whose messages go to each Offer's endpoint. It writes
// through the responder's store (openStore): the reverse sequences are the store's Source
// sequences.
func (r *Responder) newReverse() (*Initiator, error) {
	bo := r.cfg.Retransmit
	if bo == (rm.Backoff{}) && r.cfg.Store != nil {
		// Durable: reverse messages are retransmitted until the initiator is back, however
		// long its outage (as a durable initiator retransmits to the responder).
		bo = rm.Backoff{Base: 200 * time.Millisecond, Factor: 2, Max: 2 * time.Second}
	}
	in, err := NewInitiator(InitiatorConfig{To: "urn:rspcheck:reverse", Profile: r.cfg.Profile, SOAP: r.cfg.SOAP,
		Trace: r.cfg.Trace, Hook: r.cfg.Hook, Retransmit: bo, Tick: r.cfg.Tick, Now: r.cfg.Now,
		RoundTripper: r.client.RoundTripper})
	if err != nil {
		return nil, err
	}
	in.prov = nil
	in.action = EchoAction
	in.lookup = func(id string) (token.Token, bool) {
		t, err := r.store.Lookup(id)
		return t, err == nil
	}
	return in, nil
}

// Start runs the responder's clock until ctx ends: the Destination's timers (inactivity,
// expiry) fire when due rather than on the next request, and reverse sequences are
// retransmitted. Without Start, timers act on the next request only.
func (r *Responder) Start(ctx context.Context) {
	tick := r.cfg.Tick
	if tick <= 0 {
		tick = 20 * time.Millisecond
	}
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			r.tick(ctx)
		}
	}()
	if r.rev != nil {
		go r.rev.ticker(ctx, "")
	}
}

// tick fires the Destination's due timers.
func (r *Responder) tick(ctx context.Context) {
	now := r.cfg.Now()
	r.mu.Lock()
	var acts []rm.Action
	if t, ok := r.dest.NextDeadline(); ok && !t.After(now) {
		acts = r.dest.Tick(now)
	}
	out := r.perform(acts, "")
	t := r.stageRM(ctx, acts, &out)
	r.mu.Unlock()
	if len(acts) > 0 && r.per.dur.wait(ctx, t) != nil {
		return
	}
	for _, sa := range append(out.acks, out.away...) {
		if sa.AcksTo.Address != "" && !sa.AcksTo.IsAnonymous() {
			go r.sendAway(sa)
		}
	}
}

// stageRM stages one Destination call's Persistent actions, deliveries and — in the same
// batch — the reverse sender's calls it caused (out.rev), then releases the reverse sender's
// lock and has its sends performed once the batch is durable. It returns the ticket. Caller
// holds r.mu.
func (r *Responder) stageRM(ctx context.Context, acts []rm.Action, out *outcome) *group {
	var extra store.Batch
	if len(out.rev) > 0 {
		extra = store.NewBatch(out.rev)
	}
	t := r.per.dur.stage(acts, extra, out.deliver)
	if !out.revLocked {
		return t
	}
	r.rev.signal()
	r.rev.mu.Unlock()
	out.revLocked = false
	if effects(out.rev) {
		go r.rev.perform(context.WithoutCancel(ctx), t, out.rev, "")
	}
	return t
}

// revCall prepares a call of the reverse sender's engine within a Destination call: it takes
// the reverse sender's lock, held until stageRM. Caller holds r.mu (lock order: r.mu, then
// r.rev.mu).
func (r *Responder) revCall(out *outcome) {
	if !out.revLocked {
		r.rev.mu.Lock()
		out.revLocked = true
	}
}

// onReverse adopts an accepted Offer's reverse sequence at the reverse sender. In 2005/02 the
// Offer has no Endpoint: the reverse sequence goes to the CreateSequence's ReplyTo. Caller
// holds r.mu.
func (r *Responder) onReverse(out *outcome, a rm.Reverse, replyTo string) {
	if r.rev == nil || a.Role != rm.RoleSource {
		return
	}
	if a.Peer.Address == "" {
		a.Peer.Address = replyTo
	}
	r.revCall(out)
	acts, err := r.rev.src.Adopt(a, r.cfg.Now())
	if err != nil {
		return
	}
	r.reverse[a.Forward] = a.Seq
	out.rev = append(out.rev, acts...)
}

// echo is the application's answer to a delivered message: the same payload on the reverse
// sequence of its forward sequence. Caller holds r.mu.
func (r *Responder) echo(out *outcome, d rm.Deliver) {
	rev, ok := r.reverse[d.Seq]
	if !ok {
		return
	}
	r.revCall(out)
	if acts, err := r.rev.src.Send(rev, d.Payload, r.cfg.Now()); err == nil {
		out.rev = append(out.rev, acts...)
	}
}

// finishReverse finishes the reverse sequence once its forward sequence has ended (Close or
// LastMessage, then Terminate). Caller holds r.mu.
func (r *Responder) finishReverse(out *outcome, e rm.Ended) {
	rev, ok := r.reverse[e.Seq]
	if !ok || e.Role != rm.RoleDestination {
		return
	}
	delete(r.reverse, e.Seq)
	r.revCall(out)
	if acts, err := r.rev.src.Finish(rev, r.cfg.Now()); err == nil {
		out.rev = append(out.rev, acts...)
	}
}

// recoverReverse rebuilds the reverse sender's Source from the store (duplex): the reverse
// sequences with their unacknowledged echoes, every one due at once, and which forward
// sequence each answers. A reverse sequence whose forward sequence is no longer live is
// finished (its Finish is staged in b; the ticker sends it). A store holding reverse
// sequences is refused without Duplex: nothing would send on them.
func (r *Responder) recoverReverse(snap *store.Snapshot, b *store.Batch) error {
	if len(snap.Sources) == 0 {
		return nil
	}
	if r.rev == nil {
		return fmt.Errorf("responder: the store holds %d reverse sequences (duplex): run with Duplex (--duplex) to recover them", len(snap.Sources))
	}
	now := r.cfg.Now()
	src, err := rm.RecoverSource(r.rev.scfg, snap.Sources, snap.SourceMessages, now)
	if err != nil {
		return fmt.Errorf("responder: recover the reverse sequences: %w", err)
	}
	r.rev.src = src
	live := make(map[string]bool, len(snap.Destinations))
	for _, st := range snap.Destinations {
		live[st.Seq] = true
	}
	var gone []rm.Action
	for _, st := range snap.Sources {
		if _, ok := snap.Token(st.Token); !ok {
			// Its SCT was cancelled, and the process died before the sequence was ended.
			gone = append(gone, src.TokenGone(st.Token, now)...)
			continue
		}
		switch {
		case st.Forward == "":
			return fmt.Errorf("responder: stored sequence %s is a Source sequence but no reverse sequence", st.Seq)
		case live[st.Forward]:
			r.reverse[st.Forward] = st.Seq
		case !st.Finishing && !st.Closing && !st.Terminating:
			acts, err := src.Finish(st.Seq, now)
			if err != nil {
				return fmt.Errorf("responder: finish reverse sequence %s: %w", st.Seq, err)
			}
			b.AddActions(acts)
		}
	}
	b.AddActions(gone)
	return nil
}

// endReverseOf ends the reverse sequences bound to SCTs that are gone (cancelled or purged
// by the issuer; rm.Source.TokenGone), durably, before the issuer's answer leaves: once the
// initiator cancels the SCT, nothing of those sequences can be protected or verified.
func (r *Responder) endReverseOf(ctx context.Context, gone []string) error {
	if r.rev == nil || len(gone) == 0 {
		return nil
	}
	now := r.cfg.Now()
	r.mu.Lock()
	r.rev.mu.Lock()
	var acts []rm.Action
	for _, id := range gone {
		acts = append(acts, r.rev.src.TokenGone(id, now)...)
	}
	for _, a := range acts {
		if e, ok := a.(rm.Ended); ok {
			for fwd, rev := range r.reverse {
				if rev == e.Seq {
					delete(r.reverse, fwd)
				}
			}
		}
	}
	t := r.rev.stage(acts)
	r.rev.signal()
	r.rev.mu.Unlock()
	r.mu.Unlock()
	if len(acts) == 0 {
		return nil
	}
	return r.per.dur.wait(ctx, t)
}
