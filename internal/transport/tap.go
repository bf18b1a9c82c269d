package transport

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Effect is what a Tap does to one message (issue #4: drop, delay, duplicate, reorder,
// corrupt).
type Effect int

const (
	Pass         Effect = iota
	DropRequest         // the request never reaches the receiver
	DropResponse        // the receiver processes the request; its response is lost
	Delay               // the request (or, with OnResponse, the response) waits Rule.Delay
	Duplicate           // the request is delivered twice; the sender sees the first response
	Reorder             // the request is held until the next message has been delivered
	Corrupt             // one bit of one byte of the body is flipped
	Truncate            // the body is cut short
)

var effectNames = [...]string{"pass", "drop-request", "drop-response", "delay", "duplicate", "reorder", "corrupt", "truncate"}

func (e Effect) String() string {
	if e >= 0 && int(e) < len(effectNames) {
		return effectNames[e]
	}
	return fmt.Sprintf("Effect(%d)", int(e))
}

// Errors the client side of a Tap returns where the network would have failed.
var (
	ErrDroppedRequest  = errors.New("transport tap: request dropped before delivery")
	ErrDroppedResponse = errors.New("transport tap: request delivered, response lost")
)

// DefaultReorderHold is how long a Reorder rule without Delay holds a message when no other
// message comes to overtake it.
const DefaultReorderHold = time.Second

// Message is what a Rule's Match sees of a request.
type Message struct {
	N      uint64 // 1-based arrival index at the Tap
	Action string // from the Content-Type or SOAPAction
	Body   []byte // the envelope; must not be modified
}

// Rule selects messages and says what happens to them.
type Rule struct {
	// Action limits the rule to requests with this action ("" = any).
	Action string
	// Match, when set, limits the rule further (e.g. bytes.Contains on a MessageNumber). It is
	// called under the Tap's lock for every message the Action lets through: keep it quick.
	Match func(Message) bool
	// Nth limits the rule to the n-th messages (1-based) among those that Action and Match
	// select; empty = every one.
	Nth []int
	// Prob is the probability that a selected message is affected, drawn from the seeded
	// generator; 0 means always.
	Prob float64
	// Limit caps how many messages the rule affects (0 = no cap).
	Limit int
	// Effect is what happens.
	Effect Effect
	// Delay is the wait of a Delay rule, and the longest hold of a Reorder rule (0 =
	// DefaultReorderHold). A held message is overtaken only by a message sent while it is
	// held, so reordering needs concurrent senders (several sequences, or a sender that does
	// not wait for each response); a lone held message goes on when the hold ends, which the
	// HoldTimeouts counter shows.
	Delay time.Duration
	// OnResponse applies Delay, Corrupt and Truncate to the response instead of the request.
	OnResponse bool
}

// Decision is what the Tap did to one message.
type Decision struct {
	N      uint64
	Action string
	Rule   int // index of the rule applied, -1 for none
	Effect Effect
	Detail string // e.g. "byte 120 ^ 0x04", "to 57 of 1024 bytes"

	onResponse bool
	wait       time.Duration
	at         int  // Corrupt: byte index; Truncate: new length
	mask       byte // Corrupt
}

// TapStats counts what a Tap did.
type TapStats struct {
	Messages         uint64 // requests seen
	Passed           uint64 // delivered untouched
	DroppedRequests  uint64
	DroppedResponses uint64
	Delayed          uint64
	Duplicated       uint64
	Reordered        uint64 // held for reordering
	HoldTimeouts     uint64 // holds that ended because nothing overtook them
	Corrupted        uint64
	Truncated        uint64
	Unchecked        uint64 // bodies over MaxBody, passed through without a decision
}

// Tap injects transport faults deterministically: the decision for the n-th message depends
// only on the seed, n, the rules and the messages' selection counts, so a run whose messages
// reach the Tap in the same order gets the same faults. (With concurrent senders the arrival
// order, hence which message gets which fault, can vary between runs.) A Tap is safe for
// concurrent use; use RoundTripper on the sending side or Middleware on the receiving side.
type Tap struct {
	// MaxBody is the largest body the Tap buffers to decide (0 = 16 MiB); larger ones pass.
	MaxBody int64
	// OnDecision, when set, sees every decision that is not Pass (for traces). It is called
	// outside the Tap's lock, possibly from several goroutines at once.
	OnDecision func(Decision)

	seed  uint64
	rules []Rule

	mu       sync.Mutex
	n        uint64
	selected []int
	applied  []int
	stats    TapStats
	log      []Decision
	held     []chan struct{}
}

const maxTapLog = 10000

// NewTap returns a Tap applying the first rule that fires for each message.
func NewTap(seed uint64, rules ...Rule) *Tap {
	return &Tap{seed: seed, rules: slices.Clone(rules), selected: make([]int, len(rules)), applied: make([]int, len(rules))}
}

func (t *Tap) maxBody() int64 {
	if t.MaxBody > 0 {
		return t.MaxBody
	}
	return 16 << 20
}

// Stats returns the counters.
func (t *Tap) Stats() TapStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// Decisions returns the decisions other than Pass, oldest first (at most the last 10,000).
func (t *Tap) Decisions() []Decision {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.log)
}

