package framework

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/peer"
)

// The recovery phase (RM-PER-*): SUTs that the suite stops and starts again in the middle of
// a sequence. The embedded reference peers keep their state in a bolt store in a temporary
// state directory (sealed with a random storage key) and are restarted in process on it; an
// external responder is restarted with its descriptor's restart command, an external
// initiator is killed and its run command run again (both need CapRestart).

// ---- SUT responder ----

// RestartableResponder is a SUT responder the suite can restart mid-sequence. Its Endpoint
// stays the same across restarts (the embedded responder sits behind a front server of the
// suite that answers 503 while it is down).
type RestartableResponder struct {
	*SUTResponder
	spec    *Spec
	cfgs    []func(*peer.ResponderConfig)
	handler atomic.Pointer[http.Handler]
	dir     string
	key     []byte
	st      *bolt.DB
	stop    context.CancelFunc
	past    []trace.Delivery // what earlier incarnations delivered
	// Restarts counts the restarts so far.
	Restarts int
}

// RestartableResponder returns the SUT responder of a recovery spec (skipped as unsupported
// unless the SUT declares CapRestart): the embedded reference responder with a persistent
// store (reverse sequences of accepted Offers included), or the external product.
func (s *Spec) RestartableResponder(cfgs ...func(*peer.ResponderConfig)) *RestartableResponder {
	s.Require(CapRestart)
	if s.cfg.SUT != nil {
		return &RestartableResponder{SUTResponder: &SUTResponder{Endpoint: s.cfg.SUT.Endpoint}, spec: s}
	}
	r := &RestartableResponder{SUTResponder: &SUTResponder{}, spec: s, cfgs: cfgs, dir: GinkgoT().TempDir(),
		key: storageKey()}
	front, err := transport.NewServer("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if h := r.handler.Load(); h != nil {
			(*h).ServeHTTP(w, req)
			return
		}
		http.Error(w, "responder down (restarting)", http.StatusServiceUnavailable)
	}))
	if err != nil {
		Fail(fmt.Sprintf("restartable responder: %v", err))
	}
	DeferCleanup(func() {
		r.Stop()
		_ = front.Close()
	})
	r.Endpoint = front.URL() + "/rm"
	r.Start()
	return r
}

func storageKey() []byte {
	k := make([]byte, token.StorageKeySize)
	if _, err := rand.Read(k); err != nil {
		Fail(fmt.Sprintf("storage key: %v", err))
	}
	return k
}

// config is the configuration of the embedded responder (the store excepted).
func (r *RestartableResponder) config() peer.ResponderConfig {
	c := r.spec.cfg
	// Offers accepted, as by Spec.Responder: a durable responder recovers its reverse
	// sequences too.
	rc := peer.ResponderConfig{Profile: c.Profile, SOAP: c.SOAP, Misbehave: knobsFor(Responder, c.Misbehave), Duplex: true}
	for _, f := range r.cfgs {
		f(&rc)
	}
	return rc
}

