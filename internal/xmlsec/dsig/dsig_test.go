package dsig

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

func derivedKey(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../../fixtures/keys/derived-sign-key.hex")
	if err != nil {
		t.Fatal(err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func load(t testing.TB, path string) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(path); err != nil {
		t.Fatal(err)
	}
	return doc
}

func findSig(doc *etree.Document) *etree.Element {
	var found *etree.Element
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		if found == nil && e.Tag == "Signature" && e.NamespaceURI() == NS {
			found = e
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(doc.Root())
	return found
}

func hmacKey(k []byte) KeyResolver {
	return func(*etree.Element, string) (any, error) { return k, nil }
}

// TestVerifyGoldenFixtures: every golden message signed by xmlsec1 verifies here, and the
// result names every referenced element.
func TestVerifyGoldenFixtures(t *testing.T) {
	files, _ := filepath.Glob("../../../fixtures/golden/*/*.xml")
	if len(files) == 0 {
		t.Fatal("no golden fixtures")
	}
	key := derivedKey(t)
	signed := 0
	for _, f := range files {
		doc := load(t, f)
		sig := findSig(doc)
		if sig == nil {
			continue
		}
		signed++
		v, err := Verify(sig, VerifyOptions{Key: hmacKey(key)})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(v.References) < 3 {
			t.Errorf("%s: only %d references verified", f, len(v.References))
		}
	}
	if signed < 50 {
		t.Fatalf("only %d signed golden fixtures", signed)
	}
}

const envelope = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:r="http://docs.oasis-open.org/ws-rx/wsrm/200702"><s:Header><r:Sequence wsu:Id="seq" s:mustUnderstand="true"><r:Identifier>urn:uuid:1</r:Identifier><r:MessageNumber>1</r:MessageNumber></r:Sequence><wsse:Security s:mustUnderstand="true"></wsse:Security></s:Header><s:Body wsu:Id="body"><p:Ping xmlns:p="urn:app">hello</p:Ping></s:Body></s:Envelope>`

// signed builds the test envelope and signs Sequence and Body with key.
func signed(t testing.TB, key any, opt SignOptions) (*etree.Document, *etree.Element) {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(envelope); err != nil {
		t.Fatal(err)
	}
	sec := doc.FindElement("//Security")
	refs := []*etree.Element{doc.FindElement("//Sequence"), doc.FindElement("//Body")}
	sig, err := Sign(sec, refs, key, opt)
	if err != nil {
		t.Fatal(err)
	}
	return doc, sig
}

func TestSignVerifyRoundTrip(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	for _, opt := range []SignOptions{
		{},
		{SignatureMethod: HMACSHA256, DigestMethod: SHA256},
		{InclusivePrefixes: []string{"wsse", "s"}},
	} {
		doc, sig := signed(t, key, opt)
		v, err := Verify(sig, VerifyOptions{Key: hmacKey(key)})
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		if !v.Covers(doc.FindElement("//Body")) || !v.Covers(doc.FindElement("//Sequence")) {
			t.Fatal("verified references do not name the signed elements")
		}
	}
}

// TestSignedVerifiesWithXmlsec1 is the independent check: what Sign produces verifies with
// xmlsec1 given the same HMAC key.
func TestSignedVerifiesWithXmlsec1(t *testing.T) {
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Fatal("xmlsec1 is required for the independent signature check: install the Debian package xmlsec1")
	}
	key := derivedKey(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "k.bin")
	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []SignOptions{{}, {SignatureMethod: HMACSHA256, DigestMethod: SHA256}} {
		doc, _ := signed(t, key, opt)
		f := filepath.Join(dir, "m.xml")
		if err := doc.WriteToFile(f); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("xmlsec1", "--verify", "--hmackey", keyFile,
			"--id-attr:Id", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd:Body",
			"--id-attr:Id", "http://www.w3.org/2003/05/soap-envelope:Body",
			"--id-attr:Id", "http://docs.oasis-open.org/ws-rx/wsrm/200702:Sequence", f).CombinedOutput()
		if err != nil {
			t.Fatalf("xmlsec1 rejected our %s signature: %v\n%s", opt.SignatureMethod, err, out)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	cases := []struct {
		name   string
		mutate func(doc *etree.Document, sig *etree.Element)
		key    []byte
		want   error
	}{
		{"wrong key", nil, []byte("another key, same length........"), ErrSignatureInvalid},
		{"body changed", func(d *etree.Document, _ *etree.Element) { d.FindElement("//Ping").SetText("bye") }, key, ErrDigestMismatch},
		{"sequence number changed", func(d *etree.Document, _ *etree.Element) { d.FindElement("//MessageNumber").SetText("2") }, key, ErrDigestMismatch},
		{"signed info changed", func(_ *etree.Document, s *etree.Element) {
			s.FindElement("SignedInfo/Reference").CreateAttr("Extra", "x")
		}, key, ErrSignatureInvalid},
		{"truncated HMAC", func(_ *etree.Document, s *etree.Element) {
			sv := s.FindElement("SignatureValue")
			sv.SetText(sv.Text()[:12])
		}, key, ErrSignatureInvalid},
		{"HMACOutputLength", func(_ *etree.Document, s *etree.Element) {
			s.FindElement("SignedInfo/SignatureMethod").CreateElement("ds:HMACOutputLength").SetText("80")
		}, key, ErrAlgorithm},
		{"dangling reference", func(d *etree.Document, _ *etree.Element) { d.FindElement("//Body").RemoveAttr("wsu:Id") }, key, ErrReference},
		{"duplicate ID", func(d *etree.Document, _ *etree.Element) {
			d.FindElement("//Header").CreateElement("x:Decoy").CreateAttr("wsu:Id", "body")
		}, key, ErrDuplicateID},
		{"md5 digest", func(_ *etree.Document, s *etree.Element) {
			s.FindElement("SignedInfo/Reference/DigestMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#md5")
		}, key, ErrAlgorithm},
		{"xpath transform", func(_ *etree.Document, s *etree.Element) {
			s.FindElement("SignedInfo/Reference/Transforms/Transform").CreateAttr("Algorithm", "http://www.w3.org/TR/1999/REC-xpath-19991116")
		}, key, ErrAlgorithm},
		{"external reference", func(_ *etree.Document, s *etree.Element) {
			s.FindElement("SignedInfo/Reference").CreateAttr("URI", "http://evil.example/x")
		}, key, ErrReference},
		{"empty URI (whole document)", func(_ *etree.Document, s *etree.Element) {
			s.FindElement("SignedInfo/Reference").CreateAttr("URI", "")
		}, key, ErrReference},
	}
	for _, c := range cases {
		doc, sig := signed(t, key, SignOptions{})
		if c.mutate != nil {
			c.mutate(doc, sig)
		}
		_, err := Verify(sig, VerifyOptions{Key: hmacKey(c.key)})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestTraceShowsCanonicalBytes(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	_, sig := signed(t, key, SignOptions{})
	var got bytes.Buffer
	_, err := Verify(sig, VerifyOptions{Key: hmacKey(key), Trace: func(uri string, b []byte) {
		got.WriteString(uri + "=" + string(b) + "\n")
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.String(), `#body=<s:Body xmlns:s="http://www.w3.org/2003/05/soap-envelope"`) {
		t.Fatalf("trace:\n%s", got.String())
	}
}
