package pki

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Modes of the files WritePEM writes.
const (
	CertFileMode os.FileMode = 0o644
	KeyFileMode  os.FileMode = 0o600
)

// WritePEM writes id as dir/NAME.pem (the certificate, PEM "CERTIFICATE") and dir/NAME.key
// (the private key, PEM "PRIVATE KEY", PKCS#8, mode 0600). Each file is written to a
// temporary file in dir and renamed into place, so an existing file is replaced atomically
// and a replaced key file never keeps looser permissions. dir must exist.
func WritePEM(dir string, name string, id *Identity) error {
	if name == "" || name != filepath.Base(name) {
		return fmt.Errorf("pki: invalid file base name %q", name)
	}
	if err := id.Check(); err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return fmt.Errorf("pki: encode private key of %q: %w", id.Cert.Subject.CommonName, err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.Cert.Raw})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeAtomic(filepath.Join(dir, name+".key"), keyPEM, KeyFileMode); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, name+".pem"), certPEM, CertFileMode)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	return nil
}

// LoadIdentity reads a certificate (the first CERTIFICATE block of certFile; further blocks,
// such as a chain, are ignored) and its RSA private key (keyFile: PKCS#8 "PRIVATE KEY" or
// PKCS#1 "RSA PRIVATE KEY") and checks that they belong together.
func LoadIdentity(certFile, keyFile string) (*Identity, error) {
	certs, err := readCerts(certFile)
	if err != nil {
		return nil, err
	}
	key, err := readKey(keyFile)
	if err != nil {
		return nil, err
	}
	if !matches(certs[0], key) {
		return nil, fmt.Errorf("pki: private key in %s does not belong to the certificate in %s (%q)", keyFile, certFile, certs[0].Subject.CommonName)
	}
	return &Identity{Cert: certs[0], Key: key}, nil
}

// LoadPool reads every CERTIFICATE block of caFile into a new pool of trust roots.
func LoadPool(caFile string) (*x509.CertPool, error) {
	certs, err := readCerts(caFile)
	if err != nil {
		return nil, err
	}
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p, nil
}

func readCerts(file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("pki: read certificate file: %w", err)
	}
	var certs []*x509.Certificate
	for n := 1; ; n++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pki: %s: PEM block %d: %w", file, n, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("pki: %s: no PEM CERTIFICATE block", file)
	}
	return certs, nil
}

func readKey(file string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("pki: read key file: %w", err)
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, fmt.Errorf("pki: %s: no PEM PRIVATE KEY or RSA PRIVATE KEY block", file)
		}
		switch b.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("pki: %s: %w", file, err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("pki: %s: the key is a %T, only RSA keys are supported", file, k)
			}
			return rk, nil
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("pki: %s: %w", file, err)
			}
			return k, nil
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("pki: " + file + ": encrypted private keys are not supported")
		}
	}
}

// LoadCert reads the first CERTIFICATE block of file (e.g. the issuer's certificate an
// initiator encrypts its entropy for).
func LoadCert(file string) (*x509.Certificate, error) {
	certs, err := readCerts(file)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}
