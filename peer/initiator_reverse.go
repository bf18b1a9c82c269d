package peer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// Handler is the initiator's own endpoint (its addressable AcksTo and Offer Endpoint): it
// takes the acknowledgements and faults the responder sends there (answered 202) and, in a
// duplex run, the messages of the reverse sequences, answered like a responder answers.
func (in *Initiator) Handler() http.Handler {
	return transport.Health(&transport.Handler{Serve: in.serve})
}

func (in *Initiator) serve(ctx context.Context, req *transport.Request) (*transport.Reply, error) {
	m, err := codec.Decode(req.Body, codec.Options{})
	in.rec.record(trace.In, req.Body, m)
	if err != nil {
		return nil, err
	}
	if in.dst != nil && forDestination(m) {
		return in.serveReverse(ctx, m)
	}
	acts, t := in.receive(m, wsrm.KindNone, "", "")
	in.perform(ctx, t, acts, "")
	return nil, nil
}

// forDestination tells messages for a Destination (sequence traffic, Close, Terminate,
// AckRequested) from those for the Source (acknowledgements, faults).
func forDestination(m *codec.Message) bool {
	if s, _ := codec.Find[*wsrm.Sequence](m); s != nil {
		return true
	}
	if a, _ := codec.Find[*wsrm.AckRequested](m); a != nil {
		return true
	}
	switch m.Payload.(type) {
	case *wsrm.CloseSequence, *wsrm.TerminateSequence:
		return true
	}
	return false
}

// adopt registers at the Destination the reverse sequences the responder accepted among
// acts (RM-CS-004, RM-CSR-002), in the same engine call as the CreateSequenceResponse that
// accepted them, so that both are staged in one batch: a crash cannot leave a forward
// sequence whose accepted Offer is not received on. It returns acts with the Reverse actions
// replaced by the Destination's. Caller holds in.mu.
func (in *Initiator) adopt(acts []rm.Action, now time.Time) []rm.Action {
	if !slices.ContainsFunc(acts, func(a rm.Action) bool { _, ok := a.(rm.Reverse); return ok }) {
		return acts
	}
	out := make([]rm.Action, 0, len(acts))
	for _, act := range acts {
		r, ok := act.(rm.Reverse)
		if !ok {
			out = append(out, act)
			continue
		}
		if r.Role != rm.RoleDestination || in.dst == nil {
			continue
		}
		ra, err := in.dst.Adopt(r, now)
		if err == nil {
			in.reverse[r.Forward] = r.Seq
		}
		out = append(out, ra...)
	}
	return out
}

// serveReverse hands a reverse-sequence message to the Destination, after the same security
// check as the responder's (every message secured by the sequence's SCT, RM-STR-008).
func (in *Initiator) serveReverse(ctx context.Context, m *codec.Message) (*transport.Reply, error) {
	now := in.cfg.Now()
	auth, err := in.check(m, now)
	if err != nil && !errors.Is(err, wssec.ErrNoSecurity) {
		return in.answerEnv(securityFault(m, m.SOAP, in.pol.Version, err), "", true)
	}
	seq, _ := codec.Find[*wsrm.Sequence](m)
	ar, _ := codec.Find[*wsrm.AckRequested](m)
	var data []byte
	if seq != nil && !seq.LastMessage {
		if data, err = appPayload(m); err != nil {
			f := &soap.Fault{Code: soap.Sender, Reason: err.Error()}
			return in.answerEnv(faultEnvelope(m, m.SOAP, wsa.V10.SOAPFaultAction(), f), "", true)
		}
	}
	in.mu.Lock()
	var acts, srcActs []rm.Action
	if t, ok := in.dst.NextDeadline(); ok && !t.After(now) {
		acts = append(acts, in.dst.Tick(now)...)
	}
	switch body := m.Payload.(type) {
	case *wsrm.CloseSequence:
		acts = append(acts, in.dst.CloseSequence(body, auth, now)...)
	case *wsrm.TerminateSequence:
		acts = append(acts, in.dst.TerminateSequence(body, auth, now)...)
	default:
		if seq != nil {
			acts = append(acts, in.dst.Message(seq, rm.Payload(data), auth, now)...)
		}
	}
	if ar != nil {
		acts = append(acts, in.dst.AckRequested(ar, auth, now)...)
	}
	for _, ack := range codec.FindAll[*wsrm.SequenceAcknowledgement](m) {
		srcActs = append(srcActs, in.src.Ack(ack, auth, now)...)
	}
	in.stage(acts)
	t := in.stage(srcActs) // the later ticket covers both calls
	out := in.performDestination(acts)
	in.signal()
	in.mu.Unlock()
	if !in.persisted(ctx, t) {
		return nil, errPoisoned
	}
	in.perform(ctx, t, srcActs, "")
	for _, a := range out.away {
		go in.sendAck(a)
	}
	env, tok, fault := respond(m, in.cfg.Profile.RM(), out)
	if env == nil {
		return nil, nil
	}
	return in.answerEnv(env, tok, fault)
}

