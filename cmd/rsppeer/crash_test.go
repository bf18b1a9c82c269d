package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/peer"
)

// Crash tests (issue #5): real rsppeer processes, real signals (SIGKILL), real files.
//
// Each iteration runs a resumable job (crashPlan) from an initiator with --data to a
// responder with --data and --delivered, kills the initiator, the responder or both with
// kill -9 at random moments (seeded; the seed is printed and every failure names it), restarts
// what it killed with the same command on the same directories and address, and finally lets
// the job finish. It then checks:
//
//   - at every kill, from the dead peers' stores (rsppeer store dump) and the delivered log:
//     everything the responder's store records as delivered is in the log; when both are
//     dead, everything the initiator's store records as acknowledged is in the responder's
//     store as received (durability before acknowledgement), or — its sequence terminated —
//     in the log; and at the end everything ever acknowledged is in the log (nothing
//     acknowledged is missing);
//   - at the end, the delivered log (appended across restarts, never truncated): every message
//     of the plan delivered exactly once, in order per sequence, with the planned payload;
//   - the finished job, run again, has nothing to do.
//
// Some iterations run duplex (responder --duplex, initiator --offer --listen on an address
// kept across restarts): every delivered message is echoed on the reverse sequence of its
// forward sequence, and both peers recover those reverse sequences. The initiator exits 0 only
// when every reverse sequence delivered the echo of its forward sequence exactly once, in
// order (Run's check, over the replies recorded in its store before any kill and after), and
// its store must then hold one recorded reply per message of the plan.
//
// RSPCHECK_SOAK_ITERATIONS sets the number of iterations (default 20; `make soak`: 100),
// RSPCHECK_CRASH_SEED the seed.

var crashPlan = peer.Plan{Messages: 30, Sequences: 3, Size: 64}

var (
	peerOnce sync.Once
	peerBin  string
	peerErr  error
	peerDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if peerDir != "" {
		_ = os.RemoveAll(peerDir)
	}
	os.Exit(code)
}

