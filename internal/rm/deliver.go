package rm

import (
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Message handles an application message carrying the wsrm:Sequence header h (FLOW M5..Mn;
// also the 2005/02 LastMessage message, with an empty payload). Checks, in order: the
// sequence exists (UnknownSequence), the token binding holds (rejection, RM-STR-009), the
// number is valid (SequenceTerminated for 0, MessageNumberRollover above the maximum), the
// 2005/02 LastMessage bound (LastMessageNumberExceeded) and, after CloseSequence, that the
// message is not new (SequenceClosed). An admitted message is recorded, delivered per the
// assurance and acknowledged — duplicates included (RM-DA-005).
func (d *Destination) Message(h *wsrm.Sequence, p Payload, a Auth, now time.Time) []Action {
	var o out
	s := d.lookup(&o, h.V, h.Identifier, a)
	if s == nil || !d.admit(&o, s, a, true, true) {
		return o.actions()
	}
	s.lastSeen = now
	k := h.MessageNumber
	switch {
	case k == 0:
		// WS-RM 1.1 §3.7 / XSD MessageNumberType (RM-SEQ-002): numbers start at 1. A protocol
		// violation by the bound, authenticated Source ends the sequence (RM-FLT-003).
		f := rmFault(s.v, wsrm.SequenceTerminated, s.id, "RM-SEQ-002", "message number 0 is not a message number")
		o.do(SendFault{Fault: f, To: s.acksTo, Token: s.token})
		d.end(&o, s, EndFailed, f)
		return o.actions()
	case k > d.cfg.MaxMessageNumber:
		// WS-RM 1.1 §3.7, §4.5 (RM-SEQ-003): numbers never exceed the maximum; the RMD
		// signals exhaustion with MessageNumberRollover and its MaxMessageNumber.
		f := rmFault(s.v, wsrm.MessageNumberRollover, s.id, "RM-SEQ-003", "message number %d exceeds %d", k, d.cfg.MaxMessageNumber)
		f.MaxMessageNumber = d.cfg.MaxMessageNumber
		o.do(SendFault{Fault: f, To: s.acksTo, Token: s.token})
		return o.actions()
	case s.v == wsrm.V200502 && s.lastMsg != 0 && k > s.lastMsg:
		// WS-RM 2005/02 (RM-SEQ-006): no number above the one that carried LastMessage.
		f := rmFault(s.v, wsrm.LastMessageNumberExceeded, s.id, "RM-SEQ-006", "message %d follows LastMessage %d", k, s.lastMsg)
		o.do(SendFault{Fault: f, To: s.acksTo, Token: s.token})
		return o.actions()
	case h.LastMessage && s.v == wsrm.V200502 && k < s.recv.Max():
		f := rmFault(s.v, wsrm.LastMessageNumberExceeded, s.id, "RM-SEQ-006", "LastMessage %d but %d was received", k, s.recv.Max())
		o.do(SendFault{Fault: f, To: s.acksTo, Token: s.token})
		return o.actions()
	}
	dup := s.recv.Contains(k)
	if s.closed && !dup && !(s.termed && d.cfg.Misbehave.AcceptAfterTerminate) {
		// WS-RM 1.1 §3.5, §4.7 (RM-SEQ-005, RM-CL-003): after CloseSequence no new message is
		// accepted. Retransmissions of received ones are still acknowledged (with Final).
		f := rmFault(s.v, wsrm.SequenceClosed, s.id, "RM-SEQ-005", "the sequence is closed")
		o.do(SendFault{Fault: f, To: s.acksTo, Token: s.token})
		return o.actions()
	}
	if h.LastMessage && s.v == wsrm.V200502 && s.lastMsg == 0 && (dup || !d.full(s, k)) {
		s.lastMsg = k
		if dup {
			if s.isb == wsrm.DiscardEntireSequence && s.complete() {
				d.flush(&o, s)
			}
			o.save(PutDestination{State: s.state()})
		}
	}
	if dup {
		d.duplicate(&o, s, k, p)
	} else if !d.accept(&o, s, k, p) {
		return o.actions()
	}
	if !dup && !h.LastMessage && d.holdAck(s) {
		return o.actions()
	}
	d.acknowledge(&o, s, h.LastMessage, now)
	return o.actions()
}

// holdAck decides, under AckEvery, that the acknowledgement of a new message on an anonymous
// AcksTo waits for a later response: only while everything received is one range from 1.
func (d *Destination) holdAck(s *dseq) bool {
	if d.cfg.AckEvery <= 1 || !(s.acksTo.Address == "" || s.acksTo.IsAnonymous()) || s.recv.Len() > 1 || s.recv.Prefix() == 0 {
		s.held = 0
		return false
	}
	s.held++
	if s.held >= d.cfg.AckEvery {
		s.held = 0
		return false
	}
	return true
}

// holding reports whether messages wait for their predecessors (InOrder, RM-DA-004) or for
// the sequence's end (IncompleteSequenceBehavior other than NoDiscard, RM-DA-006).
func (s *dseq) holding() bool {
	return s.as.InOrder || s.isb == wsrm.DiscardFollowingFirstGap || s.isb == wsrm.DiscardEntireSequence
}

// delivered reports whether message k (received) was already handed to the application.
func (s *dseq) delivered(k uint64) bool {
	if !s.holding() {
		return true
	}
	return k <= s.upTo
}

// duplicate handles a message number that was already received. WS-RM 1.1 §2.4: AtMostOnce and
// ExactlyOnce never deliver twice (RM-DA-002/003); AtLeastOnce does not filter (RM-DA-001), so
// a duplicate of an already delivered message is delivered again — unless InOrder, where a
// late copy would break the order. Either way it is acknowledged (RM-DA-005).
func (d *Destination) duplicate(o *out, s *dseq, k uint64, p Payload) {
	again := s.as.Delivery == AtLeastOnce && !s.as.InOrder
	if (again || d.cfg.Misbehave.DeliverDuplicates) && s.delivered(k) {
		d.deliver(o, s, k, p)
	}
}

// accept records a new message and releases what became deliverable. It reports false when the
// message was dropped for lack of buffer space (not recorded, not acknowledged).
func (d *Destination) accept(o *out, s *dseq, k uint64, p Payload) bool {
	if !s.holding() {
		s.recv.Add(k)
		o.save(PutDestination{State: s.state()})
		d.deliver(o, s, k, p)
		return true
	}
	if d.full(s, k) {
		o.do(Drop{Reason: "in-order buffer full; the Source will retransmit"})
		return false
	}
	next := k == s.upTo+1 && s.isb != wsrm.DiscardEntireSequence
	s.recv.Add(k)
	if !next {
		if s.buf == nil {
			s.buf = map[uint64]Payload{}
		}
		s.buf[k] = p
		// The held message must be durable before it is acknowledged (RM-PER-003).
		o.save(PutMessage{Role: RoleDestination, Seq: s.id, Number: k, Payload: p})
		if s.isb == wsrm.DiscardEntireSequence && s.complete() {
			d.flush(o, s)
		}
		o.save(PutDestination{State: s.state()})
		return true
	}
	s.upTo = k
	d.deliver(o, s, k, p)
	first := s.upTo + 1
	for {
		q, ok := s.buf[s.upTo+1]
		if !ok {
			break
		}
		s.upTo++
		delete(s.buf, s.upTo)
		d.deliver(o, s, s.upTo, q)
	}
	if s.upTo >= first {
		o.save(DeleteMessages{Role: RoleDestination, Seq: s.id, Lower: first, Upper: s.upTo})
	}
	o.save(PutDestination{State: s.state()})
	return true
}

// full reports whether holding message k would exceed MaxBuffered.
func (d *Destination) full(s *dseq, k uint64) bool {
	next := k == s.upTo+1 && s.isb != wsrm.DiscardEntireSequence
	return s.holding() && !next && len(s.buf) >= d.cfg.MaxBuffered
}

// deliver hands message k to the application — except the 2005/02 protocol LastMessage
// message (the LastMessage header with no payload, WCF's empty-bodied .../LastMessage action):
// it takes a number and an acknowledgement but carries nothing to deliver.
func (d *Destination) deliver(o *out, s *dseq, k uint64, p Payload) {
	if p == nil && k == s.lastMsg {
		return
	}
	o.do(Deliver{Seq: s.id, Number: k, Payload: p})
}

// end returns the last message number when it is known: CloseSequence's LastMsgNumber, the
// 2005/02 LastMessage, or the highest received once closed; 0 = not known yet.
func (s *dseq) end() uint64 {
	switch {
	case s.closeAt != 0:
		return s.closeAt
	case s.lastMsg != 0:
		return s.lastMsg
	case s.closed:
		return s.recv.Max()
	}
	return 0
}

// complete reports whether exactly 1..end was received.
func (s *dseq) complete() bool {
	e := s.end()
	return e != 0 && s.recv.Len() == 1 && s.recv.Prefix() == e
}

// flush delivers every held message in ascending order (DiscardEntireSequence once complete;
// NoDiscard at the end).
func (d *Destination) flush(o *out, s *dseq) {
	if len(s.buf) == 0 {
		return
	}
	lo := s.upTo + 1
	for _, r := range s.recv.r {
		for k := max(r.Lower, lo); k <= r.Upper; k++ {
			if p, ok := s.buf[k]; ok {
				d.deliver(o, s, k, p)
			}
		}
	}
	o.save(DeleteMessages{Role: RoleDestination, Seq: s.id, Lower: lo, Upper: s.recv.Max()})
	s.upTo = s.recv.Max()
	s.buf = nil
}

// AckRequested answers a wsrm:AckRequested (stand-alone or piggy-backed) with an urgent
// SequenceAcknowledgement (WS-RM 1.1 §3.8, RM-AR-001). The 2005/02 MaxMessageNumberUsed is
// ignored, as WCF does.
func (d *Destination) AckRequested(h *wsrm.AckRequested, a Auth, now time.Time) []Action {
	var o out
	s := d.lookup(&o, h.V, h.Identifier, a)
	if s == nil || !d.admit(&o, s, a, true, false) {
		return o.actions()
	}
	s.lastSeen = now
	d.acknowledge(&o, s, true, now)
	return o.actions()
}

// acknowledge emits the ack after a message: at once for anonymous AcksTo, when urgent or when
// no AckInterval is configured; otherwise the sequence is marked for Piggyback or the interval
// timer (RM-ACK-001, RM-ACK-008).
func (d *Destination) acknowledge(o *out, s *dseq, urgent bool, now time.Time) {
	if urgent || d.cfg.AckInterval <= 0 || s.acksTo.IsAnonymous() {
		d.clean(s)
		o.do(SendAck{Ack: d.ack(s), AcksTo: s.acksTo, Token: d.ackToken(s), Urgent: urgent})
		return
	}
	if !s.dirty {
		s.dirty = true
		d.dirty[s.id] = struct{}{}
		d.t.arm(&s.armed, s.id, tWork, now.Add(d.cfg.AckInterval))
	}
}

// clean marks s's ack state as sent; a pending interval timer becomes stale.
func (d *Destination) clean(s *dseq) {
	s.dirty = false
	s.armed[tWork] = time.Time{}
	delete(d.dirty, s.id)
}

// ack builds the acknowledgement of s (WS-RM 1.1 §3.9): every received number as merged
// ranges (RM-ACK-003); wsrm:None when nothing was received in 1.1, range 0-0 in 2005/02 as WCF
// writes it (RM-ACK-005); wsrm:Final once the sequence is closed (1.1, RM-ACK-006).
func (d *Destination) ack(s *dseq) wsrm.SequenceAcknowledgement {
	a := wsrm.SequenceAcknowledgement{V: s.v, Identifier: s.id}
	switch {
	case s.recv.Empty() && s.v == wsrm.V200702:
		a.None = true
	case s.recv.Empty():
		a.Ranges = []wsrm.AckRange{{Lower: 0, Upper: 0}}
	case d.cfg.Misbehave.AckGaps:
		a.Ranges = []wsrm.AckRange{{Lower: 1, Upper: s.recv.Max()}}
	default:
		a.Ranges = s.recv.Ranges()
	}
	a.Final = s.closed && s.v == wsrm.V200702 && !d.cfg.Misbehave.NoFinal
	return a
}

// ackToken is the token that protects what the Destination sends about s (RM-STR-008).
func (d *Destination) ackToken(s *dseq) string {
	if d.cfg.Misbehave.UnsignedAcks {
		return ""
	}
	return s.token
}

// Ack returns the current acknowledgement of a live sequence, e.g. to piggy-back it on a
// response of the offered sequence.
func (d *Destination) Ack(id string) (SendAck, bool) {
	s := d.seqs[id]
	if s == nil {
		return SendAck{}, false
	}
	return SendAck{Ack: d.ack(s), AcksTo: s.acksTo, Token: d.ackToken(s)}, true
}

// Piggyback takes the pending (not yet sent) acknowledgements of the sequences whose AcksTo
// address is addr, for the peer to add as headers to a message it is about to send there
// (WS-RM 1.1 §3.2, RM-ACK-008). Taken acks are no longer pending.
func (d *Destination) Piggyback(addr string) []SendAck {
	var out []SendAck
	for id := range d.dirty {
		s := d.seqs[id]
		if s == nil {
			delete(d.dirty, id)
			continue
		}
		if s.acksTo.Address != addr {
			continue
		}
		d.clean(s)
		out = append(out, SendAck{Ack: d.ack(s), AcksTo: s.acksTo, Token: d.ackToken(s)})
	}
	return out
}
