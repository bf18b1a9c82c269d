package peer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/token/trust"
	"github.com/rspcheck/rspcheck/internal/trace"
)

// The job of Run (issue #5): with a Store, Run is resumable. Its plan is persisted at the
// first start; each plan slot k (the k-th sequence, carrying messages k, k+K, k+2K, ... whose
// payloads derive from their index) records its sequence identifier in the same batch as the
// sequence's first state (so a crash cannot leave a sequence without its slot), and its end in
// the batch that deletes the sequence. A Run on the same store then resumes: recovered
// sequences retransmit their unacknowledged messages (never renumbered, RM-PER-002) and go on
// from their next number, slots without a sequence create one, and a finished job is
// reported as such.
//
// A duplex job (Offer) also records, for each forward sequence, its reverse sequence (in the
// batch that adopts it) and how that ended (in the batch that deletes it), and every reply the
// reverse sequences delivered (in the batch that records the delivery): so a resumed run
// still checks that each reverse sequence echoed its forward sequence exactly once, in order.

// Metadata keys of the job.
const (
	metaPlan = "job/plan"
	metaDone = "job/done"
	metaSlot = "job/slot/" // + slot number
	// Duplex jobs.
	metaReverse = "job/reverse/" // + forward sequence: reverseRecord
	metaReply   = "job/reply/"   // + reverse sequence + "/" + message number: payload digest
)

// reverseRecord is the persisted reverse sequence of a forward sequence.
type reverseRecord struct {
	Seq   string `json:"seq"`
	Ended string `json:"ended,omitempty"` // rm.EndReason
}

func replyKey(rev string, n uint64) string {
	return metaReply + rev + "/" + strconv.FormatUint(n, 10)
}

// jobPlan is the persisted plan: what must be the same for a run to resume it.
type jobPlan struct {
	Messages  int    `json:"messages"`
	Sequences int    `json:"sequences"`
	Size      int    `json:"size"`
	To        string `json:"to"`
	Profile   string `json:"profile"`
	Offer     bool   `json:"offer,omitempty"` // duplex
	// Endpoint is where the reverse sequences are sent (the Offer's Endpoint, the initiator's
	// own): a resumed duplex job must listen there again.
	Endpoint string `json:"endpoint,omitempty"`
}

func (p jobPlan) String() string {
	duplex := ""
	if p.Offer {
		duplex = ", duplex at " + p.Endpoint
	}
	return fmt.Sprintf("%d messages of %d octets over %d sequences to %s (%s%s)", p.Messages, p.Size, p.Sequences, p.To, p.Profile, duplex)
}

// slotRecord is the persisted state of one plan slot.
type slotRecord struct {
	Seq   string `json:"seq"`
	Ended string `json:"ended,omitempty"` // rm.EndReason
}

// jobDone is written when the job finished (every sequence terminated, the SCT cancelled).
type jobDone struct {
	Acknowledged int       `json:"acknowledged"`
	Terminated   int       `json:"terminated"`
	Finished     time.Time `json:"finished"`
}

// job is the bookkeeping of the current Run. Guarded by Initiator.mu.
type job struct {
	plan   Plan
	slots  map[int]slotRecord // recovered slots
	slotOf map[string]int     // CreateSequence reference or sequence identifier -> slot
	saved  map[int]bool       // slots whose sequence identifier is in the store
	revOf  map[string]string  // duplex: reverse sequence -> forward sequence
	// durable: record the job's metadata (a Store was given).
	durable bool
}

// JobMismatchError: the initiator's store holds another job than the one Run was asked for.
type JobMismatchError struct {
	Stored, Asked string
}

func (e *JobMismatchError) Error() string {
	return fmt.Sprintf("initiator: the store holds the job %s; this run asks for %s (run it with the same options to resume it, or use another state directory)", e.Stored, e.Asked)
}

func slotKey(k int) string { return metaSlot + strconv.Itoa(k) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings and numbers
	}
	return b
}

