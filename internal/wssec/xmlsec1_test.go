package wssec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
)

// TestApplyVerifiesWithXmlsec1 is the independent check of issue #3: every message Apply
// signs verifies with xmlsec1 given the key Apply signed with (the derived key, or the SCT
// key when keys are not derived). xmlsec1 resolves wsu:Id through --id-attr options.
func TestApplyVerifiesWithXmlsec1(t *testing.T) {
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Fatal("xmlsec1 is required for the independent signature check: install the Debian package xmlsec1")
	}
	opts, err := os.ReadFile("../../fixtures/keys/xmlsec1-id-attr-options.txt")
	if err != nil {
		t.Fatal(err)
	}
	ids := strings.Fields(string(opts))
	dir := t.TempDir()
	cases := []struct {
		name string
		sv   soap.Version
		rv   wsrm.Version
		pol  Policy
	}{
		{"p11 soap12 hmac-sha1 derived", soap.V12, wsrm.V200702, p11()},
		{"p11 soap11 hmac-sha256 derived", soap.V11, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true, SignatureMethod: dsig.HMACSHA256, DigestMethod: dsig.SHA256}},
		{"p05 derived", soap.V12, wsrm.V200502, Policy{Version: wsc.V200502, DerivedKeys: true}},
		{"sct key", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512}},
		{"token included and signed, prefix list", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true, IncludeToken: true, Sign: DefaultParts | PartTokens, InclusivePrefixes: []string{"wsse"}}},
	}
	for i, c := range cases {
		doc := appMessage(t, c.sv, c.rv)
		applied, err := Apply(doc, testToken, c.pol, testNow, nil)
		if err != nil {
			t.Fatal(err)
		}
		msg := filepath.Join(dir, "m.xml")
		key := filepath.Join(dir, "k.bin")
		if err := doc.WriteToFile(msg); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(key, applied.SigningKey, 0o600); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"--verify", "--hmackey", key}, ids...)
		args = append(args, "--id-attr:Id", wsc.V200512.Namespace()+":SecurityContextToken",
			"--id-attr:Id", wsc.V200512.Namespace()+":DerivedKeyToken", msg)
		if out, err := exec.Command("xmlsec1", args...).CombinedOutput(); err != nil {
			t.Errorf("case %d %s: xmlsec1 rejected the signature: %v\n%s", i, c.name, err, out)
		}
	}
}
