package rm

import (
	"math"
	"slices"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Backoff is the retransmission schedule (WS-RM 1.1 §2.4, RM-ACK-009; WS-RM Policy 2005/02
// BaseRetransmissionInterval + ExponentialBackoff): the n-th retransmission of a message
// happens Base·Factor^(n-1) after the previous transmission, capped at Max. It is
// deterministic — the engine has no randomness; a peer wanting jitter varies Base per
// sequence.
type Backoff struct {
	Base   time.Duration // first retransmission delay (default 2 s)
	Factor float64       // growth per retransmission (default 2; 1 = constant interval)
	Max    time.Duration // cap (default 1 min)
	// Limit gives up after this many retransmissions of one message or request: the
	// sequence fails (Ended EndFailed). 0 = never give up.
	Limit int
}

// DefaultBackoff is used for a zero Backoff.
var DefaultBackoff = Backoff{Base: 2 * time.Second, Factor: 2, Max: time.Minute}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = DefaultBackoff.Base
	}
	if b.Factor < 1 {
		b.Factor = DefaultBackoff.Factor
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoff.Max
	}
	if b.Max < b.Base {
		b.Max = b.Base
	}
	return b
}

// Delay is the wait after transmission number attempt (0 = the first transmission) before
// the next one: Base·Factor^attempt, at most Max.
func (b Backoff) Delay(attempt int) time.Duration {
	b = b.withDefaults()
	f := float64(b.Base) * math.Pow(b.Factor, float64(attempt))
	if f >= float64(b.Max) || math.IsInf(f, 0) || math.IsNaN(f) {
		return b.Max
	}
	return time.Duration(f)
}

// retransmit resends what is due in q (FLOW §3, RM-SEQ-008): each resend is a SendMessage or
// Send with Attempt > 0 that the peer protects afresh from the stored unprotected message —
// new Timestamp, new signature — never by replaying old bytes (unless StaleRetransmit). It
// returns false when q failed (retransmission limit).
func (s *Source) retransmit(o *out, q *sseq, now time.Time) bool {
	b := s.cfg.Retransmit
	if c := q.ctl; c != nil && !now.Before(c.due) {
		if b.Limit > 0 && c.attempts >= b.Limit {
			s.fail(o, q, rmFault(q.v, wsrm.SequenceTerminated, q.id, "RM-ACK-009", "no response to %s after %d retransmissions", c.send.Kind, c.attempts))
			return false
		}
		c.attempts++
		c.due = now.Add(b.Delay(c.attempts))
		send := c.send
		send.Attempt = c.attempts
		q.lastSent = now
		o.do(send)
	}
	var due []uint64
	for k, m := range q.msgs {
		if !now.Before(m.due) && q.retrying() {
			due = append(due, k)
		}
	}
	slices.Sort(due)
	for _, k := range due {
		m := q.msgs[k]
		if b.Limit > 0 && m.attempts >= b.Limit {
			s.fail(o, q, rmFault(q.v, wsrm.SequenceTerminated, q.id, "RM-ACK-009", "message %d unacknowledged after %d retransmissions", k, m.attempts))
			return false
		}
		m.attempts++
		m.due = now.Add(b.Delay(m.attempts))
		q.lastSent = now
		o.do(SendMessage{Version: q.v, Seq: q.id, Number: k, Last: m.last, Payload: m.p, To: q.to, Token: q.token,
			Attempt: m.attempts, AckRequested: true, Stale: s.cfg.Misbehave.StaleRetransmit})
	}
	s.armWork(q)
	return true
}

// armWork arms the retransmission timer at the earliest due transmission.
func (s *Source) armWork(q *sseq) {
	var next time.Time
	if q.ctl != nil {
		next = q.ctl.due
	}
	for _, m := range q.msgs {
		if q.retrying() && (next.IsZero() || m.due.Before(next)) {
			next = m.due
		}
	}
	s.t.arm(&q.armed, q.key(), tWork, next)
}

// retrying reports whether unacknowledged messages are still worth retransmitting: not once
// an ack with Final said the ranges will never change (RM-ACK-006), nor while terminating.
func (q *sseq) retrying() bool { return !q.final && q.phase != phTerminating }

// resendNow retransmits message k at once (a Nack asked for it, WS-RM 1.1 §3.9, RM-ACK-007).
func (s *Source) resendNow(o *out, q *sseq, k uint64, now time.Time) {
	m := q.msgs[k]
	m.attempts++
	m.due = now.Add(s.cfg.Retransmit.Delay(m.attempts))
	q.lastSent = now
	o.do(SendMessage{Version: q.v, Seq: q.id, Number: k, Last: m.last, Payload: m.p, To: q.to, Token: q.token,
		Attempt: m.attempts, Stale: s.cfg.Misbehave.StaleRetransmit})
}
