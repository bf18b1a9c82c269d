package rm

import (
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// CloseSequence handles wsrm:CloseSequence (WS-RM 1.1 §3.5, FLOW Mc): the sequence accepts no
// new message from now on (RM-CL-003), IncompleteSequenceBehavior is applied (RM-DA-006), and
// the reply is CloseSequenceResponse with the final acknowledgement (ranges + Final,
// RM-CL-002). A repeated CloseSequence gets the same answer.
func (d *Destination) CloseSequence(m *wsrm.CloseSequence, a Auth, now time.Time) []Action {
	var o out
	s := d.lookup(&o, m.V, m.Identifier, a)
	if s == nil || !d.admit(&o, s, a, false, true) {
		return o.actions()
	}
	s.lastSeen = now
	if m.HasLast {
		if s.closeAt != 0 && s.closeAt != m.LastMsgNumber {
			o.do(Note{Seq: s.id, Assertion: "RM-CL-004", Text: "CloseSequence repeated with a different LastMsgNumber"})
		}
		if s.recv.Max() > m.LastMsgNumber {
			o.do(Note{Seq: s.id, Assertion: "RM-CL-001", Text: "LastMsgNumber is below a number already received"})
		}
		if s.closeAt == 0 {
			s.closeAt = m.LastMsgNumber
		}
	}
	if !s.closed {
		s.closed = true
		d.finish(&o, s)
	}
	ack := d.ack(s)
	o.save(PutDestination{State: s.state()})
	o.do(Reply{Kind: wsrm.KindCloseSequenceResponse, Seq: s.id, Token: s.token, Ack: d.finalAck(&o, s, ack),
		Msg: &wsrm.CloseSequenceResponse{V: s.v, Identifier: s.id}})
	return o.actions()
}

// finalAck is the ack header of a Close/Terminate response; it shares the response's
// protection. Under UnsignedAcks the header is left off and the ack goes stand-alone,
// unprotected, instead.
func (d *Destination) finalAck(o *out, s *dseq, a wsrm.SequenceAcknowledgement) *wsrm.SequenceAcknowledgement {
	if d.cfg.Misbehave.UnsignedAcks {
		o.do(SendAck{Ack: a, AcksTo: s.acksTo, Urgent: true})
		return nil
	}
	return &a
}

// TerminateSequence handles wsrm:TerminateSequence (WS-RM 1.1 §3.6, FLOW Mt): the remaining
// held messages are delivered or discarded per IncompleteSequenceBehavior, the state is
// deleted — later messages get UnknownSequence (RM-TS-003) — and, in 1.1,
// TerminateSequenceResponse answers with the final ack (RM-TS-002). 2005/02 Terminate is
// one-way: no reply.
func (d *Destination) TerminateSequence(m *wsrm.TerminateSequence, a Auth, now time.Time) []Action {
	var o out
	s := d.lookup(&o, m.V, m.Identifier, a)
	if s == nil || !d.admit(&o, s, a, false, true) {
		return o.actions()
	}
	s.lastSeen = now
	if m.HasLast && s.closeAt != 0 && m.LastMsgNumber != s.closeAt {
		// RM-CL-004 (WCF R1302): LastMsgNumber identical in Close and Terminate.
		o.do(Note{Seq: s.id, Assertion: "RM-CL-004", Text: "TerminateSequence LastMsgNumber differs from CloseSequence"})
	}
	if m.HasLast && s.closeAt == 0 {
		s.closeAt = m.LastMsgNumber
	}
	if !s.closed {
		s.closed = true
		d.finish(&o, s)
	}
	ack := d.ack(s)
	if d.cfg.Misbehave.AcceptAfterTerminate {
		s.termed = true
		o.save(PutDestination{State: s.state()})
	} else {
		d.remove(&o, s)
		o.do(Ended{Role: RoleDestination, Seq: s.id, Reason: EndCompleted})
	}
	if s.v == wsrm.V200702 {
		o.do(Reply{Kind: wsrm.KindTerminateSequenceResponse, Seq: s.id, Token: s.token, Ack: d.finalAck(&o, s, ack),
			Msg: &wsrm.TerminateSequenceResponse{V: s.v, Identifier: s.id}})
	}
	return o.actions()
}

// finish applies IncompleteSequenceBehavior to the held messages when the sequence closes,
// terminates or expires (WS-RM 1.1 §3.4, RM-DA-006): NoDiscard delivers what arrived (in
// ascending order), DiscardFollowingFirstGap discards what follows the first gap (everything
// still held), DiscardEntireSequence delivers everything only if the sequence is complete.
func (d *Destination) finish(o *out, s *dseq) {
	if len(s.buf) == 0 {
		return
	}
	if s.isb == wsrm.NoDiscard || s.isb == "" || (s.isb == wsrm.DiscardEntireSequence && s.complete()) {
		d.flush(o, s)
		return
	}
	lo := s.upTo + 1
	for _, r := range s.recv.r {
		for k := max(r.Lower, lo); k <= r.Upper; k++ {
			if p, ok := s.buf[k]; ok {
				o.do(Discard{Role: RoleDestination, Seq: s.id, Number: k, Payload: p})
			}
		}
	}
	o.save(DeleteMessages{Role: RoleDestination, Seq: s.id, Lower: lo, Upper: s.recv.Max()})
	s.buf = nil
}

// remove deletes a sequence and its stored messages.
func (d *Destination) remove(o *out, s *dseq) {
	delete(d.seqs, s.id)
	delete(d.dirty, s.id)
	if s.offer != "" {
		delete(d.offered, s.offer)
	}
	if s.ref != "" {
		delete(d.created, s.ref)
	}
	o.save(DeleteSequence{Role: RoleDestination, Seq: s.id})
}

// end finishes a sequence that did not terminate normally (fault, expiry, inactivity).
func (d *Destination) end(o *out, s *dseq, why EndReason, f *Fault) {
	d.finish(o, s)
	d.remove(o, s)
	o.do(Ended{Role: RoleDestination, Seq: s.id, Reason: why, Fault: f})
}

// Tick handles every deadline due at now: sequence expiry and inactivity (RM-PER-009; the
// sequence is finished per IncompleteSequenceBehavior and forgotten, so later messages get
// UnknownSequence) and batched acknowledgements (AckInterval).
func (d *Destination) Tick(now time.Time) []Action {
	var o out
	valid := validFor(d.armedOf)
	for {
		tm, ok := d.t.due(now, valid)
		if !ok {
			break
		}
		s := d.seqs[tm.id]
		s.armed[tm.kind] = time.Time{}
		switch tm.kind {
		case tExpire:
			if !now.Before(s.expires) {
				d.end(&o, s, EndExpired, nil)
			}
		case tInactive:
			if dl := s.lastSeen.Add(d.cfg.InactivityTimeout); now.Before(dl) {
				d.t.arm(&s.armed, s.id, tInactive, dl)
			} else {
				d.end(&o, s, EndInactive, nil)
			}
		case tWork:
			if s.dirty {
				d.acknowledge(&o, s, true, now)
			}
		}
	}
	return o.actions()
}

// NextDeadline is when Tick should next be called; false when nothing is pending. It may be
// early (a Tick then does nothing), never late.
func (d *Destination) NextDeadline() (time.Time, bool) {
	return d.t.next(validFor(d.armedOf))
}

func (d *Destination) armedOf(id string) *armed {
	if s := d.seqs[id]; s != nil {
		return &s.armed
	}
	return nil
}
