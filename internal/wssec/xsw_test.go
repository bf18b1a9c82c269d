package wssec

import (
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
)

type attack struct {
	name     string
	mutate   func(t *testing.T, m *codec.Message)
	want     error
	policy   *Policy // used to Apply and Check (default p11())
	signWith *Token
	opts     func(*CheckOptions)
}

func find(m *codec.Message, path string) *etree.Element { return m.Doc.FindElement(path) }

// wrapper adds an unknown header block and returns it.
func wrapper(m *codec.Message) *etree.Element {
	w := m.Header.CreateElement("x:Wrapper")
	w.CreateAttr("xmlns:x", "urn:attacker")
	w.CreateAttr("xmlns:wsu", wsuNS)
	return w
}

const wsuNS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

// setWsuID gives el a wsu:Id, declaring the prefix on el.
func setWsuID(el *etree.Element, id string) {
	el.CreateAttr("xmlns:wsu", wsuNS)
	el.CreateAttr("wsu:Id", id)
}

// move detaches el from its parent and appends it to dst.
func move(el, dst *etree.Element) {
	el.Parent().RemoveChild(el)
	dst.AddChild(el)
}

// fakeBody replaces the envelope's Body with an attacker's one (returned), without ID.
func fakeBody(m *codec.Message) *etree.Element {
	b := m.Envelope.CreateElement(m.Body.Space + ":Body")
	p := b.CreateElement("app:Transfer")
	p.CreateAttr("xmlns:app", "urn:example:app")
	p.SetText("all the money")
	return b
}

func fakeSequence(m *codec.Message) *etree.Element {
	s := m.Header.CreateElement("wsrm:Sequence")
	s.CreateElement("wsrm:Identifier").SetText("urn:uuid:seq-1")
	s.CreateElement("wsrm:MessageNumber").SetText("1")
	return s
}

