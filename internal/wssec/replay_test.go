package wssec

import (
	"testing"
	"time"
)

func TestReplayCache(t *testing.T) {
	now := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	c := NewReplayCache(2)
	if c.Seen([]byte("a"), now.Add(time.Minute), now) {
		t.Fatal("first sighting reported as replay")
	}
	if !c.Seen([]byte("a"), now.Add(time.Minute), now.Add(time.Second)) {
		t.Fatal("replay inside the window not detected")
	}
	if c.Seen([]byte("a"), now.Add(3*time.Minute), now.Add(2*time.Minute)) {
		t.Fatal("a signature whose window has passed is not a replay (the Timestamp check refuses it)")
	}
	c.Seen([]byte("b"), now.Add(5*time.Minute), now)
	c.Seen([]byte("c"), now.Add(6*time.Minute), now)
	if c.Len() > 2 {
		t.Fatalf("cache grew beyond its bound: %d", c.Len())
	}
	if !c.Seen([]byte("c"), now.Add(6*time.Minute), now) {
		t.Fatal("the newest entry was evicted instead of the oldest-expiring one")
	}
}
