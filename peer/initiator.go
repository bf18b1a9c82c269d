package peer

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/token/trust"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// SignWithOtherToken is the initiator's own misbehaviour: application messages are protected
// by a second SCT, not the one their sequence is bound to. Violates RM-STR-008.
const SignWithOtherToken = "sign-with-other-token"

// InitiatorConfig configures an Initiator.
type InitiatorConfig struct {
	// To is the responder's endpoint (issuer and RM Destination). Required.
	To      string
	Profile Profile
	SOAP    soap.Version
	// Provisioned, when set, is an SCT agreed out of band (rsppeer initiator --sct): no
	// WS-Trust exchange takes place, the token is never renewed, and at the end it is not
	// cancelled on the wire (Summary.Cancelled stays false): for responders without an issuer.
	Provisioned *token.Token
	// Misbehave names deliberate violations: rm.ParseMisbehave names and SignWithOtherToken.
	Misbehave []string
	Trace     *trace.Writer
	KeyLog    *trace.KeyLog
	Hook      Hook
	// AcksTo, when set, is the address of this initiator's own endpoint (Handler) where the
	// responder sends acknowledgements (an addressable AcksTo, RM-CS-002); empty = anonymous:
	// acknowledgements ride the HTTP responses.
	AcksTo string
	// RoundTripper carries the HTTP requests (a transport.Tap goes here); nil = shared.
	RoundTripper http.RoundTripper
	// Retransmit is the backoff of unacknowledged messages and unanswered requests; zero =
	// 200 ms doubling up to 2 s, giving up after 10 retransmissions of one message.
	Retransmit rm.Backoff
	// Offer offers a reverse sequence with every CreateSequence (duplex, WS-RM 1.1 §3.4,
	// RM-CS-004): the responder's replies come to AcksTo, which must then be set.
	Offer bool
	// RenewBefore is how long before its expiry the SCT is renewed during a run (a tenth of
	// its lifetime, at most 5 minutes, when zero); negative: only when the responder answers
	// wsc:RenewNeeded (SC-ISS-012).
	RenewBefore time.Duration
	// Bootstrap, optional, protects the issuance with X.509 (SC-ISS-014).
	Bootstrap *Bootstrap
	// Tick is how often due retransmissions are looked for (20 ms when zero).
	Tick time.Duration
	Now  func() time.Time
	// Store keeps the Source's sequences and unacknowledged messages, the SCT (sealed) and
	// the job of Run across restarts (issue #5, FLOW §6): NewInitiator recovers from it and
	// Run resumes the job it holds. Nil keeps everything in memory. The caller closes it
	// after Close. With a Store, a zero Retransmit never gives up (Limit 0): the messages
	// stay in the store until they are acknowledged.
	Store store.Store
	// StoreKey is the 32-octet AES-256 storage key sealing the SCT at rest (RM-PER-005);
	// required with Store.
	StoreKey []byte
}

// Plan is what Run sends: Messages application messages of Size octets spread round-robin
// over Sequences sequences.
type Plan struct {
	Messages  int
	Sequences int
	Size      int
	// Interval, when set, paces each sequence: it waits this long between its messages.
	Interval time.Duration
	// Window is how many messages of one sequence may be on the wire at once, awaiting their
	// HTTP responses (pipelining; the Destination holds what overtakes and delivers in
	// order). 0 or 1: each message waits for the previous one's response.
	Window int
}

// Summary is the outcome of Run.
type Summary struct {
	Messages        int
	Sequences       int
	Acknowledged    int
	Terminated      int
	Retransmissions int
	Cancelled       bool
	// Provisioned: the run used an out-of-band SCT (InitiatorConfig.Provisioned).
	Provisioned bool
	Elapsed     time.Duration
	// Replies is the number of echoes delivered on reverse sequences (duplex runs).
	Replies int
	// Renewals counts SCT renewals during the run.
	Renewals int
	// Expect gives, per sequence, what the responder's delivered log must show.
	Expect map[string]trace.Expect
	// Resumed: the run continued a job found in the Store (issue #5); the counts cover the
	// whole job, earlier runs included.
	Resumed bool
	// NothingToDo: the Store holds this job already finished; nothing was sent.
	NothingToDo bool
}

