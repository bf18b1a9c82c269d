package main

import (
	"bytes"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

func certsCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runCerts(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCertsWritesPKI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	code, out, errs := certsCLI("--out", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	t.Log(out)
	for _, base := range certsFiles {
		if !strings.Contains(out, filepath.Join(dir, base+".pem")) {
			t.Errorf("output does not name %s.pem:\n%s", base, out)
		}
		st, err := os.Stat(filepath.Join(dir, base+".key"))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s.key: %v %v", base, st, err)
		}
	}
	roots, err := pki.LoadPool(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"initiator", "responder"} {
		id, err := pki.LoadIdentity(filepath.Join(dir, base+".pem"), filepath.Join(dir, base+".key"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := id.Cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: time.Now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		if base == "responder" {
			c := id.Cert
			if len(c.DNSNames) != 1 || c.DNSNames[0] != "localhost" || len(c.IPAddresses) != 1 || !c.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) {
				t.Fatalf("responder SANs: %v %v", c.DNSNames, c.IPAddresses)
			}
			if err := c.VerifyHostname("127.0.0.1"); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestCertsRefusesOverwriteUnlessForced(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := certsCLI("--out", dir); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	code, out, errs := certsCLI("--out", dir)
	if code != 1 || !strings.Contains(errs, "refusing to overwrite") || !strings.Contains(errs, "--force") || out != "" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); !bytes.Equal(before, after) {
		t.Fatal("ca.pem changed without --force")
	}
	if code, out, errs := certsCLI("--out", dir, "--force"); code != 0 {
		t.Fatalf("--force: exit %d\n%s%s", code, out, errs)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); bytes.Equal(before, after) {
		t.Fatal("--force did not replace ca.pem")
	}
}

func TestCertsUsageAndFailure(t *testing.T) {
	for _, args := range [][]string{{}, {"--out"}, {"--out", t.TempDir(), "extra"}, {"--bogus"}} {
		if code, _, errs := certsCLI(args...); code != 2 || errs == "" {
			t.Errorf("%q: exit %d, stderr %q; want 2 with a message", args, code, errs)
		}
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if code, _, errs := certsCLI("--out", filepath.Join(file, "sub")); code != 1 || errs == "" {
		t.Errorf("out under a file: exit %d, stderr %q; want 1", code, errs)
	}
}
