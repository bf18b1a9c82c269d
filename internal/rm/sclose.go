package rm

import (
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Close ends the sending of new messages on demand (FLOW Mc). 1.1: CloseSequence with
// LastMsgNumber = the highest number assigned (RM-CL-001), retransmitted until the
// CloseSequenceResponse. 2005/02 has no CloseSequence: the Source sends the empty-bodied
// LastMessage message, numbered like any message (RM-SEQ-006). Closing twice is a no-op.
func (s *Source) Close(id string, now time.Time) ([]Action, error) {
	q := s.seqs[id]
	if q == nil {
		return nil, unknownSequence(wsrm.V200702, id)
	}
	var o out
	s.close(&o, q, now)
	return o.actions(), nil
}

func (s *Source) close(o *out, q *sseq, now time.Time) {
	if q.v == wsrm.V200502 {
		if q.lastMsg == 0 && q.phase == phOpen && q.next <= s.cfg.MaxMessageNumber {
			q.lastMsg = q.next
			s.transmitNew(o, q, q.next, nil, true, now)
		}
		return
	}
	if q.phase != phOpen {
		return
	}
	q.phase = phClosing
	q.lastNum = q.next - 1
	cl := &wsrm.CloseSequence{V: q.v, Identifier: q.id, LastMsgNumber: q.lastNum, HasLast: q.lastNum > 0}
	o.save(PutSource{State: q.state()})
	s.request(o, q, Send{Kind: wsrm.KindCloseSequence, Seq: q.id, Msg: cl, To: q.to, Token: q.token}, now)
}

// Terminate sends TerminateSequence on demand (FLOW Mt, RM-TS-001), whatever is still
// unacknowledged (those messages are discarded when the sequence ends: EndIncomplete). 1.1
// waits for TerminateSequenceResponse (retransmitting); 2005/02 Terminate is one-way, so the
// sequence ends at once.
func (s *Source) Terminate(id string, now time.Time) ([]Action, error) {
	q := s.seqs[id]
	if q == nil {
		return nil, unknownSequence(wsrm.V200702, id)
	}
	var o out
	s.terminate(&o, q, now)
	return o.actions(), nil
}

func (s *Source) terminate(o *out, q *sseq, now time.Time) {
	if q.phase == phTerminating {
		return
	}
	if q.lastNum == 0 {
		q.lastNum = q.next - 1
	}
	t := &wsrm.TerminateSequence{V: q.v, Identifier: q.id}
	if q.v == wsrm.V200702 && q.lastNum > 0 {
		// RM-CL-004: the same LastMsgNumber as in CloseSequence.
		t.LastMsgNumber, t.HasLast = q.lastNum, true
	}
	send := Send{Kind: wsrm.KindTerminateSequence, Seq: q.id, Msg: t, To: q.to, Token: q.token}
	if q.v == wsrm.V200502 {
		q.lastSent = now
		o.do(send)
		s.end(o, q, EndCompleted, nil)
		return
	}
	q.phase = phTerminating
	o.save(PutSource{State: q.state()})
	s.request(o, q, send, now)
}

// Finish ends the sequence the way WCF does (FLOW §4): wait until every message is
// acknowledged (asking with AckRequested), then CloseSequence (1.1) or LastMessage (2005/02),
// then TerminateSequence once the close is answered or the LastMessage acknowledged. The
// sequence ends with Ended (EndCompleted, or EndIncomplete when messages were never acked).
// Under TerminateEarly it sends TerminateSequence at once.
func (s *Source) Finish(id string, now time.Time) ([]Action, error) {
	q := s.seqs[id]
	if q == nil {
		return nil, unknownSequence(wsrm.V200702, id)
	}
	var o out
	q.finishing = true
	if s.cfg.Misbehave.TerminateEarly {
		s.terminate(&o, q, now)
		return o.actions(), nil
	}
	o.save(PutSource{State: q.state()})
	s.advance(&o, q, now)
	if len(q.msgs) > 0 && q.phase == phOpen {
		s.requestAck(&o, q, now)
	}
	return o.actions(), nil
}

// advance moves a finishing sequence on when its acknowledgements allow.
func (s *Source) advance(o *out, q *sseq, now time.Time) {
	allAcked := len(q.msgs) == 0
	switch {
	case q.phase == phOpen && allAcked && q.v == wsrm.V200502 && q.lastMsg != 0:
		s.terminate(o, q, now)
	case q.phase == phOpen && allAcked:
		s.close(o, q, now)
	case q.phase == phClosed && q.ctl == nil:
		s.terminate(o, q, now)
	}
}

// CloseSequenceResponse handles the answer to CloseSequence (RM-CL-002). Process the final
// ack header it carries with Ack first. Protected by the sequence's token, else dropped.
func (s *Source) CloseSequenceResponse(r *wsrm.CloseSequenceResponse, a Auth, now time.Time) []Action {
	var o out
	q := s.response(&o, r.Identifier, a, now)
	if q == nil || q.phase != phClosing {
		return o.actions()
	}
	q.phase, q.ctl = phClosed, nil
	o.save(PutSource{State: q.state()})
	if q.finishing {
		s.advance(&o, q, now)
	}
	return o.actions()
}

// TerminateSequenceResponse handles the answer to TerminateSequence (1.1, RM-TS-002): the
// sequence ends.
func (s *Source) TerminateSequenceResponse(r *wsrm.TerminateSequenceResponse, a Auth, now time.Time) []Action {
	var o out
	q := s.response(&o, r.Identifier, a, now)
	if q == nil || q.phase != phTerminating {
		return o.actions()
	}
	s.end(&o, q, EndCompleted, nil)
	return o.actions()
}

// response finds the sequence a Close/Terminate response is about and checks its protection.
func (s *Source) response(o *out, id string, a Auth, now time.Time) *sseq {
	q := s.seqs[id]
	if q == nil {
		o.do(Note{Seq: id, Text: "response for no live sequence"})
		return nil
	}
	if why := checkBinding(q.token, a, false, true, false); why != 0 {
		o.do(Drop{Fault: rejectFault(q.v, q.id, why), Reason: "response not protected by the sequence's token"})
		return nil
	}
	q.lastRecv = now
	return q
}

// idleDeadline is the next inactivity or keep-alive check of q.
func (s *Source) idleDeadline(q *sseq) (time.Time, bool) {
	var dl time.Time
	if s.cfg.InactivityTimeout > 0 {
		dl = q.lastRecv.Add(s.cfg.InactivityTimeout)
	}
	if s.cfg.KeepAlive > 0 && q.phase == phOpen {
		if ka := q.lastSent.Add(s.cfg.KeepAlive); dl.IsZero() || ka.Before(dl) {
			dl = ka
		}
	}
	return dl, !dl.IsZero()
}

// Tick handles every deadline due at now: retransmissions with backoff (fresh protection
// each time), unanswered requests, keep-alive AckRequested, inactivity and expiry.
func (s *Source) Tick(now time.Time) []Action {
	var o out
	valid := validFor(s.armedOf)
	for {
		tm, ok := s.t.due(now, valid)
		if !ok {
			break
		}
		q := s.lookupKey(tm.id)
		q.armed[tm.kind] = time.Time{}
		switch tm.kind {
		case tExpire:
			if !now.Before(q.expires) {
				s.end(&o, q, EndExpired, nil)
			}
		case tWork:
			s.retransmit(&o, q, now)
		case tInactive:
			s.idle(&o, q, now)
		}
	}
	return o.actions()
}

// idle applies the inactivity timeout (RM-PER-009) and the keep-alive.
func (s *Source) idle(o *out, q *sseq, now time.Time) {
	if s.cfg.InactivityTimeout > 0 && !now.Before(q.lastRecv.Add(s.cfg.InactivityTimeout)) {
		s.end(o, q, EndInactive, nil)
		return
	}
	if s.cfg.KeepAlive > 0 && q.phase == phOpen && !now.Before(q.lastSent.Add(s.cfg.KeepAlive)) {
		s.requestAck(o, q, now)
	}
	if dl, ok := s.idleDeadline(q); ok {
		s.t.arm(&q.armed, q.id, tInactive, dl)
	}
}

// NextDeadline is when Tick should next be called; false when nothing is pending. It may be
// early, never late.
func (s *Source) NextDeadline() (time.Time, bool) {
	return s.t.next(validFor(s.armedOf))
}

func (s *Source) lookupKey(key string) *sseq {
	if q := s.seqs[key]; q != nil {
		return q
	}
	return s.pending[key]
}

func (s *Source) armedOf(key string) *armed {
	if q := s.lookupKey(key); q != nil {
		return &q.armed
	}
	return nil
}
