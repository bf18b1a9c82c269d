package peer

import (
	"context"

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
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// ResponderConfig configures a Responder. The zero value is a conforming P11 responder.
type ResponderConfig struct {
	Profile Profile
	// SOAP is the version of the messages the responder originates (acknowledgements to an
	// addressable AcksTo, faults about undecodable requests); answers use the request's.
	SOAP soap.Version
	// Misbehave names deliberate violations (rm.ParseMisbehave names, e.g. accept-any-token,
	// skip-str-check, unsigned-acks, and WrongDKLabel). Unknown names are an error.
	Misbehave []string
	// Trace, KeyLog and Delivered are the optional evidence files (rsppeer --trace, --keylog,
	// --delivered).
	Trace     *trace.Writer
	KeyLog    *trace.KeyLog
	Delivered *trace.DeliveredLog
	// Hook sees every message in either direction.
	Hook Hook
	// Lifetime of issued SCTs (trust.DefaultLifetime when zero).
	Lifetime time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Client sends acknowledgements to addressable AcksTo endpoints (zero Client when nil).
	Client *transport.Client
	// Duplex accepts Offers (RM-CS-004, RM-CSR-002): the application then answers every
	// delivered message with its echo on the reverse sequence, and finishes that sequence once
	// the forward one is terminated. Without it Offers are declined (no Accept).
	Duplex bool
	// Retransmit and Tick drive the reverse sequences and the timers (see Start); zero: as
	// for an Initiator.
	Retransmit rm.Backoff
	Tick       time.Duration
	// Bootstrap, optional, requires the X.509 protection of the issuance (SC-ISS-014).
	Bootstrap *Bootstrap
	// AckEvery acknowledges new in-order messages on every AckEvery-th response only (anonymous
	// AcksTo; rm.DestinationConfig.AckEvery); 0 or 1 = every message.
	AckEvery int
	// InactivityTimeout discards a sequence after this long without a message (RM-DA,
	// FLOW §5); zero = never. Acted on by Start's clock.
	InactivityTimeout time.Duration
	// Store keeps the Destination's sequences, the issued SCTs (sealed) and the delivered
	// log's position across restarts (issue #5, FLOW §6); NewResponder recovers from it. Nil
	// keeps everything in memory. The caller closes it after Close.
	Store store.Store
	// StoreKey is the 32-octet AES-256 storage key sealing the SCTs at rest (RM-PER-005);
	// required with Store.
	StoreKey []byte
	// DeliveredPrior is the content of the Delivered log at start-up (read before appending):
	// with Store, deliveries written to the log just before a crash but not yet committed are
	// recognised and not written twice.
	DeliveredPrior []trace.Delivery
	// Provisioned are SCTs agreed out of band (an Identifier and a secret, no WS-Trust
	// exchange): a stack without an issuer, such as gSOAP, secures its sequences with one
	// (rsppeer --sct). They are accepted like issued ones, in Profile's WS-SC version. A
	// provisioned Identifier that the Store already holds (recovered) is left as is.
	Provisioned []token.Token
}

// Responder is the service side of FLOW.md: the SCT issuer and the WS-RM Destination, with an
// application that records every delivered message.
type Responder struct {
	cfg    ResponderConfig
	pol    wssec.Policy
	rec    recorder
	after  []func(*etree.Document, wssec.Token) error // misbehaviour after protection
	replay *wssec.ReplayCache
	store  *token.Store
	issuer *trust.Issuer
	client *transport.Client

	mu        sync.Mutex // serialises the Destination and the delivery record
	dest      *rm.Destination
	delivered []trace.Delivery
	issued    []token.Token     // every token instance issued (Tokens)
	reverse   map[string]string // forward sequence -> accepted reverse sequence
	rev       *Initiator        // duplex: sends on the reverse sequences
	per       *responderStore   // persistence (responder_store.go)
}

// NewResponder returns a Responder.
func NewResponder(cfg ResponderConfig) (*Responder, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	mb, rest := rm.ParseMisbehave(cfg.Misbehave)
	var after []func(*etree.Document, wssec.Token) error
	for _, n := range rest {
		if n != WrongDKLabel {
			return nil, fmt.Errorf("responder: unknown misbehaviour %q (known: %v and %s)", n, rm.MisbehaveNames(), WrongDKLabel)
		}
		after = append(after, resignWrongLabel)
	}
	store := token.NewStore(cfg.Now)
	icfg := trust.IssuerConfig{Store: store, Lifetime: cfg.Lifetime, Now: cfg.Now}
	if b := cfg.Bootstrap; b != nil {
		if err := b.check(false); err != nil {
			return nil, fmt.Errorf("responder: %w", err)
		}
		icfg.Identity, icfg.RequireBootstrap = b.Identity, true
	}
	is, err := trust.NewIssuer(icfg)
	if err != nil {
		return nil, fmt.Errorf("responder: %w", err)
	}
	dcfg := rm.DestinationConfig{
		NewID:                  newID,
		RequireSTR:             true,
		RequireUsesSequenceSTR: true,
		RequireRM:              true,
		Assurance:              rm.Assurance{Delivery: rm.ExactlyOnce, InOrder: true},
		Misbehave:              mb,
		AcceptOffers:           cfg.Duplex,
		InactivityTimeout:      cfg.InactivityTimeout,
		AckEvery:               cfg.AckEvery,
	}
	d, err := rm.NewDestination(dcfg)
	if err != nil {
		return nil, fmt.Errorf("responder: %w", err)
	}
	cl := cfg.Client
	if cl == nil {
		cl = &transport.Client{}
	}
	r := &Responder{cfg: cfg, pol: policy(cfg.Profile), rec: recorder{trace: cfg.Trace, hook: cfg.Hook},
		store: store, issuer: is, dest: d, client: cl, after: after, replay: wssec.NewReplayCache(0),
		reverse: map[string]string{}}
	if cfg.Duplex {
		if r.rev, err = r.newReverse(); err != nil {
			return nil, fmt.Errorf("responder: %w", err)
		}
	}
	if err := r.openStore(dcfg); err != nil {
		return nil, err
	}
	if err := r.provision(cfg.Provisioned); err != nil {
		return nil, err
	}
	return r, nil
}

// Handler is the HTTP endpoint: SOAP over POST, GET /healthz.
func (r *Responder) Handler() http.Handler {
	return transport.Health(&transport.Handler{Serve: r.Serve})
}

// Delivered returns what the application received so far, in delivery order.
func (r *Responder) Delivered() []trace.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]trace.Delivery(nil), r.delivered...)
}