// rsppeerBinary builds rsppeer once per test process (CGO_ENABLED=0, as shipped).
func rsppeerBinary(t *testing.T) string {
	t.Helper()
	peerOnce.Do(func() {
		if peerDir, peerErr = os.MkdirTemp("", "rsppeer-crash-"); peerErr != nil {
			return
		}
		peerBin = filepath.Join(peerDir, "rsppeer")
		build := exec.Command("go", "build", "-o", peerBin, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			peerErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if peerErr != nil {
		t.Fatal(peerErr)
	}
	return peerBin
}

func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

// TestCrash: kill -9 of the initiator, of the responder and of both, at random points.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: real processes")
	}
	bin := rsppeerBinary(t)
	iterations := int(envInt("RSPCHECK_SOAK_ITERATIONS", 20))
	seed := uint64(envInt("RSPCHECK_CRASH_SEED", time.Now().UnixNano()))
	t.Logf("crash test: %d iterations, seed %d (RSPCHECK_CRASH_SEED=%d repeats it)", iterations, seed, seed)
	modes := []string{"initiator", "responder", "both"}
	start := time.Now()
	kills, live := 0, 0
	for i := range iterations {
		it := &crashRun{t: t, bin: bin, seed: seed + uint64(i), mode: modes[i%len(modes)], dir: t.TempDir()}
		it.rnd = rand.New(rand.NewPCG(it.seed, 0x5eed))
		name := fmt.Sprintf("%02d-%s", i, it.mode)
		if i%2 == 1 {
			// Every other iteration pipelines (--window 2) and batches acknowledgements
			// (--ack-every 3): 202 responses that do not wait for the commit, acks that do, and
			// messages overtaking each other, all under kill -9 (modes x parity: 6 combinations).
			it.respExtra = []string{"--ack-every", "3"}
			it.initExtra = []string{"--window", "2"}
			name += "-batched"
		}
		if i%5 == 2 {
			// Duplex: modes and batching vary across these iterations (i = 2, 7, 12, 17, ...).
			it.duplex(t)
			name += "-duplex"
		}
		if !t.Run(name, it.run) {
			break
		}
		kills, live = kills+it.kills, live+it.live
	}
	t.Logf("crash test: %d iterations, %d kills (%d of them during the job), %s", iterations, kills, live, time.Since(start).Round(time.Millisecond))
	if !t.Failed() && live < iterations/3 {
		t.Errorf("seed %d: only %d of %d iterations killed a running job: the test proves little", seed, live, iterations)
	}
}

// crashRun is one iteration.
type crashRun struct {
	t     *testing.T
	bin   string
	seed  uint64
	mode  string
	dir   string
	rnd   *rand.Rand
	kills int // SIGKILLs sent
	live  int // kills that hit a job still running

	acked     map[seqNum]bool // acknowledged, as the killed initiators' stores recorded it
	latest    map[seqNum]bool // the same, at the last kill of the initiator
	endpoint  string
	respExtra []string // more responder options
	initExtra []string // more initiator options
	isDuplex  bool
	listen    string // duplex: the initiator's endpoint address (initListen)
	resp      *exec.Cmd
	respErr   *bytes.Buffer
	init      *exec.Cmd
	initOut   *bytes.Buffer
	initDone  chan error
}

func (c *crashRun) fatalf(format string, args ...any) {
	c.t.Helper()
	c.t.Fatalf("seed %d (RSPCHECK_CRASH_SEED=%d, mode %s): %s", c.seed, c.seed, c.mode, fmt.Sprintf(format, args...))
}

func (c *crashRun) path(name string) string { return filepath.Join(c.dir, name) }

func (c *crashRun) run(t *testing.T) {
	c.t = t
	c.startResponder()
	defer c.stopAll()
	c.startInitiator()
	for k, n := 0, 1+c.rnd.IntN(3); k < n; k++ {
		if c.sleepOrExit(c.killDelay()) {
			break // the job finished before this kill
		}
		c.live++
		c.crash()
		time.Sleep(time.Duration(c.rnd.IntN(150)) * time.Millisecond)
		c.restart()
	}
	c.finish()
	c.verifyLog()
	got := deliveredSet(c.delivered())
	for k := range c.acked {
		if !got[k] {
			c.fatalf("message %d of %s was acknowledged but never delivered", k.n, k.seq)
		}
	}
	c.verifyReplies()
	out, err := exec.Command(c.bin, c.initArgs()...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "nothing to do") {
		c.fatalf("finished job run again: %v\n%s", err, out)
	}
}

// duplex makes the iteration duplex: the initiator's endpoint gets a fixed free port.
func (c *crashRun) duplex(t *testing.T) {
	c.isDuplex = true
	c.respExtra = append(c.respExtra, "--duplex")
}

// initListen is the duplex initiator's endpoint address, the same for every start: a port
// free once the responder holds its own (chosen at the initiator's first start, so that the
// responder's first start on port 0 cannot be handed the same port).
func (c *crashRun) initListen() []string {
	if !c.isDuplex {
		return nil
	}
	if c.listen == "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			c.fatalf("reserve the initiator's port: %v", err)
		}
		c.listen = l.Addr().String()
		_ = l.Close()
	}
	return []string{"--offer", "--listen", c.listen}
}

// verifyReplies: in a duplex iteration, the finished job's store records one reply per
// message of the plan (the initiator's exit status already says they were the echoes,
// exactly once and in order), and the last run's summary, unless it found the job finished,
// counts them all.
func (c *crashRun) verifyReplies() {
	c.t.Helper()
	if !c.isDuplex {
		return
	}
	replies := 0
	for _, m := range c.dump(c.path("idata")).Meta {
		if strings.HasPrefix(m.Key, "job/reply/") {
			replies++
		}
	}
	if replies != crashPlan.Messages {
		c.fatalf("the finished duplex job's store records %d replies, want %d", replies, crashPlan.Messages)
	}
	out := c.initOut.String()
	if want := fmt.Sprintf("replies: %d ", crashPlan.Messages); !strings.Contains(out, want) && !strings.Contains(out, "nothing to do") {
		c.fatalf("the last run's summary does not count %q:\n%s", want, out)
	}
}

