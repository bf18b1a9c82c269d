package peer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/token/trust"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Run performs the flow of FLOW.md once: the SCT is obtained (M0-M2), plan.Sequences
// sequences are created with the STR (M3/M4), plan.Messages messages are sent over them
// round-robin with acknowledgements and retransmissions, each sequence is finished (Close or
// LastMessage, then Terminate) and the SCT is cancelled (Mx). It returns an error unless every
// message was acknowledged, every sequence terminated and the SCT cancelled; the Summary is
// filled as far as the run got either way.
//
// With InitiatorConfig.Store the run is a resumable job (job.go): a Run on a store that holds
// the same plan resumes it (Summary.Resumed), one that holds it finished does nothing
// (Summary.NothingToDo), and another plan is a *JobMismatchError.
func (in *Initiator) Run(ctx context.Context, plan Plan) (Summary, error) {
	if plan.Sequences <= 0 {
		plan.Sequences = 1
	}
	if plan.Messages < 0 || plan.Size < 0 {
		return Summary{}, errors.New("initiator: negative plan")
	}
	start := time.Now()
	sum := Summary{Messages: plan.Messages, Sequences: plan.Sequences, Expect: map[string]trace.Expect{}}
	if err := in.startJob(ctx, plan, &sum); err != nil || sum.NothingToDo {
		return sum, err
	}
	before, restored := in.per.restored[in.cfg.To]
	tok, err := before, error(nil)
	if !restored || !in.jobComplete() {
		// (A resumed job whose sequences have all terminated needs the SCT only to cancel it.)
		tok, err = in.obtain(ctx, in.cfg.To)
	}
	if err != nil {
		if restored && errors.Is(err, token.ErrRenew) {
			// RM-PER-006/007: the sequences stay bound to this SCT; nothing is re-bound to a
			// new one and nothing is lost.
			return sum, fmt.Errorf("initiator: the SCT %s of the stored sequences expired and could not be renewed; "+
				"the unacknowledged messages stay in the store for the next attempt: %w", before.Identifier, err)
		}
		return sum, fmt.Errorf("initiator: obtain SCT: %w", err)
	}
	if restored && tok.Identifier == before.Identifier && tok.Instance != before.Instance {
		in.mu.Lock()
		in.renewals++ // renewed after the restart (expired during the outage)
		in.mu.Unlock()
	}
	var other string
	if in.signOther {
		o, err := in.obtain(ctx, in.cfg.To+"#other")
		if err != nil {
			return sum, fmt.Errorf("initiator: obtain second SCT: %w", err)
		}
		other = o.Identifier
	}
	tickCtx, stopTick := context.WithCancel(ctx)
	defer stopTick()
	go in.ticker(tickCtx, other)

	var (
		wg   sync.Mutex
		errs []error
		done sync.WaitGroup
	)
	for k := 0; k < plan.Sequences; k++ {
		done.Add(1)
		go func(k int) {
			defer done.Done()
			id, exp, err := in.sequence(ctx, tok.Identifier, other, k, plan)
			wg.Lock()
			defer wg.Unlock()
			if id != "" {
				sum.Expect[id] = exp
			}
			if err != nil {
				errs = append(errs, err)
				return
			}
			sum.Terminated++
			sum.Acknowledged += int(exp.Count)
		}(k)
	}
	done.Wait()
	if len(errs) == 0 {
		if err := in.awaitReplies(ctx, &sum); err != nil {
			errs = append(errs, err)
		}
	}
	stopTick()
	sum.Renewals = in.renewalCount()
	if err := errors.Join(errs...); err != nil {
		sum.Elapsed = time.Since(start)
		sum.Retransmissions = in.retransmissions()
		return sum, err
	}
	if other != "" {
		_ = in.cancel(ctx, in.cfg.To+"#other")
	}
	if in.cfg.Provisioned != nil {
		sum.Provisioned = true // agreed out of band: nothing to cancel on the wire
	} else if err := in.cancelJob(ctx, in.cfg.To, sum.Resumed); err != nil {
		sum.Elapsed = time.Since(start)
		sum.Retransmissions = in.retransmissions()
		return sum, fmt.Errorf("initiator: cancel SCT: %w", err)
	} else {
		sum.Cancelled = true
	}
	if err := in.finishJob(ctx, tok.Identifier, &sum); err != nil {
		sum.Elapsed = time.Since(start)
		return sum, err
	}
	sum.Elapsed = time.Since(start)
	sum.Retransmissions = in.retransmissions()
	return sum, nil
}

func (in *Initiator) retransmissions() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.retrans
}