// Sequences is the number of live sequences at the Destination.
func (r *Responder) Sequences() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dest.Len()
}

// Serve handles one SOAP request (transport.Handler.Serve).
func (r *Responder) Serve(ctx context.Context, req *transport.Request) (*transport.Reply, error) {
	now := r.cfg.Now()
	m, err := codec.Decode(req.Body, codec.Options{})
	r.rec.record(trace.In, req.Body, m)
	if err != nil {
		f := &soap.Fault{Code: soap.Sender, Reason: "message could not be decoded"}
		return r.reply(faultEnvelope(nil, req.Version, wsa.V10.SOAPFaultAction(), f), nil, true, now)
	}
	action := req.Action
	if m.HasAddressing && m.Addressing.Action != "" {
		action = m.Addressing.Action
	}
	if v, _, response, ok := wsc.BindingOfAction(action); ok && !response {
		if v != r.cfg.Profile.SC() {
			return r.reply(actionNotSupported(m, action), nil, true, now)
		}
		return r.serveTrust(m, v, now)
	}
	if v, _, ok := wsrm.KindOfAction(action); ok && v != r.cfg.Profile.RM() {
		return r.reply(actionNotSupported(m, action), nil, true, now)
	}
	if f := missingAddressing(m, r.cfg.Profile.RM()); f != nil {
		return r.reply(f, nil, true, now)
	}
	if seq, _ := codec.Find[*wsrm.Sequence](m); seq == nil && m.HasAddressing && m.Addressing.Action != "" && !r.serves(m.Addressing.Action) {
		// WSA-001: an action the endpoint does not know is refused, not silently accepted.
		// A message of a sequence is an application message whatever its action (the
		// application, not the RM layer, owns application actions): an external initiator
		// judged by the suite sends its own.
		return r.reply(actionNotSupported(m, action), nil, true, now)
	}
	return r.serveRM(ctx, m, now)
}

