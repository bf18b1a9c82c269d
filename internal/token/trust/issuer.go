package trust

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"io"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// Defaults of IssuerConfig.
const (
	DefaultLifetime   = time.Hour
	DefaultKeySize    = 256 // bits
	MinKeySize        = 128 // bits; smaller requests get DefaultKeySize (SC-ISS-009)
	MaxKeySize        = 512
	DefaultMinEntropy = 128 // bits of requestor entropy (SC-ISS-008)
)

// IssuerConfig configures an Issuer.
type IssuerConfig struct {
	// Store holds the issued tokens. Required.
	Store *token.Store
	// Lifetime of issued and renewed tokens (DefaultLifetime when zero). A request may ask
	// for a shorter one with wst:Lifetime.
	Lifetime time.Duration
	// KeySize in bits when the request names none or one outside [MinKeySize, MaxKeySize]
	// (DefaultKeySize when zero).
	KeySize uint32
	// MinEntropy is the least requestor entropy accepted, in bits (DefaultMinEntropy when
	// zero; negative accepts any).
	MinEntropy int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Rand supplies identifiers, instances and message IDs (crypto/rand when nil).
	Rand io.Reader
	// Entropy supplies the issuer entropy and issued keys (Rand when nil). Tests inject the
	// CONSTANTS §7.1 vector here.
	Entropy io.Reader
	// Identity, optional, is the issuer's X.509 bootstrap identity: it decrypts requestor
	// entropy sent as xenc:EncryptedKey (WS-Trust 1.3 §3.3).
	Identity *pki.Identity
	// RequireBootstrap refuses Issue requests whose Request.Requestor is nil: the issuance
	// exchange must itself be protected (SC-ISS-014).
	RequireBootstrap bool
}

// Issuer answers RSTs on the SCT bindings (the responder's STS). It is safe for concurrent
// use.
type Issuer struct {
	cfg IssuerConfig
}

// NewIssuer returns an Issuer.
func NewIssuer(cfg IssuerConfig) (*Issuer, error) {
	if cfg.Store == nil {
		return nil, errors.New("trust: issuer needs a token.Store")
	}
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = DefaultLifetime
	}
	if cfg.KeySize == 0 {
		cfg.KeySize = DefaultKeySize
	}
	if cfg.MinEntropy == 0 {
		cfg.MinEntropy = DefaultMinEntropy
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
	return &Issuer{cfg: cfg}, nil
}

// Request is one RST to answer with what the caller proved about it.
type Request struct {
	Message *codec.Message
	// Auth is what wssec.Check proved (the SCT that secured the message); nil when the
	// message is not secured by an SCT or the check failed. Renew, Cancel and Amend need it.
	Auth *wssec.Auth
	// AuthErr is why the check failed (refined by token.Resolution.Explain), nil otherwise.
	AuthErr error
	// Requestor is the requestor's X.509 certificate when the request was verified with the
	// X.509 bootstrap (bootstrap.Verify); nil otherwise. The issuer then encrypts its
	// entropy, or the key, for it.
	Requestor *x509.Certificate
}

// Check verifies the SCT-based security of m for the issuer and returns the Request to pass
// to Handle. Issue requests are not SCT-secured (no SCT exists yet; their bootstrap is the
// caller's business) and are returned as they are. For Renew the token may have expired
// (token.Store.ForRenewal); for Cancel and Amend it must be valid, so an expired one yields
// wsc:RenewNeeded (SC-ISS-012). opt.Tokens is set here; opt.Now defaults to the issuer's
// clock and opt.Policy.Version to the version of the action.
func (is *Issuer) Check(m *codec.Message, opt wssec.CheckOptions) Request {
	req := Request{Message: m}
	if m == nil || !m.HasAddressing {
		return req
	}
	v, b, response, ok := wsc.BindingOfAction(m.Addressing.Action)
	if !ok || response || b == wsc.BindingIssue {
		return req
	}
	res := is.cfg.Store.Resolve()
	if b == wsc.BindingRenew {
		res = is.cfg.Store.ForRenewal()
	}
	opt.Tokens = res
	opt.Policy.Version = v
	if opt.Now.IsZero() {
		opt.Now = is.cfg.Now()
	}
	auth, err := wssec.Check(m, opt)
	if err != nil {
		req.AuthErr = res.Explain(err)
		return req
	}
	req.Auth = auth
	return req
}

// Handle answers one request. It always returns an envelope to send back (nil only when
// req.Message is nil); when that envelope is a SOAP fault, the error is the *Fault it
// carries.
func (is *Issuer) Handle(req Request) (*codec.Envelope, error) {
	env, f := is.handle(req)
	if f != nil && req.Message == nil {
		return nil, f
	}
	if f != nil {
		return faultEnvelope(req.Message, f, is.cfg.Rand), f
	}
	return env, nil
}

// bindingKind is the RequestType each SCT binding carries (WS-SC 1.3 §3, §5, §6).
var bindingKind = map[wsc.Binding]wst.RequestKind{
	wsc.BindingIssue: wst.Issue, wsc.BindingRenew: wst.Renew, wsc.BindingCancel: wst.Cancel,
}

