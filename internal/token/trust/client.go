package trust

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// Caller sends one request envelope (already built and secured) to the issuer and returns
// its decoded response. Transport, timeouts and tracing are its business.
type Caller interface {
	Call(ctx context.Context, action string, doc *etree.Document) (*codec.Message, error)
}

// CallerFunc adapts a function to Caller.
type CallerFunc func(ctx context.Context, action string, doc *etree.Document) (*codec.Message, error)

// Call implements Caller.
func (f CallerFunc) Call(ctx context.Context, action string, doc *etree.Document) (*codec.Message, error) {
	return f(ctx, action, doc)
}

// ErrResponse marks a response the client refuses (not a SOAP fault: a response that breaks
// a rule); the error text names the rule.
var ErrResponse = errors.New("trust: unacceptable response")

// DefaultEntropySize is the requestor entropy the client sends, in octets (256 bits;
// SC-ISS-008 asks for at least 128).
const DefaultEntropySize = 32

// ClientConfig configures a Client.
type ClientConfig struct {
	// Caller sends the requests. Required.
	Caller Caller
	// Version is the WS-SC version (V200512 for profile P11, V200502 for P05); the WS-Trust
	// version follows it (SC-ISS-002).
	Version wsc.Version
	// SOAP and Addressing versions of the requests (SOAP 1.2 and WS-Addressing 1.0 by default).
	SOAP       soap.Version
	Addressing wsa.Version
	// ReplyTo of the requests; the anonymous address of Addressing when empty.
	ReplyTo string
	// KeySize requested, in bits (DefaultKeySize when zero).
	KeySize uint32
	// EntropySize is the requestor entropy in octets (DefaultEntropySize when zero). A
	// negative size sends no entropy: the issuer then chooses the key and returns it as the
	// proof token (SC-ISS-011).
	EntropySize int
	// Policy protects Renew and Cancel requests with the current SCT (SC-RNW-001,
	// SC-CNL-001); its Version is set from Version. Zero: derived keys, the SCT included in
	// the header (Microsoft's profile for Cancel), the default signed parts.
	Policy *wssec.Policy
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Rand supplies message IDs, Contexts and security nonces (crypto/rand when nil).
	Rand io.Reader
	// Entropy supplies the requestor entropy (Rand when nil). Tests inject the CONSTANTS
	// §7.1 vector here.
	Entropy io.Reader
	// SecureIssue, optional, protects the Issue request before it is sent, e.g. with the
	// X.509 bootstrap (bootstrap.Sign; SC-ISS-014).
	SecureIssue func(doc *etree.Document) error
	// VerifyResponse, optional, checks each response before it is used (e.g. bootstrap.Verify
	// of the issuer's signature on the RSTR; SC-ISS-014).
	VerifyResponse func(m *codec.Message) error
	// Identity, optional, is the requestor's X.509 identity: it decrypts issuer entropy or a
	// proof key sent as xenc:EncryptedKey.
	Identity *pki.Identity
	// IssuerCert, optional, encrypts the requestor entropy for the issuer (WS-Trust 1.3 §3.3).
	IssuerCert *x509.Certificate
}

// Client obtains, renews and cancels SCTs from an issuer. It implements token.Establisher
// and is safe for concurrent use.
type Client struct {
	cfg ClientConfig
	pol wssec.Policy
}

var _ token.Establisher = (*Client)(nil)

// NewClient returns a Client.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.Caller == nil {
		return nil, errors.New("trust: client needs a Caller")
	}
	if cfg.KeySize == 0 {
		cfg.KeySize = DefaultKeySize
	}
	if cfg.KeySize < MinKeySize || cfg.KeySize > MaxKeySize || cfg.KeySize%8 != 0 {
		return nil, fmt.Errorf("trust: key size %d bits outside [%d, %d] or not a multiple of 8", cfg.KeySize, MinKeySize, MaxKeySize)
	}
	if cfg.EntropySize == 0 {
		cfg.EntropySize = DefaultEntropySize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Entropy == nil {
		cfg.Entropy = cfg.Rand
	}
	if cfg.ReplyTo == "" {
		cfg.ReplyTo = cfg.Addressing.Anonymous()
	}
	pol := wssec.Policy{DerivedKeys: true, IncludeToken: true}
	if cfg.Policy != nil {
		pol = *cfg.Policy
	}
	pol.Version = cfg.Version
	return &Client{cfg: cfg, pol: pol}, nil
}

