package peer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// restartRig runs a responder behind a stable address (so that a restarted responder is
// reached at the same endpoint, and the initiator's job keeps its plan) with bolt stores in
// temporary state directories for both peers, a delivered log, and a shared clock that a
// test can move forward (an outage longer than the SCT's lifetime).
type restartRig struct {
	t        *testing.T
	front    *httptest.Server
	handler  atomic.Pointer[http.Handler]
	serving  sync.RWMutex // held for reading by every request the responder is handling
	rdir     string
	idir     string
	key      []byte
	logPath  string
	skew     atomic.Int64
	lifetime time.Duration
	// duplex: the responder accepts Offers and echoes (Duplex), the initiator offers (Offer)
	// and receives the echoes at ifront (see duplexRig).
	duplex  bool
	profile Profile // of both peers (zero: P11)
	ifront  *httptest.Server
	ihandle atomic.Pointer[http.Handler]

	resp   *Responder
	rstore *bolt.DB
	rlog   *trace.DeliveredLog
	rstop  context.CancelFunc
}

func newRestartRig(t *testing.T) *restartRig {
	t.Helper()
	g := &restartRig{t: t, rdir: t.TempDir(), idir: t.TempDir(), key: make([]byte, token.StorageKeySize)}
	if _, err := rand.Read(g.key); err != nil {
		t.Fatal(err)
	}
	g.logPath = filepath.Join(t.TempDir(), "delivered.jsonl")
	g.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.serving.RLock()
		defer g.serving.RUnlock()
		if h := g.handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "responder down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(func() {
		g.stopResponder()
		g.front.Close()
	})
	return g
}

func (g *restartRig) now() time.Time { return time.Now().Add(time.Duration(g.skew.Load())) }

func (g *restartRig) to() string { return g.front.URL + "/rm" }

