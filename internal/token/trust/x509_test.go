package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"sync"
	"testing"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wssec/bootstrap"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

func encKey() *wsse.EncryptedKey {
	return &wsse.EncryptedKey{EncryptionMethod: &wsse.EncryptionMethod{Algorithm: wsse.AlgRSAOAEPMGF1P}, CipherValue: []byte{1, 2, 3}}
}

var (
	pkiOnce            sync.Once
	pkiCA              *pki.CA
	initiatorID, stsID *pki.Identity
	strangerID         *pki.Identity
	pkiErr             error
)

func testPKI(t *testing.T) {
	t.Helper()
	pkiOnce.Do(func() {
		if pkiCA, pkiErr = pki.NewCA("trust test CA", t0); pkiErr != nil {
			return
		}
		if initiatorID, pkiErr = pkiCA.Issue("initiator", nil, t0); pkiErr != nil {
			return
		}
		if stsID, pkiErr = pkiCA.Issue("sts", nil, t0); pkiErr != nil {
			return
		}
		strangerID, pkiErr = pkiCA.Issue("stranger", nil, t0)
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
}

// TestX509Bootstrap: the issuance protected by the X.509 bootstrap (SC-ISS-014) with both
// entropies encrypted for the other party's certificate (WS-Trust 1.3 §3.3), and without
// requestor entropy the proof key itself encrypted (SC-ISS-011).
func TestX509Bootstrap(t *testing.T) {
	testPKI(t)
	ctx := context.Background()
	for _, pr := range profiles {
		t.Run(pr.name, func(t *testing.T) {
			var r *rig
			ccfg := ClientConfig{
				Identity: initiatorID, IssuerCert: stsID.Cert,
				SecureIssue: func(doc *etree.Document) error {
					return bootstrap.Sign(doc, initiatorID, bootstrap.Options{Now: r.clk.Now()})
				},
				VerifyResponse: func(m *codec.Message) error {
					res, err := bootstrap.Verify(m.Doc, bootstrap.VerifyOptions{Roots: pkiCA.Pool(), Now: r.clk.Now()})
					if err == nil && res.Cert.Subject.CommonName != "sts" {
						err = errors.New("response not signed by the STS")
					}
					return err
				},
			}
			r = newRig(t, pr, IssuerConfig{Identity: stsID, RequireBootstrap: true}, ccfg)
			r.requestor = func(m *codec.Message) (*x509.Certificate, error) {
				res, err := bootstrap.Verify(m.Doc, bootstrap.VerifyOptions{Roots: pkiCA.Pool(), Now: r.clk.Now()})
				if err != nil {
					return nil, err
				}
				return res.Cert, nil
			}
			r.respond = func(doc *etree.Document) {
				if err := bootstrap.Sign(doc, stsID, bootstrap.Options{Now: r.clk.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			a, err := r.client.Issue(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			srv, _ := r.store.Lookup(a.Identifier)
			if !bytes.Equal(srv.Secret, a.Secret) {
				t.Fatal("keys differ")
			}
			if srv.Endpoint == "" {
				t.Error("the issuer does not record the requestor")
			}
			// Neither entropy travels in the clear.
			for _, m := range r.messages[len(r.messages)-2:] {
				if bytes.Contains(m.Raw(), []byte("BinarySecret")) || !bytes.Contains(m.Raw(), []byte("EncryptedKey")) {
					t.Errorf("entropy in the clear:\n%s", m.Raw())
				}
			}
			// Issuer-chosen key, encrypted as the proof token.
			r.client.cfg.EntropySize = -1
			b, err := r.client.Issue(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			srv, _ = r.store.Lookup(b.Identifier)
			if !bytes.Equal(srv.Secret, b.Secret) {
				t.Fatal("encrypted proof: keys differ")
			}
			last := r.messages[len(r.messages)-1]
			if !bytes.Contains(last.Raw(), []byte("RequestedProofToken><xenc:EncryptedKey")) && !bytes.Contains(last.Raw(), []byte(":EncryptedKey")) {
				t.Errorf("proof key not encrypted:\n%s", last.Raw())
			}
			// A client without the right certificate cannot read the key.
			r.client.cfg.Identity = strangerID
			if _, err := r.client.Issue(ctx, endpoint); !errors.Is(err, ErrResponse) {
				t.Fatalf("stranger decrypted the proof key: %v", err)
			}
			r.client.cfg.Identity = nil
			if _, err := r.client.Issue(ctx, endpoint); !errors.Is(err, ErrResponse) {
				t.Fatalf("no identity: %v", err)
			}
		})
	}
}

// TestX509EntropyForWrongIssuer: requestor entropy encrypted for another certificate is
// refused with wst:InvalidRequest.
func TestX509EntropyForWrongIssuer(t *testing.T) {
	testPKI(t)
	pr := profiles[0]
	r := newRig(t, pr, IssuerConfig{Identity: stsID}, ClientConfig{IssuerCert: strangerID.Cert})
	if _, err := r.client.Issue(context.Background(), endpoint); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("entropy for another certificate: %v", err)
	}
}