func (c *Client) wstVersion() wst.Version { return trustVersion(c.cfg.Version) }

// exchange is one request in flight: what the response must match.
type exchange struct {
	binding   wsc.Binding
	messageID string
	context   string
	entropy   []byte // requestor entropy, nil when none was sent
}

// Issue establishes a new SCT with endpoint (FLOW M1/M2).
func (c *Client) Issue(ctx context.Context, endpoint string) (token.Token, error) {
	rst, x, err := c.keyedRST(wst.Issue)
	if err != nil {
		return token.Token{}, err
	}
	x.binding = wsc.BindingIssue
	doc, err := c.build(endpoint, x, rst)
	if err != nil {
		return token.Token{}, err
	}
	if c.cfg.SecureIssue != nil {
		if err := c.cfg.SecureIssue(doc); err != nil {
			return token.Token{}, fmt.Errorf("trust: securing the issue request: %w", err)
		}
	}
	t, err := c.roundTrip(ctx, doc, x)
	if err != nil {
		return token.Token{}, err
	}
	t.Endpoint = endpoint
	return t, nil
}

// Renew renews cur with endpoint's issuer (SC-RNW-001): a Renew RST naming cur in
// wst:RenewTarget, secured with cur's key, with fresh entropy for the new key.
func (c *Client) Renew(ctx context.Context, endpoint string, cur token.Token) (token.Token, error) {
	rst, x, err := c.keyedRST(wst.Renew)
	if err != nil {
		return token.Token{}, err
	}
	x.binding = wsc.BindingRenew
	rst.RenewTarget = cur.Reference(false)
	t, err := c.secured(ctx, endpoint, cur, x, rst)
	if err != nil {
		return token.Token{}, err
	}
	// SC-RNW-002 / SC-ISS-007: same Identifier, a new Instance for the new key.
	if t.Identifier != cur.Identifier {
		return token.Token{}, fmt.Errorf("%w: renewal of %s returned the context %s (SC-RNW-002)", ErrResponse, cur.Identifier, t.Identifier)
	}
	if t.Instance == "" || t.Instance == cur.Instance {
		return token.Token{}, fmt.Errorf("%w: renewal of %s with a new key but no new wsc:Instance (SC-ISS-007)", ErrResponse, cur.Identifier)
	}
	t.Endpoint = endpoint
	return t, nil
}

// Cancel cancels cur (SC-CNL-001): a Cancel RST naming cur in wst:CancelTarget, secured
// with cur's key; the response must say wst:RequestedTokenCancelled (SC-CNL-002).
func (c *Client) Cancel(ctx context.Context, endpoint string, cur token.Token) error {
	tv := c.wstVersion()
	x, err := c.newExchange()
	if err != nil {
		return err
	}
	x.binding = wsc.BindingCancel
	rst := &wst.RequestSecurityToken{V: tv, Context: x.context, RequestType: tv.RequestType(wst.Cancel),
		CancelTarget: cur.Reference(false)}
	_, err = c.secured(ctx, endpoint, cur, x, rst)
	return err
}

// secured builds rst, secures it with cur and sends it.
func (c *Client) secured(ctx context.Context, endpoint string, cur token.Token, x *exchange, rst *wst.RequestSecurityToken) (token.Token, error) {
	doc, err := c.build(endpoint, x, rst)
	if err != nil {
		return token.Token{}, err
	}
	if _, err := wssec.Apply(doc, cur.Security(), c.pol, c.cfg.Now(), c.cfg.Rand); err != nil {
		return token.Token{}, fmt.Errorf("trust: securing the %s request with %s: %w", x.binding, cur.Identifier, err)
	}
	return c.roundTrip(ctx, doc, x)
}

func (c *Client) newExchange() (*exchange, error) {
	id, err := newUUID(c.cfg.Rand)
	if err != nil {
		return nil, err
	}
	cx, err := newUUID(c.cfg.Rand)
	if err != nil {
		return nil, err
	}
	return &exchange{messageID: id, context: cx}, nil
}

