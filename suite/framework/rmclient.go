package framework

import (
	"context"
	"fmt"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/peer"
)

// Create describes a CreateSequence; the zero value (with Token set) is the conforming one of
// FLOW M3: STR to the SCT, UsesSequenceSTR (1.1, mustUnderstand), secured by the SCT,
// anonymous AcksTo.
type Create struct {
	Token token.Token
	// STR overrides the reference: nil = a direct reference to Token; &wsse.SecurityTokenReference{}
	// with NoSTR = none.
	STR   *wsse.SecurityTokenReference
	NoSTR bool
	// NoUsesSequenceSTR leaves the 1.1 header out; UsesSequenceSTRNoMU writes it without
	// mustUnderstand.
	NoUsesSequenceSTR   bool
	UsesSequenceSTRNoMU bool
	// Protect overrides the protection (Token by default).
	Protect *Protection
	AcksTo  string
	Offer   *wsrm.Offer
	Expires string
}

// CreateSequence sends a CreateSequence and returns the response and, when it is a
// CreateSequenceResponse, the new sequence's identifier.
func (c *Client) CreateSequence(ctx context.Context, cr Create) (*Response, string, error) {
	v := c.RM()
	acksTo := cr.AcksTo
	if acksTo == "" {
		acksTo = wsa.V10.Anonymous()
	}
	cs := &wsrm.CreateSequence{V: v, AcksTo: wsa.EPR{Address: acksTo}, Expires: cr.Expires, Offer: cr.Offer}
	switch {
	case cr.NoSTR:
	case cr.STR != nil:
		cs.STR = cr.STR
	default:
		cs.STR = cr.Token.Reference(false)
	}
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(v.Action(wsrm.KindCreateSequence)), Body: []any{cs}}
	if v == wsrm.V200702 && !cr.NoUsesSequenceSTR {
		env.Headers = append(env.Headers, codec.Header{Value: &wsrm.UsesSequenceSTR{}, MustUnderstand: !cr.UsesSequenceSTRNoMU})
	}
	p := Protection{Token: &cr.Token}
	if cr.Protect != nil {
		p = *cr.Protect
	}
	r, err := c.Send(ctx, env, p)
	if err != nil {
		return nil, "", err
	}
	if r.Message != nil && r.Msg != nil {
		if csr, ok := r.Msg.Payload.(*wsrm.CreateSequenceResponse); ok {
			return r, csr.Identifier, nil
		}
	}
	return r, "", nil
}

// Seq is an open sequence at the SUT: its identifier, its token, the next number to use.
type Seq struct {
	ID    string
	Token token.Token
	Next  uint64
}

// Open issues (or obtains) an SCT and creates a conforming sequence bound to it; any failure
// is returned with what the SUT answered.
func (c *Client) Open(ctx context.Context) (*Seq, error) {
	tok, err := c.SCT(ctx)
	if err != nil {
		return nil, fmt.Errorf("obtain SCT: %w", err)
	}
	return c.OpenWith(ctx, tok)
}

// OpenWith creates a conforming sequence bound to tok.
func (c *Client) OpenWith(ctx context.Context, tok token.Token) (*Seq, error) {
	r, id, err := c.CreateSequence(ctx, Create{Token: tok})
	if err != nil {
		return nil, fmt.Errorf("CreateSequence: %w", err)
	}
	if id == "" {
		return nil, fmt.Errorf("CreateSequence not accepted: %s", describe(r))
	}
	return &Seq{ID: id, Token: tok, Next: 1}, nil
}

// Msg describes an application message of a sequence.
type Msg struct {
	Number       uint64 // 0 = the sequence's next number
	Payload      []byte
	AckRequested bool
	LastMessage  bool // 2005/02 LastMessage (empty body, LastMessage action)
	// SequenceID overrides the sequence identifier (e.g. an unknown one).
	SequenceID string
	Protect    *Protection // default: the sequence's token
	// NoMustUnderstand writes the Sequence header without mustUnderstand.
	NoMustUnderstand bool
}

// Message sends one application message on s.
func (c *Client) Message(ctx context.Context, s *Seq, m Msg) (*Response, error) {
	v := c.RM()
	n := m.Number
	if n == 0 {
		n = s.Next
		s.Next++
	}
	id := s.ID
	if m.SequenceID != "" {
		id = m.SequenceID
	}
	action := c.AppAction
	app := c.sut.application()
	if app != nil {
		action = app.Action
	}
	if m.LastMessage {
		action = v.Action(wsrm.KindLastMessage)
	}
	seq := &wsrm.Sequence{V: v, Identifier: id, MessageNumber: n, LastMessage: m.LastMessage}
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(action),
		Headers: []codec.Header{{Value: seq, MustUnderstand: !m.NoMustUnderstand}}}
	if m.AckRequested {
		env.Headers = append(env.Headers, codec.Header{Value: &wsrm.AckRequested{V: v, Identifier: id}})
	}
	if !m.LastMessage {
		p := m.Payload
		if p == nil {
			p = []byte(fmt.Sprintf("rspcheck message %d", n))
		}
		if app != nil {
			env.Body = []any{app.body(p)}
		} else {
			env.Body = []any{peer.AppBody(p)}
		}
	}
	return c.Send(ctx, env, c.protection(s, m.Protect))
}

