package rm

import (
	"fmt"
	"slices"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// SourceState is the durable state of one Source sequence (RM-PER-001, FLOW §6): enough,
// with its stored messages, to rebuild it after a restart. Token is the SCT binding; the peer
// stores the sealed token itself alongside (RM-PER-004/005).
type SourceState struct {
	Seq           string
	Version       wsrm.Version
	Token         string
	To            wsa.EPR
	AcksTo        wsa.EPR
	Expires       time.Time // zero = never
	Next          uint64    // next number to assign; never decreases (RM-PER-002)
	Sent          int
	Acked         []wsrm.AckRange
	Final         bool
	Closing       bool   // CloseSequence sent, no response yet
	Closed        bool   // no new messages (closed, SequenceClosed, rollover)
	Terminating   bool   // 1.1 TerminateSequence sent, no response yet
	LastMsgNumber uint64 // written in Close/Terminate
	LastMessage   uint64 // 2005/02: number of the LastMessage message
	Finishing     bool
	Offer         string // accepted reverse sequence
	Forward       string // for a reverse sequence: its forward sequence
}

// DestinationState is the durable state of one Destination sequence (RM-PER-003, FLOW §6);
// held (buffered) messages are stored separately (PutMessage).
type DestinationState struct {
	Seq                        string
	Version                    wsrm.Version
	Token                      string
	AcksTo                     wsa.EPR
	Expires                    time.Time // zero = never
	IncompleteSequenceBehavior string
	Assurance                  Assurance
	Received                   []wsrm.AckRange
	DeliveredUpTo              uint64 // holding modes: 1..DeliveredUpTo delivered
	Closed                     bool
	CloseLast                  uint64 // LastMsgNumber of CloseSequence
	LastMessage                uint64 // 2005/02 LastMessage number
	Terminated                 bool   // AcceptAfterTerminate only
	Offer                      string
	Forward                    string
}

// StoredMessage is a message persisted by PutMessage.
type StoredMessage struct {
	Seq     string
	Number  uint64
	Payload Payload
}

func (q *sseq) state() SourceState {
	return SourceState{Seq: q.id, Version: q.v, Token: q.token, To: q.to, AcksTo: q.acksTo, Expires: q.expires,
		Next: q.next, Sent: q.sent, Acked: q.acked.Ranges(), Final: q.final, Closing: q.phase == phClosing,
		Closed: q.phase == phClosed, Terminating: q.phase == phTerminating, LastMsgNumber: q.lastNum,
		LastMessage: q.lastMsg, Finishing: q.finishing, Offer: q.offerID, Forward: q.forward}
}

func (s *dseq) state() DestinationState {
	return DestinationState{Seq: s.id, Version: s.v, Token: s.token, AcksTo: s.acksTo, Expires: s.expires,
		IncompleteSequenceBehavior: s.isb, Assurance: s.as, Received: s.recv.Ranges(), DeliveredUpTo: s.upTo,
		Closed: s.closed, CloseLast: s.closeAt, LastMessage: s.lastMsg, Terminated: s.termed, Offer: s.offer,
		Forward: s.forward}
}

// Snapshot returns the durable state of every live sequence and its stored messages, sorted
// by identifier and number: what a store holds after applying every Persistent action.
func (s *Source) Snapshot() ([]SourceState, []StoredMessage) {
	var states []SourceState
	var msgs []StoredMessage
	for _, q := range s.seqs {
		states = append(states, q.state())
		for k, m := range q.msgs {
			msgs = append(msgs, StoredMessage{Seq: q.id, Number: k, Payload: m.p})
		}
	}
	sortStates(states, func(x SourceState) string { return x.Seq })
	sortMsgs(msgs)
	return states, msgs
}

// Snapshot returns the durable state of every live sequence and its held messages.
func (d *Destination) Snapshot() ([]DestinationState, []StoredMessage) {
	var states []DestinationState
	var msgs []StoredMessage
	for _, s := range d.seqs {
		states = append(states, s.state())
		for k, p := range s.buf {
			msgs = append(msgs, StoredMessage{Seq: s.id, Number: k, Payload: p})
		}
	}
	sortStates(states, func(x DestinationState) string { return x.Seq })
	sortMsgs(msgs)
	return states, msgs
}

func sortStates[T any](xs []T, key func(T) string) {
	slices.SortFunc(xs, func(a, b T) int {
		switch ka, kb := key(a), key(b); {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
}

func sortMsgs(ms []StoredMessage) {
	slices.SortFunc(ms, func(a, b StoredMessage) int {
		switch {
		case a.Seq != b.Seq && a.Seq < b.Seq:
			return -1
		case a.Seq != b.Seq:
			return 1
		case a.Number < b.Number:
			return -1
		case a.Number > b.Number:
			return 1
		}
		return 0
	})
}

// RecoverSource rebuilds a Source after a restart (RM-PER-001/002/004/008). Numbers are never
// reassigned: the next number is the persisted one, and at least one above any stored message.
// Every stored, unacknowledged message and every outstanding Close/Terminate is due at now, so
// the first Tick(now) retransmits them — freshly protected by the same token (the peer must
// have re-loaded the sealed SCT first). Sequences still being created are not persisted and
// are not recovered: the caller creates them again.
func RecoverSource(cfg SourceConfig, states []SourceState, msgs []StoredMessage, now time.Time) (*Source, error) {
	s, err := NewSource(cfg)
	if err != nil {
		return nil, err
	}
	for _, st := range states {
		if st.Seq == "" || s.seqs[st.Seq] != nil {
			return nil, fmt.Errorf("rm: recover source: empty or duplicate sequence %q", st.Seq)
		}
		q := &sseq{id: st.Seq, v: st.Version, token: st.Token, to: st.To, acksTo: st.AcksTo, expires: st.Expires,
			next: max(st.Next, 1), sent: st.Sent, acked: RangesOf(st.Acked), final: st.Final, lastNum: st.LastMsgNumber,
			lastMsg: st.LastMessage, finishing: st.Finishing, offerID: st.Offer, forward: st.Forward,
			lastRecv: now, lastSent: now, phase: phOpen}
		switch {
		case st.Terminating:
			q.phase = phTerminating
		case st.Closing:
			q.phase = phClosing
		case st.Closed:
			q.phase = phClosed
		}
		s.seqs[q.id] = q
	}
	for _, m := range msgs {
		q := s.seqs[m.Seq]
		if q == nil {
			return nil, fmt.Errorf("rm: recover source: message %d of unknown sequence %q", m.Number, m.Seq)
		}
		if m.Number == 0 || q.acked.Contains(m.Number) {
			continue // acked but not yet deleted: the DeleteMessages was lost with the crash
		}
		if q.msgs == nil {
			q.msgs = map[uint64]*outMsg{}
		}
		q.msgs[m.Number] = &outMsg{p: m.Payload, due: now, last: m.Number == q.lastMsg}
		q.next = max(q.next, m.Number+1)
	}
	for _, q := range s.seqs {
		switch q.phase {
		case phClosing:
			cl := &wsrm.CloseSequence{V: q.v, Identifier: q.id, LastMsgNumber: q.lastNum, HasLast: q.lastNum > 0}
			q.ctl = &control{send: Send{Kind: wsrm.KindCloseSequence, Seq: q.id, Msg: cl, To: q.to, Token: q.token}, due: now}
		case phTerminating:
			t := &wsrm.TerminateSequence{V: q.v, Identifier: q.id, LastMsgNumber: q.lastNum, HasLast: q.lastNum > 0}
			q.ctl = &control{send: Send{Kind: wsrm.KindTerminateSequence, Seq: q.id, Msg: t, To: q.to, Token: q.token}, due: now}
		}
		s.arm(q, now)
		s.armWork(q)
	}
	return s, nil
}

// RecoverDestination rebuilds a Destination after a restart (RM-PER-003/004): received
// ranges (so duplicates are still filtered and acknowledged), the delivery position and the
// held messages, closed/Final state, the token binding. Inactivity counts from now.
func RecoverDestination(cfg DestinationConfig, states []DestinationState, msgs []StoredMessage, now time.Time) (*Destination, error) {
	d, err := NewDestination(cfg)
	if err != nil {
		return nil, err
	}
	for _, st := range states {
		if st.Seq == "" || d.seqs[st.Seq] != nil {
			return nil, fmt.Errorf("rm: recover destination: empty or duplicate sequence %q", st.Seq)
		}
		s := &dseq{id: st.Seq, v: st.Version, token: st.Token, acksTo: st.AcksTo, expires: st.Expires,
			isb: st.IncompleteSequenceBehavior, as: st.Assurance, recv: RangesOf(st.Received), upTo: st.DeliveredUpTo,
			closed: st.Closed, closeAt: st.CloseLast, lastMsg: st.LastMessage, termed: st.Terminated,
			offer: st.Offer, forward: st.Forward, lastSeen: now}
		d.seqs[s.id] = s
		if s.offer != "" {
			d.offered[s.offer] = s.id
		}
	}
	for _, m := range msgs {
		s := d.seqs[m.Seq]
		if s == nil {
			return nil, fmt.Errorf("rm: recover destination: message %d of unknown sequence %q", m.Number, m.Seq)
		}
		if !s.recv.Contains(m.Number) {
			return nil, fmt.Errorf("rm: recover destination: held message %d of %q was never recorded as received", m.Number, m.Seq)
		}
		if m.Number <= s.upTo {
			continue // delivered, the DeleteMessages was lost with the crash
		}
		if s.buf == nil {
			s.buf = map[uint64]Payload{}
		}
		s.buf[m.Number] = m.Payload
	}
	for _, s := range d.seqs {
		d.arm(s, now)
	}
	return d, nil
}

// SourceStatus is a read-only view of a Source sequence (for peers, tests and reports).
type SourceStatus struct {
	State     SourceState
	Unacked   []uint64 // stored, unacknowledged message numbers, ascending
	Creating  bool
	Attempts  map[uint64]int // retransmissions so far per unacknowledged message
	NextRetry time.Time      // earliest due retransmission; zero = none
}

// Status reports on a live sequence (by identifier, or by CreateSequence reference while
// being created).
func (s *Source) Status(id string) (SourceStatus, bool) {
	q := s.lookupKey(id)
	if q == nil {
		return SourceStatus{}, false
	}
	st := SourceStatus{State: q.state(), Creating: q.phase == phCreating, Attempts: map[uint64]int{}}
	for k, m := range q.msgs {
		st.Unacked = append(st.Unacked, k)
		st.Attempts[k] = m.attempts
		if st.NextRetry.IsZero() || m.due.Before(st.NextRetry) {
			st.NextRetry = m.due
		}
	}
	slices.Sort(st.Unacked)
	return st, true
}

// Status reports the durable state of a live sequence and the numbers it holds.
func (d *Destination) Status(id string) (DestinationState, []uint64, bool) {
	s := d.seqs[id]
	if s == nil {
		return DestinationState{}, nil, false
	}
	held := make([]uint64, 0, len(s.buf))
	for k := range s.buf {
		held = append(held, k)
	}
	slices.Sort(held)
	return s.state(), held, true
}
