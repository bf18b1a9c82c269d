package rm

import (
	"errors"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Delivery is a WS-RM delivery assurance (WS-RM 1.1 §2.4; WS-RM Policy DeliveryAssurance).
type Delivery uint8

const (
	ExactlyOnce Delivery = iota // RM-DA-003: duplicates filtered, retransmission until acked
	AtLeastOnce                 // RM-DA-001: no duplicate filtering
	AtMostOnce                  // RM-DA-002: duplicates filtered
)

func (d Delivery) String() string {
	switch d {
	case AtLeastOnce:
		return "AtLeastOnce"
	case AtMostOnce:
		return "AtMostOnce"
	}
	return "ExactlyOnce"
}

// Assurance is a delivery assurance plus InOrder, which combines with any of the three
// (RM-DA-004).
type Assurance struct {
	Delivery Delivery
	InOrder  bool
}

// DestinationConfig configures a Destination. Only NewID is required; the zero value of every
// other field is a sensible default.
type DestinationConfig struct {
	Assurance Assurance
	// IncompleteSequenceBehavior applied to new sequences and declared in 1.1
	// CreateSequenceResponses: wsrm.DiscardEntireSequence, wsrm.DiscardFollowingFirstGap or
	// wsrm.NoDiscard; "" = NoDiscard, not declared.
	IncompleteSequenceBehavior string
	// RequireSTR refuses a CreateSequence without an STR (RM-STR-007, RM-STR-012).
	RequireSTR bool
	// RequireUsesSequenceSTR refuses a 1.1 CreateSequence whose STR is not accompanied by
	// the wsrm:UsesSequenceSTR header (RM-STR-003; WCF does).
	RequireUsesSequenceSTR bool
	// AcceptOffers accepts well-formed, non-duplicate Offers (duplex); otherwise an Offer is
	// declined by answering without Accept (RM-CSR-002/003).
	AcceptOffers bool
	// AcceptAcksTo is the Accept/AcksTo of accepted Offers: where acks for the reverse
	// sequence go. Empty = anonymous.
	AcceptAcksTo wsa.EPR
	// MaxExpires caps the Expires granted (0 = grant what is requested, including "never").
	MaxExpires time.Duration
	// InactivityTimeout discards a sequence after this long without an admitted message
	// (0 = never; WCF's default is 10 minutes). RM-PER-009.
	InactivityTimeout time.Duration
	// AckInterval batches acknowledgements for addressable AcksTo: an ack is sent at most
	// this long after a message unless Piggyback takes it earlier. 0 = ack every message.
	// Anonymous AcksTo always acks each message (the HTTP response is the only chance).
	AckInterval time.Duration
	// AckEvery batches acknowledgements for anonymous AcksTo: a new, in-order message is
	// acknowledged on every AckEvery-th response only (WS-RM 1.1 §3.9: an RMD may send an
	// acknowledgement at any time; WCF batches with its AcknowledgementInterval). Duplicates,
	// gaps, LastMessage and AckRequested are still answered at once, so the Source's
	// AckRequested before Close (Finish) always gets the complete ack. 0 or 1 = every message.
	AckEvery int
	// MaxMessageNumber is the highest number accepted (0 = wsrm.MaxMessageNumber); beyond
	// it, MessageNumberRollover (RM-SEQ-003).
	MaxMessageNumber uint64
	// MaxBuffered bounds the messages held per sequence awaiting in-order delivery (0 =
	// 10000). A message that would exceed it is dropped unacknowledged; the Source resends it.
	MaxBuffered int
	// RequireRM makes Unsequenced answer wsrm:WSRMRequired (RM-FLT-005).
	RequireRM bool
	// RejectSilently drops messages that fail the token binding instead of faulting
	// (WCF's behaviour, RM-STR-009).
	RejectSilently bool
	// NewID returns a fresh sequence identifier (an absolute URI such as urn:uuid:...). The
	// engine has no randomness of its own.
	NewID func() string
	// Misbehave holds deliberate violations; zero = conforming.
	Misbehave Misbehave
}

// Destination is the RM Destination (RMD) state machine for any number of sequences.
// Not safe for concurrent use: the caller serialises calls (one goroutine or a mutex).
type Destination struct {
	cfg     DestinationConfig
	seqs    map[string]*dseq
	offered map[string]string // accepted Offer identifier -> forward sequence (RM-CS-005)
	created map[string]string // CreateSequence MessageID -> the sequence it created
	dirty   map[string]struct{}
	t       timers
}

// dseq is one sequence at the Destination.
type dseq struct {
	id       string
	v        wsrm.Version
	token    string
	acksTo   wsa.EPR
	expires  time.Time
	isb      string
	as       Assurance
	recv     Ranges
	held     int                // new messages not yet acknowledged (AckEvery)
	upTo     uint64             // holding modes: 1..upTo delivered
	buf      map[uint64]Payload // holding modes: received, not yet delivered
	closed   bool
	closeAt  uint64 // LastMsgNumber of CloseSequence
	lastMsg  uint64 // 2005/02: number that carried LastMessage
	termed   bool   // AcceptAfterTerminate only
	offer    string // reverse sequence accepted with this one
	forward  string // adopted reverse sequence: its forward sequence
	ref      string // MessageID of the CreateSequence that created it
	resp     *wsrm.CreateSequenceResponse
	lastSeen time.Time
	dirty    bool
	armed    armed
}

// NewDestination returns an empty Destination.
func NewDestination(cfg DestinationConfig) (*Destination, error) {
	if cfg.NewID == nil {
		return nil, errors.New("rm: DestinationConfig.NewID is required")
	}
	if cfg.MaxMessageNumber == 0 || cfg.MaxMessageNumber > wsrm.MaxMessageNumber {
		cfg.MaxMessageNumber = wsrm.MaxMessageNumber
	}
	if cfg.MaxBuffered <= 0 {
		cfg.MaxBuffered = 10000
	}
	if cfg.IncompleteSequenceBehavior != "" && !wsrm.ValidIncompleteSequenceBehavior(cfg.IncompleteSequenceBehavior) {
		return nil, errors.New("rm: invalid IncompleteSequenceBehavior " + cfg.IncompleteSequenceBehavior)
	}
	return &Destination{cfg: cfg, seqs: map[string]*dseq{}, offered: map[string]string{},
		created: map[string]string{}, dirty: map[string]struct{}{}}, nil
}

// Len is the number of live sequences.
func (d *Destination) Len() int { return len(d.seqs) }

// CreateSequence handles an inbound CreateSequence (FLOW M3): STR scoping, Offer, Expires. It
// answers with a Reply carrying the CreateSequenceResponse (M4) or a SendFault with
// wsrm:CreateSequenceRefused — exactly one answer (RM-CS-008).
func (d *Destination) CreateSequence(req CreateSequenceRequest, a Auth, now time.Time) []Action {
	var o out
	cs := req.Msg
	if cs == nil {
		o.do(SendFault{Fault: refused(wsrm.V200702, "RM-CS-001", "no CreateSequence body")})
		return o.actions()
	}
	v := cs.V
	fail := func(f *Fault) []Action {
		// The refusal answers the request (ReplyTo/FaultTo), protected by whatever token
		// protected it, if any.
		o.do(SendFault{Fault: f, Token: a.Token})
		return o.actions()
	}
	if cs.AcksTo.Address == "" {
		// RM-CS-002: AcksTo is required; acks and faults for the sequence go there.
		return fail(refused(v, "RM-CS-002", "CreateSequence has no AcksTo address"))
	}
	token, f := d.checkScope(req, a)
	if f != nil {
		return fail(f)
	}
	if s := d.seqs[d.created[req.MessageID]]; req.MessageID != "" && s != nil && s.token == token {
		// A retransmitted CreateSequence whose response was lost: the same answer again, not
		// a second, orphaned sequence (RM-CS-008: one answer per request).
		o.do(Note{Seq: s.id, Assertion: "RM-CS-008", Text: "CreateSequence " + req.MessageID + " retransmitted; answered again"})
		o.do(Reply{Kind: wsrm.KindCreateSequenceResponse, Seq: s.id, Msg: s.resp, Token: replyToken(token, a)})
		return o.actions()
	}
	accept, f := d.checkOffer(cs)
	if f != nil {
		return fail(f)
	}
	requested, err := ParseDuration(cs.Expires)
	if err != nil || requested < 0 {
		return fail(refused(v, "RM-CS-003", "Expires %q is not a usable duration", cs.Expires))
	}
	// RM-CS-003: the RMD may shorten the requested lifetime, never lengthen it.
	granted := grantExpires(requested, d.cfg.MaxExpires)
	id := d.cfg.NewID()
	if _, dup := d.seqs[id]; dup || id == "" || !wsrm.AbsoluteURI(id) {
		f := refused(v, "RM-CSR-001", "could not allocate a unique sequence identifier")
		f.Receiver = true // our problem, not the requester's
		return fail(f)
	}
	s := &dseq{id: id, v: v, token: token, acksTo: cs.AcksTo, isb: d.cfg.IncompleteSequenceBehavior,
		as: d.cfg.Assurance, lastSeen: now}
	if granted > 0 {
		s.expires = now.Add(granted)
	}
	resp := &wsrm.CreateSequenceResponse{V: v, Identifier: id}
	if granted > 0 {
		resp.Expires = FormatDuration(granted)
	}
	if v == wsrm.V200702 && s.isb != "" {
		resp.IncompleteSequenceBehavior = s.isb
	}
	var rev *Reverse
	if accept {
		off := cs.Offer
		s.offer = off.Identifier
		d.offered[off.Identifier] = id
		resp.Accept = &wsrm.Accept{AcksTo: d.acceptAcksTo(cs.AcksTo)}
		rev = &Reverse{Role: RoleSource, Version: v, Seq: off.Identifier, Forward: id, Token: token,
			IncompleteSequenceBehavior: off.IncompleteSequenceBehavior}
		if off.Endpoint != nil {
			rev.Peer = *off.Endpoint
		}
		if oe, _ := ParseDuration(off.Expires); oe > 0 {
			rev.Expires = now.Add(oe)
		}
	}
	s.ref, s.resp = req.MessageID, resp
	if req.MessageID != "" {
		d.created[req.MessageID] = id
	}
	d.seqs[id] = s
	d.arm(s, now)
	o.save(PutDestination{State: s.state()})
	o.do(Reply{Kind: wsrm.KindCreateSequenceResponse, Seq: id, Msg: resp, Token: replyToken(token, a)})
	if rev != nil {
		o.do(*rev)
	}
	return o.actions()
}

// replyToken protects a CreateSequenceResponse: the sequence's token, else (unscoped) the
// request's, answering in kind.
func replyToken(token string, a Auth) string {
	if token != "" {
		return token
	}
	return a.Token
}

// checkOffer validates an Offer (RM-CS-004/005/006) and decides whether to accept it.
// A malformed or duplicate Offer refuses the whole CreateSequence; a well-formed one that
// this endpoint does not want is declined by omitting Accept (RM-CSR-002/003).
func (d *Destination) checkOffer(cs *wsrm.CreateSequence) (bool, *Fault) {
	off := cs.Offer
	if off == nil {
		return false, nil
	}
	v := cs.V
	switch {
	case !wsrm.AbsoluteURI(off.Identifier):
		return false, refused(v, "RM-CS-004", "the Offer Identifier %q is not an absolute URI", off.Identifier)
	case v == wsrm.V200702 && (off.Endpoint == nil || off.Endpoint.Address == ""):
		return false, refused(v, "RM-CS-004", "a WS-RM 1.1 Offer requires an Endpoint")
	case off.IncompleteSequenceBehavior != "" && !wsrm.ValidIncompleteSequenceBehavior(off.IncompleteSequenceBehavior):
		return false, refused(v, "RM-CS-006", "unknown IncompleteSequenceBehavior %q", off.IncompleteSequenceBehavior)
	}
	if e, err := ParseDuration(off.Expires); err != nil || e < 0 {
		return false, refused(v, "RM-CS-004", "Offer Expires %q is not a usable duration", off.Expires)
	}
	_, dup := d.seqs[off.Identifier]
	if _, used := d.offered[off.Identifier]; dup || used {
		return false, refused(v, "RM-CS-005", "the offered identifier %s is already in use", off.Identifier)
	}
	return d.cfg.AcceptOffers, nil
}

// acceptAcksTo is the configured Accept/AcksTo, else the anonymous URI of the addressing
// version the requester used.
func (d *Destination) acceptAcksTo(req wsa.EPR) wsa.EPR {
	if d.cfg.AcceptAcksTo.Address != "" {
		return d.cfg.AcceptAcksTo
	}
	if req.Address == wsa.V200408.Anonymous() {
		return wsa.EPR{Address: wsa.V200408.Anonymous()}
	}
	return wsa.EPR{Address: wsa.V10.Anonymous()}
}

// Adopt registers the reverse sequence of an Offer this peer made and the other side
// accepted (the Reverse action from Source.CreateSequenceResponse, Role RoleDestination).
func (d *Destination) Adopt(r Reverse, now time.Time) ([]Action, error) {
	if r.Role != RoleDestination {
		return nil, errors.New("rm: Destination.Adopt needs a Reverse with RoleDestination")
	}
	if _, dup := d.seqs[r.Seq]; dup || r.Seq == "" {
		return nil, errors.New("rm: cannot adopt sequence " + r.Seq + ": identifier empty or in use")
	}
	isb := r.IncompleteSequenceBehavior
	if isb == "" {
		isb = d.cfg.IncompleteSequenceBehavior
	}
	s := &dseq{id: r.Seq, v: r.Version, token: r.Token, acksTo: r.Peer, expires: r.Expires, isb: isb,
		as: d.cfg.Assurance, forward: r.Forward, lastSeen: now}
	d.seqs[s.id] = s
	d.arm(s, now)
	var o out
	o.save(PutDestination{State: s.state()})
	return o.actions(), nil
}

// arm schedules a sequence's expiry and inactivity checks.
func (d *Destination) arm(s *dseq, now time.Time) {
	d.t.arm(&s.armed, s.id, tExpire, s.expires)
	if d.cfg.InactivityTimeout > 0 {
		d.t.arm(&s.armed, s.id, tInactive, s.lastSeen.Add(d.cfg.InactivityTimeout))
	}
}

// lookup finds a live sequence or produces the UnknownSequence answer (RM-SEQ-004,
// RM-CSR-005, RM-TS-003): silently dropped under SilentUnknownSequence.
func (d *Destination) lookup(o *out, v wsrm.Version, id string, a Auth) *dseq {
	// A sequence never mixes versions (DESIGN "Versions"): an identifier is known only in the
	// namespace of the version that created it.
	if s := d.seqs[id]; s != nil && s.v == v {
		return s
	}
	f := unknownSequence(v, id)
	if d.cfg.Misbehave.SilentUnknownSequence {
		o.do(Drop{Fault: f, Reason: "misbehaviour silent-unknown-sequence"})
	} else {
		o.do(SendFault{Fault: f, Token: a.Token})
	}
	return nil
}

// admit applies the token binding (RM-STR-008/009) and produces the rejection. A rejected
// message changes nothing: no delivery, no acknowledgement, no closing or terminating.
func (d *Destination) admit(o *out, s *dseq, a Auth, headers, body bool) bool {
	why := checkBinding(s.token, a, headers, body, d.cfg.Misbehave.AcceptAnyToken)
	if why == 0 {
		return true
	}
	f := rejectFault(s.v, s.id, why)
	if d.cfg.RejectSilently {
		o.do(Drop{Fault: f, Reason: "rejected silently (WCF behaviour)"})
	} else {
		o.do(SendFault{Fault: f, Token: a.Token})
	}
	return false
}

// Unsequenced answers an application message without a wsrm:Sequence header at an endpoint
// that requires RM (RM-FLT-005): wsrm:WSRMRequired (Sender), or nil when RM is optional or
// the version (2005/02) has no such fault.
func (d *Destination) Unsequenced(v wsrm.Version) *Fault {
	if !d.cfg.RequireRM || v != wsrm.V200702 {
		return nil
	}
	return rmFault(v, wsrm.WSRMRequired, "", "RM-FLT-005", "this endpoint requires WS-ReliableMessaging")
}