// Rate is messages per second.
func (s Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Messages) / s.Elapsed.Seconds()
}

func (s Summary) String() string {
	if s.NothingToDo {
		return fmt.Sprintf("nothing to do: the job has finished (messages: %d acknowledged: %d sequences: %d terminated: %d cancelled: true)",
			s.Messages, s.Acknowledged, s.Sequences, s.Terminated)
	}
	resumed := ""
	if s.Provisioned {
		resumed = " (provisioned SCT: not cancelled)"
	}
	if s.Resumed {
		resumed += " resumed: true"
	}
	return fmt.Sprintf("messages: %d acknowledged: %d sequences: %d terminated: %d retransmissions: %d replies: %d renewals: %d cancelled: %t elapsed: %s rate: %.1f msg/s%s",
		s.Messages, s.Acknowledged, s.Sequences, s.Terminated, s.Retransmissions, s.Replies, s.Renewals, s.Cancelled, s.Elapsed.Round(time.Millisecond), s.Rate(), resumed)
}

// Initiator is the client side of FLOW.md: token provider and WS-RM Source.
type Initiator struct {
	cfg       InitiatorConfig
	pol       wssec.Policy
	rec       recorder
	client    *transport.Client
	prov      *token.Provider
	signOther bool
	keepFirst bool // StaleRetransmit: remember first transmissions

	mu      sync.Mutex // serialises the Source and everything below
	src     *rm.Source
	tokens  map[string]token.Token
	created map[string]string // CreateSequence reference -> sequence identifier
	refused map[string]string // CreateSequence reference -> the fault that refused it
	ended   map[string]rm.EndReason
	first   map[msgKey][]byte // first transmission bytes (StaleRetransmit only)
	retrans int
	notify  chan struct{}

	// Duplex (Offer): the Destination of the reverse sequences the responder accepted, and
	// what it delivered (initiator_reverse.go).
	dst      *rm.Destination
	scfg     rm.SourceConfig      // configures src (and its recovery)
	dcfg     rm.DestinationConfig // configures dst (and its recovery)
	reverse  map[string]string    // forward sequence -> its reverse sequence
	revEnded map[string]rm.EndReason
	replies  []trace.Delivery
	renewing bool // a renewal is under way (initiator_renew.go)
	renewals int

	// tokens is replaced, for the responder's reverse sender, by a lookup in the issuer's
	// store; action is the wsa:Action of application messages (AppAction).
	lookup func(id string) (token.Token, bool)
	action string

	per    *initiatorStore // persistence (initiator_store.go, job.go)
	failed error           // the store failed: nothing more is sent
}

type msgKey struct {
	seq string
	n   uint64
}