func attacks() []attack {
	onlyBodyAndTs := Policy{Version: wsc.V200512, DerivedKeys: true, Sign: PartBody | PartTimestamp | PartAddressing}
	wrongSecret := Token{Identifier: testToken.Identifier, Secret: otherTok.Secret}
	return []attack{
		// Signature wrapping (XSW): the signed element is moved, copied or shadowed so that
		// a name-based lookup would find attacker content. Identity checks must refuse all.
		{name: "XSW1 signed Body wrapped in a header, fake Body", want: ErrNotSigned, mutate: func(_ *testing.T, m *codec.Message) {
			move(m.Body, wrapper(m))
			fakeBody(m)
		}},
		{name: "XSW2 fake Body carries the signed Body's ID, original wrapped", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			id := m.Body.SelectAttrValue("wsu:Id", "")
			move(m.Body, wrapper(m))
			setWsuID(fakeBody(m), id)
		}},
		{name: "XSW3 fake Body with the signed ID, original dropped", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			id := m.Body.SelectAttrValue("wsu:Id", "")
			m.Envelope.RemoveChild(m.Body)
			setWsuID(fakeBody(m), id)
		}},
		{name: "XSW4 signed Body wrapped inside the Security header", want: ErrNotSigned, mutate: func(_ *testing.T, m *codec.Message) {
			w := find(m, "//Security").CreateElement("x:Wrapper")
			w.CreateAttr("xmlns:x", "urn:attacker")
			w.CreateAttr("xmlns:wsu", wsuNS)
			move(m.Body, w)
			fakeBody(m)
		}},
		{name: "XSW5 signed Body inside a second Security header for another role", want: ErrNotSigned, mutate: func(_ *testing.T, m *codec.Message) {
			s := m.Header.CreateElement("wsse:Security")
			s.CreateAttr("xmlns:wsse", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd")
			s.CreateAttr("s:role", "urn:other-node")
			move(m.Body, s)
			fakeBody(m)
		}},
		{name: "XSW6 signed Sequence header wrapped, fake Sequence", want: ErrNotSigned, mutate: func(_ *testing.T, m *codec.Message) {
			move(find(m, "//Sequence"), wrapper(m))
			fakeSequence(m)
		}},
		{name: "XSW7 unsigned second Sequence header", want: ErrNotSigned, mutate: func(_ *testing.T, m *codec.Message) {
			fakeSequence(m)
		}},
		{name: "XSW8 signed Sequence moved into the Security header, fake Sequence", want: ErrNotSigned, mutate: func(_ *testing.T, m *codec.Message) {
			move(find(m, "//Sequence"), find(m, "//Security"))
			fakeSequence(m)
		}},
		{name: "XSW9 signed Sequence moved into the Body, fake Sequence", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			move(find(m, "//Sequence"), m.Body)
			fakeSequence(m)
		}},
		{name: "XSW10 signed Timestamp moved out of the Security header", want: ErrTimestamp, mutate: func(_ *testing.T, m *codec.Message) {
			move(find(m, "//Timestamp"), wrapper(m))
		}},
		{name: "XSW11 unsigned second Timestamp", want: ErrTimestamp, mutate: func(_ *testing.T, m *codec.Message) {
			ts := find(m, "//Timestamp").Copy()
			ts.RemoveAttr("wsu:Id")
			find(m, "//Security").InsertChildAt(0, ts)
		}},
		{name: "XSW12 duplicated wsa:To with the attacker's address", want: ErrNotSigned, mutate: func(_ *testing.T, m *codec.Message) {
			m.Header.CreateElement("wsa:To").SetText("http://attacker.example/")
		}},
		{name: "XSW13 unqualified Id on a fake Body shadows the signed wsu:Id", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			id := m.Body.SelectAttrValue("wsu:Id", "")
			move(m.Body, wrapper(m))
			fakeBody(m).CreateAttr("Id", id)
		}},
		{name: "XSW14 signed AckRequested replaced by an unsigned one", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			ar := find(m, "//AckRequested")
			m.Header.RemoveChild(ar)
			m.Header.CreateElement("wsrm:AckRequested").CreateElement("wsrm:Identifier").SetText("urn:uuid:other")
		}},
		// Content and key attacks.
		{name: "Body content changed", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			find(m, "//Text").SetText("changed")
		}},
		{name: "wrong key (same identifier, other secret)", want: ErrSignature, signWith: &wrongSecret},
		{name: "key derived from another SCT", want: ErrWrongToken, signWith: &otherTok},
		{name: "unknown SCT", want: ErrUnknownToken, opts: func(o *CheckOptions) { o.Tokens = TokenMap{}; o.Expect = "" }},
		{name: "truncated HMAC", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			sv := find(m, "//SignatureValue")
			sv.SetText(sv.Text()[:16])
		}},
		{name: "HMACOutputLength", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			find(m, "//SignatureMethod").CreateElement("ds:HMACOutputLength").SetText("80")
		}},
		{name: "expired Timestamp", want: ErrExpired, opts: func(o *CheckOptions) { o.Now = testNow.Add(11 * time.Minute) }},
		{name: "Timestamp in the future", want: ErrTimestamp, opts: func(o *CheckOptions) { o.Now = testNow.Add(-10 * time.Minute) }},
		{name: "unsigned Sequence header (policy of the sender leaves RM headers out)", want: ErrNotSigned, policy: &onlyBodyAndTs,
			opts: func(o *CheckOptions) { o.Policy.Sign = DefaultParts }},
		{name: "dangling reference", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			m.Body.RemoveAttr("wsu:Id")
		}},
		{name: "no Security header", want: ErrNoSecurity, mutate: func(_ *testing.T, m *codec.Message) {
			m.Header.RemoveChild(find(m, "//Security"))
		}},
		{name: "Security without mustUnderstand", want: ErrSecurityHeader, mutate: func(_ *testing.T, m *codec.Message) {
			find(m, "//Security").RemoveAttr("s:mustUnderstand")
		}},
		{name: "DerivedKeyToken without nonce", want: ErrDerivation, mutate: func(_ *testing.T, m *codec.Message) {
			n := find(m, "//DerivedKeyToken/Nonce")
			n.Parent().RemoveChild(n)
		}},
		{name: "DerivedKeyToken with Offset and Generation", want: ErrDerivation, mutate: func(_ *testing.T, m *codec.Message) {
			find(m, "//DerivedKeyToken").CreateElement("wsc:Generation").SetText("1")
		}},
		{name: "RSA signature method on an SCT message", want: ErrSignature, mutate: func(_ *testing.T, m *codec.Message) {
			find(m, "//SignatureMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
		}},
		{name: "signature removed", want: ErrNotSigned, mutate: func(_ *testing.T, m *codec.Message) {
			s := find(m, "//Signature")
			s.Parent().RemoveChild(s)
		}},
		{name: "encryption required but Body in clear", want: ErrNotSigned,
			opts: func(o *CheckOptions) { o.Policy.EncryptBody = true }},
	}
}
