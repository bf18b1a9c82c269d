package framework

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"
	"github.com/google/uuid"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/token/trust"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/peer"
)

// Client is the suite's scripted initiator towards a SUT responder: every method sends
// exactly one crafted message (legal or not), records both directions in the spec's Wire,
// and returns the response without judging it.
type Client struct {
	Endpoint string
	Profile  peer.Profile
	SOAP     soap.Version
	Wire     *Wire
	// Policy protects messages (derived keys from the SCT unless the SUT lacks them).
	Policy wssec.Policy
	// AppAction is the wsa:Action of application messages.
	AppAction string

	http  *transport.Client
	trust *trust.Client
	sut   *SUT
	now   func() time.Time
}

// Response is the SUT's answer to one request.
type Response struct {
	Status int
	*Message
}

// Fault is the response's SOAP fault, nil when it is none.
func (r *Response) Fault() *soap.Fault {
	if r == nil || r.Message == nil || r.Msg == nil {
		return nil
	}
	return r.Msg.Fault()
}

func newClient(endpoint string, c Config, w *Wire) (*Client, error) {
	cl := &Client{Endpoint: endpoint, Profile: c.Profile, SOAP: c.SOAP, Wire: w, AppAction: peer.AppAction,
		http: transport.NewClient(nil), sut: c.SUT, now: time.Now,
		Policy: wssec.Policy{Version: c.Profile.SC(), DerivedKeys: c.SUT.Has(CapDerivedKeys), IncludeToken: c.SUT.attachSCT()}}
	tc, err := trust.NewClient(cl.trustConfig())
	if err != nil {
		return nil, err
	}
	cl.trust = tc
	return cl, nil
}

// trustConfig is the configuration of the client's WS-Trust client.
func (c *Client) trustConfig() trust.ClientConfig {
	return trust.ClientConfig{Caller: trust.CallerFunc(c.call), Version: c.Profile.SC(), SOAP: c.SOAP, Addressing: wsa.V10}
}

// call is the WS-Trust client's transport: through the Wire.
func (c *Client) call(ctx context.Context, action string, doc *etree.Document) (*codec.Message, error) {
	raw, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	r, err := c.post(ctx, action, raw)
	if err != nil {
		return nil, err
	}
	if r.Message == nil {
		return nil, fmt.Errorf("HTTP %d without a body", r.Status)
	}
	if r.Err != nil {
		return nil, r.Err
	}
	return r.Msg, nil
}

// post sends raw and records both directions.
func (c *Client) post(ctx context.Context, action string, raw []byte) (*Response, error) {
	c.Wire.Record(ToSUT, raw)
	resp, err := c.http.Post(ctx, c.Endpoint, c.SOAP, action, raw)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.Status, Message: c.Wire.Record(FromSUT, resp.Body)}, nil
}

// SCT obtains a context token: WS-Trust issuance at the SUT, or the provisioned one.
func (c *Client) SCT(ctx context.Context) (token.Token, error) {
	if t, ok := c.sut.ProvisionedToken(); ok {
		t.Version = c.Profile.SC()
		return t, nil
	}
	return c.Issue(ctx)
}

// Issue runs one WS-Trust issuance (RST/SCT → RSTR).
func (c *Client) Issue(ctx context.Context) (token.Token, error) {
	return c.trust.Issue(ctx, c.Endpoint)
}

// Renew renews tok; Cancel cancels it.
func (c *Client) Renew(ctx context.Context, tok token.Token) (token.Token, error) {
	return c.trust.Renew(ctx, c.Endpoint, tok)
}

// Cancel cancels tok.
func (c *Client) Cancel(ctx context.Context, tok token.Token) error {
	return c.trust.Cancel(ctx, c.Endpoint, tok)
}

// Protection says how a crafted message is secured.
type Protection struct {
	// Token protects the message; nil = unsecured.
	Token *token.Token
	// Policy overrides the client's policy (e.g. fewer signed parts).
	Policy *wssec.Policy
	// At is the Timestamp's Created time (now when zero): a stale time makes it expired.
	At time.Time
	// Mutate changes the tree after protection (e.g. alter a signed element).
	Mutate func(doc *etree.Document) error
}

// Send builds env, protects it and posts it.
func (c *Client) Send(ctx context.Context, env *codec.Envelope, p Protection) (*Response, error) {
	doc, err := codec.Build(env, codec.Options{AllowIllegal: true})
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if p.Token != nil {
		pol := c.Policy
		if p.Policy != nil {
			pol = *p.Policy
		}
		at := p.At
		if at.IsZero() {
			at = c.now()
		}
		if _, err := wssec.Apply(doc, p.Token.Security(), pol, at, nil); err != nil {
			return nil, fmt.Errorf("protect: %w", err)
		}
	}
	if p.Mutate != nil {
		if err := p.Mutate(doc); err != nil {
			return nil, err
		}
	}
	raw, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	action := ""
	if env.Addressing != nil {
		action = env.Addressing.Action
	}
	return c.post(ctx, action, raw)
}

// Addressing returns fresh WS-Addressing headers for a request to the SUT.
func (c *Client) Addressing(action string) *wsa.Headers {
	return &wsa.Headers{Version: wsa.V10, Action: action, MessageID: NewID(), To: c.Endpoint,
		ReplyTo: &wsa.EPR{Address: wsa.V10.Anonymous()}}
}

// NewID returns a fresh urn:uuid.
func NewID() string { return "urn:uuid:" + uuid.NewString() }

// RM is the WS-RM version of the run.
func (c *Client) RM() wsrm.Version { return c.Profile.RM() }

// errNoResponse marks an exchange without an envelope in the response.
var errNoResponse = errors.New("no SOAP envelope in the response")
