// Package pki is a small development PKI for tests and demonstrations: a self-signed RSA
// certificate authority that issues RSA leaf certificates for the initiator and the responder
// of the X.509 bootstrap (WSS X.509 Token Profile 1.1), plus PEM files to hand them to other
// programs (xmlsec1, openssl, a third-party stack under test).
//
// It is not a production CA: no revocation, no persistence of serial numbers, keys in clear
// PKCS#8 files (mode 0600). Everything uses the standard library (crypto/x509).
package pki

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// Key sizes and validity periods.
const (
	CAKeyBits   = 3072
	LeafKeyBits = 2048
	// CAValidity and LeafValidity count from the not-before time, which is one hour
	// before the "now" given, to tolerate clock differences between peers.
	CAValidity   = 2 * 365 * 24 * time.Hour
	LeafValidity = 365 * 24 * time.Hour
	backdate     = time.Hour
)

// Identity is a certificate with its private key.
type Identity struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// CA is a self-signed certificate authority. Its Identity can be written with WritePEM.
type CA struct {
	Identity
}

// NewCA creates a self-signed RSA-3072 CA certificate valid from now-1h for two years, with
// KeyUsage CertSign|CRLSign and BasicConstraints CA:TRUE, path length 0 (it signs leaves
// only).
func NewCA(commonName string, now time.Time) (*CA, error) {
	if strings.TrimSpace(commonName) == "" {
		return nil, errors.New("pki: NewCA needs a common name")
	}
	key, err := rsa.GenerateKey(rand.Reader, CAKeyBits)
	if err != nil {
		return nil, fmt.Errorf("pki: generate CA key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"rspcheck development PKI"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(-backdate + CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("pki: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse CA certificate: %w", err)
	}
	return &CA{Identity{Cert: cert, Key: key}}, nil
}

// Issue creates an RSA-2048 leaf certificate signed by ca, valid from now-1h for one year,
// with KeyUsage DigitalSignature|KeyEncipherment (it signs bootstrap messages and receives
// encrypted entropy) and ExtKeyUsage client and server authentication. Each entry of
// dnsNames that parses as an IP address becomes an IP address SAN, the others DNS SANs.
//
// A now in the past gives a certificate that has already expired, which is how tests obtain
// one; Issue does not clamp the leaf's validity to the CA's.
func (ca *CA) Issue(commonName string, dnsNames []string, now time.Time) (*Identity, error) {
	if ca == nil || ca.Cert == nil || ca.Key == nil {
		return nil, errors.New("pki: Issue on an incomplete CA")
	}
	if strings.TrimSpace(commonName) == "" {
		return nil, errors.New("pki: Issue needs a common name")
	}
	key, err := rsa.GenerateKey(rand.Reader, LeafKeyBits)
	if err != nil {
		return nil, fmt.Errorf("pki: generate key for %q: %w", commonName, err)
	}
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"rspcheck development PKI"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(-backdate + LeafValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, n := range dnsNames {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if n != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: create certificate for %q: %w", commonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse certificate for %q: %w", commonName, err)
	}
	return &Identity{Cert: cert, Key: key}, nil
}

// Pool returns a certificate pool holding only the CA certificate, for verification.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// newSerial returns a random positive 127-bit serial number (RFC 5280 §4.1.2.2 allows up to
// 20 octets; randomness keeps serials unique across runs without state).
func newSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("pki: serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// matches reports whether key is the private half of cert's public key.
func matches(cert *x509.Certificate, key *rsa.PrivateKey) bool {
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	return ok && key != nil && pub.Equal(&key.PublicKey)
}

// Check reports whether id is complete: a certificate with an RSA public key and the
// matching private key.
func (id *Identity) Check() error {
	switch {
	case id == nil || id.Cert == nil:
		return errors.New("pki: identity has no certificate")
	case id.Key == nil:
		return fmt.Errorf("pki: identity %q has no private key", id.Cert.Subject.CommonName)
	case !matches(id.Cert, id.Key):
		return fmt.Errorf("pki: private key does not belong to certificate %q", id.Cert.Subject.CommonName)
	}
	return nil
}