// keyedRST is an Issue or Renew RST asking for a symmetric key computed from both parties'
// entropy (SC-ISS-001, SC-ISS-008, SC-ISS-009, SC-ISS-010).
func (c *Client) keyedRST(kind wst.RequestKind) (*wst.RequestSecurityToken, *exchange, error) {
	tv := c.wstVersion()
	x, err := c.newExchange()
	if err != nil {
		return nil, nil, err
	}
	rst := &wst.RequestSecurityToken{
		V: tv, Context: x.context,
		TokenType:   c.cfg.Version.SCTTokenType(),
		RequestType: tv.RequestType(kind),
		KeyType:     tv.KeyTypeSymmetric(),
		KeySize:     c.cfg.KeySize,
	}
	if c.cfg.EntropySize < 0 {
		return rst, x, nil
	}
	x.entropy = make([]byte, c.cfg.EntropySize)
	if _, err := io.ReadFull(c.cfg.Entropy, x.entropy); err != nil {
		return nil, nil, fmt.Errorf("trust: requestor entropy: %w", err)
	}
	ent := &wst.Entropy{}
	if c.cfg.IssuerCert != nil {
		if ent.EncryptedKey, err = encryptFor(tv, x.entropy, c.cfg.IssuerCert); err != nil {
			return nil, nil, fmt.Errorf("trust: encrypting the requestor entropy: %w", err)
		}
	} else {
		ent.BinarySecret = &wst.BinarySecret{Type: tv.NonceType(), Value: x.entropy}
	}
	rst.Entropy = ent
	// WS-Trust 1.3 §4.4.4: ask for key = P_SHA1(requestor entropy, issuer entropy).
	rst.ComputedKeyAlgorithm = tv.CKPSHA1()
	return rst, x, nil
}

// build writes the request envelope: SOAP body = the RST, WS-Addressing Action (the SCT
// binding action, SC-ISS-001), MessageID, ReplyTo and To (FLOW M1).
func (c *Client) build(endpoint string, x *exchange, rst *wst.RequestSecurityToken) (*etree.Document, error) {
	env := &codec.Envelope{
		SOAP: c.cfg.SOAP,
		Addressing: &wsa.Headers{Version: c.cfg.Addressing, Action: c.cfg.Version.RequestAction(x.binding),
			MessageID: x.messageID, To: endpoint, ReplyTo: &wsa.EPR{Address: c.cfg.ReplyTo}},
		Body: []any{rst},
	}
	doc, err := codec.Build(env, codec.Options{})
	if err != nil {
		return nil, fmt.Errorf("trust: building the %s request: %w", x.binding, err)
	}
	return doc, nil
}

// roundTrip sends doc and turns the response into a token (or, for Cancel, checks it).
func (c *Client) roundTrip(ctx context.Context, doc *etree.Document, x *exchange) (token.Token, error) {
	action := c.cfg.Version.RequestAction(x.binding)
	m, err := c.cfg.Caller.Call(ctx, action, doc)
	if err != nil {
		return token.Token{}, fmt.Errorf("trust: %s request: %w", x.binding, err)
	}
	if m == nil {
		return token.Token{}, fmt.Errorf("%w: no response to the %s request", ErrResponse, x.binding)
	}
	if c.cfg.VerifyResponse != nil {
		if err := c.cfg.VerifyResponse(m); err != nil {
			return token.Token{}, fmt.Errorf("trust: %s response: %w", x.binding, err)
		}
	}
	rstr, err := c.response(m, x)
	if err != nil {
		return token.Token{}, err
	}
	if x.binding == wsc.BindingCancel {
		// SC-CNL-002: the cancel response carries wst:RequestedTokenCancelled.
		if !rstr.RequestedTokenCancelled {
			return token.Token{}, fmt.Errorf("%w: the cancel response lacks wst:RequestedTokenCancelled (SC-CNL-002)", ErrResponse)
		}
		return token.Token{}, nil
	}
	return c.tokenFrom(m, rstr, x)
}
