package wssec

import (
	"bytes"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

const fixtureSCT = "urn:uuid:6c0f6a5e-4bd4-4a29-9c5e-3f0e0d6e3a11"

// fixtureTime is inside the validity window of every golden fixture's Timestamp.
var fixtureTime = time.Date(2026, 11, 1, 10, 1, 0, 0, time.UTC)

func fixtureSecret(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../fixtures/keys/sct-secret.b64")
	if err != nil {
		t.Fatal(err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var (
	testNow   = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	testToken = Token{Identifier: "urn:uuid:11111111-2222-3333-4444-555555555555", Secret: bytes.Repeat([]byte{7}, 32)}
	otherTok  = Token{Identifier: "urn:uuid:99999999-2222-3333-4444-555555555555", Secret: bytes.Repeat([]byte{9}, 32)}
	tokens    = TokenMap{testToken.Identifier: testToken, otherTok.Identifier: otherTok}
)

// appMessage builds an application message of a sequence: wsa headers, Sequence,
// AckRequested and a payload.
func appMessage(t testing.TB, sv soap.Version, rv wsrm.Version) *etree.Document {
	t.Helper()
	env := &codec.Envelope{
		SOAP: sv,
		Addressing: &wsa.Headers{Version: wsa.V10, Action: "urn:example:app/Ping", To: "http://localhost/rm",
			MessageID: "urn:uuid:00000000-0000-0000-0000-000000000042"},
		Headers: []codec.Header{
			{Value: &wsrm.Sequence{V: rv, Identifier: "urn:uuid:seq-1", MessageNumber: 3}, MustUnderstand: true},
			{Value: &wsrm.AckRequested{V: rv, Identifier: "urn:uuid:seq-1"}},
		},
		Body: []any{payload()},
	}
	doc, err := codec.Build(env, codec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func payload() *etree.Element {
	p := etree.NewElement("app:Ping")
	p.CreateAttr("xmlns:app", "urn:example:app")
	p.CreateElement("app:Text").SetText(strings.Repeat("payload ", 128))
	return p
}

// reparse serializes and decodes doc, as a receiver sees it.
func reparse(t testing.TB, doc *etree.Document) *codec.Message {
	t.Helper()
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	m, err := codec.Decode(buf.Bytes(), codec.Options{})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return m
}

func p11() Policy { return Policy{Version: wsc.V200512, DerivedKeys: true} }

func checkOpts() CheckOptions {
	return CheckOptions{Policy: p11(), Tokens: tokens, Expect: testToken.Identifier, Now: testNow.Add(time.Second)}
}
