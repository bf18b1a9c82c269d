package peer

import (
	"context"
	"errors"
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

// outcome is what one engine call asks the responder to send.
type outcome struct {
	reply *rm.Reply
	fault *rm.SendFault
	acks  []rm.SendAck // anonymous AcksTo: on the HTTP response
	away  []rm.SendAck // addressable AcksTo
	// deliver: the deliveries, for the delivered log (written just before the commit).
	deliver []rm.Deliver
	// rev: the reverse sender's engine calls this call caused (duplex: adopting an Offer,
	// echoing a delivery, finishing a reverse sequence), made under the reverse sender's lock,
	// which revLocked says is still held: the caller stages them in the same batch as the
	// Destination's actions (stageRM), so a crash cannot separate a delivery from its echo.
	rev       []rm.Action
	revLocked bool
}

// silent reports that the call sends nothing: no reply, fault or acknowledgement.
func (o outcome) silent() bool {
	return o.reply == nil && o.fault == nil && len(o.acks) == 0 && len(o.away) == 0
}

// serveRM checks the security of m against the token store and hands it to the Destination
// (rm/doc.go "Driving a Destination"). A message replayed verbatim within its Timestamp
// window is refused (WSS 1.1 §10); RM duplicates are retransmissions with fresh security and
// are recognised by number in the engine.
func (r *Responder) serveRM(ctx context.Context, m *codec.Message, now time.Time) (*transport.Reply, error) {
	if err := r.per.dur.err(); err != nil {
		return nil, err // the engine is ahead of the store: it decides nothing more
	}
	res := r.store.Resolve()
	a, err := wssec.Check(m, wssec.CheckOptions{Policy: r.pol, Tokens: res, Now: now, Replay: r.replay})
	var auth rm.Auth
	switch {
	case err == nil:
		auth = rm.Auth{Token: a.Token.Identifier, Headers: a.Parts&wssec.PartRM != 0, Body: a.Parts&wssec.PartBody != 0}
	case errors.Is(err, wssec.ErrNoSecurity):
		// Unsecured: the engine decides (a scoped sequence rejects it, RM-STR-009).
	default:
		return r.reply(securityFault(m, m.SOAP, r.pol.Version, res.Explain(err)), nil, true, now)
	}
	seq, _ := codec.Find[*wsrm.Sequence](m)
	ar, _ := codec.Find[*wsrm.AckRequested](m)
	var data []byte
	if seq != nil && !seq.LastMessage {
		if data, err = appPayload(m); err != nil {
			f := &soap.Fault{Code: soap.Sender, Reason: err.Error()}
			return r.reply(faultEnvelope(m, m.SOAP, wsa.V10.SOAPFaultAction(), f), nil, true, now)
		}
	}

	r.mu.Lock()
	var acts []rm.Action
	if t, ok := r.dest.NextDeadline(); ok && !t.After(now) {
		acts = append(acts, r.dest.Tick(now)...)
	}
	switch body := m.Payload.(type) {
	case *wsrm.CreateSequence:
		_, uses := codec.Find[*wsrm.UsesSequenceSTR](m)
		acts = append(acts, r.dest.CreateSequence(rm.CreateSequenceRequest{Msg: body, UsesSequenceSTR: uses != nil,
			STRToken: rm.STRToken(body, func(string) string { return "" }), MessageID: m.Addressing.MessageID}, auth, now)...)
	case *wsrm.CloseSequence:
		acts = append(acts, r.dest.CloseSequence(body, auth, now)...)
	case *wsrm.TerminateSequence:
		acts = append(acts, r.dest.TerminateSequence(body, auth, now)...)
	default:
		switch {
		case seq != nil:
			acts = append(acts, r.dest.Message(seq, rm.Payload(data), auth, now)...)
		case ar == nil && m.Addressing.Action == AppAction:
			if f := r.dest.Unsequenced(r.cfg.Profile.RM()); f != nil {
				acts = append(acts, rm.SendFault{Fault: f})
			}
		}
	}
	if ar != nil {
		acts = append(acts, r.dest.AckRequested(ar, auth, now)...)
	}
	replyTo := ""
	if m.HasAddressing && m.Addressing.ReplyTo != nil {
		replyTo = m.Addressing.ReplyTo.Address
	}
	out := r.perform(acts, replyTo)
	t := r.stageRM(ctx, acts, &out)
	r.mu.Unlock()
	if out.silent() {
		// Nothing rides the response: HTTP 202 acknowledges nothing (RM-ACK-*: only a
		// SequenceAcknowledgement does), so it need not wait for the commit. The message is
		// acknowledged later (AckEvery, AckRequested, Close) by a response that does wait —
		// for every batch staged before it, this one included. Should the commit fail, the
		// Source retransmits what it never saw acknowledged.
		return nil, nil
	}
	// Durability before acknowledgement (RM-PER-003): nothing of this call is answered or
	// sent before its batch — and every batch staged before it — is on stable storage.
	if err := r.per.dur.wait(ctx, t); err != nil {
		return nil, err
	}

	for _, sa := range out.away {
		go r.sendAway(sa)
	}
	return r.answer(ctx, m, out, now)
}

// perform sorts out the actions of one engine call, under r.mu: deliveries go to the
// application's memory record (and, in out.deliver, to the delivered log, which the store
// writer fills just before the commit); what must be sent is returned, to be sent once the
// call's Persistent batch, staged by the caller (stageRM), is durable. replyTo is the
// request's wsa:ReplyTo (the reverse sequence's endpoint in 2005/02).
func (r *Responder) perform(acts []rm.Action, replyTo string) outcome {
	var out outcome
	for _, act := range acts {
		switch a := act.(type) {
		case rm.Deliver:
			d := trace.Delivery{Sequence: a.Seq, MessageNumber: a.Number, SHA256: trace.PayloadDigest(a.Payload)}
			r.delivered = append(r.delivered, d)
			out.deliver = append(out.deliver, a)
			r.echo(&out, a)
		case rm.Reverse:
			r.onReverse(&out, a, replyTo)
		case rm.Ended:
			r.finishReverse(&out, a)
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

// answer builds the HTTP response of request m: the fault, the reply (with the acks as
// headers) or a stand-alone acknowledgement; nothing = 202.
func (r *Responder) answer(_ context.Context, m *codec.Message, out outcome, now time.Time) (*transport.Reply, error) {
	env, tok, fault := respond(m, r.cfg.Profile.RM(), out)
	if env == nil {
		return nil, nil
	}
	return r.reply(env, r.token(tok), fault, now)
}

// respond is the response to request m of a Destination call's outcome (both peers): the
// fault, the reply with the acknowledgements as headers, or a stand-alone acknowledgement,
// with the SCT that protects it; nil = nothing to answer (HTTP 202).
func respond(m *codec.Message, v wsrm.Version, out outcome) (env *codec.Envelope, tok string, fault bool) {
	switch {
	case out.fault != nil:
		return rmFaultEnvelope(m, m.SOAP, out.fault.Fault), out.fault.Token, true
	case out.reply != nil:
		rp := out.reply
		env := &codec.Envelope{SOAP: m.SOAP, Addressing: replyAddressing(m, v.Action(rp.Kind)), Headers: replyHeaders(m, false),
			Body: []any{rp.Msg}}
		if rp.Ack != nil {
			env.Headers = append(env.Headers, codec.Header{Value: rp.Ack})
		}
		for _, a := range out.acks {
			if rp.Ack == nil || a.Ack.Identifier != rp.Ack.Identifier {
				env.Headers = append(env.Headers, codec.Header{Value: &a.Ack})
			}
		}
		return env, rp.Token, false
	case len(out.acks) > 0:
		// Not a reply to m: the acknowledgement is a message to the AcksTo EPR (anonymous, so
		// it rides m's back-channel), with that EPR's reference parameters (RM-ACK-001).
		env := &codec.Envelope{SOAP: m.SOAP, Addressing: replyAddressing(m, v.Action(wsrm.KindSequenceAcknowledgement))}
		env.Addressing.RelatesTo = nil
		env.Headers = codec.ReferenceHeaders(env.Addressing.Version, &out.acks[0].AcksTo)
		for _, a := range out.acks {
			env.Headers = append(env.Headers, codec.Header{Value: &a.Ack})
		}
		return env, out.acks[0].Token, false
	}
	return nil, "", false
}

// sendAway sends a stand-alone acknowledgement to an addressable AcksTo (RM-ACK-002), with the
// AcksTo EPR's reference parameters as headers (RM-ACK-001; ackMessage).
func (r *Responder) sendAway(a rm.SendAck) {
	now := r.cfg.Now()
	env := ackMessage(r.cfg.Profile, r.cfg.SOAP, a)
	raw, err := build(env, r.token(a.Token), r.pol, now, r.after...)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.client.Post(ctx, a.AcksTo.Address, r.cfg.SOAP, env.Addressing.Action, raw); err == nil {
		r.rec.record(trace.Out, raw, nil)
	}
}

// ackMessage is the stand-alone acknowledgement a sent as a new message to its addressable
// AcksTo: wsa:To the address and every reference parameter of the EPR as a header block marked
// wsa:IsReferenceParameter="true" (WS-Addressing 1.0 SOAP Binding §2.3, RM-ACK-001); an AcksTo
// in the 2004/08 form (P05) gets 2004/08 headers with its reference properties and parameters
// copied as plain headers (WS-Addressing 2004/08 §2.3).
func ackMessage(p Profile, sv soap.Version, a rm.SendAck) *codec.Envelope {
	h := addressing(p.RM().Action(wsrm.KindSequenceAcknowledgement), a.AcksTo.Address)
	h.Version = eprVersion(p, a.AcksTo)
	hs := codec.ReferenceHeaders(h.Version, &a.AcksTo)
	return &codec.Envelope{SOAP: sv, Addressing: h, Headers: append(hs, codec.Header{Value: &a.Ack})}
}

// sortAck files a to be answered on the back-channel (anonymous AcksTo) or sent away to an
// addressable AcksTo.
func (o *outcome) sortAck(a rm.SendAck) {
	if a.AcksTo.Address == "" || a.AcksTo.IsAnonymous() {
		o.acks = addAck(o.acks, a)
	} else {
		o.away = addAck(o.away, a)
	}
}

// addAck adds a to acks, replacing an earlier ack of the same sequence: a message carries at
// most one SequenceAcknowledgement per sequence, and the later one is the more complete.
func addAck(acks []rm.SendAck, a rm.SendAck) []rm.SendAck {
	for i := range acks {
		if acks[i].Ack.Identifier == a.Ack.Identifier {
			acks[i] = a
			return acks
		}
	}
	return append(acks, a)
}
