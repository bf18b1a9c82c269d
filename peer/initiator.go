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
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/token/trust"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
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
	// Tick is how often due retransmissions are looked for (20 ms when zero).
	Tick time.Duration
	Now  func() time.Time
}

// Plan is what Run sends: Messages application messages of Size octets spread round-robin
// over Sequences sequences.
type Plan struct {
	Messages  int
	Sequences int
	Size      int
}

// Summary is the outcome of Run.
type Summary struct {
	Messages        int
	Sequences       int
	Acknowledged    int
	Terminated      int
	Retransmissions int
	Cancelled       bool
	Elapsed         time.Duration
	// Expect gives, per sequence, what the responder's delivered log must show.
	Expect map[string]trace.Expect
}

// Rate is messages per second.
func (s Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Messages) / s.Elapsed.Seconds()
}

func (s Summary) String() string {
	return fmt.Sprintf("messages: %d acknowledged: %d sequences: %d terminated: %d retransmissions: %d cancelled: %t elapsed: %s rate: %.1f msg/s",
		s.Messages, s.Acknowledged, s.Sequences, s.Terminated, s.Retransmissions, s.Cancelled, s.Elapsed.Round(time.Millisecond), s.Rate())
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
	ended   map[string]rm.EndReason
	first   map[msgKey][]byte // first transmission bytes (StaleRetransmit only)
	retrans int
	notify  chan struct{}
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
	}
	mb, rest := rm.ParseMisbehave(cfg.Misbehave)
	in := &Initiator{cfg: cfg, pol: policy(cfg.Profile), rec: recorder{trace: cfg.Trace, hook: cfg.Hook},
		client: transport.NewClient(cfg.RoundTripper), tokens: map[string]token.Token{},
		created: map[string]string{}, ended: map[string]rm.EndReason{}, first: map[msgKey][]byte{},
		notify: make(chan struct{}), keepFirst: mb.StaleRetransmit}
	for _, n := range rest {
		if n != SignWithOtherToken {
			return nil, fmt.Errorf("initiator: unknown misbehaviour %q (known: %v and %s)", n, rm.MisbehaveNames(), SignWithOtherToken)
		}
		in.signOther = true
	}
	src, err := rm.NewSource(rm.SourceConfig{NewID: newID, Retransmit: cfg.Retransmit, Misbehave: mb})
	if err != nil {
		return nil, fmt.Errorf("initiator: %w", err)
	}
	in.src = src
	tc, err := trust.NewClient(trust.ClientConfig{Caller: trust.CallerFunc(in.call), Version: cfg.Profile.SC(),
		SOAP: cfg.SOAP, Addressing: wsa.V10, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("initiator: %w", err)
	}
	in.prov, err = token.NewProvider(token.Config{Establisher: tc, Now: cfg.Now, OnChange: in.keep})
	if err != nil {
		return nil, fmt.Errorf("initiator: %w", err)
	}
	return in, nil
}

// keep remembers a token obtained by the Provider (and logs its key when asked to).
func (in *Initiator) keep(_ context.Context, t token.Token) error {
	in.mu.Lock()
	in.tokens[t.Identifier] = t
	in.mu.Unlock()
	if in.cfg.KeyLog != nil {
		return in.cfg.KeyLog.Log(t.Identifier, t.Secret)
	}
	return nil
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
		ok, ch := cond(), in.notify
		in.mu.Unlock()
		if ok {
			return nil
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

// Handler is the initiator's endpoint for an addressable AcksTo: it takes the
// acknowledgements (and faults) the responder sends there and answers 202.
func (in *Initiator) Handler() http.Handler {
	return transport.Health(&transport.Handler{Serve: func(ctx context.Context, req *transport.Request) (*transport.Reply, error) {
		m, err := codec.Decode(req.Body, codec.Options{})
		in.rec.record(trace.In, req.Body, m)
		if err != nil {
			return nil, err
		}
		in.perform(ctx, in.receive(m, wsrm.KindNone, "", ""), "")
		return nil, nil
	}})
}
