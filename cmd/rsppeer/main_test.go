package main

import (
	pemlib "encoding/pem"

	"bufio"
	"bytes"
	"errors"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/trace"
)

// TestUsage: command line mistakes exit 2 with a clear message.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"bogus"},
		{"responder"},
		{"responder", "--listen", ":0", "--profile", "p99"},
		{"responder", "--listen", ":0", "--misbehave", "no-such-knob"},
		{"initiator", "--messages", "3"},
		{"initiator", "--to", "http://127.0.0.1:1/rm"},
		{"initiator", "--to", "not a url", "--messages", "1"},
		{"initiator", "--to", "http://127.0.0.1:1/rm", "--messages", "1", "--soap", "1.3"},
		{"initiator", "--to", "http://127.0.0.1:1/rm", "--messages", "1", "--sequences", "0"},
		{"initiator", "--to", "http://127.0.0.1:1/rm", "--messages", "1", "--window", "0"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", args, code, errb.String())
		}
		if !strings.Contains(errb.String(), "usage:") {
			t.Errorf("%q: no usage text in %q", args, errb.String())
		}
	}
}

// TestProcesses builds rsppeer (CGO_ENABLED=0) and runs a responder and an initiator as real
// processes against each other over loopback HTTP, for both profiles; then every message both
// traces hold is validated against the official schemas by `rspcheck validate` (built too).
// provisionedSCT is a test identifier and secret (not a credential) agreed out of band.
const provisionedSCT = "urn:uuid:5d0c7a4e-2f1b-4c3a-9e8d-7b6a5f4e3d2c=cnNwY2hlY2stcHJvdmlzaW9uZWQtdGVzdC1rZXkhIQ=="

