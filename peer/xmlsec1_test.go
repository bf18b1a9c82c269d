package peer

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
)

// TestSignaturesVerifyWithXmlsec1 is the independent check of what the peers sign: every
// secured message of a full run, in either direction, verifies with xmlsec1 given the key
// derived from the SCT (the key a third party gets from the key log).
func TestSignaturesVerifyWithXmlsec1(t *testing.T) {
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Fatal("xmlsec1 is required for the independent signature check: install the Debian package xmlsec1")
	}
	opts, err := os.ReadFile("../fixtures/keys/xmlsec1-id-attr-options.txt")
	if err != nil {
		t.Fatal(err)
	}
	ids := strings.Fields(string(opts))
	for _, v := range wsc.Versions {
		ids = append(ids, "--id-attr:Id", v.Namespace()+":SecurityContextToken", "--id-attr:Id", v.Namespace()+":DerivedKeyToken")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		p  Profile
		sv soap.Version
	}{{P11, soap.V12}, {P11, soap.V11}, {P05, soap.V12}} {
		pr := newPair(t, tc.p, tc.sv, ResponderConfig{}, InitiatorConfig{})
		if _, err := pr.run(t, Plan{Messages: 3, Sequences: 1, Size: 16}, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		secrets := map[string][]byte{}
		pr.init.mu.Lock()
		for id, tok := range pr.init.tokens {
			secrets[id] = tok.Secret
		}
		pr.init.mu.Unlock()
		checked := 0
		for i, m := range pr.cap.messages(func(m *codec.Message) bool { return len(m.Doc.FindElements("//DerivedKeyToken")) > 0 }) {
			dkt := m.Doc.FindElements("//DerivedKeyToken")[0]
			ref := dkt.FindElement(".//Reference")
			nonce, err := base64.StdEncoding.DecodeString(strings.TrimSpace(dkt.SelectElement("Nonce").Text()))
			if ref == nil || err != nil {
				t.Fatalf("message %d: unreadable DerivedKeyToken", i)
			}
			secret, ok := secrets[ref.SelectAttrValue("URI", "")]
			if !ok {
				t.Fatalf("message %d: unknown SCT %s", i, ref.SelectAttrValue("URI", ""))
			}
			key, err := psha1.DeriveKey(secret, wsc.DefaultLabel, nonce, 0, wsc.DefaultLength)
			if err != nil {
				t.Fatal(err)
			}
			msg, kf := filepath.Join(dir, "m.xml"), filepath.Join(dir, "k.bin")
			if err := os.WriteFile(msg, m.Raw(), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(kf, key, 0o600); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{"--verify", "--hmackey", kf}, ids...), msg)
			if out, err := exec.Command("xmlsec1", args...).CombinedOutput(); err != nil {
				t.Errorf("%s %s message %d: xmlsec1: %v\n%s\n%.300s", tc.p, tc.sv, i, err, out, m.Raw())
			}
			if checked == 0 { // control: another key must not verify
				key[0] ^= 1
				if err := os.WriteFile(kf, key, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := exec.Command("xmlsec1", args...).Run(); err == nil {
					t.Errorf("%s %s: xmlsec1 accepted a wrong key", tc.p, tc.sv)
				}
			}
			checked++
		}
		if checked < 10 {
			t.Errorf("%s %s: only %d secured messages checked", tc.p, tc.sv, checked)
		}
	}
}
