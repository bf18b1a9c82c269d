package rm

import (
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Action is one effect the peer must perform. Every engine call returns its actions in the
// order they must be carried out: all Persist actions of a call come first and form one
// atomic batch; nothing after them may be performed before the batch is durable
// (durability before acknowledgement, see the package documentation).
type Action interface{ isAction() }

// Payload is an application message as the peer hands it to rm: opaque bytes (normally the
// unprotected envelope, or a key the peer resolves). rm never reads it; it only stores,
// persists and hands it back (Deliver, SendMessage, Discard).
type Payload []byte

// Role tells the two engines apart in persisted records and reverse-sequence announcements.
type Role uint8

const (
	RoleSource Role = iota + 1
	RoleDestination
)

func (r Role) String() string {
	if r == RoleSource {
		return "source"
	}
	return "destination"
}

// ---- Persistence (issue #5): one atomic batch per engine call, before anything else ----

// Persistent marks the actions that describe durable state changes. The store applies them
// as a key-value batch: sequences keyed by (Role, Seq), messages by (Role, Seq, Number).
type Persistent interface {
	Action
	isPersistent()
}

// PutSource replaces the durable state of a Source sequence.
type PutSource struct{ State SourceState }

// PutDestination replaces the durable state of a Destination sequence.
type PutDestination struct{ State DestinationState }

// DeleteSequence removes a sequence's state and all its stored messages.
type DeleteSequence struct {
	Role Role
	Seq  string
}

// PutMessage stores one message: at a Source before its first transmission (FLOW §6 "before
// sending k"); at a Destination when it is held for later delivery (InOrder buffer).
type PutMessage struct {
	Role    Role
	Seq     string
	Number  uint64
	Payload Payload
}

// DeleteMessages removes the stored messages Lower..Upper (inclusive) of a sequence: acked at
// a Source, delivered or discarded at a Destination.
type DeleteMessages struct {
	Role         Role
	Seq          string
	Lower, Upper uint64
}

// ---- Outbound messages ----

// Reply answers the request being handled (wsa:RelatesTo = its MessageID) with a WS-RM
// response body, protected by Token ("" = unsecured).
type Reply struct {
	Kind  wsrm.Kind // CreateSequenceResponse, CloseSequenceResponse or TerminateSequenceResponse
	Seq   string
	Msg   any                           // *wsrm.CreateSequenceResponse | *wsrm.CloseSequenceResponse | *wsrm.TerminateSequenceResponse
	Ack   *wsrm.SequenceAcknowledgement // header to add (the final ack on Close/Terminate responses), or nil
	Token string
}

// SendAck is a wsrm:SequenceAcknowledgement for AcksTo (RM-ACK-001). With an anonymous AcksTo
// it rides the HTTP response of the request being handled; otherwise it may be piggy-backed on
// any message going to AcksTo.Address (RM-ACK-008) or sent stand-alone with an empty body and
// the SequenceAcknowledgement action (RM-ACK-002). Urgent acks (answers to AckRequested and
// Close) must go out now, stand-alone if nothing else is leaving.
type SendAck struct {
	Ack    wsrm.SequenceAcknowledgement
	AcksTo wsa.EPR
	Token  string // protect with this SCT ("" = unsecured)
	Urgent bool
}

// Send asks for a new request of the Source's protocol: CreateSequence, CloseSequence,
// TerminateSequence or a stand-alone AckRequested (empty body, the AckRequested header).
type Send struct {
	Kind wsrm.Kind
	Seq  string // the sequence identifier ("" for CreateSequence)
	// Ref correlates a CreateSequence with its response: use it as the wsa:MessageID so that
	// the response's RelatesTo finds it (Source.CreateSequenceResponse takes it back).
	Ref   string
	Msg   any // *wsrm.CreateSequence | *wsrm.CloseSequence | *wsrm.TerminateSequence | *wsrm.AckRequested
	To    wsa.EPR
	Token string // protect with this SCT ("" = unsecured)
	// STR: CreateSequence only — write a wsse:SecurityTokenReference naming this SCT
	// (wsse:Reference URI=<Identifier>, RM-STR-001/002) as the last child of CreateSequence.
	STR string
	// UsesSequenceSTR: CreateSequence 1.1 only — add the empty wsrm:UsesSequenceSTR header
	// with mustUnderstand="true" and sign it (RM-STR-003).
	UsesSequenceSTR bool
	Attempt         int // 0 = first transmission; retransmissions re-protect freshly
}

// SendMessage transmits application message Number of a Source sequence (or, with Last, the
// empty-bodied 2005/02 LastMessage message). Every transmission, including each
// retransmission (Attempt > 0), must be protected afresh from the stored unprotected payload:
// new Timestamp, new signature (RM-SEQ-008, RM-PER-008) — unless Stale is set by the
// StaleRetransmit misbehaviour.
type SendMessage struct {
	Version wsrm.Version
	Seq     string
	Number  uint64
	Last    bool // 2005/02 wsrm:LastMessage (action .../LastMessage, empty body)
	Payload Payload
	To      wsa.EPR
	Token   string
	Attempt int
	// AckRequested suggests piggy-backing a wsrm:AckRequested header (on retransmissions and
	// on the last message before Close), so the RMD answers promptly.
	AckRequested bool
	// Stale (misbehaviour StaleRetransmit only): resend the bytes of the first transmission
	// with their old Timestamp and signature instead of protecting the message again.
	Stale bool
}

// Header is the wsrm:Sequence header of the message.
func (m SendMessage) Header() wsrm.Sequence {
	return wsrm.Sequence{V: m.Version, Identifier: m.Seq, MessageNumber: m.Number, LastMessage: m.Last}
}

// SendFault answers the request being handled with Fault, protected by Token when the
// sequence is known ("" otherwise). To is the sequence's other end (AcksTo at a Destination,
// the RMD endpoint at a Source) for when there is no request to answer, e.g. an ack that
// arrived on an HTTP response.
type SendFault struct {
	Fault *Fault
	To    wsa.EPR
	Token string
}

// Drop discards the inbound message without any answer. Fault says what would otherwise
// have been sent (for traces); Reason explains the silence.
type Drop struct {
	Fault  *Fault
	Reason string
}

// ---- Application and lifecycle ----

// Deliver hands message Number of sequence Seq to the application.
type Deliver struct {
	Seq     string
	Number  uint64
	Payload Payload
}

// Discard releases a message that will never be delivered (IncompleteSequenceBehavior) or,
// at a Source, never acknowledged (sequence ended or failed).
type Discard struct {
	Role    Role
	Seq     string
	Number  uint64
	Payload Payload
}

// Reverse announces an accepted Offer (WS-RM 1.1 §3.4, RM-CS-004, RM-CSR-002): the other
// engine of the same peer must adopt the offered sequence — Source.Adopt when Role is
// RoleSource (the responder will send on it), Destination.Adopt when RoleDestination (the
// initiator will receive on it). The reverse sequence inherits the forward sequence's token
// binding (RM-STR-010).
type Reverse struct {
	Role    Role
	Version wsrm.Version
	Seq     string // the offered identifier
	Forward string // the identifier of the sequence whose CreateSequence carried the Offer
	Token   string
	// Peer: RoleSource — where to send (the Offer's Endpoint; empty in 2005/02, where the
	// peer uses the CreateSequence's ReplyTo). RoleDestination — where acks go (Accept/AcksTo).
	Peer    wsa.EPR
	Expires time.Time // zero = never
	// IncompleteSequenceBehavior declared in the Offer (1.1), for the receiving side.
	IncompleteSequenceBehavior string
}

// EndReason says why a sequence ended.
type EndReason int

const (
	EndCompleted  EndReason = iota + 1 // terminated normally
	EndExpired                         // its Expires passed (RM-PER-009)
	EndInactive                        // inactivity timeout (RM-PER-009)
	EndFailed                          // a fault, refusal or the retransmission limit ended it
	EndIncomplete                      // closed or terminated with unacknowledged messages (Source)
)

func (r EndReason) String() string {
	switch r {
	case EndCompleted:
		return "completed"
	case EndExpired:
		return "expired"
	case EndInactive:
		return "inactive"
	case EndFailed:
		return "failed"
	case EndIncomplete:
		return "incomplete"
	}
	return "?"
}

// Ended reports that a sequence's life is over and its state is gone (for a persisted
// sequence a DeleteSequence precedes it; for a CreateSequence that never got a response, Seq
// is its reference). Fault is set when a fault ended it.
type Ended struct {
	Role   Role
	Seq    string
	Reason EndReason
	Fault  *Fault
}

// Note records a tolerated protocol deviation or a notable decision for the trace (the
// conformance suite reads them): Assertion is the catalogue ID concerned.
type Note struct {
	Seq       string
	Assertion string
	Text      string
}

func (PutSource) isAction()      {}
func (PutDestination) isAction() {}
func (DeleteSequence) isAction() {}
func (PutMessage) isAction()     {}
func (DeleteMessages) isAction() {}
func (Reply) isAction()          {}
func (SendAck) isAction()        {}
func (Send) isAction()           {}
func (SendMessage) isAction()    {}
func (SendFault) isAction()      {}
func (Drop) isAction()           {}
func (Deliver) isAction()        {}
func (Discard) isAction()        {}
func (Reverse) isAction()        {}
func (Ended) isAction()          {}
func (Note) isAction()           {}

func (PutSource) isPersistent()      {}
func (PutDestination) isPersistent() {}
func (DeleteSequence) isPersistent() {}
func (PutMessage) isPersistent()     {}
func (DeleteMessages) isPersistent() {}

// out accumulates one call's actions, keeping Persistent ones first (in the order saved)
// and the others after them (in the order done).
type out struct {
	a  []Action
	np int // number of Persistent actions at the front
}

func (o *out) save(x Persistent) {
	if o.a == nil {
		o.a = make([]Action, 0, 4)
	}
	o.a = append(o.a, nil)
	copy(o.a[o.np+1:], o.a[o.np:])
	o.a[o.np] = x
	o.np++
}

func (o *out) do(x Action) {
	if o.a == nil {
		o.a = make([]Action, 0, 4)
	}
	o.a = append(o.a, x)
}

func (o *out) actions() []Action { return o.a }
