package pki

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newCA(t testing.TB, now time.Time) *CA {
	t.Helper()
	ca, err := NewCA("rspcheck test CA", now)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestCertNewCAAndIssue(t *testing.T) {
	now := time.Now()
	ca := newCA(t, now)
	if !ca.Cert.IsCA || ca.Cert.KeyUsage&x509.KeyUsageCertSign == 0 || ca.Key.N.BitLen() != CAKeyBits {
		t.Fatalf("CA: IsCA=%v KeyUsage=%v bits=%d", ca.Cert.IsCA, ca.Cert.KeyUsage, ca.Key.N.BitLen())
	}
	if err := ca.Cert.CheckSignatureFrom(ca.Cert); err != nil {
		t.Fatalf("CA is not self-signed: %v", err)
	}
	id, err := ca.Issue("responder", []string{"localhost", "127.0.0.1", "::1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	c := id.Cert
	if c.IsCA || c.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment || id.Key.N.BitLen() != LeafKeyBits {
		t.Fatalf("leaf: IsCA=%v KeyUsage=%v bits=%d", c.IsCA, c.KeyUsage, id.Key.N.BitLen())
	}
	if len(c.ExtKeyUsage) != 2 {
		t.Fatalf("ExtKeyUsage %v", c.ExtKeyUsage)
	}
	if len(c.DNSNames) != 1 || c.DNSNames[0] != "localhost" || len(c.IPAddresses) != 2 {
		t.Fatalf("SANs: DNS %v IP %v", c.DNSNames, c.IPAddresses)
	}
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		if _, err := c.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "127.0.0.1", CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
			t.Fatalf("chain for %v: %v", usage, err)
		}
	}
	if err := id.Check(); err != nil {
		t.Fatal(err)
	}
	other, err := ca.Issue("other", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Identity{Cert: id.Cert, Key: other.Key}).Check(); err == nil {
		t.Fatal("mismatched key accepted")
	}
}

func TestCertIssuedInThePastIsExpired(t *testing.T) {
	now := time.Now()
	ca := newCA(t, now)
	old, err := ca.Issue("old", nil, now.Add(-2*LeafValidity))
	if err != nil {
		t.Fatal(err)
	}
	_, err = old.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), CurrentTime: now})
	if ce, ok := err.(x509.CertificateInvalidError); !ok || ce.Reason != x509.Expired {
		t.Fatalf("got %v, want an expired certificate", err)
	}
}

func TestCertPEMRoundTripAndOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal("openssl is required for the independent chain check: install the Debian package openssl")
	}
	now := time.Now()
	dir := t.TempDir()
	ca := newCA(t, now)
	id, err := ca.Issue("initiator", nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePEM(dir, "ca", &ca.Identity); err != nil {
		t.Fatal(err)
	}
	if err := WritePEM(dir, "initiator", id); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{"ca.key": 0o600, "initiator.key": 0o600, "initiator.pem": 0o644} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", name, st.Mode().Perm(), want)
		}
	}
	loaded, err := LoadIdentity(filepath.Join(dir, "initiator.pem"), filepath.Join(dir, "initiator.key"))
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Cert.Equal(id.Cert) || !loaded.Key.Equal(id.Key) {
		t.Fatal("identity changed in the PEM round trip")
	}
	pool, err := LoadPool(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loaded.Cert.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: now}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(openssl, "verify", "-CAfile", "ca.pem", "initiator.pem")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "initiator.pem: OK") {
		t.Fatalf("openssl verify: %v\n%s", err, out)
	}
	// The key file is PKCS#8 and belongs to the certificate, for openssl too.
	out, err = exec.Command(openssl, "pkey", "-in", filepath.Join(dir, "initiator.key"), "-pubout").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl pkey: %v\n%s", err, out)
	}
	out2, err := exec.Command(openssl, "x509", "-in", filepath.Join(dir, "initiator.pem"), "-noout", "-pubkey").CombinedOutput()
	if err != nil || string(out) != string(out2) {
		t.Fatalf("openssl: key and certificate public keys differ: %v\n%s\n%s", err, out, out2)
	}
}

func TestCertWritePEMReplacesLooseKeyFile(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, time.Now())
	keyFile := filepath.Join(dir, "ca.key")
	if err := os.WriteFile(keyFile, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritePEM(dir, "ca", &ca.Identity); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(keyFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("replaced key file: %v %v", st.Mode(), err)
	}
	if err := WritePEM(dir, "../x", &ca.Identity); err == nil {
		t.Fatal("path in name accepted")
	}
	if err := WritePEM(filepath.Join(dir, "missing"), "ca", &ca.Identity); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing dir: %v", err)
	}
}

func TestCertLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	ca := newCA(t, now)
	a, _ := ca.Issue("a", nil, now)
	b, _ := ca.Issue("b", nil, now)
	if err := WritePEM(dir, "a", a); err != nil {
		t.Fatal(err)
	}
	if err := WritePEM(dir, "b", b); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not pem"), 0o600)
	badDER := filepath.Join(dir, "bad.pem")
	os.WriteFile(badDER, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}), 0o600)
	pkcs1 := filepath.Join(dir, "pkcs1.key")
	os.WriteFile(pkcs1, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(a.Key)}), 0o600)

	if _, err := LoadIdentity(filepath.Join(dir, "a.pem"), pkcs1); err != nil {
		t.Fatalf("PKCS#1 key: %v", err)
	}
	cases := []struct {
		cert, key, want string
	}{
		{filepath.Join(dir, "nope.pem"), filepath.Join(dir, "a.key"), "nope.pem"},
		{junk, filepath.Join(dir, "a.key"), "junk.pem"},
		{badDER, filepath.Join(dir, "a.key"), "bad.pem"},
		{filepath.Join(dir, "a.pem"), junk, "junk.pem"},
		{filepath.Join(dir, "a.pem"), filepath.Join(dir, "b.key"), "b.key"},
	}
	for _, c := range cases {
		_, err := LoadIdentity(c.cert, c.key)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadIdentity(%s, %s): %v, want an error naming %s", c.cert, c.key, err, c.want)
		}
	}
	if _, err := LoadPool(junk); err == nil || !strings.Contains(err.Error(), "junk.pem") {
		t.Errorf("LoadPool: %v", err)
	}
}