// performDestination carries out the reverse Destination's actions under in.mu: deliveries
// to the application (the replies), ends, and what must be answered.
func (in *Initiator) performDestination(acts []rm.Action) outcome {
	var out outcome
	for _, act := range acts {
		switch a := act.(type) {
		case rm.Deliver:
			in.replies = append(in.replies, trace.Delivery{Sequence: a.Seq, MessageNumber: a.Number,
				SHA256: trace.PayloadDigest(a.Payload)})
		case rm.Ended:
			in.revEnded[a.Seq] = a.Reason
		case rm.Reply:
			out.reply = &a
		case rm.SendFault:
			out.fault = &a
		case rm.SendAck:
			out.sortAck(a)
		}
	}
	return out
}

// answerEnv protects and records the HTTP response of the initiator's endpoint.
func (in *Initiator) answerEnv(env *codec.Envelope, tok string, fault bool) (*transport.Reply, error) {
	raw, err := build(env, in.tokenFor(tok), in.pol, in.cfg.Now())
	if err != nil {
		return nil, err
	}
	in.rec.record(trace.Out, raw, nil)
	return &transport.Reply{Body: raw, Fault: fault, Action: env.Addressing.Action}, nil
}

// sendAck sends a reverse sequence's acknowledgement to an addressable Accept/AcksTo, with its
// reference parameters (ackMessage).
func (in *Initiator) sendAck(a rm.SendAck) {
	ctx, cancel := context.WithTimeout(context.Background(), in.cfg.Retransmit.Max+10*in.cfg.Tick)
	defer cancel()
	if in.per.dur.barrier(ctx) != nil { // everything staged so far: the ack may name any of it
		return
	}
	env := ackMessage(in.cfg.Profile, in.cfg.SOAP, a)
	in.exchange(ctx, a.AcksTo.Address, env, in.tokenFor(a.Token), wsrm.KindNone, "", a.Ack.Identifier)
}

// awaitReplies waits, in a duplex run, until every reverse sequence has been terminated by
// the responder, then checks that each carried the echo of its forward sequence: the same
// payloads, in order, exactly once.
func (in *Initiator) awaitReplies(ctx context.Context, sum *Summary) error {
	if in.dst == nil {
		return nil
	}
	in.mu.Lock()
	want := map[string]trace.Expect{}
	for fwd, rev := range in.reverse {
		if e, ok := sum.Expect[fwd]; ok {
			want[rev] = e
		}
	}
	in.mu.Unlock()
	if len(want) < sum.Sequences {
		return fmt.Errorf("duplex: the responder accepted %d of %d Offers", len(want), sum.Sequences)
	}
	if err := in.wait(ctx, func() bool {
		for rev := range want {
			if _, ok := in.revEnded[rev]; !ok {
				return false
			}
		}
		return true
	}); err != nil {
		return fmt.Errorf("duplex: reverse sequences not terminated: %w", err)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	got := map[string][]trace.Delivery{}
	for _, d := range in.replies {
		got[d.Sequence] = append(got[d.Sequence], d)
	}
	for rev, e := range want {
		ds := got[rev]
		if uint64(len(ds)) != e.Count {
			return fmt.Errorf("duplex: reverse sequence %s delivered %d replies, want %d", rev, len(ds), e.Count)
		}
		for i, d := range ds {
			if d.MessageNumber != uint64(i+1) || d.SHA256 != e.Digests[uint64(i+1)] {
				return fmt.Errorf("duplex: reverse sequence %s: reply %d is message %d with another payload", rev, i+1, d.MessageNumber)
			}
		}
		sum.Replies += len(ds)
	}
	return nil
}

// Replies is what the reverse sequences delivered so far (duplex runs), in delivery order.
func (in *Initiator) Replies() []trace.Delivery {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]trace.Delivery(nil), in.replies...)
}
