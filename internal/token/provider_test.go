package token

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeEst is an Establisher that counts calls; gate, when set, holds Issue until closed.
type fakeEst struct {
	clk      *clock
	lifetime time.Duration
	gate     chan struct{}
	issues   atomic.Int32
	renews   atomic.Int32
	cancels  atomic.Int32
	failNext atomic.Bool
	n        atomic.Int32
}

func (f *fakeEst) mint(endpoint, id, inst string) Token {
	k := f.n.Add(1)
	now := f.clk.Now()
	return Token{Identifier: id, Instance: inst, Secret: bytes.Repeat([]byte{byte(k)}, 32),
		Created: now, Expires: now.Add(f.lifetime), Version: wsc.V200512}
}

func (f *fakeEst) Issue(ctx context.Context, endpoint string) (Token, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return Token{}, ctx.Err()
		}
	}
	if f.failNext.Swap(false) {
		return Token{}, errors.New("issuer down")
	}
	n := f.issues.Add(1)
	return f.mint(endpoint, fmt.Sprintf("urn:uuid:00000000-0000-0000-0000-%012d", n), ""), nil
}

func (f *fakeEst) Renew(ctx context.Context, endpoint string, cur Token) (Token, error) {
	if f.failNext.Swap(false) {
		return Token{}, errors.New("issuer down")
	}
	n := f.renews.Add(1)
	return f.mint(endpoint, cur.Identifier, fmt.Sprintf("urn:uuid:instance-%d", n)), nil
}

func (f *fakeEst) Cancel(ctx context.Context, endpoint string, cur Token) error {
	if f.failNext.Swap(false) {
		return errors.New("issuer down")
	}
	f.cancels.Add(1)
	return nil
}

