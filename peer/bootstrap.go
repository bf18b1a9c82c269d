package peer

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token/trust"
	"github.com/rspcheck/rspcheck/internal/wssec/bootstrap"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// Bootstrap is the X.509 protection of the SCT issuance (SC-ISS-014, FLOW M1/M2): the RST and
// the RSTR are signed with RSA-SHA256 under a wsse:BinarySecurityToken, and both entropies
// travel encrypted for the other party's certificate (WS-Trust 1.3 §3.3).
type Bootstrap struct {
	// Identity is this peer's certificate and key. Required.
	Identity *pki.Identity
	// Roots are the trust anchors of the other party's certificate. Required.
	Roots *x509.CertPool
	// Peer is, for an initiator, the issuer's certificate (the requestor entropy is encrypted
	// for it). Unused by a responder.
	Peer *x509.Certificate
	// PeerName, when set, is the Common Name the other party's certificate must carry: a
	// chain to Roots alone proves only that the CA issued it.
	PeerName string
}

func (b *Bootstrap) check(initiator bool) error {
	switch {
	case b.Identity == nil:
		return errors.New("bootstrap: no identity")
	case b.Roots == nil:
		return errors.New("bootstrap: no trust anchors")
	case initiator && b.Peer == nil:
		return errors.New("bootstrap: the initiator needs the issuer's certificate")
	}
	return b.Identity.Check()
}

// verify checks the bootstrap signature of m and the signer's name.
func (b *Bootstrap) verify(m *codec.Message, now time.Time) (*x509.Certificate, error) {
	if m == nil || m.Doc == nil {
		return nil, errors.New("bootstrap: no message")
	}
	res, err := bootstrap.Verify(m.Doc, bootstrap.VerifyOptions{Roots: b.Roots, Now: now})
	if err != nil {
		return nil, err
	}
	if b.PeerName != "" && res.Cert.Subject.CommonName != b.PeerName {
		return nil, fmt.Errorf("bootstrap: signed by %q, want %q", res.Cert.Subject.CommonName, b.PeerName)
	}
	return res.Cert, nil
}

// sign protects doc with this peer's certificate.
func (b *Bootstrap) sign(doc *etree.Document, now time.Time) error {
	return bootstrap.Sign(doc, b.Identity, bootstrap.Options{Now: now})
}

// client completes an initiator's WS-Trust client configuration.
func (b *Bootstrap) client(cfg *trust.ClientConfig, now func() time.Time) {
	cfg.Identity, cfg.IssuerCert = b.Identity, b.Peer
	cfg.SecureIssue = func(doc *etree.Document) error { return b.sign(doc, now()) }
	cfg.VerifyResponse = func(m *codec.Message) error {
		if m.Fault() != nil {
			return nil // a fault is judged by its code; unsigned faults carry no key
		}
		_, err := b.verify(m, now())
		return err
	}
}
