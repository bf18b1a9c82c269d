package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// Common names and SANs of the development PKI written by `rspcheck certs`.
const (
	certsCAName        = "rspcheck development CA"
	certsInitiatorName = "rspcheck initiator"
	certsResponderName = "rspcheck responder"
)

var certsResponderSANs = []string{"localhost", "127.0.0.1"}

// certsFiles are the base names `rspcheck certs` writes, each as NAME.pem and NAME.key.
var certsFiles = []string{"ca", "initiator", "responder"}

// runCerts implements `rspcheck certs --out DIR [--force]`: a development PKI (a CA, an
// initiator and a responder identity) for the X.509 bootstrap of SCT issuance.
func runCerts(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("certs", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "", "directory to write ca, initiator and responder .pem/.key files into (created if missing)")
	force := fl.Bool("force", false, "replace existing files")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fl.NArg() != 0 {
		fmt.Fprintln(stderr, "rspcheck certs: usage: rspcheck certs --out DIR [--force]")
		return 2
	}
	if err := writeCerts(*out, *force, time.Now(), stdout); err != nil {
		fmt.Fprintln(stderr, "rspcheck certs:", err)
		return 1
	}
	return 0
}

func writeCerts(dir string, force bool, now time.Time, stdout io.Writer) error {
	if !force {
		var existing []string
		for _, base := range certsFiles {
			for _, ext := range []string{".pem", ".key"} {
				p := filepath.Join(dir, base+ext)
				if _, err := os.Lstat(p); err == nil {
					existing = append(existing, p)
				} else if !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
		}
		if len(existing) > 0 {
			return fmt.Errorf("refusing to overwrite %v (use --force)", existing)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ca, err := pki.NewCA(certsCAName, now)
	if err != nil {
		return err
	}
	ini, err := ca.Issue(certsInitiatorName, nil, now)
	if err != nil {
		return err
	}
	resp, err := ca.Issue(certsResponderName, certsResponderSANs, now)
	if err != nil {
		return err
	}
	for i, id := range []*pki.Identity{&ca.Identity, ini, resp} {
		base := certsFiles[i]
		if err := pki.WritePEM(dir, base, id); err != nil {
			return err
		}
		c := id.Cert
		fmt.Fprintf(stdout, "wrote %s and %s: %q, valid %s to %s\n",
			filepath.Join(dir, base+".pem"), filepath.Join(dir, base+".key"), c.Subject.CommonName,
			c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}
