package rm

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// lossy is a network that drops, duplicates and reorders: every posted delivery may be lost
// or doubled, and the next one to arrive is picked at random.
type lossy struct {
	r         *rand.Rand
	q         []func()
	drop, dup float64
}

func (n *lossy) post(f func()) {
	if n.r.Float64() < n.drop {
		return
	}
	n.q = append(n.q, f)
	if n.r.Float64() < n.dup {
		n.q = append(n.q, f)
	}
}

func (n *lossy) step() bool {
	if len(n.q) == 0 {
		return false
	}
	i := n.r.IntN(len(n.q))
	f := n.q[i]
	n.q[i] = n.q[len(n.q)-1]
	n.q = n.q[:len(n.q)-1]
	f()
	return true
}

// pair runs a Source against a Destination over a lossy network.
type pair struct {
	t         *testing.T
	s         *Source
	d         *Destination
	net       *lossy
	now       time.Time
	delivered map[string][]uint64
	ended     []Ended
}

func (p *pair) fromSource(acts []Action) {
	for _, a := range acts {
		switch x := a.(type) {
		case Send:
			p.sendRequest(x)
		case SendMessage:
			h := x.Header()
			pl := x.Payload
			p.net.post(func() { p.fromDest(p.d.Message(&h, pl, signed(x.Token), p.now), "") })
		case Ended:
			p.ended = append(p.ended, x)
		}
	}
}

func (p *pair) sendRequest(x Send) {
	auth := signed(x.Token)
	switch m := x.Msg.(type) {
	case *wsrm.CreateSequence:
		cs := *m
		cs.STR = nil
		if x.STR != "" {
			cs = *createSeq(m.V, m.AcksTo, x.STR)
			cs.Offer, cs.Expires = m.Offer, m.Expires
		}
		req := CreateSequenceRequest{Msg: &cs, UsesSequenceSTR: x.UsesSequenceSTR, STRToken: STRToken(&cs, nil)}
		p.net.post(func() { p.fromDest(p.d.CreateSequence(req, auth, p.now), x.Ref) })
	case *wsrm.CloseSequence:
		p.net.post(func() { p.fromDest(p.d.CloseSequence(m, auth, p.now), "") })
	case *wsrm.TerminateSequence:
		p.net.post(func() { p.fromDest(p.d.TerminateSequence(m, auth, p.now), "") })
	case *wsrm.AckRequested:
		p.net.post(func() { p.fromDest(p.d.AckRequested(m, auth, p.now), "") })
	}
}

func (p *pair) fromDest(acts []Action, ref string) {
	for _, a := range acts {
		switch x := a.(type) {
		case Deliver:
			p.delivered[x.Seq] = append(p.delivered[x.Seq], x.Number)
		case SendAck:
			ack := x.Ack
			p.net.post(func() { p.fromSource(p.s.Ack(&ack, signed(x.Token), p.now)) })
		case Reply:
			r := x
			p.net.post(func() {
				if r.Ack != nil {
					p.fromSource(p.s.Ack(r.Ack, signed(r.Token), p.now))
				}
				switch m := r.Msg.(type) {
				case *wsrm.CreateSequenceResponse:
					p.fromSource(p.s.CreateSequenceResponse(ref, m, signed(r.Token), p.now))
				case *wsrm.CloseSequenceResponse:
					p.fromSource(p.s.CloseSequenceResponse(m, signed(r.Token), p.now))
				case *wsrm.TerminateSequenceResponse:
					p.fromSource(p.s.TerminateSequenceResponse(m, signed(r.Token), p.now))
				}
			})
		case SendFault:
			f := x.Fault
			if f.Identifier != "" {
				p.net.post(func() { p.fromSource(p.s.Fault(f, signed(tokA), p.now)) })
			}
		}
	}
}

// run drives the network until the Source has no sequence left.
func (p *pair) run() {
	for i := 0; i < 1_000_000; i++ {
		if p.net.step() {
			continue
		}
		if p.s.Len() == 0 && len(p.s.pending) == 0 {
			return
		}
		dl, ok := p.s.NextDeadline()
		if !ok {
			p.t.Fatal("stuck: nothing in flight and no deadline")
		}
		p.now = dl
		p.fromSource(p.s.Tick(p.now))
		p.fromDest(p.d.Tick(p.now), "")
	}
	p.t.Fatal("did not converge")
}

// TestRandomizedExactlyOnceInOrder: shuffle, duplicate and drop every message in both
// directions, let retransmission repair it; the application sees 1..n exactly once, in order
// (RM-DA-003/004, RM-ACK-009), and the sequence completes.
func TestRandomizedExactlyOnceInOrder(t *testing.T) {
	const n = 150
	for seed := uint64(1); seed <= 40; seed++ {
		for _, v := range []wsrm.Version{wsrm.V200702, wsrm.V200502} {
			for _, inOrder := range []bool{true, false} {
				t.Run(fmt.Sprintf("seed%d/%s/inorder=%v", seed, v, inOrder), func(t *testing.T) {
					r := rand.New(rand.NewPCG(seed, 99))
					p := &pair{t: t, now: t0, delivered: map[string][]uint64{},
						net: &lossy{r: r, drop: 0.25, dup: 0.2},
						s:   newSrc(t, func(c *SourceConfig) { c.Retransmit = Backoff{Base: time.Second, Factor: 1.5, Max: 4 * time.Second} }),
						d:   newDest(t, func(c *DestinationConfig) { c.Assurance = Assurance{Delivery: ExactlyOnce, InOrder: inOrder} })}
					_, acts := p.s.Create(CreateParams{Version: v, To: server, Token: tokA}, t0)
					p.fromSource(acts)
					for p.s.Len() == 0 {
						if !p.net.step() {
							dl, _ := p.s.NextDeadline()
							p.now = dl
							p.fromSource(p.s.Tick(p.now))
						}
					}
					st, _ := p.s.Snapshot()
					id := st[0].Seq
					for k := 1; k <= n; k++ {
						acts, err := p.s.Send(id, payload(uint64(k)), p.now)
						if err != nil {
							t.Fatal(err)
						}
						p.fromSource(acts)
						for j := r.IntN(3); j > 0; j-- { // interleave some network progress
							p.net.step()
						}
					}
					acts, err := p.s.Finish(id, p.now)
					if err != nil {
						t.Fatal(err)
					}
					p.fromSource(acts)
					p.run()
					got := p.delivered[id]
					if !inOrder {
						got = append([]uint64(nil), got...)
						slices.Sort(got)
					}
					want := make([]uint64, n)
					for i := range want {
						want[i] = uint64(i + 1)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("delivered %v", got)
					}
					if len(p.ended) != 1 || p.ended[0].Seq != id || p.ended[0].Reason != EndCompleted {
						t.Fatalf("ended %+v", p.ended)
					}
				})
			}
		}
	}
}
