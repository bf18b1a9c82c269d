package peer

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/memstore"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// gateStore holds every Commit while its gate is closed.
type gateStore struct {
	store.Store
	mu   sync.Mutex
	open chan struct{} // closed = commits pass
}

func newGateStore() *gateStore {
	g := &gateStore{Store: memstore.New(), open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gateStore) hold() {
	g.mu.Lock()
	g.open = make(chan struct{})
	g.mu.Unlock()
}

func (g *gateStore) release() {
	g.mu.Lock()
	close(g.open)
	g.mu.Unlock()
}

func (g *gateStore) Commit(ctx context.Context, b store.Batch) error {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	<-open
	return g.Store.Commit(ctx, b)
}

// TestAckEveryDurability: under AckEvery the response that carries no acknowledgement (HTTP
// 202) does not wait for the message's commit — it acknowledges nothing — while the
// response that acknowledges the message waits until the message is durable (RM-PER-003).
func TestAckEveryDurability(t *testing.T) {
	gs := newGateStore()
	key := make([]byte, token.StorageKeySize)
	_, _ = rand.Read(key)
	r := newRigWith(t, P11, soap.V12, ResponderConfig{AckEvery: 4, Store: gs, StoreKey: key})
	id := r.create(&r.tok)

	gs.hold()
	answered := func(env *codec.Envelope) <-chan *codec.Message {
		ch := make(chan *codec.Message, 1)
		raw := r.craft(env, &r.tok, r.now())
		go func() { // no t.Fatal off the test goroutine: a failed post is a nil answer
			resp, err := transport.NewClient(nil).Post(context.Background(), r.to(), r.sv, env.Addressing.Action, raw)
			if err != nil || len(resp.Body) == 0 {
				ch <- nil
				return
			}
			m, _ := codec.Decode(resp.Body, codec.Options{})
			ch <- m
		}()
		return ch
	}
	select {
	case m := <-answered(r.app(id, 1, false)):
		if m != nil {
			t.Fatalf("message 1 answered with an envelope under AckEvery 4:\n%s", rawOf(m))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the 202 of message 1 waited for its commit")
	}
	ack := answered(r.ackRequested(id))
	select {
	case m := <-ack:
		t.Fatalf("acknowledged while message 1 was not durable:\n%s", rawOf(m))
	case <-time.After(300 * time.Millisecond):
	}
	gs.release()
	select {
	case m := <-ack:
		if m == nil {
			t.Fatal("no acknowledgement after the commit")
		}
		sa, _ := codec.Find[*wsrm.SequenceAcknowledgement](m)
		if sa == nil || len(sa.Ranges) != 1 || sa.Ranges[0].Lower != 1 || sa.Ranges[0].Upper != 1 {
			t.Fatalf("want an acknowledgement of message 1:\n%s", rawOf(m))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no acknowledgement after the commit")
	}
	if !r.delivered(id, 1) {
		t.Fatal("message 1 not delivered")
	}
}