// decide picks the effect for one message. Every rule whose Action and Match select the
// message counts it (for Nth); then the first rule whose Nth, Limit and Prob let it fire wins.
func (t *Tap) decide(action string, body []byte) Decision {
	t.mu.Lock()
	t.n++
	t.stats.Messages++
	d := Decision{N: t.n, Action: action, Rule: -1}
	rng := rand.New(rand.NewPCG(t.seed, t.n))
	draws := make([]float64, len(t.rules)) // one draw per rule, fired or not: stable streams
	for i := range draws {
		draws[i] = rng.Float64()
	}
	sel := make([]bool, len(t.rules))
	for i, r := range t.rules {
		if r.Action != "" && r.Action != action {
			continue
		}
		if r.Match != nil && !r.Match(Message{N: t.n, Action: action, Body: body}) {
			continue
		}
		t.selected[i]++
		sel[i] = true
	}
	for i, r := range t.rules {
		if !sel[i] || (len(r.Nth) > 0 && !slices.Contains(r.Nth, t.selected[i])) ||
			(r.Limit > 0 && t.applied[i] >= r.Limit) || (r.Prob > 0 && draws[i] >= r.Prob) {
			continue
		}
		t.applied[i]++
		d.Rule, d.Effect, d.onResponse, d.wait = i, r.Effect, r.OnResponse, r.Delay
		t.params(&d, rng, len(body))
		break
	}
	t.count(d)
	if d.Effect != Pass {
		if len(t.log) == maxTapLog {
			t.log = t.log[1:]
		}
		t.log = append(t.log, d)
	}
	t.mu.Unlock()
	if d.Effect != Pass && t.OnDecision != nil {
		t.OnDecision(d)
	}
	return d
}

func (t *Tap) params(d *Decision, rng *rand.Rand, n int) {
	where := ""
	if d.onResponse {
		where = "response "
	}
	switch d.Effect {
	case Delay:
		d.Detail = where + d.wait.String()
	case Reorder:
		if d.wait <= 0 {
			d.wait = DefaultReorderHold
		}
		d.Detail = "hold up to " + d.wait.String()
	case Corrupt:
		d.mask = 1 << rng.IntN(7) // stays ASCII for ASCII input
		if n > 0 {
			d.at = rng.IntN(n)
		}
		d.Detail = fmt.Sprintf("%sbyte %d ^ 0x%02x", where, d.at, d.mask)
	case Truncate:
		if n > 0 {
			d.at = rng.IntN(n)
		}
		d.Detail = fmt.Sprintf("%sto %d bytes", where, d.at)
	}
}

func (t *Tap) count(d Decision) {
	s := &t.stats
	switch d.Effect {
	case Pass:
		s.Passed++
	case DropRequest:
		s.DroppedRequests++
	case DropResponse:
		s.DroppedResponses++
	case Delay:
		s.Delayed++
	case Duplicate:
		s.Duplicated++
	case Reorder:
		s.Reordered++
	case Corrupt:
		s.Corrupted++
	case Truncate:
		s.Truncated++
	}
}

// mutate applies Corrupt or Truncate to a copy of body; other effects return body.
func (d Decision) mutate(body []byte) []byte {
	switch d.Effect {
	case Corrupt:
		if len(body) == 0 {
			return body
		}
		out := slices.Clone(body)
		out[min(d.at, len(out)-1)] ^= d.mask
		return out
	case Truncate:
		return slices.Clone(body[:min(d.at, len(body))])
	}
	return body
}

// onRequest reports whether the decision's Delay/Corrupt/Truncate applies to the request.
func (d Decision) onRequest() bool { return !d.onResponse }

// hold blocks until another message has been delivered (releaseHeld), the hold time ends or
// ctx is done.
func (t *Tap) hold(ctx context.Context, d time.Duration) {
	ch := make(chan struct{})
	t.mu.Lock()
	t.held = append(t.held, ch)
	t.mu.Unlock()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ch:
		return
	case <-timer.C:
	case <-ctx.Done():
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if i := slices.Index(t.held, ch); i >= 0 {
		t.held = slices.Delete(t.held, i, i+1)
		t.stats.HoldTimeouts++
	}
}

// releaseHeld lets every held message go, after a message that overtook them was delivered.
func (t *Tap) releaseHeld() {
	t.mu.Lock()
	hs := t.held
	t.held = nil
	t.mu.Unlock()
	for _, ch := range hs {
		close(ch)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