// serves reports whether the RM endpoint knows action (the SCT bindings of WS-Trust are
// dispatched before): the WS-RM actions of the profile's version, including the acks and
// faults of the reverse sequences (duplex), the WS-Addressing fault actions, and the
// application's actions — AppAction for the forward sequences, EchoAction for what the
// responder's application sends on the reverse ones.
func (r *Responder) serves(action string) bool {
	switch action {
	case AppAction, EchoAction, wsa.V10.FaultAction(), wsa.V10.SOAPFaultAction(), wsa.V200408.FaultAction():
		return true
	}
	v, _, ok := wsrm.KindOfAction(action)
	return ok && v == r.cfg.Profile.RM()
}

// serveTrust answers the SCT bindings of WS-Trust (FLOW M1/M2, renewal, Mx).
func (r *Responder) serveTrust(m *codec.Message, v wsc.Version, now time.Time) (*transport.Reply, error) {
	treq := r.issuer.Check(m, wssec.CheckOptions{Policy: wssec.Policy{Version: v, DerivedKeys: true}, Now: now})
	if b := r.cfg.Bootstrap; b != nil {
		if cert, err := b.verify(m, now); err == nil {
			treq.Requestor = cert
		}
	}
	env, err := r.issuer.Handle(treq)
	if env == nil {
		return nil, fmt.Errorf("issuer returned nothing: %w", err)
	}
	gone, err2 := r.saveTokens()
	if err2 == nil {
		err2 = r.endReverseOf(context.Background(), gone)
	}
	if err2 != nil {
		return nil, err2
	}
	r.remember()
	if r.cfg.KeyLog != nil {
		for _, t := range r.store.All() {
			_ = r.cfg.KeyLog.Log(t.Identifier, t.Secret)
		}
	}
	var tf *trust.Fault
	fault := errors.As(err, &tf)
	if b := r.cfg.Bootstrap; b != nil && !fault {
		return r.replySigned(env, b, now)
	}
	return r.reply(env, nil, fault, now)
}

// replySigned answers an issuance request with the RSTR signed by the issuer's X.509
// identity (SC-ISS-014).
func (r *Responder) replySigned(env *codec.Envelope, b *Bootstrap, now time.Time) (*transport.Reply, error) {
	doc, err := codec.Build(env, codec.Options{})
	if err != nil {
		return nil, err
	}
	if err := b.sign(doc, now); err != nil {
		return nil, err
	}
	raw, err := serialize(doc)
	if err != nil {
		return nil, err
	}
	r.rec.record(trace.Out, raw, nil)
	return &transport.Reply{Body: raw, Action: env.Addressing.Action}, nil
}

// reply encodes env, protects it with tok when set, records it and returns it for the HTTP
// response (persist happened before, in the engine call; protect -> send -> trace).
func (r *Responder) reply(env *codec.Envelope, tok *wssec.Token, fault bool, now time.Time) (*transport.Reply, error) {
	raw, err := build(env, tok, r.pol, now, r.after...)
	if err != nil {
		return nil, err
	}
	r.rec.record(trace.Out, raw, nil)
	action := ""
	if env.Addressing != nil {
		action = env.Addressing.Action
	}
	return &transport.Reply{Body: raw, Fault: fault, Action: action}, nil
}

// token returns the protection of an outgoing message bound to SCT id ("" = none).
func (r *Responder) token(id string) *wssec.Token {
	if id == "" {
		return nil
	}
	t, err := r.store.Lookup(id)
	if err != nil {
		return nil
	}
	s := t.Security()
	return &s
}

// Tokens returns every SCT instance the responder's issuer has issued or renewed, cancelled
// and expired ones included (the conformance suite verifies an initiator's messages with
// them after the run).
func (r *Responder) Tokens() []token.Token {
	r.remember()
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]token.Token(nil), r.issued...)
}

// remember adds the issuer's current tokens to the history Tokens returns.
func (r *Responder) remember() {
	live := r.store.All()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range live {
		known := false
		for _, o := range r.issued {
			if o.Identifier == t.Identifier && o.Instance == t.Instance {
				known = true
				break
			}
		}
		if !known {
			r.issued = append(r.issued, t)
		}
	}
}
