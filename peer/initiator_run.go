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
)

// Run performs the flow of FLOW.md once: the SCT is obtained (M0-M2), plan.Sequences
// sequences are created with the STR (M3/M4), plan.Messages messages are sent over them
// round-robin with acknowledgements and retransmissions, each sequence is finished (Close or
// LastMessage, then Terminate) and the SCT is cancelled (Mx). It returns an error unless every
// message was acknowledged, every sequence terminated and the SCT cancelled; the Summary is
// filled as far as the run got either way.
func (in *Initiator) Run(ctx context.Context, plan Plan) (Summary, error) {
	if plan.Sequences <= 0 {
		plan.Sequences = 1
	}
	if plan.Messages < 0 || plan.Size < 0 {
		return Summary{}, errors.New("initiator: negative plan")
	}
	start := time.Now()
	sum := Summary{Messages: plan.Messages, Sequences: plan.Sequences, Expect: map[string]trace.Expect{}}
	tok, err := in.obtain(ctx, in.cfg.To)
	if err != nil {
		return sum, fmt.Errorf("initiator: obtain SCT: %w", err)
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
	stopTick()
	if err := errors.Join(errs...); err != nil {
		sum.Elapsed = time.Since(start)
		sum.Retransmissions = in.retransmissions()
		return sum, err
	}
	if other != "" {
		_ = in.cancel(ctx, in.cfg.To+"#other")
	}
	if err := in.cancel(ctx, in.cfg.To); err != nil {
		sum.Elapsed = time.Since(start)
		sum.Retransmissions = in.retransmissions()
		return sum, fmt.Errorf("initiator: cancel SCT: %w", err)
	}
	sum.Cancelled = true
	sum.Elapsed = time.Since(start)
	sum.Retransmissions = in.retransmissions()
	return sum, nil
}

func (in *Initiator) retransmissions() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.retrans
}

// sequence runs one sequence: create, send its share of the plan, finish.
func (in *Initiator) sequence(ctx context.Context, tok, other string, k int, plan Plan) (string, trace.Expect, error) {
	now := in.cfg.Now()
	in.mu.Lock()
	cp := rm.CreateParams{Version: in.cfg.Profile.RM(), To: wsa.EPR{Address: in.cfg.To}, Token: tok}
	if in.cfg.AcksTo != "" {
		cp.AcksTo = wsa.EPR{Address: in.cfg.AcksTo}
	}
	ref, acts := in.src.Create(cp, now)
	in.mu.Unlock()
	in.perform(ctx, acts, other)
	var id string
	if err := in.wait(ctx, func() bool {
		id = in.created[ref]
		_, gone := in.ended[ref]
		return id != "" || gone
	}); err != nil {
		return "", trace.Expect{}, fmt.Errorf("sequence %d: create: %w", k, err)
	}
	if id == "" {
		return "", trace.Expect{}, fmt.Errorf("sequence %d: CreateSequence failed (%s)", k, in.endReason(ref))
	}
	exp := trace.Expect{InOrder: true, Digests: map[uint64]string{}}
	for i := k; i < plan.Messages; i += plan.Sequences {
		p := payload(i, plan.Size)
		in.mu.Lock()
		acts, err := in.src.Send(id, rm.Payload(p), in.cfg.Now())
		in.mu.Unlock()
		if err != nil {
			return id, exp, fmt.Errorf("sequence %s: send: %w", id, err)
		}
		exp.Count++
		exp.Digests[exp.Count] = trace.PayloadDigest(p)
		in.perform(ctx, acts, other)
	}
	in.mu.Lock()
	acts, err := in.src.Finish(id, in.cfg.Now())
	in.mu.Unlock()
	if err != nil {
		return id, exp, fmt.Errorf("sequence %s: finish: %w", id, err)
	}
	in.perform(ctx, acts, other)
	if err := in.wait(ctx, func() bool { _, gone := in.ended[id]; return gone }); err != nil {
		return id, exp, fmt.Errorf("sequence %s: not terminated: %w", id, err)
	}
	if r := in.endReason(id); r != rm.EndCompleted.String() {
		return id, exp, fmt.Errorf("sequence %s ended %s", id, r)
	}
	return id, exp, nil
}

func (in *Initiator) endReason(id string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	r, ok := in.ended[id]
	if !ok {
		return "not ended"
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
		if d, ok := in.src.NextDeadline(); ok && !d.After(now) {
			acts = in.src.Tick(now)
		}
		in.mu.Unlock()
		in.perform(ctx, acts, other)
	}
}

// tries is how often a WS-Trust exchange is attempted when the transport fails.
const tries = 5

// obtain gets the SCT for endpoint (FLOW M0-M2), trying again when the exchange is lost.
func (in *Initiator) obtain(ctx context.Context, endpoint string) (token.Token, error) {
	var err error
	for i := 0; i < tries; i++ {
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
