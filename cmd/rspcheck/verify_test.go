package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	fxSCT    = "urn:uuid:6c0f6a5e-4bd4-4a29-9c5e-3f0e0d6e3a11"
	fxSecret = "31kTLCr20jDkM3cyB2oUVhaUvhKDjMACA9Y8gWZT11s="
	fxAt     = "2026-11-01T10:00:30Z"
	fxApp    = "../../fixtures/golden/p11-soap12/app-message.xml"
)

func TestVerifyGolden(t *testing.T) {
	for _, f := range []string{fxApp, "../../fixtures/golden/p05/app-message.xml", "../../fixtures/golden/p11-soap11/create-sequence.xml"} {
		code, out, errs := runCLI(t, "", "verify", "--sct-id", fxSCT, "--secret-b64", fxSecret, "--at", fxAt, f)
		if code != 0 || !strings.HasSuffix(out, "VALID\n") || !strings.Contains(out, "s:Body (#body)") ||
			!strings.Contains(out, `label "WS-SecureConversationWS-SecureConversation"`) {
			t.Errorf("%s: exit %d\n%s%s", f, code, out, errs)
		}
	}
}

func TestVerifyExplainsFailures(t *testing.T) {
	raw, _ := os.ReadFile(fxApp)
	tampered := strings.Replace(string(raw), "<wsrm:MessageNumber>1<", "<wsrm:MessageNumber>2<", 1)
	if tampered == string(raw) {
		t.Fatal("fixture changed: no MessageNumber 1")
	}
	cases := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"tampered header", tampered, []string{"--at", fxAt, "-"}, "digest mismatch for reference #rm-seq"},
		{"wrong secret", string(raw), []string{"--at", fxAt, "--secret-b64", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "-"}, "signature value does not verify"},
		{"expired", string(raw), []string{"--at", "2026-11-02T10:00:00Z", "-"}, "MessageExpired"},
		{"other token", string(raw), []string{"--at", fxAt, "--sct-id", "urn:uuid:other", "-"}, "BadContextToken"},
		{"unsigned Sequence", "", []string{"--at", fxAt, "../../fixtures/broken/p11-sequence-header-unsigned.xml"}, "wsrm:Sequence is not covered"},
		{"named header", "", []string{"--at", fxAt, "--require-signed", "Body,Sequence", "../../fixtures/broken/p11-sequence-header-unsigned.xml"}, "wsrm:Sequence is not covered"},
	}
	for _, c := range cases {
		args := append([]string{"verify", "--sct-id", fxSCT, "--secret-b64", fxSecret}, c.args...)
		code, out, errs := runCLI(t, c.stdin, args...)
		if code != 1 || !strings.Contains(out, "INVALID: ") || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want 1 and %q\n%s%s", c.name, code, c.want, out, errs)
		}
	}
}

func TestVerifyShowC14N(t *testing.T) {
	code, out, _ := runCLI(t, "", "verify", "--sct-id", fxSCT, "--secret-b64", fxSecret, "--at", fxAt, "--show-c14n", fxApp)
	if code != 0 || !strings.Contains(out, "c14n #body:\n<s:Body") || !strings.Contains(out, "c14n SignedInfo:\n<ds:SignedInfo") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestVerifyUsage(t *testing.T) {
	for _, args := range [][]string{
		{"verify", fxApp},
		{"verify", "--sct-id", fxSCT, "--secret-b64", "not base64!", fxApp},
		{"verify", "--sct-id", fxSCT, "--secret-b64", fxSecret, "--at", "yesterday", fxApp},
		{"verify", "--sct-id", fxSCT, "--secret-b64", fxSecret, fxApp, fxApp},
		{"verify", "--sct-id", fxSCT, "--secret-b64", fxSecret, "--require-signed", "wsa:To", fxApp},
		{"verify", "--sct-id", fxSCT, "--secret-b64", fxSecret, "no-such-file.xml"},
	} {
		if code, out, errs := runCLI(t, "", args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errs)
		}
	}
	code, _, errs := runCLI(t, "<s:Envelope", "verify", "--sct-id", fxSCT, "--secret-b64", fxSecret, "-")
	if code != 2 || !strings.Contains(errs, "-:") {
		t.Errorf("garbage input: exit %d %s", code, errs)
	}
}

const unsigned = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:r="http://docs.oasis-open.org/ws-rx/wsrm/200702"><s:Header><a:Action>urn:example:app/Ping</a:Action><a:To>http://localhost/rm</a:To><r:Sequence s:mustUnderstand="true"><r:Identifier>urn:uuid:seq</r:Identifier><r:MessageNumber>1</r:MessageNumber></r:Sequence></s:Header><s:Body><p:Ping xmlns:p="urn:example:app">hello</p:Ping></s:Body></s:Envelope>`

func TestSignThenVerify(t *testing.T) {
	dir := t.TempDir()
	for i, flags := range [][]string{{}, {"--dk"}, {"--dk", "--ns", "200502"}, {"--dk", "--encrypt"}} {
		out := filepath.Join(dir, "signed.xml")
		args := append([]string{"sign", "--sct-id", fxSCT, "--secret-b64", fxSecret, "--at", fxAt}, flags...)
		args = append(args, "-", out)
		if code, o, errs := runCLI(t, unsigned, args...); code != 0 {
			t.Fatalf("case %d sign: exit %d %s%s", i, code, o, errs)
		}
		code, o, errs := runCLI(t, "", "verify", "--sct-id", fxSCT, "--secret-b64", fxSecret, "--at", fxAt, out)
		if code != 0 || !strings.Contains(o, "r:Sequence") {
			t.Fatalf("case %d verify: exit %d\n%s%s", i, code, o, errs)
		}
		if (len(flags) > 0) != strings.Contains(o, "derived by DerivedKeyToken") {
			t.Fatalf("case %d: key kind\n%s", i, o)
		}
		if strings.Contains(strings.Join(flags, " "), "--encrypt") && !strings.Contains(o, "decrypted:") {
			t.Fatalf("case %d: body not encrypted\n%s", i, o)
		}
	}
	signed := filepath.Join(dir, "signed.xml")
	if code, _, errs := runCLI(t, "", "sign", "--sct-id", fxSCT, "--secret-b64", fxSecret, signed, filepath.Join(dir, "again.xml")); code != 1 || !strings.Contains(errs, "already has a wsse:Security") {
		t.Fatalf("re-sign: exit %d %s", code, errs)
	}
	if code, _, _ := runCLI(t, unsigned, "sign", "--sct-id", fxSCT, "--secret-b64", fxSecret, "--ns", "2004", "-", "-"); code != 2 {
		t.Fatalf("bad --ns accepted")
	}
}
