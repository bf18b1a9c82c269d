package peer

import (
	"context"
	"fmt"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// perform carries out the actions of one Source call in order: it waits until the call's
// Persistent batch (staged with the call) is durable, then performs each transmission
// (protect -> send -> trace), whose response is fed back to the Source at once.
func (in *Initiator) perform(ctx context.Context, t *group, acts []rm.Action, other string) {
	if !effects(acts) || !in.persisted(ctx, t) {
		return // only Persistent actions (e.g. an ack): nothing waits for them
	}
	for _, act := range acts {
		switch a := act.(type) {
		case rm.Send:
			in.sendRequest(ctx, a)
		case rm.SendMessage:
			in.sendMessage(ctx, a, other)
		case rm.SendFault:
			in.sendFault(ctx, a)
		case rm.Ended:
			in.mu.Lock()
			if a.Role == rm.RoleDestination {
				in.revEnded[a.Seq] = a.Reason
			} else {
				in.ended[a.Seq] = a.Reason
			}
			in.signal()
			in.mu.Unlock()
		}
	}
}

// tokenFor is the protection of a message bound to SCT id.
func (in *Initiator) tokenFor(id string) *wssec.Token {
	in.mu.Lock()
	defer in.mu.Unlock()
	t, ok := in.tokens[id]
	if in.lookup != nil {
		t, ok = in.lookup(id)
	}
	if id == "" || !ok {
		return nil
	}
	s := t.Security()
	return &s
}

// sendRequest sends a protocol request of the Source: CreateSequence (with the STR and
// UsesSequenceSTR, FLOW M3), CloseSequence, TerminateSequence or a stand-alone AckRequested.
func (in *Initiator) sendRequest(ctx context.Context, a rm.Send) {
	v := in.cfg.Profile.RM()
	to := in.target(a.To)
	h := addressing(v.Action(a.Kind), to)
	h.ReplyTo = &wsa.EPR{Address: wsa.V10.Anonymous()}
	if in.cfg.Offer && a.Kind == wsrm.KindCreateSequence {
		// 2005/02 Offers carry no Endpoint: the reverse sequence goes to the ReplyTo.
		h.ReplyTo = &wsa.EPR{Address: in.cfg.AcksTo}
	}
	if a.Ref != "" {
		h.MessageID = a.Ref
	}
	env := &codec.Envelope{SOAP: in.cfg.SOAP, Addressing: h}
	switch msg := a.Msg.(type) {
	case *wsrm.CreateSequence:
		cs := *msg
		if a.STR != "" {
			in.mu.Lock()
			cs.STR = in.tokens[a.STR].Reference(false)
			in.mu.Unlock()
		}
		if a.UsesSequenceSTR {
			env.Headers = append(env.Headers, codec.Header{Value: &wsrm.UsesSequenceSTR{}, MustUnderstand: true})
		}
		env.Body = []any{&cs}
	case *wsrm.AckRequested:
		env.Headers = append(env.Headers, codec.Header{Value: msg})
	default:
		env.Body = []any{a.Msg}
	}
	if a.Attempt > 0 {
		in.mu.Lock()
		in.retrans++
		in.mu.Unlock()
	}
	in.exchange(ctx, to, env, in.tokenFor(a.Token), a.Kind, a.Ref, a.Seq)
}

// target is the address of a transmission: the engine's (a reverse sequence's peer) or the
// responder's.
func (in *Initiator) target(to wsa.EPR) string {
	if to.Address != "" && !to.IsAnonymous() {
		return to.Address
	}
	return in.cfg.To
}

// sendMessage transmits application message a.Number (or the 2005/02 LastMessage), protected
// afresh on every attempt (RM-SEQ-008) unless a.Stale asks for the first bytes again.
func (in *Initiator) sendMessage(ctx context.Context, a rm.SendMessage, other string) {
	key := msgKey{a.Seq, a.Number}
	in.mu.Lock()
	if a.Attempt > 0 {
		in.retrans++
	}
	stale := in.first[key]
	in.mu.Unlock()
	to := in.target(a.To)
	if a.Stale && stale != nil {
		in.post(ctx, to, stale, in.action, wsrm.KindNone, "", a.Seq)
		return
	}
	action := in.action
	if a.Last {
		action = a.Version.Action(wsrm.KindLastMessage)
	}
	seq := a.Header()
	env := &codec.Envelope{SOAP: in.cfg.SOAP, Addressing: addressing(action, to),
		Headers: []codec.Header{{Value: &seq, MustUnderstand: true}}}
	if a.AckRequested {
		env.Headers = append(env.Headers, codec.Header{Value: &wsrm.AckRequested{V: a.Version, Identifier: a.Seq}})
	}
	if !a.Last {
		env.Body = []any{appBody(a.Payload)}
	}
	tok := a.Token
	if other != "" {
		tok = other
	}
	raw, err := build(env, in.tokenFor(tok), in.pol, in.cfg.Now())
	if err != nil {
		return
	}
	if a.Attempt == 0 && in.keepFirst {
		in.mu.Lock()
		in.first[key] = raw
		in.mu.Unlock()
	}
	in.post(ctx, to, raw, action, wsrm.KindNone, "", a.Seq)
}

// exchange protects env with tok and sends it to to.
func (in *Initiator) exchange(ctx context.Context, to string, env *codec.Envelope, tok *wssec.Token, kind wsrm.Kind, ref, seq string) {
	raw, err := build(env, tok, in.pol, in.cfg.Now())
	if err != nil {
		return
	}
	in.post(ctx, to, raw, env.Addressing.Action, kind, ref, seq)
}

// post sends raw and feeds the response to the Source. A lost request or response is not an
// error here: the Source retransmits on Tick.
func (in *Initiator) post(ctx context.Context, to string, raw []byte, action string, kind wsrm.Kind, ref, seq string) {
	in.rec.record(trace.Out, raw, nil)
	resp, err := in.client.Post(ctx, to, in.cfg.SOAP, action, raw)
	if err != nil || len(resp.Body) == 0 {
		return
	}
	m, err := codec.Decode(resp.Body, codec.Options{})
	in.rec.record(trace.In, resp.Body, m)
	if err != nil {
		return
	}
	acts, t := in.receive(m, kind, ref, seq)
	in.perform(ctx, t, acts, "")
}

// receive hands a response to the Source under in.mu and returns the resulting actions.
func (in *Initiator) receive(m *codec.Message, kind wsrm.Kind, ref, seq string) ([]rm.Action, *group) {
	now := in.cfg.Now()
	auth, _ := in.check(m, now)
	in.mu.Lock()
	defer in.mu.Unlock()
	var acts []rm.Action
	if f := m.Fault(); f != nil {
		in.renewNeeded(f.Subcode())
		rf := rmFault(m, f.Subcode(), seq)
		switch {
		case kind == wsrm.KindCreateSequence:
			code := f.Subcode()
			if code.Local == "" {
				code = f.CodeQName
			}
			in.refused[ref] = fmt.Sprintf("refused with fault %s: %s", code.Local, f.Reason)
			acts = append(acts, in.src.Refused(ref, rf, now)...)
		case rf.Code != "":
			acts = append(acts, in.src.Fault(rf, auth, now)...)
		}
		t := in.stage(acts)
		in.signal()
		return acts, t
	}
	for _, ack := range codec.FindAll[*wsrm.SequenceAcknowledgement](m) {
		acts = append(acts, in.src.Ack(ack, auth, now)...)
	}
	switch body := m.Payload.(type) {
	case *wsrm.CreateSequenceResponse:
		acts = append(acts, in.src.CreateSequenceResponse(ref, body, auth, now)...)
		if st, ok := in.src.Status(body.Identifier); ok && !st.Creating {
			in.created[ref] = body.Identifier
			in.bindSlot(ref, body.Identifier)
		}
	case *wsrm.CloseSequenceResponse:
		acts = append(acts, in.src.CloseSequenceResponse(body, auth, now)...)
	case *wsrm.TerminateSequenceResponse:
		acts = append(acts, in.src.TerminateSequenceResponse(body, auth, now)...)
	}
	acts = in.adopt(acts, now)
	t := in.stage(acts)
	in.signal()
	return acts, t
}

// check verifies m against the tokens this side knows and says what it proved for the
// engine (rm.Auth); an unsecured or failing message proves nothing.
func (in *Initiator) check(m *codec.Message, now time.Time) (rm.Auth, error) {
	in.mu.Lock()
	tokens := wssec.TokenMap{}
	for id, t := range in.tokens {
		tokens[id] = t.Security()
	}
	lookup := in.lookup
	in.mu.Unlock()
	var res wssec.Resolver = tokens
	if lookup != nil {
		res = lookupResolver(lookup)
	}
	a, err := wssec.Check(m, wssec.CheckOptions{Policy: in.pol, Tokens: res, Now: now})
	if err != nil {
		return rm.Auth{}, err
	}
	return rm.Auth{Token: a.Token.Identifier, Headers: a.Parts&wssec.PartRM != 0, Body: a.Parts&wssec.PartBody != 0}, nil
}

// lookupResolver resolves SCTs through a lookup function.
type lookupResolver func(id string) (token.Token, bool)

func (f lookupResolver) Token(id string) (wssec.Token, bool) {
	t, ok := f(id)
	if !ok {
		return wssec.Token{}, false
	}
	return t.Security(), true
}

// rmFault reads a WS-RM fault (SOAP 1.2 Subcode, SOAP 1.1 faultcode or SequenceFault header).
func rmFault(m *codec.Message, q wire.QName, seq string) *rm.Fault {
	code, v, ok := wsrm.FaultCodeOf(q)
	if !ok {
		if sf, _ := codec.Find[*wsrm.SequenceFault](m); sf != nil {
			code, v, ok = wsrm.FaultCodeOf(sf.FaultCode)
		}
	}
	f := &rm.Fault{Identifier: seq}
	if ok {
		f.Version, f.Code = v, code
	} else {
		f.Security = q
	}
	if mf := m.Fault(); mf != nil {
		f.Reason = mf.Reason
	}
	return f
}

// sendFault reports a fault about one of the Source's sequences to the Destination, e.g.
// wsrm:InvalidAcknowledgement for an ack that covers unsent numbers (RM-ACK-004).
func (in *Initiator) sendFault(ctx context.Context, a rm.SendFault) {
	env := rmFaultEnvelope(nil, in.cfg.SOAP, a.Fault)
	to := a.To.Address
	if to == "" {
		to = in.cfg.To
	}
	env.Addressing.To = to
	raw, err := build(env, in.tokenFor(a.Token), in.pol, in.cfg.Now())
	if err != nil {
		return
	}
	in.rec.record(trace.Out, raw, nil)
	if resp, err := in.client.Post(ctx, to, in.cfg.SOAP, env.Addressing.Action, raw); err == nil && len(resp.Body) > 0 {
		in.rec.record(trace.In, resp.Body, nil)
	}
}
