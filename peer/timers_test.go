package peer

import (
	"context"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// TestResponderInactivityClock: with Start running the responder's clock, a sequence left
// idle is discarded after the inactivity timeout without any further request arriving.
func TestResponderInactivityClock(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{InactivityTimeout: 300 * time.Millisecond}, InitiatorConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, err := pr.init.obtain(ctx, pr.init.cfg.To)
	if err != nil {
		t.Fatal(err)
	}
	if err := openWithGap(ctx, pr.init, tok.Identifier); err != nil {
		t.Fatal(err)
	}
	if n := pr.resp.Sequences(); n != 1 {
		t.Fatalf("%d sequences open", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for pr.resp.Sequences() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the idle sequence was not discarded by the responder's clock")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
