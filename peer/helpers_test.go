package peer

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// capture collects every message of a run, both peers, both directions.
type capture struct {
	mu   sync.Mutex
	msgs [][]byte
}

func (c *capture) hook(_ trace.Dir, raw []byte) {
	c.mu.Lock()
	c.msgs = append(c.msgs, append([]byte(nil), raw...))
	c.mu.Unlock()
}

// check requires every captured message to decode without problems in profile p.
func (c *capture) check(t *testing.T, p Profile) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msgs) == 0 {
		t.Fatal("no message captured")
	}
	for i, raw := range c.msgs {
		m, err := codec.Decode(raw, codec.Options{})
		if err != nil {
			t.Errorf("message %d: %v\n%.400s", i, err, raw)
			continue
		}
		if ps := m.Check(p.Codec()); len(ps) > 0 {
			t.Errorf("message %d violates %s:\n%v\n%.400s", i, p, codec.Problems(ps), raw)
		}
	}
}

// pair is a responder behind httptest and an initiator pointed at it.
type pair struct {
	resp *Responder
	init *Initiator
	cap  *capture
}

func newPair(t *testing.T, p Profile, sv soap.Version, rcfg ResponderConfig, icfg InitiatorConfig) *pair {
	t.Helper()
	c := &capture{}
	rcfg.Profile, rcfg.Hook = p, c.hook
	if rcfg.Retransmit.Base == 0 {
		rcfg.Retransmit = rm.Backoff{Base: 50 * time.Millisecond, Factor: 2, Max: 400 * time.Millisecond}
	}
	r, err := NewResponder(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r.Start(ctx)
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	icfg.To, icfg.Profile, icfg.SOAP, icfg.Hook = srv.URL+"/rm", p, sv, c.hook
	if icfg.Retransmit.Base == 0 {
		icfg.Retransmit.Base, icfg.Retransmit.Factor, icfg.Retransmit.Max = 50*time.Millisecond, 2, 400*time.Millisecond
	}
	in, err := NewInitiator(icfg)
	if err != nil {
		t.Fatal(err)
	}
	return &pair{resp: r, init: in, cap: c}
}

func (p *pair) run(t *testing.T, plan Plan, timeout time.Duration) (Summary, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return p.init.Run(ctx, plan)
}
