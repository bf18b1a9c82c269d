package wssec

import (
	"crypto/sha256"
	"sync"
	"time"
)

// ReplayCache remembers the signatures seen within their Timestamp window so that a message
// replayed verbatim (same SignatureValue) is refused (WSS 1.1 §10: a Timestamp lets a receiver
// detect replays within its freshness window). It is keyed by the hash of the signature value
// and bounded: entries leave when their window has passed, and when the cache is full the
// oldest-expiring entries are dropped first — which can only let a replay through once its
// Timestamp is about to expire anyway.
//
// RM duplicates are not replays: a retransmission gets fresh security (new Timestamp and
// signature), and duplicate detection for delivery is done by message number in rm, never here.
type ReplayCache struct {
	mu      sync.Mutex
	max     int
	entries map[[32]byte]time.Time // signature hash -> expiry of its window
}

// NewReplayCache returns a cache holding at most max signatures (0 = 1<<16).
func NewReplayCache(max int) *ReplayCache {
	if max <= 0 {
		max = 1 << 16
	}
	return &ReplayCache{max: max, entries: map[[32]byte]time.Time{}}
}

// Seen records signature value sig valid until expires and reports whether it had already
// been recorded (a replay).
func (c *ReplayCache) Seen(sig []byte, expires, now time.Time) bool {
	k := sha256.Sum256(sig)
	c.mu.Lock()
	defer c.mu.Unlock()
	if exp, ok := c.entries[k]; ok && now.Before(exp) {
		return true
	}
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[k] = expires
	return false
}

// evict drops expired entries, then, if still full, the entries that expire soonest.
func (c *ReplayCache) evict(now time.Time) {
	for k, exp := range c.entries {
		if !now.Before(exp) {
			delete(c.entries, k)
		}
	}
	for len(c.entries) >= c.max {
		var oldest [32]byte
		var oldestExp time.Time
		first := true
		for k, exp := range c.entries {
			if first || exp.Before(oldestExp) {
				oldest, oldestExp, first = k, exp, false
			}
		}
		delete(c.entries, oldest)
	}
}

// Len is the number of remembered signatures.
func (c *ReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