// killDelay is how long a process runs before the next kill: uniform over the job's usual
// length, and one time in four within the first 25 ms (start-up: key, store, SCT).
func (c *crashRun) killDelay() time.Duration {
	if c.rnd.IntN(4) == 0 {
		return time.Duration(c.rnd.IntN(25_000)) * time.Microsecond
	}
	return time.Duration(c.rnd.IntN(150)) * time.Millisecond
}

func (c *crashRun) respArgs(listen string) []string {
	return append([]string{"responder", "--listen", listen, "--data", c.path("rdata"), "--delivered", c.path("delivered.jsonl")}, c.respExtra...)
}

func (c *crashRun) initArgs() []string {
	return append([]string{"initiator", "--to", c.endpoint, "--data", c.path("idata"), "--messages", strconv.Itoa(crashPlan.Messages),
		"--sequences", strconv.Itoa(crashPlan.Sequences), "--size", strconv.Itoa(crashPlan.Size),
		"--interval", "8ms", "--retransmit", "40ms", "--timeout", "20s"}, append(c.initListen(), c.initExtra...)...)
}

// startResponder starts the responder: on a free port the first time, then on the same
// address (the initiator's job is bound to its endpoint).
func (c *crashRun) startResponder() {
	c.t.Helper()
	listen := "127.0.0.1:0"
	if c.endpoint != "" {
		u, _ := url.Parse(c.endpoint)
		listen = u.Host
	}
	var err error
	for attempt := 0; ; attempt++ {
		if err = c.tryResponder(listen); err == nil || attempt == 20 {
			break
		}
		time.Sleep(50 * time.Millisecond) // the port of the killed process may linger a moment
	}
	if err != nil {
		c.fatalf("responder: %v", err)
	}
}

func (c *crashRun) tryResponder(listen string) error {
	cmd := exec.Command(c.bin, c.respArgs(listen)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	c.respErr = &bytes.Buffer{}
	cmd.Stderr = c.respErr
	if err := cmd.Start(); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "endpoint: ") {
		_ = cmd.Wait()
		return fmt.Errorf("first line %q: %v; stderr: %s", line, err, c.respErr)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	c.endpoint = strings.TrimSpace(strings.TrimPrefix(line, "endpoint: "))
	c.resp = cmd
	return nil
}

func (c *crashRun) startInitiator() {
	c.t.Helper()
	cmd := exec.Command(c.bin, c.initArgs()...)
	c.initOut = &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = c.initOut, c.initOut
	if err := cmd.Start(); err != nil {
		c.fatalf("initiator: %v", err)
	}
	c.init = cmd
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	c.initDone = done
}

// sleepOrExit waits d or until the initiator exits (true).
func (c *crashRun) sleepOrExit(d time.Duration) bool {
	select {
	case err := <-c.initDone:
		c.initDone = closedWith(err)
		return true
	case <-time.After(d):
		return false
	}
}

func closedWith(err error) chan error {
	ch := make(chan error, 1)
	ch <- err
	return ch
}

// crash kills what the mode says with SIGKILL and checks the dead peers' stores against the
// delivered log.
func (c *crashRun) crash() {
	c.t.Helper()
	if c.mode != "responder" {
		c.kill9(c.init.Process)
		<-c.initDone
		c.checkInitiatorStore()
	}
	if c.mode != "initiator" {
		c.kill9(c.resp.Process)
		_ = c.resp.Wait()
		c.checkResponderStore(c.mode == "both")
	}
}

func (c *crashRun) kill9(p *os.Process) {
	c.kills++
	if err := p.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		c.fatalf("kill -9: %v", err)
	}
}

func (c *crashRun) restart() {
	c.t.Helper()
	if c.mode != "initiator" {
		c.startResponder()
	}
	if c.mode != "responder" {
		c.startInitiator()
	}
}

// finish waits for the initiator; a run that ended early (it may have given up on an
// exchange while the responder was down) is started again, as an operator would.
func (c *crashRun) finish() {
	c.t.Helper()
	for attempt := 0; ; attempt++ {
		select {
		case err := <-c.initDone:
			c.initDone = closedWith(err)
			if err == nil {
				return
			}
			if attempt == 2 {
				c.fatalf("initiator failed %d times, last: %v\n%s\nresponder stderr:\n%s", attempt+1, err, c.initOut, c.respErr)
			}
			c.t.Logf("seed %d: initiator exited (%v), starting it again:\n%s", c.seed, err, c.initOut)
			c.startInitiator()
		case <-time.After(30 * time.Second):
			c.fatalf("initiator did not finish\n%s", c.initOut)
		}
	}
}