func TestProcesses(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "rsppeer")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	checker := filepath.Join(dir, "rspcheck")
	if out, err := exec.Command("go", "build", "-o", checker, "../rspcheck").CombinedOutput(); err != nil {
		t.Fatalf("go build rspcheck: %v\n%s", err, out)
	}
	t.Run("misbehaving responder", func(t *testing.T) { failingRun(t, bin) })
	pkiDir := writeTestPKI(t)
	pem := func(n string) string { return filepath.Join(pkiDir, n) }
	for _, tc := range []struct {
		name, profile, soap string
		rargs, iargs        []string
	}{
		{"p11-soap1.2", "p11", "1.2", nil, nil},
		{"p11-soap1.1", "p11", "1.1", nil, nil},
		{"p05-soap1.2", "p05", "1.2", nil, nil},
		// pipelined sequences, acknowledgements batched: still delivered once each, in order
		{"p11-window4-ack8", "p11", "1.2", []string{"--ack-every", "8"}, []string{"--window", "4"}},
		{"p11-duplex-x509", "p11", "1.2",
			[]string{"--duplex", "--cert", pem("sts.pem"), "--key", pem("sts.key"), "--ca", pem("ca.pem"), "--peer-name", "initiator"},
			[]string{"--listen", "127.0.0.1:0", "--offer", "--cert", pem("initiator.pem"), "--key", pem("initiator.key"),
				"--ca", pem("ca.pem"), "--peer-cert", pem("sts.pem"), "--peer-name", "sts"}},
		// an SCT agreed out of band (no WS-Trust exchange, as with gSOAP): --sct on both sides
		{"p11-provisioned", "p11", "1.2", []string{"--sct", provisionedSCT}, []string{"--sct", provisionedSCT}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := t.TempDir()
			delivered := filepath.Join(sub, "delivered.jsonl")
			resp := exec.Command(bin, append([]string{"responder", "--listen", "127.0.0.1:0", "--profile", tc.profile,
				"--delivered", delivered, "--trace", filepath.Join(sub, "rtrace")}, tc.rargs...)...)
			stdout, err := resp.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var rerr bytes.Buffer
			resp.Stderr = &rerr
			if err := resp.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = resp.Process.Kill() })
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "endpoint: ") {
				t.Fatalf("first line %q: %v", line, err)
			}
			endpoint := strings.TrimSpace(strings.TrimPrefix(line, "endpoint: "))
			hz, err := http.Get(strings.TrimSuffix(endpoint, "/rm") + "/healthz")
			if err != nil || hz.StatusCode != http.StatusOK {
				t.Fatalf("healthz: %v %v", hz, err)
			}
			hz.Body.Close()

			keylog := filepath.Join(sub, "keys.log")
			init := exec.Command(bin, append([]string{"initiator", "--to", endpoint, "--messages", "40", "--sequences", "4",
				"--size", "300", "--profile", tc.profile, "--soap", tc.soap, "--keylog", keylog,
				"--trace", filepath.Join(sub, "itrace"), "--timeout", "60s"}, tc.iargs...)...)
			out, err := init.CombinedOutput()
			if err != nil {
				t.Fatalf("initiator: %v\n%s", err, out)
			}
			provisioned := slices.Contains(tc.iargs, "--sct")
			if !strings.Contains(string(out), "acknowledged: 40") || strings.Contains(string(out), "cancelled: true") == provisioned {
				t.Errorf("summary %q", out)
			}
			if provisioned {
				idx, err := os.ReadFile(filepath.Join(sub, "itrace", "index.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(idx), "ws-trust") || !strings.Contains(string(idx), "CreateSequence") {
					t.Errorf("with a provisioned SCT no WS-Trust message is sent, only RM traffic; trace index:\n%s", idx)
				}
			} else if slices.Contains(tc.iargs, "--offer") && !strings.Contains(string(out), "replies: 40") {
				t.Errorf("duplex summary %q", out)
			}

			if err := resp.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- resp.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("responder after SIGTERM: %v\n%s", err, rerr.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatal("responder did not stop on SIGTERM")
			}

			f, err := os.Open(delivered)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ds, err := trace.ReadDelivered(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 40 {
				t.Errorf("delivered %d messages, want 40", len(ds))
			}
			kl, err := os.ReadFile(keylog)
			if err != nil || !bytes.HasPrefix(kl, []byte("SCT urn:uuid:")) {
				t.Errorf("key log %q: %v", kl, err)
			}
			for _, d := range []string{"rtrace", "itrace"} {
				if _, err := os.Stat(filepath.Join(sub, d, trace.IndexFile)); err != nil {
					t.Errorf("trace %s: %v", d, err)
				}
			}
			val := exec.Command(checker, "validate", "--profile", tc.profile, filepath.Join(sub, "rtrace"), filepath.Join(sub, "itrace"))
			if out, err := val.CombinedOutput(); err != nil {
				t.Errorf("rspcheck validate: %v\n%s", err, out)
			} else if !strings.Contains(string(out), " 0 failed") {
				t.Errorf("rspcheck validate: %s", out)
			}
		})
	}
}

// failingRun: against a responder whose acknowledgements are unsigned (unsigned-acks), the
// initiator cannot get its messages acknowledged and exits 1.
func failingRun(t *testing.T, bin string) {
	resp := exec.Command(bin, "responder", "--listen", "127.0.0.1:0", "--misbehave", "unsigned-acks")
	stdout, err := resp.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = resp.Process.Signal(syscall.SIGTERM)
		_ = resp.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	endpoint := strings.TrimSpace(strings.TrimPrefix(line, "endpoint: "))
	out, err := exec.Command(bin, "initiator", "--to", endpoint, "--messages", "2", "--timeout", "3s").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("initiator exit: %v, want status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "acknowledged: 0") {
		t.Errorf("summary %q", out)
	}
}

// writeTestPKI writes a CA and the two bootstrap identities (sts, initiator) as PEM files.
func writeTestPKI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	ca, err := pki.NewCA("rsppeer test CA", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"sts", "initiator"} {
		id, err := ca.Issue(n, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := pki.WritePEM(dir, n, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pemCert(ca.Cert.Raw), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func pemCert(der []byte) []byte {
	return pemlib.EncodeToMemory(&pemlib.Block{Type: "CERTIFICATE", Bytes: der})
}
