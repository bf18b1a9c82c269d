package bootstrap

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// xmlsec1Args is the xmlsec1 command line that verifies a message signed by Sign. xmlsec1
// does not understand a wsse:SecurityTokenReference in KeyInfo, so the signer's certificate
// is given explicitly (--pubkey-cert-pem; its chain is not checked there, Verify does that),
// and the wsu:Id attributes are declared as IDs for each referenced element type
// (--id-attr:Id NAMESPACE:LOCALNAME; xmlsec1 matches the attribute by local name).
func xmlsec1Args(certFile, msgFile string) []string {
	args := []string{"--verify", "--pubkey-cert-pem", certFile}
	add := func(ns, local string) { args = append(args, "--id-attr:Id", ns+":"+local) }
	add(wsse.NSWSU, "Timestamp")
	add(soap.NS12, "Body")
	add(soap.NS11, "Body")
	for _, ns := range []string{wsa.NS10, wsa.NS200408} {
		for _, h := range []string{"Action", "MessageID", "ReplyTo", "To", "From", "FaultTo", "RelatesTo"} {
			add(ns, h)
		}
	}
	return append(args, msgFile)
}

// TestSignedVerifiesWithXmlsec1 is the independent check: what Sign writes verifies with
// xmlsec1 (Debian package xmlsec1), and a tampered copy does not.
func TestSignedVerifiesWithXmlsec1(t *testing.T) {
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Fatal("xmlsec1 is required for the independent signature check: install the Debian package xmlsec1")
	}
	p := fixturePKI(t)
	dir := t.TempDir()
	if err := pki.WritePEM(dir, "initiator", p.initiator); err != nil {
		t.Fatal(err)
	}
	if err := pki.WritePEM(dir, "responder", p.responder); err != nil {
		t.Fatal(err)
	}
	cert, other := filepath.Join(dir, "initiator.pem"), filepath.Join(dir, "responder.pem")
	for _, e := range envelopes {
		msg := filepath.Join(dir, e.name+".xml")
		signed := signedXML(t, e.xml, p.initiator)
		if err := os.WriteFile(msg, []byte(signed), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("xmlsec1", xmlsec1Args(cert, msg)...).CombinedOutput()
		env, _ := locate(parse(t, signed))
		refs := fmt.Sprintf("SignedInfo References (ok/all): %d/%d", 2+len(env.addressingHeaders()), 2+len(env.addressingHeaders()))
		if err != nil || !strings.HasPrefix(string(out), "OK\n") || !strings.Contains(string(out), refs) {
			t.Fatalf("%s: xmlsec1 rejected our signature: %v\n%s\nxmlsec1 %s", e.name, err, out, strings.Join(xmlsec1Args(cert, msg), " "))
		}
		if out, err := exec.Command("xmlsec1", xmlsec1Args(other, msg)...).CombinedOutput(); err == nil {
			t.Fatalf("%s: xmlsec1 accepted the signature with another certificate\n%s", e.name, out)
		}
		bad := filepath.Join(dir, e.name+"-tampered.xml")
		tampered := strings.Replace(signed, "</t:KeySize>", "0</t:KeySize>", 1)
		if tampered == signed {
			tampered = strings.Replace(signed, ">hi<", ">ho<", 1)
		}
		if err := os.WriteFile(bad, []byte(tampered), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("xmlsec1", xmlsec1Args(cert, bad)...).CombinedOutput(); err == nil {
			t.Fatalf("%s: xmlsec1 accepted a tampered message\n%s", e.name, out)
		}
	}
}