func (c *crashRun) stopAll() {
	if c.init != nil && c.init.ProcessState == nil {
		_ = c.init.Process.Kill()
	}
	if c.resp != nil {
		_ = c.resp.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = c.resp.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.resp.Process.Kill()
		}
	}
}

// delivered reads the complete lines of the delivered log (the responder may be writing).
func (c *crashRun) delivered() []trace.Delivery {
	c.t.Helper()
	raw, err := os.ReadFile(c.path("delivered.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		c.fatalf("%v", err)
	}
	if i := bytes.LastIndexByte(raw, '\n'); i >= 0 {
		raw = raw[:i+1]
	} else {
		raw = nil
	}
	ds, err := trace.ReadDelivered(bytes.NewReader(raw))
	if err != nil {
		c.fatalf("delivered log: %v", err)
	}
	return ds
}

type seqNum struct {
	seq string
	n   uint64
}

func deliveredSet(ds []trace.Delivery) map[seqNum]bool {
	out := map[seqNum]bool{}
	for _, d := range ds {
		out[seqNum{d.Sequence, d.MessageNumber}] = true
	}
	return out
}

func (c *crashRun) dump(dir string) *store.DumpView {
	c.t.Helper()
	out, err := exec.Command(c.bin, "store", "dump", "--data", dir).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && bytes.Contains(ee.Stderr, []byte("no such file")) {
			return &store.DumpView{} // killed before it created its store
		}
		c.fatalf("store dump %s: %v %s", dir, err, out)
	}
	var v store.DumpView
	if err := json.Unmarshal(out, &v); err != nil {
		c.fatalf("store dump %s: %v", dir, err)
	}
	return &v
}

// checkInitiatorStore records what the dead initiator's store holds as acknowledged.
func (c *crashRun) checkInitiatorStore() {
	c.t.Helper()
	c.latest = map[seqNum]bool{}
	if c.acked == nil {
		c.acked = map[seqNum]bool{}
	}
	for _, s := range c.dump(c.path("idata")).Sequences {
		if s.Role != "source" {
			continue // a reverse sequence (duplex): received, not acknowledged
		}
		for _, r := range s.Ranges {
			for n := r[0]; n <= r[1]; n++ {
				c.acked[seqNum{s.ID, n}] = true
				c.latest[seqNum{s.ID, n}] = true
			}
		}
	}
}

// checkResponderStore: every message the dead responder's store records as delivered is in
// the delivered log; with the initiator dead as well (both), every message the initiator's
// store holds as acknowledged is received in the responder's store — or, its sequence
// terminated and gone, in the log.
func (c *crashRun) checkResponderStore(both bool) {
	c.t.Helper()
	got := deliveredSet(c.delivered())
	received := map[string][][2]uint64{}
	dump := c.dump(c.path("rdata"))
	c.checkEchoes(dump)
	for _, s := range dump.Sequences {
		if s.Role != "destination" {
			continue // a reverse sequence (duplex)
		}
		received[s.ID] = s.Ranges
		for n := uint64(1); n <= s.DeliveredUpTo; n++ {
			if !got[seqNum{s.ID, n}] {
				c.fatalf("responder store: message %d of %s recorded as delivered but not in the delivered log", n, s.ID)
			}
		}
	}
	if !both {
		return
	}
	for k := range c.latest {
		rs, live := received[k.seq]
		if !live && !got[k] {
			c.fatalf("message %d of terminated sequence %s was acknowledged but is not in the delivered log", k.n, k.seq)
		}
		if live && !inRanges(rs, k.n) {
			c.fatalf("message %d of %s was acknowledged but the responder's store does not hold it as received", k.n, k.seq)
		}
	}
}

