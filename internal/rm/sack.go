package rm

import (
	"slices"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Ack handles a wsrm:SequenceAcknowledgement for one of the Source's sequences, stand-alone or
// piggy-backed (RM-ACK-008). It must be protected by the sequence's token with the header
// signed (RM-STR-008/009, "and RMS for acks it receives"); otherwise it is dropped unprocessed.
// A valid ack releases the acknowledged messages (DeleteMessages); Nacks trigger immediate
// retransmission (RM-ACK-007). An ack that breaks the cumulative invariant — covers a number
// never sent, retracts an acknowledged one, overlaps, changes after Final — is answered with
// wsrm:InvalidAcknowledgement carrying the offending ack and is not applied (RM-ACK-003/004/006).
func (s *Source) Ack(a *wsrm.SequenceAcknowledgement, auth Auth, now time.Time) []Action {
	var o out
	q := s.seqs[a.Identifier]
	if q != nil && q.v != a.V {
		q = nil // a sequence never mixes versions
	}
	if q == nil {
		f := unknownSequence(a.V, a.Identifier)
		if s.cfg.Misbehave.SilentUnknownSequence {
			o.do(Drop{Fault: f, Reason: "misbehaviour silent-unknown-sequence"})
		} else {
			o.do(SendFault{Fault: f, Token: auth.Token})
		}
		return o.actions()
	}
	if why := checkBinding(q.token, auth, true, false, false); why != 0 {
		o.do(Drop{Fault: rejectFault(q.v, q.id, why), Reason: "acknowledgement not protected by the sequence's token"})
		return o.actions()
	}
	q.lastRecv = now
	set, why := s.checkAck(q, a)
	if why == staleAck {
		// A subset of what is acknowledged already: an older acknowledgement overtaken by a
		// later one (concurrent back-channel responses arrive in any order). It is not
		// applied and not answered: faulting it would accuse a conforming destination.
		o.do(Drop{Reason: staleAck})
		return o.actions()
	}
	if why != "" {
		f := rmFault(q.v, wsrm.InvalidAcknowledgement, q.id, "RM-ACK-004", "%s", why)
		cp := *a
		f.Ack = &cp
		o.do(SendFault{Fault: f, To: q.to, Token: q.token})
		return o.actions()
	}
	changed := !set.Equal(&q.acked)
	for _, r := range set.r {
		for _, u := range q.acked.Uncovered(r.Lower, r.Upper) {
			s.release(q, u)
			o.save(DeleteMessages{Role: RoleSource, Seq: q.id, Lower: u.Lower, Upper: u.Upper})
		}
	}
	q.acked = set
	if a.Final && !q.final {
		q.final, changed = true, true
	}
	if changed {
		o.save(PutSource{State: q.state()})
	}
	nacks := slices.Clone(a.Nacks)
	slices.Sort(nacks)
	for i, n := range nacks {
		if (i == 0 || n != nacks[i-1]) && q.msgs[n] != nil {
			s.resendNow(&o, q, n, now)
		}
	}
	if q.finishing {
		s.advance(&o, q, now)
	}
	return o.actions()
}

// staleAck is checkAck's verdict on an acknowledgement that acknowledges a strict subset of
// what is already acknowledged.
const staleAck = "stale acknowledgement: a subset of what a later one acknowledged"

// checkAck validates an ack against what was sent and acknowledged before; it returns the new
// acknowledged set or the reason the ack is invalid.
func (s *Source) checkAck(q *sseq, a *wsrm.SequenceAcknowledgement) (Ranges, string) {
	if len(a.Nacks) > 0 && (len(a.Ranges) > 0 || a.None || a.Final) {
		return Ranges{}, "Nack combined with AcknowledgementRange, None or Final"
	}
	var set Ranges
	for _, r := range a.Ranges {
		if r.Lower == 0 && r.Upper == 0 && q.v == wsrm.V200502 && len(a.Ranges) == 1 {
			continue // WCF's empty 2005/02 ack (RM-ACK-005)
		}
		switch {
		case r.Lower == 0 || r.Lower > r.Upper:
			return Ranges{}, "an AcknowledgementRange is empty or inverted"
		case r.Upper >= q.next:
			// WS-RM 1.1 §4.4 (RM-ACK-004): acknowledging a number never sent.
			return Ranges{}, "acknowledges message numbers that were never sent"
		}
		before := set.Count()
		set.AddRange(r.Lower, r.Upper)
		if set.Count()-before != r.Upper-r.Lower+1 {
			return Ranges{}, "AcknowledgementRanges overlap (WS-RM 1.1 §3.9)"
		}
	}
	for _, n := range a.Nacks {
		switch {
		case n == 0 || n >= q.next:
			return Ranges{}, "Nack for a message number that was never sent"
		case q.acked.Contains(n):
			return Ranges{}, "Nack for a message number already acknowledged"
		}
	}
	if len(a.Nacks) > 0 {
		return q.acked, "" // a Nack-only ack changes no acknowledged state
	}
	if !q.acked.Covers(&set) {
		if set.Covers(&q.acked) && !a.Final {
			return Ranges{}, staleAck // older, not contradictory
		}
		// WS-RM 1.1 §2.3: acknowledgements are cumulative; an acknowledged number stays so.
		return Ranges{}, "retracts a previously acknowledged message number"
	}
	if q.final && !set.Equal(&q.acked) {
		// RM-ACK-006: after Final the ranges never change.
		return Ranges{}, "ranges changed after an acknowledgement with Final"
	}
	return set, ""
}

// release drops stored messages covered by r.
func (s *Source) release(q *sseq, r wsrm.AckRange) {
	if uint64(len(q.msgs)) < r.Upper-r.Lower+1 {
		for k := range q.msgs {
			if k >= r.Lower && k <= r.Upper {
				delete(q.msgs, k)
			}
		}
		return
	}
	for k := r.Lower; k <= r.Upper; k++ {
		delete(q.msgs, k)
	}
}

// Fault handles an RM fault about one of the Source's sequences (f.Identifier), protected by
// its token (RM-STR-008; an unprotected one is dropped): UnknownSequence and SequenceTerminated
// end the sequence (RM-FLT-003); SequenceClosed and MessageNumberRollover stop new messages
// (RM-SEQ-003/005) and, when finishing, move on to TerminateSequence. Others are noted.
func (s *Source) Fault(f *Fault, auth Auth, now time.Time) []Action {
	var o out
	q := s.seqs[f.Identifier]
	if q == nil {
		o.do(Note{Seq: f.Identifier, Text: "fault for no live sequence: " + f.Error()})
		return o.actions()
	}
	if why := checkBinding(q.token, auth, false, true, false); why != 0 {
		o.do(Drop{Fault: rejectFault(q.v, q.id, why), Reason: "fault not protected by the sequence's token"})
		return o.actions()
	}
	q.lastRecv = now
	switch f.Code {
	case wsrm.UnknownSequence:
		if q.phase == phTerminating {
			// The TerminateSequenceResponse was lost and the Destination has already
			// forgotten the sequence (RM-TS-003): the termination happened.
			s.end(&o, q, EndCompleted, nil)
			break
		}
		s.fail(&o, q, f)
	case wsrm.SequenceTerminated:
		s.fail(&o, q, f)
	case wsrm.SequenceClosed, wsrm.MessageNumberRollover:
		if q.phase == phOpen {
			q.phase = phClosed
			o.save(PutSource{State: q.state()})
		}
		if q.finishing {
			s.advance(&o, q, now)
		}
	default:
		o.do(Note{Seq: q.id, Text: "fault received: " + f.Error()})
	}
	return o.actions()
}

// fail ends q after a fault.
func (s *Source) fail(o *out, q *sseq, f *Fault) {
	s.end(o, q, EndFailed, f)
}

// end deletes q: unacknowledged messages are discarded (given up), the state removed.
func (s *Source) end(o *out, q *sseq, why EndReason, f *Fault) {
	keys := make([]uint64, 0, len(q.msgs))
	for k := range q.msgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		o.do(Discard{Role: RoleSource, Seq: q.id, Number: k, Payload: q.msgs[k].p})
	}
	if why == EndCompleted && len(keys) > 0 {
		why = EndIncomplete
	}
	if q.id == "" {
		delete(s.pending, q.ref)
		o.do(Ended{Role: RoleSource, Seq: q.ref, Reason: why, Fault: f})
		return
	}
	delete(s.seqs, q.id)
	o.save(DeleteSequence{Role: RoleSource, Seq: q.id})
	o.do(Ended{Role: RoleSource, Seq: q.id, Reason: why, Fault: f})
}
