package peer

import (
	"context"
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
// its forward sequence, RM-STR-010) and whose messages go to each Offer's endpoint.
func (r *Responder) newReverse() (*Initiator, error) {
	in, err := NewInitiator(InitiatorConfig{To: "urn:rspcheck:reverse", Profile: r.cfg.Profile, SOAP: r.cfg.SOAP,
		Trace: r.cfg.Trace, Hook: r.cfg.Hook, Retransmit: r.cfg.Retransmit, Tick: r.cfg.Tick, Now: r.cfg.Now,
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
	out := r.perform(ctx, acts, nil)
	t := r.per.dur.stage(acts, store.Batch{}, out.deliver)
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

// onReverse adopts an accepted Offer's reverse sequence at the reverse sender. In 2005/02 the
// Offer has no Endpoint: the reverse sequence goes to the CreateSequence's ReplyTo. Caller
// holds r.mu.
func (r *Responder) onReverse(ctx context.Context, a rm.Reverse, replyTo string) {
	if r.rev == nil || a.Role != rm.RoleSource {
		return
	}
	if a.Peer.Address == "" {
		a.Peer.Address = replyTo
	}
	r.reverse[a.Forward] = a.Seq
	r.rev.adopt(ctx, a)
}

// echo is the application's answer to a delivered message: the same payload on the reverse
// sequence of its forward sequence. Caller holds r.mu.
func (r *Responder) echo(ctx context.Context, d rm.Deliver) {
	rev, ok := r.reverse[d.Seq]
	if !ok {
		return
	}
	r.rev.mu.Lock()
	acts, err := r.rev.src.Send(rev, d.Payload, r.cfg.Now())
	t := r.rev.stage(acts)
	r.rev.mu.Unlock()
	if err == nil {
		go r.rev.perform(context.WithoutCancel(ctx), t, acts, "")
	}
}

// finishReverse finishes the reverse sequence once its forward sequence has ended (Close or
// LastMessage, then Terminate). Caller holds r.mu.
func (r *Responder) finishReverse(ctx context.Context, e rm.Ended) {
	rev, ok := r.reverse[e.Seq]
	if !ok || e.Role != rm.RoleDestination {
		return
	}
	delete(r.reverse, e.Seq)
	r.rev.mu.Lock()
	acts, err := r.rev.src.Finish(rev, r.cfg.Now())
	t := r.rev.stage(acts)
	r.rev.mu.Unlock()
	if err == nil {
		go r.rev.perform(context.WithoutCancel(ctx), t, acts, "")
	}
}