// sequence runs one sequence: create (or resume), send its share of the plan, finish.
func (in *Initiator) sequence(ctx context.Context, tok, other string, k int, plan Plan) (string, trace.Expect, error) {
	id, next, ended, created, err := in.resumePoint(k)
	switch {
	case err != nil:
		return id, trace.Expect{}, err
	case ended == rm.EndCompleted.String():
		return id, expectUpTo(k, slotCount(k, plan), plan), nil
	case ended != "":
		return id, expectUpTo(k, slotCount(k, plan), plan), fmt.Errorf("sequence %s ended %s in an earlier run", id, ended)
	case !created:
		if id, err = in.create(ctx, other, tok, k); err != nil {
			return id, trace.Expect{}, err
		}
	}
	// Messages 1..next-1 were sent before a restart (still stored when unacknowledged).
	exp := expectUpTo(k, next-1, plan)
	win := newWindow(plan.Window)
	for n := next; planIndex(k, n, plan) < plan.Messages; n++ {
		p := payload(planIndex(k, n, plan), plan.Size)
		in.mu.Lock()
		acts, err := in.src.Send(id, rm.Payload(p), in.cfg.Now())
		t := in.stage(acts)
		in.mu.Unlock()
		if err != nil {
			return id, exp, fmt.Errorf("sequence %s: send: %w", id, err)
		}
		exp.Count++
		exp.Digests[exp.Count] = trace.PayloadDigest(p)
		win.do(ctx, func() { in.perform(ctx, t, acts, other) })
		if plan.Interval > 0 {
			if err := sleep(ctx, plan.Interval); err != nil {
				return id, exp, fmt.Errorf("sequence %s: %w", id, err)
			}
		}
	}
	win.wait()
	in.mu.Lock()
	acts, err := in.src.Finish(id, in.cfg.Now())
	t := in.stage(acts)
	in.mu.Unlock()
	if err != nil {
		return id, exp, fmt.Errorf("sequence %s: finish: %w", id, err)
	}
	in.perform(ctx, t, acts, other)
	if err := in.wait(ctx, func() bool { _, gone := in.ended[id]; return gone }); err != nil {
		return id, exp, fmt.Errorf("sequence %s: not terminated: %w", id, err)
	}
	if r := in.endReason(id); r != rm.EndCompleted.String() {
		return id, exp, fmt.Errorf("sequence %s ended %s", id, r)
	}
	return id, exp, nil
}

// create creates the sequence of plan slot k (FLOW M3/M4) and returns its identifier.
func (in *Initiator) create(ctx context.Context, other, tok string, k int) (string, error) {
	now := in.cfg.Now()
	in.mu.Lock()
	cp := rm.CreateParams{Version: in.cfg.Profile.RM(), To: wsa.EPR{Address: in.cfg.To}, Token: tok}
	if in.cfg.AcksTo != "" {
		cp.AcksTo = wsa.EPR{Address: in.cfg.AcksTo}
	}
	if in.cfg.Offer {
		cp.Offer = &rm.OfferParams{}
		if cp.Version != wsrm.V200502 {
			cp.Offer.Endpoint = wsa.EPR{Address: in.cfg.AcksTo}
		}
	}
	ref, acts := in.src.Create(cp, now)
	if j := in.per.job; j != nil {
		j.slotOf[ref] = k
	}
	t := in.stage(acts)
	in.mu.Unlock()
	in.perform(ctx, t, acts, other)
	var id string
	if err := in.wait(ctx, func() bool {
		id = in.created[ref]
		_, gone := in.ended[ref]
		return id != "" || gone
	}); err != nil {
		return "", fmt.Errorf("sequence %d: create: %w", k, err)
	}
	if id == "" {
		return "", fmt.Errorf("sequence %d: CreateSequence failed (%s)", k, in.endReason(ref))
	}
	return id, nil
}

func (in *Initiator) endReason(id string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	r, ok := in.ended[id]
	if !ok {
		return "not ended"
	}
	if why := in.refused[id]; why != "" {
		return r.String() + ", " + why
	}
	return r.String()
}

// ticker answers the Source's deadlines (retransmissions with fresh security, RM-SEQ-008).
func (in *Initiator) ticker(ctx context.Context, other string) {
	t := time.NewTicker(in.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := in.cfg.Now()
		in.mu.Lock()
		var acts []rm.Action
		var t *group
		if d, ok := in.src.NextDeadline(); ok && !d.After(now) {
			acts = in.src.Tick(now)
			t = in.stage(acts)
		}
		if in.dst != nil {
			if d, ok := in.dst.NextDeadline(); ok && !d.After(now) {
				dacts := in.dst.Tick(now)
				in.stage(dacts)
				out := in.performDestination(dacts)
				for _, a := range append(out.acks, out.away...) {
					go in.sendAck(a)
				}
			}
		}
		in.maybeRenew(now)
		in.mu.Unlock()
		in.perform(ctx, t, acts, other)
	}
}

// tries is how often a WS-Trust exchange is attempted when the transport fails.
const tries = 5

// obtain gets the SCT for endpoint (FLOW M0-M2), trying again when the exchange is lost.
func (in *Initiator) obtain(ctx context.Context, endpoint string) (token.Token, error) {
	var err error
	for i := 0; i < tries || in.per.durable; i++ {
		// A resumable job waits for the responder (until ctx ends) rather than failing.
		var t token.Token
		if t, err = in.prov.SCT(ctx, endpoint); err == nil || !lost(err) {
			return t, err
		}
		if err := sleep(ctx, in.cfg.Retransmit.Delay(i)); err != nil {
			return token.Token{}, err
		}
	}
	return token.Token{}, err
}

// cancel cancels the SCT of endpoint (FLOW Mx), trying again when the exchange is lost. A
// retry answered with wsc:BadContextToken means the lost attempt did cancel it.
func (in *Initiator) cancel(ctx context.Context, endpoint string) error {
	var err error
	for i := 0; i < tries; i++ {
		err = in.prov.Cancel(ctx, endpoint)
		switch {
		case err == nil:
			return nil
		case i > 0 && errors.Is(err, trust.ErrBadContextToken):
			in.prov.Drop(endpoint)
			return nil
		case !lost(err):
			return err
		}
		if err := sleep(ctx, in.cfg.Retransmit.Delay(i)); err != nil {
			return err
		}
	}
	return err
}

// lost reports whether err is a transport failure rather than an answer.
func lost(err error) bool {
	var f *trust.Fault
	return !errors.As(err, &f) && !errors.Is(err, trust.ErrResponse)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