// NewInitiator returns an Initiator.
func NewInitiator(cfg InitiatorConfig) (*Initiator, error) {
	if cfg.To == "" {
		return nil, errors.New("initiator: no endpoint")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 20 * time.Millisecond
	}
	if cfg.Retransmit == (rm.Backoff{}) {
		cfg.Retransmit = rm.Backoff{Base: 200 * time.Millisecond, Factor: 2, Max: 2 * time.Second, Limit: 10}
		if cfg.Store != nil {
			cfg.Retransmit.Limit = 0
		}
	}
	mb, rest := rm.ParseMisbehave(cfg.Misbehave)
	in := &Initiator{cfg: cfg, pol: policy(cfg.Profile), rec: recorder{trace: cfg.Trace, hook: cfg.Hook},
		client: transport.NewClient(cfg.RoundTripper), tokens: map[string]token.Token{},
		created: map[string]string{}, refused: map[string]string{}, ended: map[string]rm.EndReason{}, first: map[msgKey][]byte{},
		notify: make(chan struct{}), keepFirst: mb.StaleRetransmit, action: AppAction,
		reverse: map[string]string{}, revEnded: map[string]rm.EndReason{}}
	for _, n := range rest {
		if n != SignWithOtherToken {
			return nil, fmt.Errorf("initiator: unknown misbehaviour %q (known: %v and %s)", n, rm.MisbehaveNames(), SignWithOtherToken)
		}
		in.signOther = true
	}
	scfg := rm.SourceConfig{NewID: newID, Retransmit: cfg.Retransmit, Misbehave: mb}
	src, err := rm.NewSource(scfg)
	if err != nil {
		return nil, fmt.Errorf("initiator: %w", err)
	}
	in.src, in.scfg = src, scfg
	if cfg.Offer {
		if cfg.AcksTo == "" {
			return nil, errors.New("initiator: an Offer needs an addressable endpoint (AcksTo) for the reverse sequence")
		}
		in.dcfg = rm.DestinationConfig{NewID: newID, RequireSTR: true, RequireRM: true,
			Assurance: rm.Assurance{Delivery: rm.ExactlyOnce, InOrder: true}}
		if in.dst, err = rm.NewDestination(in.dcfg); err != nil {
			return nil, fmt.Errorf("initiator: %w", err)
		}
	}
	ccfg := trust.ClientConfig{Caller: trust.CallerFunc(in.call), Version: cfg.Profile.SC(),
		SOAP: cfg.SOAP, Addressing: wsa.V10, Now: cfg.Now}
	if b := cfg.Bootstrap; b != nil {
		if err := b.check(true); err != nil {
			return nil, fmt.Errorf("initiator: %w", err)
		}
		b.client(&ccfg, cfg.Now)
	}
	tc, err := trust.NewClient(ccfg)
	if err != nil {
		return nil, fmt.Errorf("initiator: %w", err)
	}
	var est token.Establisher = tc
	if p := cfg.Provisioned; p != nil {
		t := *p
		t.Version, t.Endpoint = cfg.Profile.SC(), cfg.To
		if t.Created.IsZero() {
			t.Created = cfg.Now()
		}
		est = provisionedEstablisher{t}
	}
	in.prov, err = token.NewProvider(token.Config{Establisher: est, Now: cfg.Now, OnChange: in.keep,
		RenewBefore: max(cfg.RenewBefore, 0)})
	if err != nil {
		return nil, fmt.Errorf("initiator: %w", err)
	}
	if err := in.openStore(scfg); err != nil {
		return nil, err
	}
	return in, nil
}

// call is the trust.Caller: WS-Trust requests go to the responder's endpoint.
func (in *Initiator) call(ctx context.Context, action string, doc *etree.Document) (*codec.Message, error) {
	raw, err := serialize(doc)
	if err != nil {
		return nil, err
	}
	in.rec.record(trace.Out, raw, nil)
	resp, err := in.client.Post(ctx, in.cfg.To, in.cfg.SOAP, action, raw)
	if err != nil {
		return nil, err
	}
	m, err := codec.Decode(resp.Body, codec.Options{})
	in.rec.record(trace.In, resp.Body, m)
	return m, err
}

// signal wakes every waiter; call with in.mu held.
func (in *Initiator) signal() {
	close(in.notify)
	in.notify = make(chan struct{})
}

// wait blocks until cond (evaluated with in.mu held) holds or ctx ends.
func (in *Initiator) wait(ctx context.Context, cond func() bool) error {
	for {
		in.mu.Lock()
		ok, ch, failed := cond(), in.notify, in.failed
		in.mu.Unlock()
		if ok {
			return nil
		}
		if failed != nil {
			return failed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// payload is the deterministic content of message i.
func payload(i, size int) []byte {
	out := make([]byte, 0, size+sha256.Size)
	var ctr [16]byte
	binary.BigEndian.PutUint64(ctr[:8], uint64(i))
	for c := uint64(0); len(out) < size; c++ {
		binary.BigEndian.PutUint64(ctr[8:], c)
		h := sha256.Sum256(ctr[:])
		out = append(out, h[:]...)
	}
	return out[:size]
}
