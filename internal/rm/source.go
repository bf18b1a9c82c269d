package rm

import (
	"errors"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// SourceConfig configures a Source. Only NewID is required.
type SourceConfig struct {
	// Retransmit is the backoff of unacknowledged messages and unanswered requests
	// (RM-ACK-009). The zero value is DefaultBackoff.
	Retransmit Backoff
	// InactivityTimeout fails a sequence when nothing arrives from the Destination for this
	// long (0 = never). Set KeepAlive below it so that an idle sequence is probed.
	InactivityTimeout time.Duration
	// KeepAlive sends a stand-alone AckRequested after this long without sending anything on
	// an open sequence (0 = never; WCF uses AckRequested as keep-alive, RM-AR-001).
	KeepAlive time.Duration
	// MaxMessageNumber is the highest number the Source assigns (0 = wsrm.MaxMessageNumber,
	// RM-SEQ-003).
	MaxMessageNumber uint64
	// NewID returns fresh identifiers: CreateSequence references and offered sequence
	// identifiers (absolute URIs such as urn:uuid:...).
	NewID func() string
	// Misbehave holds deliberate violations; zero = conforming.
	Misbehave Misbehave
}

// CreateParams describe a sequence the Source asks for.
type CreateParams struct {
	Version wsrm.Version
	// To is the RM Destination's endpoint; every message of the sequence goes there
	// (RM-SEQ-007).
	To wsa.EPR
	// Token is the SCT Identifier the sequence is scoped to: the CreateSequence carries an STR
	// naming it and every message is protected by it (RM-STR-001..011). "" = unscoped.
	Token string
	// AcksTo is where the Destination sends acks (RM-CS-002); empty = WS-A 1.0 anonymous.
	AcksTo wsa.EPR
	// Expires requests a lifetime (0 = none requested, RM-CS-003).
	Expires time.Duration
	// Offer offers a reverse sequence (duplex), nil = none.
	Offer *OfferParams
}

// OfferParams describe an offered reverse sequence (WS-RM 1.1 §3.4, RM-CS-004).
type OfferParams struct {
	// Endpoint receives the reverse sequence's messages (required in 1.1, absent in 2005/02).
	Endpoint                   wsa.EPR
	Expires                    time.Duration
	IncompleteSequenceBehavior string // 1.1 only
}

type phase uint8

const (
	phCreating    phase = iota // CreateSequence sent, no response yet
	phOpen                     // sending
	phClosing                  // CloseSequence sent (1.1)
	phClosed                   // CloseSequenceResponse, SequenceClosed or rollover: no new messages
	phTerminating              // TerminateSequence sent (1.1), awaiting the response
)

// Source is the RM Source (RMS) state machine for any number of sequences. Not safe for
// concurrent use: the caller serialises calls.
type Source struct {
	cfg     SourceConfig
	seqs    map[string]*sseq // by sequence identifier
	pending map[string]*sseq // by CreateSequence reference, until the response
	t       timers
}

// sseq is one sequence at the Source.
type sseq struct {
	ref        string
	id         string
	v          wsrm.Version
	token      string
	to         wsa.EPR
	acksTo     wsa.EPR
	reqExpires time.Duration
	expires    time.Time
	offer      *wsrm.Offer // pending Offer (until the response)
	offerID    string      // accepted reverse sequence
	forward    string      // adopted reverse sequence: its forward sequence
	next       uint64      // next number to assign
	sent       int         // new messages sent (SkipNumber/RepeatNumber act on the second)
	acked      Ranges
	msgs       map[uint64]*outMsg // stored, unacknowledged
	phase      phase
	final      bool   // an ack with Final arrived
	lastNum    uint64 // LastMsgNumber written in Close/Terminate
	lastMsg    uint64 // 2005/02: number of the LastMessage message
	finishing  bool
	ctl        *control // outstanding request awaiting its response
	lastRecv   time.Time
	lastSent   time.Time
	armed      armed
}

// outMsg is a stored, unacknowledged message.
type outMsg struct {
	p        Payload
	attempts int // retransmissions so far
	due      time.Time
	last     bool // 2005/02 LastMessage
}

// control is an outstanding request (CreateSequence, CloseSequence, 1.1 TerminateSequence)
// retransmitted until its response arrives.
type control struct {
	send     Send
	attempts int
	due      time.Time
}

// NewSource returns an empty Source.
func NewSource(cfg SourceConfig) (*Source, error) {
	if cfg.NewID == nil {
		return nil, errors.New("rm: SourceConfig.NewID is required")
	}
	if cfg.MaxMessageNumber == 0 || cfg.MaxMessageNumber > wsrm.MaxMessageNumber {
		cfg.MaxMessageNumber = wsrm.MaxMessageNumber
	}
	cfg.Retransmit = cfg.Retransmit.withDefaults()
	return &Source{cfg: cfg, seqs: map[string]*sseq{}, pending: map[string]*sseq{}}, nil
}

// Len is the number of live sequences (created, not yet ended).
func (s *Source) Len() int { return len(s.seqs) }

// Create starts a sequence (FLOW M3): it returns the reference that correlates the
// CreateSequence with its response and the Send of the CreateSequence. Nothing is persisted
// until the response arrives (FLOW §6 "after M4").
func (s *Source) Create(p CreateParams, now time.Time) (string, []Action) {
	m := s.cfg.Misbehave
	q := &sseq{ref: s.cfg.NewID(), v: p.Version, token: p.Token, to: p.To, acksTo: p.AcksTo,
		reqExpires: p.Expires, next: 1, phase: phCreating, lastRecv: now, lastSent: now}
	if q.acksTo.Address == "" {
		q.acksTo = wsa.EPR{Address: wsa.V10.Anonymous()}
	}
	cs := &wsrm.CreateSequence{V: p.Version, AcksTo: q.acksTo}
	if p.Expires > 0 {
		cs.Expires = FormatDuration(p.Expires)
	}
	if p.Offer != nil {
		off := &wsrm.Offer{Identifier: s.cfg.NewID()}
		if p.Version == wsrm.V200702 {
			ep := p.Offer.Endpoint
			off.Endpoint = &ep
			off.IncompleteSequenceBehavior = p.Offer.IncompleteSequenceBehavior
		}
		if p.Offer.Expires > 0 {
			off.Expires = FormatDuration(p.Offer.Expires)
		}
		cs.Offer = off
		q.offer = off
	}
	send := Send{Kind: wsrm.KindCreateSequence, Ref: q.ref, Msg: cs, To: p.To, Token: p.Token}
	if p.Token != "" && !m.OmitSTR {
		// RM-STR-001/002: the STR names the SCT that protects the CreateSequence.
		send.STR = p.Token
		// RM-STR-003: 1.1 adds UsesSequenceSTR (mustUnderstand); 2005/02 has no such header.
		send.UsesSequenceSTR = p.Version == wsrm.V200702 && !m.OmitUsesSequenceSTR
	}
	s.pending[q.ref] = q
	var o out
	s.request(&o, q, send, now)
	return q.ref, o.actions()
}

// request sends a control request and keeps it for retransmission until its response.
func (s *Source) request(o *out, q *sseq, send Send, now time.Time) {
	q.ctl = &control{send: send, due: now.Add(s.cfg.Retransmit.Delay(0))}
	q.lastSent = now
	o.do(send)
	s.t.arm(&q.armed, q.key(), tWork, q.ctl.due)
}

// key is the sequence's timer key: its identifier, or its reference while creating.
func (q *sseq) key() string {
	if q.id == "" {
		return q.ref
	}
	return q.id
}

// CreateSequenceResponse handles the response to the CreateSequence with reference ref (FLOW
// M4). The response must be protected by the sequence's token (RM-STR-008/RM-CSR-001);
// otherwise it is dropped and the CreateSequence retransmitted later. An Accept starts the
// reverse sequence (Reverse, RoleDestination).
func (s *Source) CreateSequenceResponse(ref string, r *wsrm.CreateSequenceResponse, a Auth, now time.Time) []Action {
	var o out
	q := s.pending[ref]
	if q == nil {
		o.do(Note{Assertion: "RM-CS-008", Text: "CreateSequenceResponse for no pending CreateSequence"})
		return o.actions()
	}
	if why := checkBinding(q.token, a, false, true, false); why != 0 {
		o.do(Drop{Fault: rejectFault(q.v, r.Identifier, why), Reason: "CreateSequenceResponse not protected by the sequence's token"})
		return o.actions()
	}
	if !wsrm.AbsoluteURI(r.Identifier) || s.seqs[r.Identifier] != nil {
		o.do(Note{Assertion: "RM-CSR-001", Text: "CreateSequenceResponse Identifier is not a fresh absolute URI: " + r.Identifier})
		return o.actions()
	}
	delete(s.pending, ref)
	q.armed = armed{}
	q.id, q.ctl, q.phase, q.lastRecv = r.Identifier, nil, phOpen, now
	s.grant(&o, q, r.Expires, now)
	s.seqs[q.id] = q
	var rev *Reverse
	switch {
	case r.Accept != nil && q.offer == nil:
		o.do(Note{Seq: q.id, Assertion: "RM-CSR-002", Text: "Accept without an Offer; ignored"})
	case r.Accept != nil:
		rev = &Reverse{Role: RoleDestination, Version: q.v, Seq: q.offer.Identifier, Forward: q.id, Token: q.token,
			Peer: r.Accept.AcksTo, IncompleteSequenceBehavior: q.offer.IncompleteSequenceBehavior}
		if e, _ := ParseDuration(q.offer.Expires); e > 0 {
			rev.Expires = now.Add(e)
		}
		q.offerID = q.offer.Identifier
	case q.offer != nil:
		o.do(Note{Seq: q.id, Assertion: "RM-CSR-003", Text: "the Offer was declined (no Accept)"})
	}
	q.offer = nil
	s.arm(q, now)
	o.save(PutSource{State: q.state()})
	if rev != nil {
		o.do(*rev)
	}
	return o.actions()
}

// grant applies the granted Expires. RM-CS-003: a Destination may shorten, never lengthen
// the requested lifetime; a longer grant (or "never" for a finite request) is noted and the
// requested value kept.
func (s *Source) grant(o *out, q *sseq, expires string, now time.Time) {
	g, err := ParseDuration(expires)
	switch {
	case err != nil || g < 0:
		o.do(Note{Seq: q.id, Assertion: "RM-CS-003", Text: "unusable Expires " + expires + "; using the requested value"})
		g = q.reqExpires
	case q.reqExpires > 0 && (g == 0 || g > q.reqExpires):
		o.do(Note{Seq: q.id, Assertion: "RM-CS-003", Text: "granted Expires exceeds the requested " + FormatDuration(q.reqExpires)})
		g = q.reqExpires
	}
	if g > 0 {
		q.expires = now.Add(g)
	}
}

// Refused handles a fault answering the CreateSequence with reference ref
// (wsrm:CreateSequenceRefused or any other). It is accepted unprotected: the Destination may
// have refused precisely because it could not verify the protection.
func (s *Source) Refused(ref string, f *Fault, now time.Time) []Action {
	var o out
	q := s.pending[ref]
	if q == nil {
		return nil
	}
	delete(s.pending, ref)
	o.do(Ended{Role: RoleSource, Seq: ref, Reason: EndFailed, Fault: f})
	return o.actions()
}

// Adopt registers the reverse sequence of an Offer this peer accepted (the Reverse action
// from Destination.CreateSequence, Role RoleSource). In 2005/02 the Offer has no Endpoint:
// set r.Peer to the CreateSequence's ReplyTo first.
func (s *Source) Adopt(r Reverse, now time.Time) ([]Action, error) {
	if r.Role != RoleSource {
		return nil, errors.New("rm: Source.Adopt needs a Reverse with RoleSource")
	}
	if r.Seq == "" || s.seqs[r.Seq] != nil {
		return nil, errors.New("rm: cannot adopt sequence " + r.Seq + ": identifier empty or in use")
	}
	if r.Peer.Address == "" {
		return nil, errors.New("rm: reverse sequence " + r.Seq + " has no endpoint to send to")
	}
	q := &sseq{id: r.Seq, v: r.Version, token: r.Token, to: r.Peer, expires: r.Expires, forward: r.Forward,
		next: 1, phase: phOpen, lastRecv: now, lastSent: now}
	s.seqs[q.id] = q
	s.arm(q, now)
	var o out
	o.save(PutSource{State: q.state()})
	return o.actions(), nil
}

// arm schedules expiry and inactivity / keep-alive checks.
func (s *Source) arm(q *sseq, now time.Time) {
	s.t.arm(&q.armed, q.id, tExpire, q.expires)
	if dl, ok := s.idleDeadline(q); ok {
		s.t.arm(&q.armed, q.id, tInactive, dl)
	}
}

// Send assigns the next message number to payload p and transmits it (FLOW M5..Mn). The
// message is stored (PutMessage) and the next number persisted before the first transmission,
// so a restart never reuses a number (RM-PER-001/002). Errors are Faults: UnknownSequence
// (no such sequence, or not created yet: RM-CSR-005), SequenceClosed (closing or closed),
// MessageNumberRollover (number space exhausted: RM-SEQ-003, the RMS must not send more).
func (s *Source) Send(id string, p Payload, now time.Time) ([]Action, error) {
	q := s.seqs[id]
	if q == nil {
		return nil, unknownSequence(wsrm.V200702, id)
	}
	if q.phase != phOpen || q.lastMsg != 0 {
		return nil, rmFault(q.v, wsrm.SequenceClosed, id, "RM-SEQ-005", "the sequence is closing or closed")
	}
	// WS-RM 1.1 §3.7 (RM-SEQ-002): 1 for the first message, +1 for each new one, never reused.
	k := q.next
	m := s.cfg.Misbehave
	switch {
	case q.sent == 1 && m.SkipNumber:
		k = q.next + 1
	case q.sent == 1 && m.RepeatNumber:
		k = q.next - 1
	}
	if k > s.cfg.MaxMessageNumber {
		f := rmFault(q.v, wsrm.MessageNumberRollover, id, "RM-SEQ-003", "message number space exhausted")
		f.MaxMessageNumber = s.cfg.MaxMessageNumber
		return nil, f
	}
	var o out
	s.transmitNew(&o, q, k, p, false, now)
	return o.actions(), nil
}

// transmitNew stores and sends a new message k.
func (s *Source) transmitNew(o *out, q *sseq, k uint64, p Payload, last bool, now time.Time) {
	q.next = max(q.next, k+1)
	q.sent++
	if q.msgs == nil {
		q.msgs = map[uint64]*outMsg{}
	}
	msg := &outMsg{p: p, due: now.Add(s.cfg.Retransmit.Delay(0)), last: last}
	q.msgs[k] = msg
	q.lastSent = now
	o.save(PutMessage{Role: RoleSource, Seq: q.id, Number: k, Payload: p})
	o.save(PutSource{State: q.state()})
	o.do(SendMessage{Version: q.v, Seq: q.id, Number: k, Last: last, Payload: p, To: q.to, Token: q.token, AckRequested: last})
	s.t.arm(&q.armed, q.id, tWork, msg.due)
}

// RequestAck sends a stand-alone AckRequested for the sequence (RM-AR-001).
func (s *Source) RequestAck(id string, now time.Time) ([]Action, error) {
	q := s.seqs[id]
	if q == nil {
		return nil, unknownSequence(wsrm.V200702, id)
	}
	var o out
	s.requestAck(&o, q, now)
	return o.actions(), nil
}

func (s *Source) requestAck(o *out, q *sseq, now time.Time) {
	q.lastSent = now
	o.do(Send{Kind: wsrm.KindAckRequested, Seq: q.id, Msg: &wsrm.AckRequested{V: q.v, Identifier: q.id}, To: q.to, Token: q.token})
}
