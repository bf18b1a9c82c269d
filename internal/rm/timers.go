package rm

import (
	"container/heap"
	"time"
)

// The engines keep one min-heap of deadlines so that the caller arms a single timer:
// NextDeadline returns the earliest, Tick(now) handles every deadline that is due. Entries are
// invalidated lazily: each sequence remembers, per timer kind, the deadline it currently has
// in the heap (armed); a popped entry that no longer matches is stale and skipped. A deadline
// that moves later (inactivity after new traffic) is not pushed again: the old entry fires,
// the handler finds the real deadline in the future and re-arms. So the heap holds O(1)
// entries per sequence and per-message work stays O(log sequences) at most.

type timerKind uint8

const (
	tExpire   timerKind = iota // sequence Expires
	tInactive                  // inactivity timeout (Destination, Source) / keep-alive (Source)
	tWork                      // Destination: ack interval; Source: retransmission
	nTimers
)

// armed is a sequence's record of its pending heap entries (zero = none).
type armed [nTimers]time.Time

type timer struct {
	when time.Time
	id   string
	kind timerKind
}

type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].when.Before(h[j].when) }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

type timers struct{ h timerHeap }

// arm makes sure the sequence is woken at or before when for kind k.
func (t *timers) arm(a *armed, id string, k timerKind, when time.Time) {
	if when.IsZero() {
		return
	}
	if !a[k].IsZero() && !when.Before(a[k]) {
		return // an entry at or before when is pending; its handler re-evaluates
	}
	a[k] = when
	heap.Push(&t.h, timer{when: when, id: id, kind: k})
}

// due pops the next entry that is due at now and still valid; the caller clears the
// sequence's armed slot for it before handling it.
func (t *timers) due(now time.Time, valid func(timer) bool) (timer, bool) {
	for len(t.h) > 0 && !t.h[0].when.After(now) {
		tm := heap.Pop(&t.h).(timer)
		if valid(tm) {
			return tm, true
		}
	}
	return timer{}, false
}

// next is the earliest deadline, discarding stale entries at the top. It may be earlier than
// necessary (a spurious wake-up costs one empty Tick), never later.
func (t *timers) next(valid func(timer) bool) (time.Time, bool) {
	for len(t.h) > 0 {
		if valid(t.h[0]) {
			return t.h[0].when, true
		}
		heap.Pop(&t.h)
	}
	return time.Time{}, false
}

// validFor adapts a lookup of the sequence's armed slots to the staleness test.
func validFor(look func(id string) *armed) func(timer) bool {
	return func(tm timer) bool {
		a := look(tm.id)
		return a != nil && a[tm.kind].Equal(tm.when)
	}
}