// checkEchoes: in the dead duplex responder's store, every forward sequence's reverse sequence
// has numbered exactly as many echoes as the forward sequence delivered (a delivery and its echo
// are committed in one batch, so no kill separates them). A 1.1 reverse sequence finishes with
// Close/Terminate, which take no message number.
func (c *crashRun) checkEchoes(dump *store.DumpView) {
	c.t.Helper()
	if !c.isDuplex {
		return
	}
	next := map[string]uint64{}
	for _, s := range dump.Sequences {
		if s.Role == "source" {
			next[s.ID] = s.Next
		}
	}
	for _, s := range dump.Sequences {
		n, ok := next[s.Offer]
		if s.Role != "destination" || s.Offer == "" || !ok {
			continue // no Offer, or its reverse sequence is not open (not adopted, or already ended)
		}
		if n-1 != s.DeliveredUpTo {
			c.fatalf("responder store: sequence %s delivered %d messages but its reverse sequence %s numbered %d echoes", s.ID, s.DeliveredUpTo, s.Offer, n-1)
		}
	}
}

func inRanges(rs [][2]uint64, n uint64) bool {
	for _, r := range rs {
		if r[0] <= n && n <= r[1] {
			return true
		}
	}
	return false
}

// verifyLog checks the delivered log against the plan: each of the plan's sequences (found by
// the payload of its first message) delivered its messages exactly once, in order, with the
// planned payloads, and nothing else was delivered.
func (c *crashRun) verifyLog() {
	c.t.Helper()
	verifyPlan(c.delivered(), crashPlan, c.fatalf)
}

func verifyPlan(ds []trace.Delivery, plan peer.Plan, fatalf func(string, ...any)) {
	first := map[string]int{} // digest of a slot's first message -> slot
	for k := range plan.Sequences {
		first[trace.PayloadDigest(plan.Payload(k))] = k
	}
	slotOf := map[string]int{}
	for _, d := range ds {
		if d.MessageNumber == 1 {
			k, ok := first[d.SHA256]
			if !ok {
				fatalf("sequence %s: message 1 is no first message of the plan", d.Sequence)
			}
			slotOf[d.Sequence] = k
		}
	}
	want := map[string]trace.Expect{}
	for seq, k := range slotOf {
		e := trace.Expect{InOrder: true, Digests: map[uint64]string{}}
		for i := k; i < plan.Messages; i += plan.Sequences {
			e.Count++
			e.Digests[e.Count] = trace.PayloadDigest(plan.Payload(i))
		}
		want[seq] = e
	}
	if len(want) != plan.Sequences {
		fatalf("the delivered log shows %d sequences of the plan, want %d", len(want), plan.Sequences)
	}
	if err := trace.Verify(ds, want); err != nil {
		fatalf("%v", err)
	}
}

// TestCrashSCTExpires: both peers are killed in the middle of a job and stay down longer
// than the SCT lives (--lifetime 2s). On restart the initiator renews the expired SCT (same
// Identifier, new Instance; the responder recovered it from its sealed record and renews it
// within its grace) before retransmitting, and the job completes on the same sequences.
func TestCrashSCTExpires(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: real processes")
	}
	c := &crashRun{t: t, bin: rsppeerBinary(t), mode: "both", dir: t.TempDir()}
	c.respExtra = []string{"--lifetime", "2s"}
	c.startResponder()
	defer c.stopAll()
	c.startInitiator()
	deadline := time.Now().Add(10 * time.Second)
	for len(c.delivered()) < 3 {
		if time.Now().After(deadline) || c.sleepOrExit(2*time.Millisecond) {
			c.fatalf("the job did not get going, or ended before the crash:\n%s", c.initOut)
		}
	}
	c.crash()
	stored := c.dump(c.path("idata"))
	if len(stored.Tokens) != 1 {
		c.fatalf("the killed initiator stored %d SCTs", len(stored.Tokens))
	}
	time.Sleep(2500 * time.Millisecond) // the outage outlasts the SCT
	c.restart()
	c.finish()
	out := c.initOut.String()
	if !strings.Contains(out, "resumed: true") || strings.Contains(out, "renewals: 0") {
		c.fatalf("resumed run did not renew the expired SCT: %s", out)
	}
	t.Logf("resumed run: %s", strings.TrimSpace(out))
	c.verifyLog()
}