// startJob installs the job of plan: a fresh one, or — with a Store holding one — the stored
// job, which must have the same plan. A finished job sets sum.NothingToDo.
func (in *Initiator) startJob(ctx context.Context, plan Plan, sum *Summary) error {
	p := in.per
	jp := jobPlan{Messages: plan.Messages, Sequences: plan.Sequences, Size: plan.Size, To: in.cfg.To, Profile: in.cfg.Profile.String(),
		Offer: in.cfg.Offer}
	if in.cfg.Offer {
		jp.Endpoint = in.cfg.AcksTo
	}
	j := &job{plan: plan, slots: map[int]slotRecord{}, slotOf: map[string]int{}, saved: map[int]bool{}, revOf: map[string]string{},
		durable: p.durable}
	var rev *reverseMeta
	fresh := true
	if p.durable {
		in.mu.Lock()
		meta := p.meta
		live := in.src.Len()
		in.mu.Unlock()
		raw, ok := meta[metaPlan]
		switch {
		case ok:
			var stored jobPlan
			if err := json.Unmarshal(raw, &stored); err != nil {
				return fmt.Errorf("initiator: stored job plan: %w", err)
			}
			if stored != jp {
				return &JobMismatchError{Stored: stored.String(), Asked: jp.String()}
			}
			fresh = false
		case live > 0:
			return fmt.Errorf("initiator: the store holds %d sequences but no job plan", live)
		}
		if raw, ok := meta[metaDone]; ok {
			var d jobDone
			if err := json.Unmarshal(raw, &d); err != nil {
				return fmt.Errorf("initiator: stored job end: %w", err)
			}
			sum.NothingToDo, sum.Cancelled = true, true
			sum.Acknowledged, sum.Terminated = d.Acknowledged, d.Terminated
			return nil
		}
		var err error
		if rev, err = readReverseMeta(meta); err != nil {
			return err
		}
		for key, v := range meta {
			if !strings.HasPrefix(key, metaSlot) {
				continue
			}
			k, err := strconv.Atoi(strings.TrimPrefix(key, metaSlot))
			var rec slotRecord
			if err == nil {
				err = json.Unmarshal(v, &rec)
			}
			if err != nil || k < 0 || k >= plan.Sequences || rec.Seq == "" {
				return fmt.Errorf("initiator: stored job slot %q is unreadable", key)
			}
			j.slots[k], j.slotOf[rec.Seq], j.saved[k] = rec, k, true
		}
		sum.Resumed = !fresh
	}
	in.mu.Lock()
	p.job = j
	rev.install(in)
	in.mu.Unlock()
	if !fresh {
		return nil
	}
	var b store.Batch
	b.PutMeta(metaPlan, mustJSON(jp))
	if err := p.dur.commit(ctx, b); err != nil {
		return fmt.Errorf("initiator: persist the job plan: %w", err)
	}
	in.mu.Lock()
	p.meta = map[string][]byte{metaPlan: mustJSON(jp)}
	in.mu.Unlock()
	return nil
}

// jobMeta is the job metadata implied by one engine call's actions: a slot's sequence
// identifier with the sequence's first state, a slot's end with the sequence's deletion; in a
// duplex job also a reverse sequence with its first state, its end with its deletion, and each
// reply with its delivery. Caller holds in.mu.
func (p *initiatorStore) jobMeta(acts []rm.Action) store.Batch {
	var b store.Batch
	j := p.job
	if j == nil {
		return b
	}
	for _, a := range acts {
		switch x := a.(type) {
		case rm.PutSource:
			if k, ok := j.slotOf[x.State.Seq]; ok && !j.saved[k] {
				j.saved[k] = true
				b.PutMeta(slotKey(k), mustJSON(slotRecord{Seq: x.State.Seq}))
			}
		case rm.Ended:
			// A CreateSequence that failed persisted nothing: its slot is created again.
			if k, ok := j.slotOf[x.Seq]; ok && x.Role == rm.RoleSource && j.saved[k] {
				b.PutMeta(slotKey(k), mustJSON(slotRecord{Seq: x.Seq, Ended: x.Reason.String()}))
			}
			if fwd, ok := j.revOf[x.Seq]; ok && x.Role == rm.RoleDestination && j.durable {
				b.PutMeta(metaReverse+fwd, mustJSON(reverseRecord{Seq: x.Seq, Ended: x.Reason.String()}))
			}
		case rm.PutDestination:
			// A reverse sequence adopted (the first state of a Destination sequence).
			if fwd := x.State.Forward; fwd != "" && j.revOf[x.State.Seq] == "" {
				j.revOf[x.State.Seq] = fwd
				if j.durable {
					b.PutMeta(metaReverse+fwd, mustJSON(reverseRecord{Seq: x.State.Seq}))
				}
			}
		case rm.Deliver:
			if _, ok := j.revOf[x.Seq]; ok && j.durable {
				b.PutMeta(replyKey(x.Seq, x.Number), []byte(trace.PayloadDigest(x.Payload)))
			}
		}
	}
	return b
}

// bindSlot remembers that the CreateSequence ref belongs to slot k, or — with id — that the
// sequence id answered it. Caller holds in.mu.
func (in *Initiator) bindSlot(ref, id string) {
	j := in.per.job
	if j == nil {
		return
	}
	if k, ok := j.slotOf[ref]; ok && id != "" {
		j.slotOf[id] = k
	}
}