// Start starts an embedded responder recovering from the state directory (embedded only).
func (r *RestartableResponder) Start() {
	r.embeddedOnly("Start")
	if r.st != nil {
		return
	}
	st, err := bolt.Open(r.dir, bolt.Options{})
	if err != nil {
		Fail(fmt.Sprintf("restartable responder: open the store: %v", err))
	}
	rc := r.config()
	rc.Store, rc.StoreKey = st, r.key
	resp, err := peer.NewResponder(rc)
	if err != nil {
		_ = st.Close()
		Fail(fmt.Sprintf("restartable responder: start on its store: %v", err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	resp.Start(ctx)
	r.st, r.stop, r.Embedded = st, cancel, resp
	h := resp.Handler()
	r.handler.Store(&h)
}

// Stop takes the embedded responder away (requests get HTTP 503) and closes it and its store
// (embedded only; a no-op when it is stopped).
func (r *RestartableResponder) Stop() {
	if r.st == nil {
		return
	}
	r.handler.Store(nil)
	r.stop()
	err := r.Embedded.Close()
	r.past = append(r.past, r.Embedded.Delivered()...)
	if e := r.st.Close(); err == nil {
		err = e
	}
	r.st = nil
	if err != nil {
		Fail(fmt.Sprintf("restartable responder: stop: %v", err))
	}
}

// Restart restarts the SUT: the embedded responder is stopped and a new one recovers from the
// same store; an external SUT runs its descriptor's restart command, then the suite waits
// until its endpoint accepts connections again.
func (r *RestartableResponder) Restart(ctx context.Context) {
	r.Restarts++
	if r.spec.cfg.SUT == nil {
		r.Stop()
		r.Start()
		return
	}
	if restart := r.spec.cfg.RestartSUT; restart != nil {
		// a container: restarted through its engine; the mapped port can change
		ep, err := restart(ctx)
		if err != nil {
			Fail(fmt.Sprintf("restart the SUT: %v", err))
		}
		r.Endpoint = ep
		if err := awaitListening(ctx, r.Endpoint, 30*time.Second); err != nil {
			Fail(fmt.Sprintf("after the restart: %v", err))
		}
		return
	}
	sut := r.spec.cfg.SUT
	cmd := exec.CommandContext(ctx, sut.Restart[0], sut.Restart[1:]...)
	cmd.WaitDelay = 2 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		Fail(fmt.Sprintf("restart command %s: %v\n%s", strings.Join(sut.Restart, " "), err, out))
	}
	if err := awaitListening(ctx, r.Endpoint, 30*time.Second); err != nil {
		Fail(fmt.Sprintf("after the restart command: %v", err))
	}
}

// Delivered is what the SUT's application received across every restart, in order
// (observable SUTs only).
func (r *RestartableResponder) Delivered() []trace.Delivery {
	if r.Embedded == nil {
		return nil
	}
	out := append([]trace.Delivery(nil), r.past...)
	if r.st != nil {
		out = append(out, r.Embedded.Delivered()...)
	}
	return out
}

// StoreDir is the embedded responder's state directory; StoreKey its storage key.
func (r *RestartableResponder) StoreDir() string { r.embeddedOnly("StoreDir"); return r.dir }

// StoreKey is the storage key sealing the embedded responder's SCTs at rest.
func (r *RestartableResponder) StoreKey() []byte { r.embeddedOnly("StoreKey"); return r.key }

// Reopen starts a responder on another state directory with key and returns the error
// NewResponder gives (the responder is closed at once): to see what it refuses (RM-PER-005).
func (r *RestartableResponder) Reopen(dir string, key []byte) error {
	st, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	rc := r.config()
	rc.Store, rc.StoreKey = st, key
	resp, err := peer.NewResponder(rc)
	if err == nil {
		_ = resp.Close()
	}
	return err
}

func (r *RestartableResponder) embeddedOnly(what string) {
	if r.spec.cfg.SUT != nil {
		Fail(fmt.Sprintf("RestartableResponder.%s: embedded responder only", what))
	}
}

// awaitListening waits until endpoint's host accepts TCP connections.
func awaitListening(ctx context.Context, endpoint string, limit time.Duration) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	host := net.JoinHostPort(u.Hostname(), port)
	deadline := time.Now().Add(limit)
	for {
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", host)
		if err == nil {
			_ = c.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s does not accept connections: %w", host, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ---- SUT initiator ----

// RestartScenario is a SUT initiator's job interrupted by a crash and resumed: one sequence
// of Messages application messages; the SUT is killed when it first sends message number
// CrashAt (that transmission is lost, so acknowledgements cover the earlier numbers only),
// then run again on its state.
type RestartScenario struct {
	Messages int    // 5 when zero
	Size     int    // payload size, 32 when zero
	CrashAt  uint64 // 3 when zero
	// Responder configures the scripted responder (the suite side).
	Responder peer.ResponderConfig
	// Timeout bounds each of the two runs (12 s when zero: both fit in the spec's timeout).
	Timeout time.Duration
}

// Transmission is one transmission of a sequence message that reached the suite's front
// server, lost ones included.
type Transmission struct {
	Run     int // 1: before the crash, 2: after the restart, 0: in between (lost)
	At      time.Time
	Raw     []byte
	Msg     *codec.Message
	Seq     *wsrm.Sequence
	Dropped bool // never reached the scripted responder
}

// RestartRig runs a SUT initiator against a scripted responder behind a stable endpoint,
// kills it at the crash point, and runs it again.
type RestartRig struct {
	spec     *Spec
	sc       RestartScenario
	Endpoint string
	handler  atomic.Pointer[http.Handler]
	skew     atomic.Int64
	dir      string
	key      []byte
	state    string // an external SUT's {state} directory

	mu       sync.Mutex
	run      int // 1, 0 (crashed, down), 2
	crash    context.CancelFunc
	crashed  bool
	txs      []*Transmission
	scripted []*peer.Responder
	resumeN  int

	// First is the interrupted run; Second the resumed one.
	First, Second *InitiatorRun
	// ResumeTimedOut: the resumed run did not end by itself; the suite stopped it when its
	// Timeout (or the spec's) ran out, so its error is not the SUT's verdict.
	ResumeTimedOut bool
}

// RestartableInitiator prepares a recovery scenario of the SUT initiator (skipped as
// unsupported unless the SUT declares CapRestart).
func (s *Spec) RestartableInitiator(sc RestartScenario) *RestartRig {
	s.Require(CapRestart)
	if sc.Messages <= 0 {
		sc.Messages = 5
	}
	if sc.Size <= 0 {
		sc.Size = 32
	}
	if sc.CrashAt == 0 {
		sc.CrashAt = 3
	}
	if sc.Timeout <= 0 {
		sc.Timeout = 12 * time.Second
	}
	g := &RestartRig{spec: s, sc: sc}
	if s.cfg.SUT == nil {
		g.dir, g.key = GinkgoT().TempDir(), storageKey()
	}
	listen := "127.0.0.1:0"
	if s.cfg.SUT != nil && s.cfg.Listen != "" {
		listen = s.cfg.Listen
	}
	front, err := transport.NewServer(listen, http.HandlerFunc(g.serve))
	if err != nil {
		Fail(fmt.Sprintf("scripted responder: listen %s: %v", listen, err))
	}
	DeferCleanup(func() { _ = front.Close() })
	g.Endpoint = front.URL() + "/rm"
	g.startScripted()
	return g
}

// Now is the rig's clock: the scripted responder's and the embedded initiator's.
func (g *RestartRig) Now() time.Time { return time.Now().Add(time.Duration(g.skew.Load())) }

// Advance moves the clock of both sides forward by d (an outage longer than the SCT's
// lifetime); embedded initiators only, whose clock the suite controls.
func (g *RestartRig) Advance(d time.Duration) {
	if g.spec.cfg.SUT != nil {
		Fail("RestartRig.Advance: the suite cannot move an external SUT's clock")
	}
	g.skew.Add(int64(d))
}

// startScripted starts a scripted responder (with no state) and puts it behind the endpoint.
func (g *RestartRig) startScripted() *peer.Responder {
	rc := g.sc.Responder
	rc.Profile, rc.SOAP, rc.Hook = g.spec.cfg.Profile, g.spec.cfg.SOAP, g.spec.Wire.Hook
	if rc.Now == nil {
		rc.Now = g.Now
	}
	r, err := peer.NewResponder(rc)
	if err != nil {
		Fail(fmt.Sprintf("scripted responder: %v", err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	DeferCleanup(cancel)
	g.mu.Lock()
	g.scripted = append(g.scripted, r)
	g.mu.Unlock()
	h := r.Handler()
	g.handler.Store(&h)
	return r
}

// LoseState replaces the scripted responder by a fresh one that knows neither the SCT nor
// the sequence (a responder that lost its state during the SUT's outage).
func (g *RestartRig) LoseState() { g.startScripted() }

// Scripted is the current scripted responder.
func (g *RestartRig) Scripted() *peer.Responder {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.scripted[len(g.scripted)-1]
}

// serve is the front server: it records sequence messages, kills the SUT at the crash point
// and drops what a dead SUT would not have sent.
func (g *RestartRig) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(req.Body, 16<<20))
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if g.observe(body) {
			panic(http.ErrAbortHandler) // the connection closes: nothing delivered, nothing answered
		}
	}
	(*g.handler.Load()).ServeHTTP(w, req)
}

// observe records a sequence message and reports whether the request is lost.
func (g *RestartRig) observe(body []byte) (drop bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	drop = g.run == 0
	if !bytes.Contains(body, []byte("MessageNumber")) {
		return drop
	}
	msg, err := codec.Decode(body, codec.Options{})
	if err != nil {
		return drop
	}
	h, _ := codec.Find[*wsrm.Sequence](msg)
	if h == nil {
		return drop
	}
	tx := &Transmission{Run: g.run, At: time.Now(), Raw: bytes.Clone(body), Msg: msg, Seq: h}
	if g.run == 1 && h.MessageNumber == g.sc.CrashAt && !h.LastMessage {
		drop, g.run, g.crashed = true, 0, true
		g.crash()
	}
	tx.Dropped = drop
	g.txs = append(g.txs, tx)
	return drop
}

// Crash runs the SUT until it first sends message CrashAt, then kills it (an embedded
// initiator: its context is cancelled and it is closed; an external one: its process is
// killed). It reports whether the crash point was reached; false means the run ended first.
func (g *RestartRig) Crash(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, g.sc.Timeout)
	defer cancel()
	g.mu.Lock()
	g.run, g.crash = 1, cancel
	g.mu.Unlock()
	g.First = g.runSUT(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.run = 0
	return g.crashed
}

// Resume runs the SUT again on its state and returns that run.
func (g *RestartRig) Resume(ctx context.Context) *InitiatorRun {
	ctx, cancel := context.WithTimeout(ctx, g.sc.Timeout)
	defer cancel()
	g.mu.Lock()
	g.run, g.crash = 2, func() {}
	g.resumeN = len(g.spec.Wire.Messages(nil))
	g.mu.Unlock()
	g.Second = g.runSUT(ctx)
	g.ResumeTimedOut = ctx.Err() != nil
	return g.Second
}

// ResumedAt is the number of wire messages recorded before the resumed run began: later
// messages belong to it.
func (g *RestartRig) ResumedAt() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.resumeN
}

// runSUT runs the SUT initiator once to the end of its job or until ctx ends.
func (g *RestartRig) runSUT(ctx context.Context) *InitiatorRun {
	s := g.spec
	run := &InitiatorRun{Scripted: g.Scripted()}
	if s.cfg.SUT != nil {
		run.Output, run.Err = g.command(ctx)
		return run
	}
	st, err := bolt.Open(g.dir, bolt.Options{})
	if err != nil {
		Fail(fmt.Sprintf("embedded initiator: open its store: %v", err))
	}
	defer st.Close()
	icfg := peer.InitiatorConfig{To: g.Endpoint, Profile: s.cfg.Profile, SOAP: s.cfg.SOAP,
		Misbehave: knobsFor(Initiator, s.cfg.Misbehave), Store: st, StoreKey: g.key, Now: g.Now,
		Retransmit: rm.Backoff{Base: 50 * time.Millisecond, Factor: 2, Max: 200 * time.Millisecond, Limit: 6}}
	in, err := peer.NewInitiator(icfg)
	if err != nil {
		run.Err = fmt.Errorf("start on its store: %w", err)
		return run
	}
	defer in.Close()
	run.Summary, run.Err = in.Run(ctx, peer.Plan{Messages: g.sc.Messages, Sequences: 1, Size: g.sc.Size})
	return run
}

// command runs an external SUT initiator's run command once, with {endpoint}, {messages},
// {sequences}, {size} and {state} substituted: {state} (also in RSPCHECK_STATE) is a
// directory of this spec, the same for both runs and empty at the first, for a SUT that keeps
// its state where it is told to; RSPCHECK_ENDPOINT holds the endpoint. The process is killed
// when ctx ends (the crash).
func (g *RestartRig) command(ctx context.Context) (string, error) {
	if g.state == "" {
		g.state = GinkgoT().TempDir()
		// a SUT in a container may run as another user: it must be able to write its state
		_ = os.Chmod(g.state, 0o777)
	}
	if g.spec.cfg.RunSUT != nil {
		// a container: {state} is mounted at the container's data directory
		return g.spec.cfg.RunSUT(ctx, g.Endpoint, map[string]string{"messages": strconv.Itoa(g.sc.Messages),
			"sequences": "1", "size": strconv.Itoa(g.sc.Size), "state": g.state})
	}
	repl := strings.NewReplacer("{endpoint}", g.Endpoint, "{messages}", strconv.Itoa(g.sc.Messages),
		"{sequences}", "1", "{size}", strconv.Itoa(g.sc.Size), "{state}", g.state)
	run := g.spec.cfg.SUT.Run
	args := make([]string, len(run))
	for i, a := range run {
		args[i] = repl.Replace(a)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "RSPCHECK_ENDPOINT="+g.Endpoint, "RSPCHECK_STATE="+g.state)
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	return string(out), err
}

// Transmissions returns every transmission of a sequence message, in arrival order.
func (g *RestartRig) Transmissions() []*Transmission {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*Transmission(nil), g.txs...)
}

// Tokens are every SCT instance the scripted responders issued or renewed.
func (g *RestartRig) Tokens() []token.Token {
	g.mu.Lock()
	rs := append([]*peer.Responder(nil), g.scripted...)
	g.mu.Unlock()
	var out []token.Token
	for _, r := range rs {
		out = append(out, r.Tokens()...)
	}
	return out
}

// Delivered is what the scripted responders' application received, in order.
func (g *RestartRig) Delivered() []trace.Delivery {
	g.mu.Lock()
	rs := append([]*peer.Responder(nil), g.scripted...)
	g.mu.Unlock()
	var out []trace.Delivery
	for _, r := range rs {
		out = append(out, r.Delivered()...)
	}
	return out
}

// StoreDir is the embedded initiator's state directory; StoreKey its storage key.
func (g *RestartRig) StoreDir() string { return g.dir }

// StoreKey is the storage key sealing the embedded initiator's SCT at rest.
func (g *RestartRig) StoreKey() []byte { return g.key }

// Reopen starts an initiator on another state directory with key and returns the error
// NewInitiator gives (the initiator is closed at once): to see what it refuses (RM-PER-005).
func (g *RestartRig) Reopen(dir string, key []byte) error {
	st, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := peer.NewInitiator(peer.InitiatorConfig{To: g.Endpoint, Profile: g.spec.cfg.Profile, SOAP: g.spec.cfg.SOAP,
		Store: st, StoreKey: key})
	if err == nil {
		_ = in.Close()
	}
	return err
}

// ---- judging ----

// SentAt is the instant a message claims to have been created (its wsu:Timestamp Created),
// or the zero time when it has none.
func SentAt(m *codec.Message) time.Time {
	if sec, _ := codec.Find[*wsse.Security](m); sec != nil {
		if ts := sec.Timestamp(); ts != nil {
			if c, _, err := ts.Times(); err == nil {
				return c
			}
		}
	}
	return time.Time{}
}

// SecuredBy returns the token among toks (instances of any SCTs) whose key verifies m with a
// signature covering at least parts. The check runs at the time m's Timestamp states, so that
// messages of a run whose clock the suite moved are judged at their own time.
func SecuredBy(m *codec.Message, parts wssec.Part, toks ...token.Token) (token.Token, error) {
	now := SentAt(m)
	if now.IsZero() {
		now = time.Now()
	}
	now = now.Add(time.Second)
	var first error
	for _, t := range toks {
		a, err := wssec.Check(m, wssec.CheckOptions{Policy: wssec.Policy{Version: Current().Profile.SC(), Sign: parts},
			Tokens: wssec.TokenMap{t.Identifier: t.Security()}, Now: now})
		if err == nil && a.Parts&parts == parts {
			return t, nil
		}
		if err == nil {
			err = fmt.Errorf("the signature covers %s, not %s", partsText(a.Parts), partsText(parts))
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = fmt.Errorf("no token to verify with")
	}
	return token.Token{}, first
}