func (c *Client) protection(s *Seq, p *Protection) Protection {
	if p != nil {
		return *p
	}
	return Protection{Token: &s.Token}
}

// AckRequested sends a stand-alone AckRequested for s.
func (c *Client) AckRequested(ctx context.Context, s *Seq, p *Protection) (*Response, error) {
	v := c.RM()
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(v.Action(wsrm.KindAckRequested)),
		Headers: []codec.Header{{Value: &wsrm.AckRequested{V: v, Identifier: s.ID}}}}
	return c.Send(ctx, env, c.protection(s, p))
}

// Close sends CloseSequence (1.1) with LastMsgNumber last (0 = none).
func (c *Client) Close(ctx context.Context, s *Seq, last uint64, p *Protection) (*Response, error) {
	v := c.RM()
	body := &wsrm.CloseSequence{V: v, Identifier: s.ID, LastMsgNumber: last, HasLast: last > 0}
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(v.Action(wsrm.KindCloseSequence)), Body: []any{body}}
	return c.Send(ctx, env, c.protection(s, p))
}

// Terminate sends TerminateSequence with LastMsgNumber last (1.1; 0 = none).
func (c *Client) Terminate(ctx context.Context, s *Seq, last uint64, p *Protection) (*Response, error) {
	v := c.RM()
	body := &wsrm.TerminateSequence{V: v, Identifier: s.ID, LastMsgNumber: last, HasLast: last > 0 && v == wsrm.V200702}
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: c.Addressing(v.Action(wsrm.KindTerminateSequence)), Body: []any{body}}
	return c.Send(ctx, env, c.protection(s, p))
}

// Acks returns the SequenceAcknowledgement headers of a response for sequence id.
func Acks(r *Response, id string) []*wsrm.SequenceAcknowledgement {
	if r == nil || r.Message == nil || r.Msg == nil {
		return nil
	}
	var out []*wsrm.SequenceAcknowledgement
	for _, a := range codec.FindAll[*wsrm.SequenceAcknowledgement](r.Msg) {
		if id == "" || a.Identifier == id {
			out = append(out, a)
		}
	}
	return out
}

// describe summarises a response for failure messages.
func describe(r *Response) string {
	switch {
	case r == nil:
		return "no response"
	case r.Message == nil:
		return fmt.Sprintf("HTTP %d, empty body", r.Status)
	case r.Msg == nil:
		return fmt.Sprintf("HTTP %d, undecodable body: %v", r.Status, r.Err)
	}
	if f := r.Msg.Fault(); f != nil {
		return fmt.Sprintf("HTTP %d, fault %s (%s)", r.Status, faultCode(f), f.Reason)
	}
	return fmt.Sprintf("HTTP %d, %s", r.Status, r.Action())
}

// String summarises a response for messages (status, action or fault).
func (r *Response) String() string { return describe(r) }

// OpenForRM creates a sequence bound to tok for a spec whose subject is not the STR scoping
// itself (transfer, closure): the conforming CreateSequence, or — when a WS-RM 1.1 SUT refuses
// it with a mustUnderstand fault, because it does not implement wsrm:UsesSequenceSTR (WS-RM 1.1
// §4.4; judged by RM-CSR-001 and RM-STR-004) — a plain WS-RM CreateSequence, still secured by
// the SCT but without the header and without the STR (a SUT that does not implement the
// scoping may not even verify a message carrying it: gSOAP's digest skips the STR), so that
// the SUT's reliable-messaging behaviour can still be judged. r is the CreateSequenceResponse; withoutUses reports the fallback (specs record it).
func (c *Client) OpenForRM(ctx context.Context, tok token.Token) (seq *Seq, r *Response, withoutUses bool, err error) {
	r, id, err := c.CreateSequence(ctx, Create{Token: tok})
	switch {
	case err != nil:
		return nil, r, false, fmt.Errorf("CreateSequence: %w", err)
	case id != "":
		return &Seq{ID: id, Token: tok, Next: 1}, r, false, nil
	}
	refused := fmt.Errorf("CreateSequence not accepted: %s", describe(r))
	mu, _ := BeFault(soap.MustUnderstand.QName(soap.V11), soap.MustUnderstand.QName(soap.V12)).Match(r)
	if c.RM() != wsrm.V200702 || !mu {
		return nil, r, false, refused // only the header the SUT does not understand is left out
	}
	r, id, err = c.CreateSequence(ctx, Create{Token: tok, NoUsesSequenceSTR: true, NoSTR: true})
	if err != nil || id == "" {
		return nil, r, false, fmt.Errorf("%w; without UsesSequenceSTR and STR: %v %s", refused, err, describe(r))
	}
	return &Seq{ID: id, Token: tok, Next: 1}, r, true, nil
}