// resumePoint tells how slot k goes on: created == false means its sequence must be created;
// otherwise id is its sequence and next the first number still to be assigned. A slot whose
// sequence ended in an earlier run returns its end.
func (in *Initiator) resumePoint(k int) (id string, next uint64, ended string, created bool, err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	j := in.per.job
	if j == nil {
		return "", 1, "", false, nil
	}
	rec, ok := j.slots[k]
	if !ok {
		return "", 1, "", false, nil
	}
	if rec.Ended != "" {
		return rec.Seq, 0, rec.Ended, true, nil
	}
	st, ok := in.src.Status(rec.Seq)
	if !ok {
		return rec.Seq, 0, "", true, fmt.Errorf("sequence %d (%s): its state is not in the store", k, rec.Seq)
	}
	return rec.Seq, max(st.State.Next, 1), "", true, nil
}

// Payload is the content of message i (0 <= i < Messages) of the plan: derived from i and
// Size alone, so that a resumed job, and whoever checks a delivered log, can recompute it.
// Message i travels on sequence i mod Sequences as its message number i/Sequences + 1.
func (p Plan) Payload(i int) []byte { return payload(i, p.Size) }

// window runs up to n transmissions of one sequence at once (Plan.Window).
type window struct {
	sem chan struct{}
	wg  sync.WaitGroup
}

func newWindow(n int) *window { return &window{sem: make(chan struct{}, max(n, 1))} }

// do runs f: inline for a window of 1, else in a goroutine once a slot is free.
func (w *window) do(ctx context.Context, f func()) {
	if cap(w.sem) == 1 {
		f()
		return
	}
	select {
	case w.sem <- struct{}{}:
	case <-ctx.Done():
		return // the run is over; the message stays stored for a later run
	}
	w.wg.Add(1)
	go func() {
		defer func() { <-w.sem; w.wg.Done() }()
		f()
	}()
}

func (w *window) wait() { w.wg.Wait() }

// slotCount is the number of messages of slot k: indexes k, k+K, ... below Messages.
func slotCount(k int, plan Plan) uint64 {
	if k >= plan.Messages {
		return 0
	}
	return uint64((plan.Messages-k-1)/plan.Sequences + 1)
}

// planIndex is the plan index of message number n (from 1) of slot k.
func planIndex(k int, n uint64, plan Plan) int { return k + int(n-1)*plan.Sequences }

// expectUpTo is what the delivered log must show for messages 1..n of slot k.
func expectUpTo(k int, n uint64, plan Plan) trace.Expect {
	exp := trace.Expect{InOrder: true, Digests: map[uint64]string{}}
	for m := uint64(1); m <= min(n, slotCount(k, plan)); m++ {
		exp.Count = m
		exp.Digests[m] = trace.PayloadDigest(payload(planIndex(k, m, plan), plan.Size))
	}
	return exp
}

// finishJob records the end of the job after the SCT was cancelled: the sealed SCT goes, the
// job is marked finished (a later Run has nothing to do).
func (in *Initiator) finishJob(ctx context.Context, tok string, sum *Summary) error {
	d := jobDone{Acknowledged: sum.Acknowledged, Terminated: sum.Terminated, Finished: time.Now().UTC()}
	var b store.Batch
	in.mu.Lock()
	for id, t := range in.tokens {
		if id == tok || strings.HasPrefix(t.Endpoint, in.cfg.To) {
			b.DeleteToken(id)
		}
	}
	in.mu.Unlock()
	b.PutMeta(metaDone, mustJSON(d))
	if err := in.per.dur.commit(ctx, b); err != nil {
		return fmt.Errorf("initiator: record the end of the job: %w", err)
	}
	in.mu.Lock()
	in.per.meta[metaDone] = mustJSON(d)
	in.mu.Unlock()
	return nil
}

// cancelJob cancels the job's SCT (FLOW Mx). In a resumed job the SCT may have expired
// meanwhile (it is renewed to be cancelled), or the issuer may have cancelled it already (the
// previous run died after the Cancel, before recording it).
func (in *Initiator) cancelJob(ctx context.Context, endpoint string, resumed bool) error {
	err := in.cancel(ctx, endpoint)
	if err != nil && resumed && errors.Is(err, trust.ErrRenewNeeded) {
		if _, err = in.prov.Renew(ctx, endpoint); err == nil {
			err = in.cancel(ctx, endpoint)
		}
	}
	if err != nil && resumed && errors.Is(err, trust.ErrBadContextToken) {
		in.prov.Drop(endpoint)
		return nil
	}
	return err
}

// jobComplete reports whether every sequence of a resumed job has terminated.
func (in *Initiator) jobComplete() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	j := in.per.job
	if j == nil || len(j.slots) < j.plan.Sequences {
		return false
	}
	for _, rec := range j.slots {
		if rec.Ended != rm.EndCompleted.String() {
			return false
		}
	}
	return true
}