func newTestProvider(t testing.TB, lifetime time.Duration) (*Provider, *fakeEst, *clock) {
	t.Helper()
	clk := &clock{t: t0}
	est := &fakeEst{clk: clk, lifetime: lifetime}
	p, err := NewProvider(Config{Establisher: est, StorageKey: bytes.Repeat([]byte{9}, 32), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return p, est, clk
}

func TestProviderReuseRenewEstablish(t *testing.T) {
	ctx := context.Background()
	p, est, clk := newTestProvider(t, time.Hour)
	a, err := p.SCT(ctx, "http://a")
	if err != nil {
		t.Fatal(err)
	}
	if a.Endpoint != "http://a" {
		t.Errorf("Endpoint = %q", a.Endpoint)
	}
	// SC-ISS-015: a second sequence to the same endpoint reuses the SCT.
	clk.Add(30 * time.Minute)
	a2, err := p.SCT(ctx, "http://a")
	if err != nil || a2.Identifier != a.Identifier || est.issues.Load() != 1 {
		t.Fatalf("reuse: %v %v issues=%d", a2, err, est.issues.Load())
	}
	// Another endpoint gets its own.
	b, _ := p.SCT(ctx, "http://b")
	if b.Identifier == a.Identifier || est.issues.Load() != 2 {
		t.Fatalf("second endpoint shares the token")
	}
	// Near expiry (default margin 1h/10 = 6m capped to 5m): renewed, same Identifier.
	clk.Add(26 * time.Minute)
	r, err := p.SCT(ctx, "http://a")
	if err != nil {
		t.Fatal(err)
	}
	if r.Identifier != a.Identifier || r.Instance == "" || bytes.Equal(r.Secret, a.Secret) || est.renews.Load() != 1 {
		t.Fatalf("renewal: %v (renews %d)", r, est.renews.Load())
	}
	if !r.Expires.After(a.Expires) {
		t.Error("renewal did not extend the lifetime")
	}
	// A failed renewal of a still valid token keeps the old one.
	clk.Add(56 * time.Minute)
	est.failNext.Store(true)
	k, err := p.SCT(ctx, "http://a")
	if err != nil || k.Instance != r.Instance {
		t.Fatalf("failed renewal of a valid token: %v %v", k, err)
	}
	// After expiry a failed renewal is an error, never a silent new context.
	clk.Add(10 * time.Minute)
	est.failNext.Store(true)
	if _, err := p.SCT(ctx, "http://a"); !errors.Is(err, ErrRenew) {
		t.Fatalf("expired + renewal failed: %v", err)
	}
	if est.issues.Load() != 2 {
		t.Error("a new context was established behind the caller's back")
	}
	// Renewal after expiry works (issue #5: SCT expired during an outage).
	x, err := p.SCT(ctx, "http://a")
	if err != nil || x.Identifier != a.Identifier {
		t.Fatalf("renew after expiry: %v %v", x, err)
	}
	// Explicit renewal (reaction to wsc:RenewNeeded).
	y, err := p.Renew(ctx, "http://a")
	if err != nil || y.Instance == x.Instance || y.Identifier != a.Identifier {
		t.Fatalf("Renew: %v %v", y, err)
	}
	if _, err := p.Renew(ctx, "http://none"); err == nil {
		t.Error("Renew without a token succeeded")
	}
}

func TestProviderCancelDropRestore(t *testing.T) {
	ctx := context.Background()
	p, est, _ := newTestProvider(t, time.Hour)
	a, _ := p.SCT(ctx, "http://a")
	est.failNext.Store(true)
	if err := p.Cancel(ctx, "http://a"); err == nil {
		t.Fatal("a refused cancel reported success")
	}
	if cur, ok := p.Current("http://a"); !ok || cur.Identifier != a.Identifier {
		t.Fatal("a refused cancel dropped the token")
	}
	if err := p.Cancel(ctx, "http://a"); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Current("http://a"); ok || est.cancels.Load() != 1 {
		t.Fatal("cancelled token still current")
	}
	if err := p.Cancel(ctx, "http://a"); err != nil || est.cancels.Load() != 1 {
		t.Fatal("cancel without a token reached the issuer")
	}
	b, _ := p.SCT(ctx, "http://a")
	if b.Identifier == a.Identifier {
		t.Fatal("cancelled token came back")
	}
	// Persist, restart, restore: the same key material (issue #5).
	rec, err := p.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	p2, est2, _ := newTestProvider(t, time.Hour)
	got, err := p2.Unmarshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := p2.Restore(got); err != nil {
		t.Fatal(err)
	}
	c, err := p2.SCT(ctx, "http://a")
	if err != nil || c.Identifier != b.Identifier || !bytes.Equal(c.Secret, b.Secret) || est2.issues.Load() != 0 {
		t.Fatalf("restored token not reused: %v %v", c, err)
	}
	p2.Drop("http://a")
	if _, ok := p2.Current("http://a"); ok {
		t.Error("Drop kept the token")
	}
	mem, _ := NewProvider(Config{Establisher: est})
	if _, err := mem.Marshal(b); !errors.Is(err, ErrNoStorageKey) {
		t.Errorf("memory-only Marshal: %v", err)
	}
	if _, err := NewProvider(Config{Establisher: est, StorageKey: []byte("short")}); err == nil {
		t.Error("short storage key accepted")
	}
	if _, err := NewProvider(Config{}); err == nil {
		t.Error("provider without establisher")
	}
}

func TestProviderOnChange(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	est := &fakeEst{clk: clk, lifetime: time.Hour}
	var seen []Token
	fail := false
	p, _ := NewProvider(Config{Establisher: est, Now: clk.Now, OnChange: func(_ context.Context, t Token) error {
		if fail {
			return errors.New("disk full")
		}
		seen = append(seen, t)
		return nil
	}})
	fail = true
	if _, err := p.SCT(ctx, "http://a"); err == nil {
		t.Fatal("token used although it could not be persisted")
	}
	fail = false
	a, _ := p.SCT(ctx, "http://a")
	clk.Add(58 * time.Minute)
	r, _ := p.SCT(ctx, "http://a")
	if len(seen) != 2 || seen[0].Identifier != a.Identifier || seen[1].Instance != r.Instance {
		t.Fatalf("OnChange saw %v", seen)
	}
}

// TestProviderConcurrent: many goroutines ask for the same endpoint at once; exactly one
// establishment happens and all get the same token. Run with -race.
func TestProviderConcurrent(t *testing.T) {
	p, est, _ := newTestProvider(t, time.Hour)
	est.gate = make(chan struct{})
	const n = 64
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := p.SCT(context.Background(), "http://a")
			ids[i], errs[i] = tok.Identifier, err
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(est.gate)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("goroutine %d: %q %v", i, ids[i], errs[i])
		}
	}
	if got := est.issues.Load(); got != 1 {
		t.Fatalf("%d establishments, want 1", got)
	}
	// Different endpoints in parallel: one each.
	var wg2 sync.WaitGroup
	for i := range n {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			if _, err := p.SCT(context.Background(), fmt.Sprintf("http://e%d", i%4)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg2.Wait()
	if got := est.issues.Load(); got != 5 {
		t.Fatalf("%d establishments for 1+4 endpoints", got)
	}
}

func TestProviderWaiterGivesUp(t *testing.T) {
	p, est, _ := newTestProvider(t, time.Hour)
	est.gate = make(chan struct{})
	done := make(chan error, 1)
	go func() { _, err := p.SCT(context.Background(), "http://a"); done <- err }()
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := p.SCT(ctx, "http://a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiter: %v", err)
	}
	close(est.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
