package framework

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/token/trust"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/internal/wssec/bootstrap"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
	"github.com/rspcheck/rspcheck/peer"
)

// Answer is one exchange between a SUT initiator and the scripted responder, as a
// Scenario.Rewrite sees it: the SUT's request and the answer the scripted responder wrote.
type Answer struct {
	Request  *codec.Message // nil when the request does not decode
	Response *codec.Message // nil when there is no answer envelope (HTTP 202) or it does not decode
	Status   int
	// Tokens are the SCTs the scripted responder has issued (or was provisioned with) so far:
	// a rewritten answer is secured with the SCT of its sequence to stay acceptable.
	Tokens []token.Token
}

// SecuredBy is the token among a.Tokens that verifiably secures m (ok false when none does).
func (a Answer) SecuredBy(m *codec.Message) (token.Token, bool) {
	if m == nil {
		return token.Token{}, false
	}
	for _, t := range a.Tokens {
		if _, err := wssec.Check(m, wssec.CheckOptions{Policy: wssec.Policy{Version: t.Version, Sign: wssec.PartBody},
			Tokens: wssec.TokenMap{t.Identifier: t.Security()}, Now: msgTime(m)}); err == nil {
			return t, true
		}
	}
	return token.Token{}, false
}

// Secure builds env and secures it with tok as the reference peers do (derived keys from
// the SCT, the default signed parts); nil tok leaves it unsecured.
func Secure(env *codec.Envelope, tok *token.Token, p peer.Profile) ([]byte, error) {
	doc, err := codec.Build(env, codec.Options{AllowIllegal: true})
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if tok != nil {
		if _, err := wssec.Apply(doc, tok.Security(), wssec.Policy{Version: p.SC(), DerivedKeys: true}, time.Now(), nil); err != nil {
			return nil, fmt.Errorf("protect: %w", err)
		}
	}
	return doc.WriteToBytes()
}

// rewriter lets rewrite replace the scripted responder's answers (a misbehaving responder:
// e.g. an acknowledgement of numbers never sent, RM-ACK-004). The responder's own answer is
// already in the Wire (its hook recorded it); the replacement, what the SUT actually gets, is
// recorded after it.
func rewriter(next http.Handler, r *peer.Responder, w *Wire, rewrite func(Answer) []byte) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recordedResponse{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, req)
		a := Answer{Status: rec.status, Tokens: r.Tokens()}
		a.Request, _ = codec.Decode(body, codec.Options{})
		if rec.body.Len() > 0 {
			a.Response, _ = codec.Decode(rec.body.Bytes(), codec.Options{})
		}
		out := rec.body.Bytes()
		if a.Request != nil {
			if repl := rewrite(a); repl != nil {
				out = repl
				w.Record(ToSUT, repl)
				if rec.status == http.StatusAccepted {
					rec.status = http.StatusOK
				}
			}
		}
		for k, v := range rec.header {
			rw.Header()[k] = v
		}
		rw.Header().Set("Content-Length", strconv.Itoa(len(out)))
		rw.WriteHeader(rec.status)
		_, _ = rw.Write(out)
	})
}

type recordedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recordedResponse) Header() http.Header         { return r.header }
func (r *recordedResponse) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recordedResponse) WriteHeader(status int)      { r.status = status }

// PKI is a throw-away certificate authority with the identities of the X.509 bootstrap of the
// issuance (SC-ISS-014): the suite's and the embedded SUT's.
type PKI struct {
	CA                *pki.CA
	Initiator, Issuer *pki.Identity
}

// The Common Names of the PKI's identities.
const (
	PKIInitiatorName = "rspcheck-initiator"
	PKIIssuerName    = "rspcheck-sts"
)

var testPKI = sync.OnceValues(func() (*PKI, error) {
	now := time.Now()
	ca, err := pki.NewCA("rspcheck suite CA", now)
	if err != nil {
		return nil, err
	}
	p := &PKI{CA: ca}
	if p.Initiator, err = ca.Issue(PKIInitiatorName, nil, now); err != nil {
		return nil, err
	}
	if p.Issuer, err = ca.Issue(PKIIssuerName, nil, now); err != nil {
		return nil, err
	}
	return p, nil
})

// TestPKI returns the run's PKI (made once per process).
func TestPKI() (*PKI, error) { return testPKI() }

// IssuerBootstrap is the X.509 bootstrap of an issuer (responder) in the PKI: it requires the
// requests to be signed by the PKI's initiator.
func (p *PKI) IssuerBootstrap() *peer.Bootstrap {
	return &peer.Bootstrap{Identity: p.Issuer, Roots: p.CA.Pool(), PeerName: PKIInitiatorName}
}

// InitiatorBootstrap is the X.509 bootstrap of an initiator in the PKI, trusting the PKI's
// issuer.
func (p *PKI) InitiatorBootstrap() *peer.Bootstrap {
	return &peer.Bootstrap{Identity: p.Initiator, Roots: p.CA.Pool(), Peer: p.Issuer.Cert, PeerName: PKIIssuerName}
}

// UseBootstrap makes the client's WS-Trust issuance X.509-protected with the PKI's initiator
// identity: the RST is signed (bootstrap.Sign), the requestor entropy encrypted for the
// issuer's certificate, and the RSTR must carry a valid signature by a certificate of the PKI.
func (c *Client) UseBootstrap(p *PKI) error {
	cfg := c.trustConfig()
	cfg.Identity, cfg.IssuerCert = p.Initiator, p.Issuer.Cert
	cfg.SecureIssue = func(doc *etree.Document) error {
		return bootstrap.Sign(doc, p.Initiator, bootstrap.Options{Now: c.now()})
	}
	cfg.VerifyResponse = func(m *codec.Message) error {
		if m.Fault() != nil {
			return nil // judged by its code
		}
		_, err := bootstrap.Verify(m.Doc, bootstrap.VerifyOptions{Roots: p.CA.Pool(), Now: c.now()})
		return err
	}
	tc, err := trust.NewClient(cfg)
	if err != nil {
		return err
	}
	c.trust = tc
	return nil
}