// handle checks what every SCT request shares and dispatches by binding.
func (is *Issuer) handle(req Request) (*codec.Envelope, *Fault) {
	m := req.Message
	if m == nil {
		return nil, trustFault(wst.V13, wst.BadRequest, "", "no request")
	}
	// WS-Addressing 1.0 Core §3.4: a request that expects a reply carries wsa:Action and
	// wsa:MessageID (FLOW §5, WSA-002).
	if !m.HasAddressing || m.Addressing.Action == "" {
		return nil, addressingFault(m, "MessageAddressingHeaderRequired", "WSA-002", "the request carries no wsa:Action")
	}
	v, b, response, ok := wsc.BindingOfAction(m.Addressing.Action)
	if !ok || response {
		// SC-ISS-001: the SCT bindings use .../RST/SCT[/Renew|/Cancel|/Amend], not the generic
		// .../RST/Issue; responses are not requests.
		return nil, addressingFault(m, "ActionNotSupported", "SC-ISS-001", "%q is not an SCT binding request action", m.Addressing.Action)
	}
	if m.Addressing.MessageID == "" {
		return nil, addressingFault(m, "MessageAddressingHeaderRequired", "WSA-002", "an RST expects a reply and must carry wsa:MessageID")
	}
	tv := trustVersion(v)
	rst, f := is.readRST(m, tv, b)
	if f != nil {
		return nil, f
	}
	var rstr *wst.RequestSecurityTokenResponse
	switch b {
	case wsc.BindingIssue:
		rstr, f = is.issue(req, rst, v)
	case wsc.BindingRenew:
		rstr, f = is.renew(req, rst, v)
	case wsc.BindingCancel:
		rstr, f = is.cancel(req, rst, v)
	default:
		// SC-AMD-001 is optional for an issuer; WCF never sends Amend (sp:MustNotSendAmend).
		// This issuer does not keep claims, so it refuses the binding as a whole.
		f = trustFault(tv, wst.RequestFailed, "SC-AMD-001", "the SCT Amend binding is not supported by this issuer")
	}
	if f != nil {
		return nil, f
	}
	return &codec.Envelope{SOAP: m.SOAP, Addressing: replyAddressing(m, v.ResponseAction(b), is.cfg.Rand),
		Headers: replyHeaders(m, false), Body: []any{finalBody(rstr)}}, nil
}

// readRST returns the request's RST after the checks every binding shares.
func (is *Issuer) readRST(m *codec.Message, tv wst.Version, b wsc.Binding) (*wst.RequestSecurityToken, *Fault) {
	// WS-Trust 1.3 §11: wst:BadRequest — the request was not understood.
	if ps := m.DecodeProblems(); len(ps) > 0 {
		return nil, trustFault(tv, wst.BadRequest, "", "the request could not be read: %s", ps[0].Reason)
	}
	rst, ok := m.Payload.(*wst.RequestSecurityToken)
	if !ok || m.BodyCount != 1 {
		return nil, trustFault(tv, wst.BadRequest, "SC-ISS-001", "the body must be exactly one wst:RequestSecurityToken (WS-SC 1.3 §3)")
	}
	// SC-ISS-002: a 1.3 request uses the 200512 namespace, actions and SCT type together, a
	// 2005/02 request the 2005/02 ones; the issuer refuses a mixture.
	if rst.V != tv {
		return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-002", "a WS-Trust %s RST on the WS-Trust %s action tree: versions must not be mixed", rst.V, tv)
	}
	// WS-Trust 1.3 §3.1 (SC-ISS-001): wst:RequestType is required.
	if rst.RequestType == "" {
		return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-001", "wst:RequestType is missing (WS-Trust 1.3 §3.1)")
	}
	rv, kind, ok := wst.RequestTypeOf(rst.RequestType)
	switch {
	case !ok:
		return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-001", "unknown wst:RequestType %q", rst.RequestType)
	case rv != tv:
		return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-002", "RequestType %q is WS-Trust %s in a WS-Trust %s request", rst.RequestType, rv, tv)
	}
	if want, ok := bindingKind[b]; ok && kind != want {
		return nil, trustFault(tv, wst.InvalidRequest, "SC-ISS-001", "RequestType %s on the SCT %s action: expected %s", kind, b, tv.RequestType(want))
	}
	if err := rst.Validate(); err != nil {
		rule := ""
		if containsMix(err) {
			rule = "SC-ISS-002"
		}
		return nil, trustFault(tv, wst.InvalidRequest, rule, "%v", err)
	}
	// SC-ISS-001 (Issue) / WS-Trust 1.3 §5 (Renew): the TokenType, when present, is the SCT
	// token type of the matching WS-SC version.
	if rst.TokenType != "" && rst.TokenType != tv.SC().SCTTokenType() {
		rule := "SC-ISS-001"
		if sv, kind, ok := wsc.VersionOfTokenType(rst.TokenType); ok && kind == wsc.TokenSCT && sv != tv.SC() {
			rule = "SC-ISS-002"
		}
		return nil, trustFault(tv, wst.InvalidRequest, rule, "wst:TokenType %q: this binding issues %q", rst.TokenType, tv.SC().SCTTokenType())
	}
	return rst, nil
}