// startResponder starts a responder recovering from the rig's state directory and delivered
// log, as rsppeer does after a restart.
func (g *restartRig) startResponder() *Responder {
	g.t.Helper()
	st, err := bolt.Open(g.rdir, bolt.Options{})
	if err != nil {
		g.t.Fatal(err)
	}
	prior := readDelivered(g.t, g.logPath)
	log, err := trace.OpenDelivered(g.logPath, false)
	if err != nil {
		g.t.Fatal(err)
	}
	r, err := NewResponder(ResponderConfig{Store: st, StoreKey: g.key, Delivered: log, DeliveredPrior: prior, Duplex: g.duplex, Profile: g.profile,
		Now: g.now, Lifetime: g.lifetime, Retransmit: rm.Backoff{Base: 50 * time.Millisecond, Factor: 2, Max: 400 * time.Millisecond}})
	if err != nil {
		_ = st.Close()
		_ = log.Close()
		g.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	g.resp, g.rstore, g.rlog, g.rstop = r, st, log, cancel
	h := r.Handler()
	g.handler.Store(&h)
	return r
}

// quiesce takes the responder away (requests get 503) once the requests it is handling are
// answered — as rsppeer's graceful shutdown does before it closes the store. (Closing under a
// request in flight drops the batch that request stages after the close: its engine call
// then has no durable counterpart, which TestStoreMirrorsEngine would see.)
func (g *restartRig) quiesce() {
	g.serving.Lock()
	g.handler.Store(nil)
	g.serving.Unlock()
}

// stopResponder takes the responder away (quiesce) and closes its store.
func (g *restartRig) stopResponder() {
	g.quiesce()
	if g.resp == nil {
		return
	}
	g.rstop()
	if err := g.resp.Close(); err != nil {
		g.t.Error(err)
	}
	if err := g.rstore.Close(); err != nil {
		g.t.Error(err)
	}
	_ = g.rlog.Close()
	g.resp = nil
}

// initiator opens an initiator on the rig's initiator state directory.
func (g *restartRig) initiator() (*Initiator, *bolt.DB) {
	g.t.Helper()
	st, err := bolt.Open(g.idir, bolt.Options{})
	if err != nil {
		g.t.Fatal(err)
	}
	cfg := InitiatorConfig{To: g.to(), SOAP: soap.V12, Profile: g.profile, Store: st, StoreKey: g.key, Now: g.now,
		Retransmit: rm.Backoff{Base: 50 * time.Millisecond, Factor: 2, Max: 400 * time.Millisecond}}
	if g.duplex {
		cfg.Offer, cfg.AcksTo = true, g.ifront.URL+"/in"
	}
	in, err := NewInitiator(cfg)
	if err != nil {
		_ = st.Close()
		g.t.Fatal(err)
	}
	if g.duplex {
		h := in.Handler()
		g.ihandle.Store(&h)
	}
	return in, st
}

// duplexRig is a restart rig whose peers run duplex: the initiator's endpoint (its AcksTo and
// Offer Endpoint) keeps its address across restarts and answers 503 while no initiator runs.
func duplexRig(t *testing.T) *restartRig {
	g := newRestartRig(t)
	g.duplex = true
	g.ifront = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := g.ihandle.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "initiator down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(g.ifront.Close)
	return g
}

// closeInitiator takes the initiator away (its endpoint answers 503) and closes it.
func (g *restartRig) closeInitiator(in *Initiator, st *bolt.DB) {
	g.ihandle.Store(nil)
	if err := in.Close(); err != nil {
		g.t.Error(err)
	}
	if err := st.Close(); err != nil {
		g.t.Error(err)
	}
}

// interrupted runs plan until the responder delivered at least n messages, then stops the
// run and closes the initiator (a shutdown, not a crash: the crash tests are in cmd/rsppeer).
func (g *restartRig) interrupted(plan Plan, n int) {
	g.interruptedWhen(plan, func(*Initiator) bool { return len(g.resp.Delivered()) >= n })
}

// interruptedWhen runs plan until stop holds, then stops the run and closes the initiator.
func (g *restartRig) interruptedWhen(plan Plan, stop func(*Initiator) bool) {
	g.t.Helper()
	in, st := g.initiator()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		for ctx.Err() == nil && !stop(in) {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	if sum, err := in.Run(ctx, plan); err == nil {
		g.t.Fatalf("the run finished before it was interrupted: %s", sum)
	}
	g.closeInitiator(in, st)
}

// resume runs plan to its end on a new initiator over the same state directory.
func (g *restartRig) resume(plan Plan) (Summary, error) {
	g.t.Helper()
	in, st := g.initiator()
	defer g.closeInitiator(in, st)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return in.Run(ctx, plan)
}

// verify checks the delivered log against the whole job: exactly once, in order, payloads
// as planned.
func (g *restartRig) verify(sum Summary, plan Plan) {
	g.t.Helper()
	if len(sum.Expect) != plan.Sequences {
		g.t.Fatalf("summary expects %d sequences, want %d", len(sum.Expect), plan.Sequences)
	}
	total := 0
	for _, e := range sum.Expect {
		total += int(e.Count)
	}
	if total != plan.Messages {
		g.t.Fatalf("summary expects %d messages, want %d", total, plan.Messages)
	}
	if err := trace.Verify(readDelivered(g.t, g.logPath), sum.Expect); err != nil {
		g.t.Fatal(err)
	}
}

func readDelivered(t *testing.T, path string) []trace.Delivery {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := trace.ReadDelivered(f)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// snapshot reads a closed state directory.
func snapshot(t *testing.T, dir string) *store.Snapshot {
	t.Helper()
	st, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap, err := st.Recover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestResumeAfterRestart: both peers are stopped in the middle of a job and started again on
// their state directories; the initiator resumes the job (RM-PER-001/002/004: same
// sequences, same SCT, unacknowledged messages retransmitted, nothing renumbered) and the
// responder's delivered log shows every message exactly once, in order. A third run finds
// nothing to do; a run with another plan is refused.
func TestResumeAfterRestart(t *testing.T) {
	g := newRestartRig(t)
	g.startResponder()
	plan := Plan{Messages: 30, Sequences: 3, Size: 64, Interval: 15 * time.Millisecond}
	g.interrupted(plan, 10)
	before := snapshot(t, g.idir)
	if len(before.Sources) == 0 || len(before.Tokens) != 1 {
		t.Fatalf("the interrupted initiator stored %d sequences and %d tokens", len(before.Sources), len(before.Tokens))
	}
	g.stopResponder()
	g.startResponder()

	sum, err := g.resume(plan)
	if err != nil {
		t.Fatalf("resume: %v (%s)", err, sum)
	}
	if !sum.Resumed || sum.Acknowledged != 30 || sum.Terminated != 3 || !sum.Cancelled {
		t.Errorf("summary: %s", sum)
	}
	g.verify(sum, plan)
	for _, st := range before.Sources {
		if _, ok := sum.Expect[st.Seq]; !ok {
			t.Errorf("sequence %s of the first run was not continued", st.Seq)
		}
	}
	after := snapshot(t, g.idir)
	if len(after.Sources) != 0 || len(after.SourceMessages) != 0 || len(after.Tokens) != 0 {
		t.Errorf("finished job left %d sequences, %d messages, %d tokens", len(after.Sources), len(after.SourceMessages), len(after.Tokens))
	}

	again, err := g.resume(plan)
	if err != nil || !again.NothingToDo || !strings.Contains(again.String(), "nothing to do") {
		t.Errorf("finished job run again: %v (%s)", err, again)
	}
	other := plan
	other.Messages = 31
	var mismatch *JobMismatchError
	if _, err := g.resume(other); !errors.As(err, &mismatch) {
		t.Errorf("another plan on the same store: %v, want a JobMismatchError", err)
	}
}

// TestDeliveredLogTail: deliveries written to the delivered log just before a crash, whose
// batch never reached the store, are recognised after the restart: the engine delivers them
// again and the log does not get them twice.
func TestDeliveredLogTail(t *testing.T) {
	g := newRestartRig(t)
	g.startResponder()
	plan := Plan{Messages: 10, Sequences: 1, Size: 48, Interval: 40 * time.Millisecond}
	g.interrupted(plan, 3)
	g.stopResponder()
	snap := snapshot(t, g.rdir)
	if len(snap.Destinations) != 1 {
		t.Fatalf("%d destination sequences stored", len(snap.Destinations))
	}
	st := snap.Destinations[0]
	u := st.DeliveredUpTo
	if u+2 > uint64(plan.Messages) {
		t.Skipf("the run got too far (%d delivered)", u)
	}
	// What a crash between the log write and the commit leaves: lines beyond DeliveredUpTo.
	log, err := trace.OpenDelivered(g.logPath, false)
	if err != nil {
		t.Fatal(err)
	}
	for n := u + 1; n <= u+2; n++ {
		if err := log.Record(st.Seq, n, payload(planIndex(0, n, plan), plan.Size)); err != nil {
			t.Fatal(err)
		}
	}
	_ = log.Close()
	g.startResponder()
	sum, err := g.resume(plan)
	if err != nil {
		t.Fatalf("resume: %v (%s)", err, sum)
	}
	g.verify(sum, plan)
}

// TestRecoveredSequenceKeepsItsSCT (RM-PER-004, RM-STR-008/009): after a restart of both
// peers, a message on a recovered sequence is accepted when secured by the SCT the sequence is
// bound to — whose key both sides re-loaded from their sealed records — and refused when
// secured by another SCT of the same responder.
func TestRecoveredSequenceKeepsItsSCT(t *testing.T) {
	g := newRestartRig(t)
	g.startResponder()
	plan := Plan{Messages: 20, Sequences: 1, Size: 32, Interval: 30 * time.Millisecond}
	g.interrupted(plan, 3)
	g.stopResponder()
	r := g.startResponder()

	snap := snapshot(t, g.idir)
	if len(snap.Sources) != 1 || len(snap.Tokens) != 1 {
		t.Fatalf("stored: %d sequences, %d tokens", len(snap.Sources), len(snap.Tokens))
	}
	seq := snap.Sources[0]
	sealer, err := token.NewSealer(g.key, nil)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := sealer.Unmarshal(snap.Tokens[0].Sealed)
	if err != nil || bound.Identifier != seq.Token {
		t.Fatalf("stored SCT %v (%v), sequence bound to %s", bound, err, seq.Token)
	}
	stranger, err := NewInitiator(InitiatorConfig{To: g.to(), SOAP: soap.V12, Now: g.now})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	other, err := stranger.obtain(context.Background(), g.to())
	if err != nil {
		t.Fatal(err)
	}
	n := seq.Next + 5 // a number of its own, so the job's messages are untouched
	send := func(tok token.Token) (int, string) {
		h := wsrm.Sequence{V: P11.RM(), Identifier: seq.Seq, MessageNumber: n}
		env := &codec.Envelope{SOAP: soap.V12, Addressing: addressing(AppAction, g.to()),
			Headers: []codec.Header{{Value: &h, MustUnderstand: true}}, Body: []any{appBody([]byte("intruder"))}}
		raw, err := build(env, ptr(tok.Security()), policy(P11), g.now())
		if err != nil {
			t.Fatal(err)
		}
		resp, err := stranger.client.Post(context.Background(), g.to(), soap.V12, AppAction, raw)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Status, string(resp.Body)
	}
	status, body := send(other)
	if status < 400 || !strings.Contains(body, "FailedAuthentication") {
		t.Errorf("message secured by another SCT: HTTP %d %.300s", status, body)
	}
	if status, body := send(bound); status >= 300 || !strings.Contains(body, seq.Seq) {
		t.Errorf("message secured by the bound SCT (re-loaded from the store): HTTP %d %.300s", status, body)
	}
	_, held, ok := r.dest.Status(seq.Seq)
	if !ok || len(held) != 1 || held[0] != n {
		t.Errorf("recovered sequence holds %v, want only the bound-SCT message %d", held, n)
	}
}

func ptr[T any](v T) *T { return &v }

// secretForms are the encodings a leaked secret would show in a file.
func secretForms(secret []byte) []string {
	return []string{string(secret), base64.StdEncoding.EncodeToString(secret),
		base64.RawURLEncoding.EncodeToString(secret), hex.EncodeToString(secret)}
}

// TestSCTExpiredDuringOutage (RM-PER-006, SC-RNW): the initiator is down longer than the SCT
// lives; on resume it renews the SCT (same Identifier, new Instance) before retransmitting, and
// the job completes on the same sequences.
func TestSCTExpiredDuringOutage(t *testing.T) {
	g := newRestartRig(t)
	g.lifetime = 10 * time.Minute
	g.startResponder()
	plan := Plan{Messages: 16, Sequences: 2, Size: 40, Interval: 20 * time.Millisecond}
	g.interrupted(plan, 4)
	before := snapshot(t, g.idir)
	if len(before.Tokens) != 1 {
		t.Fatalf("%d stored tokens", len(before.Tokens))
	}
	g.skew.Add(int64(20 * time.Minute)) // the outage outlasts the SCT
	sum, err := g.resume(plan)
	if err != nil {
		t.Fatalf("resume: %v (%s)", err, sum)
	}
	if sum.Renewals < 1 {
		t.Errorf("no renewal after the outage: %s", sum)
	}
	g.verify(sum, plan)
	var instances []string
	for _, tk := range g.resp.Tokens() {
		if tk.Identifier == before.Tokens[0].Identifier {
			instances = append(instances, tk.Instance)
		}
	}
	if len(instances) < 2 {
		t.Errorf("the responder saw instances %q of %s, want the original and a renewal", instances, before.Tokens[0].Identifier)
	}
}

// TestRenewalImpossible (RM-PER-006/007): when the expired SCT cannot be renewed (the
// responder no longer knows it), the initiator stops with a clear error, binds nothing to a
// new SCT, and loses nothing: the messages stay in its store.
func TestRenewalImpossible(t *testing.T) {
	g := newRestartRig(t)
	g.startResponder()
	plan := Plan{Messages: 16, Sequences: 2, Size: 40, Interval: 20 * time.Millisecond}
	g.interrupted(plan, 4)
	before := snapshot(t, g.idir)
	g.stopResponder()
	g.rdir = t.TempDir() // a responder that lost its state
	g.logPath = filepath.Join(t.TempDir(), "delivered.jsonl")
	g.startResponder()
	g.skew.Add(int64(2 * time.Hour))
	sum, err := g.resume(plan)
	if !errors.Is(err, token.ErrRenew) || !strings.Contains(err.Error(), "stay in the store") {
		t.Fatalf("resume against a responder that lost the SCT: %v (%s)", err, sum)
	}
	after := snapshot(t, g.idir)
	if len(after.Sources) != len(before.Sources) || len(after.SourceMessages) != len(before.SourceMessages) ||
		len(after.Tokens) != 1 || after.Tokens[0].Identifier != before.Tokens[0].Identifier {
		t.Errorf("store changed: %d/%d sequences, %d/%d messages, tokens %v",
			len(after.Sources), len(before.Sources), len(after.SourceMessages), len(before.SourceMessages), after.Tokens)
	}
}

// TestSecretsSealedAtRest (RM-PER-005): neither peer's store file holds an SCT secret in the
// clear, in base64 or in hex.
func TestSecretsSealedAtRest(t *testing.T) {
	g := newRestartRig(t)
	r := g.startResponder()
	g.interrupted(Plan{Messages: 20, Sequences: 2, Size: 32, Interval: 20 * time.Millisecond}, 2)
	secrets := r.Tokens()
	g.stopResponder()
	if len(secrets) == 0 {
		t.Fatal("no token issued")
	}
	for _, dir := range []string{g.rdir, g.idir} {
		raw, err := os.ReadFile(filepath.Join(dir, bolt.FileName))
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range secrets {
			for _, form := range secretForms(tk.Secret) {
				if strings.Contains(string(raw), form) {
					t.Errorf("%s holds the secret of %s in the clear", dir, tk.Identifier)
				}
			}
		}
	}
}

// TestStoreConfiguration: what a peer refuses when opening a store.
func TestStoreConfiguration(t *testing.T) {
	g := newRestartRig(t)
	g.startResponder()
	g.interrupted(Plan{Messages: 10, Sequences: 1, Size: 16, Interval: 20 * time.Millisecond}, 2)
	g.stopResponder()
	open := func(dir string) *bolt.DB {
		st, err := bolt.Open(dir, bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	rst, ist := open(g.rdir), open(g.idir)
	wrong := make([]byte, token.StorageKeySize)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"no key", errOf(NewResponder(ResponderConfig{Store: rst})), "storage key"},
		{"wrong key responder", errOf(NewResponder(ResponderConfig{Store: rst, StoreKey: wrong})), "does not open"},
		{"wrong key initiator", errOf(NewInitiator(InitiatorConfig{To: g.to(), Store: ist, StoreKey: wrong})), "does not open"},
		{"initiator on a responder's store", errOf(NewInitiator(InitiatorConfig{To: g.to(), Store: rst, StoreKey: g.key})), "state of an responder"},
		{"responder on an initiator's store", errOf(NewResponder(ResponderConfig{Store: ist, StoreKey: g.key})), "state of an initiator"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %q", c.name, c.err, c.want)
		}
	}
}

func errOf[T any](_ T, err error) error { return err }

// failingStore fails every Commit after the first ok ones.
type failingStore struct {
	store.Store
	ok atomic.Int64
}

func (f *failingStore) Commit(ctx context.Context, b store.Batch) error {
	if f.ok.Add(-1) < 0 {
		return errors.New("disk on fire")
	}
	return f.Store.Commit(ctx, b)
}

// TestStoreFailureStopsAcknowledgements: when a commit fails the responder acknowledges
// nothing more (durability before acknowledgement) and reports the failure.
func TestStoreFailureStopsAcknowledgements(t *testing.T) {
	g := newRestartRig(t)
	st, err := bolt.Open(g.rdir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs := &failingStore{Store: st}
	fs.ok.Store(8)
	r, err := NewResponder(ResponderConfig{Store: fs, StoreKey: g.key})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Handler()
	g.handler.Store(&h)
	in, err := NewInitiator(InitiatorConfig{To: g.to(), SOAP: soap.V12, Retransmit: rm.Backoff{Base: 30 * time.Millisecond, Factor: 1, Max: 30 * time.Millisecond, Limit: 3}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sum, err := in.Run(ctx, Plan{Messages: 20, Sequences: 1, Size: 16})
	if err == nil {
		t.Fatalf("run against a failing store succeeded: %s", sum)
	}
	select {
	case err := <-r.Failed():
		if !strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("failure: %v", err)
		}
	default:
		t.Error("Failed reported nothing")
	}
	if sum.Acknowledged != 0 || len(r.Delivered()) > 8 {
		t.Errorf("after the store failed: %s, %d delivered", sum, len(r.Delivered()))
	}
}

// TestStoreMirrorsEngine: with many sequences committing concurrently (engine calls merged
// into shared commits), what the stores hold after the peers stop is exactly the engines'
// state: group commit keeps every call's batch, in engine order.
func TestStoreMirrorsEngine(t *testing.T) {
	g := newRestartRig(t)
	r := g.startResponder()
	in, st := g.initiator()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	go func() {
		for ctx.Err() == nil && len(r.Delivered()) < 150 {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
	}()
	_, _ = in.Run(ctx, Plan{Messages: 400, Sequences: 12, Size: 32, Window: 3})
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	stats := in.CommitStats()
	in.mu.Lock()
	states, msgs := in.src.Snapshot()
	in.mu.Unlock()
	got, err := st.Recover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	if !reflect.DeepEqual(normSources(states), normSources(got.Sources)) || !sameMessages(msgs, got.SourceMessages) {
		t.Errorf("initiator store differs from its Source:\nengine %+v\nstore  %+v", states, got.Sources)
	}
	g.quiesce()
	g.rstop()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	dstates, dmsgs := r.dest.Snapshot()
	r.mu.Unlock()
	rgot, err := g.rstore.Recover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normDestinations(dstates), normDestinations(rgot.Destinations)) || !sameMessages(dmsgs, rgot.DestinationMessages) {
		t.Errorf("responder store differs from its Destination:\nengine %+v\nstore  %+v", dstates, rgot.Destinations)
	}
	t.Logf("initiator: %d engine calls in %d commits", stats.Calls, stats.Commits)
}

func normSources(ss []rm.SourceState) []rm.SourceState {
	out := make([]rm.SourceState, 0, len(ss))
	for _, s := range ss {
		s.Expires = s.Expires.UTC()
		out = append(out, s)
	}
	return out
}

func normDestinations(ss []rm.DestinationState) []rm.DestinationState {
	out := make([]rm.DestinationState, 0, len(ss))
	for _, s := range ss {
		s.Expires = s.Expires.UTC()
		out = append(out, s)
	}
	return out
}

func sameMessages(a, b []rm.StoredMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Seq != b[i].Seq || a[i].Number != b[i].Number || !bytes.Equal(a[i].Payload, b[i].Payload) {
			return false
		}
	}
	return true
}

// TestCrashAfterCancel: the previous run cancelled the SCT but died before recording the end
// of the job. The resumed run finds every sequence terminated, cancels again — the issuer
// answers wsc:BadContextToken, which here means done — and records the end; likewise when the
// SCT has expired meanwhile (renewing it fails for the same reason).
func TestCrashAfterCancel(t *testing.T) {
	g := newRestartRig(t)
	g.startResponder()
	plan := Plan{Messages: 12, Sequences: 2, Size: 24, Interval: 10 * time.Millisecond}
	g.interrupted(plan, 2)
	mid := snapshot(t, g.idir)
	if len(mid.Tokens) != 1 {
		t.Fatalf("%d stored tokens", len(mid.Tokens))
	}
	if sum, err := g.resume(plan); err != nil {
		t.Fatalf("resume: %v (%s)", err, sum)
	}
	for _, skew := range []time.Duration{0, 3 * time.Hour} {
		st, err := bolt.Open(g.idir, bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b store.Batch
		b.PutToken(mid.Tokens[0])
		b.DeleteMeta(metaDone)
		if err := st.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		_ = st.Close()
		g.skew.Add(int64(skew))
		sum, err := g.resume(plan)
		if err != nil || !sum.Cancelled || sum.NothingToDo || sum.Acknowledged != plan.Messages {
			t.Errorf("skew %v: %v (%s)", skew, err, sum)
		}
		if after := snapshot(t, g.idir); len(after.Tokens) != 0 {
			t.Errorf("skew %v: the token record is still there", skew)
		}
	}
}
