package bootstrap

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/c14n"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// parts of a signed rst12 message, found by namespace.
type parts struct {
	doc                      *etree.Document
	env                      *envelope
	sec, ts, bst, sig, strEl *etree.Element
}

func partsOf(t testing.TB, doc *etree.Document) parts {
	t.Helper()
	env, err := locate(doc)
	if err != nil {
		t.Fatal(err)
	}
	sec := env.securityHeaders()[0]
	return parts{doc: doc, env: env, sec: sec,
		ts:    find(sec, wsse.NSWSU, "Timestamp"),
		bst:   find(sec, wsse.NS, "BinarySecurityToken"),
		sig:   find(sec, wsse.NSDS, "Signature"),
		strEl: find(sec, wsse.NS, "SecurityTokenReference"),
	}
}

func TestVerifyRejects(t *testing.T) {
	p := fixturePKI(t)
	otherCA, err := pki.NewCA("another CA", testNow)
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := otherCA.Issue("stranger", nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := p.ca.Issue("expired", nil, testNow.Add(-2*pki.LeafValidity))
	if err != nil {
		t.Fatal(err)
	}
	good := signedXML(t, rst12, p.initiator)

	cases := []struct {
		name   string
		signer *pki.Identity               // nil: initiator
		mutate func(t *testing.T, m parts) // nil: none
		opts   func(o *VerifyOptions)      // nil: verifyOpts
		want   error
		also   error // a second error the result must match, if set
	}{
		{name: "certificate from another CA", signer: stranger, want: ErrCertificate},
		{name: "expired certificate", signer: expired, want: ErrCertificate},
		{name: "message verified years later", opts: func(o *VerifyOptions) { o.Now = testNow.Add(3 * 365 * 24 * time.Hour) }, want: ErrTimestamp},
		{name: "no trust roots", opts: func(o *VerifyOptions) { o.Roots = nil }, want: ErrCertificate},
		{name: "tampered body", mutate: func(_ *testing.T, m parts) {
			find(m.env.body, "http://docs.oasis-open.org/ws-sx/ws-trust/200512", "KeySize").SetText("64")
		}, want: ErrSignature, also: dsig.ErrDigestMismatch},
		{name: "timestamp expired", opts: func(o *VerifyOptions) { o.Now = testNow.Add(DefaultTTL + DefaultSkew + time.Second) }, want: ErrTimestamp},
		{name: "timestamp not yet valid", opts: func(o *VerifyOptions) { o.Now = testNow.Add(-DefaultSkew - time.Second) }, want: ErrTimestamp},
		{name: "timestamp at the skew limit", opts: func(o *VerifyOptions) { o.Now = testNow.Add(-DefaultSkew) }},
		{name: "timestamp expires extended", mutate: func(_ *testing.T, m parts) {
			find(m.ts, wsse.NSWSU, "Expires").SetText("2030-01-01T00:00:00Z")
		}, want: ErrSignature, also: dsig.ErrDigestMismatch},
		{name: "timestamp expires before created", mutate: func(_ *testing.T, m parts) {
			find(m.ts, wsse.NSWSU, "Expires").SetText("2000-01-01T00:00:00Z")
		}, want: ErrTimestamp},
		{name: "missing timestamp", mutate: func(_ *testing.T, m parts) { m.sec.RemoveChild(m.ts) }, want: ErrTimestamp},
		{name: "second timestamp", mutate: func(_ *testing.T, m parts) { m.sec.AddChild(m.ts.Copy()) }, want: ErrTimestamp},
		{name: "body moved into a wrapper, fresh body (XSW)", mutate: func(_ *testing.T, m parts) {
			root := m.env.root
			root.RemoveChild(m.env.body)
			w := m.env.header.CreateElement("x:Wrapper")
			w.CreateAttr("xmlns:x", "urn:attacker")
			w.AddChild(m.env.body)
			evil := root.CreateElement(root.Space + ":Body")
			evil.CreateElement("x:Evil").CreateAttr("xmlns:x", "urn:attacker")
		}, want: ErrCoverage},
		{name: "body moved into the security header, fresh body (XSW)", mutate: func(_ *testing.T, m parts) {
			root := m.env.root
			root.RemoveChild(m.env.body)
			m.sec.AddChild(m.env.body)
			root.CreateElement(root.Space + ":Body")
		}, want: ErrCoverage},
		{name: "timestamp moved into a wrapper, fresh timestamp (XSW)", mutate: func(_ *testing.T, m parts) {
			fresh := m.ts.Copy()
			fresh.RemoveAttr(m.ts.Attr[0].FullKey())
			m.sec.RemoveChild(m.ts)
			m.sec.InsertChildAt(0, fresh)
			find(fresh, wsse.NSWSU, "Expires").SetText("2030-01-01T00:00:00Z")
			w := m.env.header.CreateElement("x:Wrapper")
			w.CreateAttr("xmlns:x", "urn:attacker")
			w.CreateAttr("xmlns:"+m.ts.Space, wsse.NSWSU)
			w.AddChild(m.ts)
		}, want: ErrCoverage},
		{name: "duplicated unsigned wsa:To", mutate: func(_ *testing.T, m parts) {
			to := m.env.header.CreateElement("a:To")
			to.SetText("http://attacker.example/")
		}, want: ErrCoverage},
		{name: "duplicated unsigned wsa:To, addressing not required", mutate: func(_ *testing.T, m parts) {
			m.env.header.CreateElement("a:To").SetText("http://attacker.example/")
		}, opts: func(o *VerifyOptions) { o.RequireSigned = PartBody | PartTimestamp }},
		{name: "unsigned wsa 2004/08 header", mutate: func(_ *testing.T, m parts) {
			h := m.env.header.CreateElement("old:FaultTo")
			h.CreateAttr("xmlns:old", wsa.NS200408)
		}, want: ErrCoverage},
		{name: "BST replaced by another certificate", mutate: func(_ *testing.T, m parts) {
			m.bst.SetText(base64.StdEncoding.EncodeToString(p.responder.Cert.Raw))
		}, want: ErrSignature, also: dsig.ErrSignatureInvalid},
		{name: "BST not X509v3", mutate: func(_ *testing.T, m parts) {
			m.bst.CreateAttr("ValueType", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1")
		}, want: ErrCertificate},
		{name: "BST garbage", mutate: func(_ *testing.T, m parts) { m.bst.SetText("AAAA") }, want: ErrCertificate},
		{name: "KeyInfo names the timestamp", mutate: func(_ *testing.T, m parts) {
			id, _ := dsig.IDOf(m.ts)
			find(m.strEl, wsse.NS, "Reference").CreateAttr("URI", "#"+id)
		}, want: ErrCertificate},
		{name: "KeyInfo names a BST outside the header", mutate: func(_ *testing.T, m parts) {
			m.sec.RemoveChild(m.bst)
			m.env.header.AddChild(m.bst)
		}, want: ErrCertificate},
		{name: "KeyInfo with a key by value", mutate: func(_ *testing.T, m parts) {
			ki := m.strEl.Parent()
			ki.RemoveChild(m.strEl)
			ki.CreateElement("ds:KeyValue")
		}, want: ErrSignature},
		{name: "no KeyInfo", mutate: func(_ *testing.T, m parts) { m.sig.RemoveChild(m.strEl.Parent()) }, want: ErrSignature},
		{name: "no signature", mutate: func(_ *testing.T, m parts) { m.sec.RemoveChild(m.sig) }, want: ErrSignature},
		{name: "HMAC signature refused", mutate: func(t *testing.T, m parts) {
			resignHMAC(t, m, p.initiator.Cert.Raw)
		}, want: ErrSignature, also: dsig.ErrAlgorithm},
		{name: "RSA-SHA1 accepted on input", mutate: func(t *testing.T, m parts) {
			resignRSASHA1(t, m, p.initiator.Key)
		}},
		{name: "no security header", mutate: func(_ *testing.T, m parts) { m.env.header.RemoveChild(m.sec) }, want: ErrNoSecurity},
		{name: "security header for another role", mutate: func(_ *testing.T, m parts) {
			m.sec.CreateAttr("s:role", "http://www.w3.org/2003/05/soap-envelope/role/next")
		}, want: ErrNoSecurity},
		{name: "security header for ultimateReceiver", mutate: func(_ *testing.T, m parts) {
			m.sec.CreateAttr("s:role", roleUltimateReceiver)
		}},
		{name: "two security headers", mutate: func(_ *testing.T, m parts) {
			m.env.header.CreateElement("o:Security").CreateAttr("xmlns:o", wsse.NS)
		}, want: ErrNoSecurity},
		{name: "security header not mustUnderstand", mutate: func(_ *testing.T, m parts) {
			m.sec.RemoveAttr("s:mustUnderstand")
		}, want: ErrNoSecurity},
		{name: "two bodies", mutate: func(_ *testing.T, m parts) {
			m.env.root.CreateElement("s:Body")
		}, want: ErrEnvelope},
		{name: "duplicate ID decoy", mutate: func(_ *testing.T, m parts) {
			id, _ := dsig.IDOf(m.env.body)
			m.env.header.CreateElement("x:Decoy").CreateAttr("Id", id)
		}, want: ErrSignature, also: dsig.ErrDuplicateID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			xml := good
			if c.signer != nil {
				xml = signedXML(t, rst12, c.signer)
			}
			doc := parse(t, xml)
			if c.mutate != nil {
				c.mutate(t, partsOf(t, doc))
				doc = parse(t, serialize(t, doc))
			}
			opts := verifyOpts(p)
			if c.opts != nil {
				c.opts(&opts)
			}
			res, err := Verify(doc, opts)
			if c.want == nil {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, c.want) || (c.also != nil && !errors.Is(err, c.also)) {
				t.Fatalf("got %v (result %v), want %v / %v", err, res, c.want, c.also)
			}
			var be *Error
			if !errors.As(err, &be) || be.Fault.Space != wsse.NS || be.Fault.Local == "" {
				t.Fatalf("error %v carries no WSS fault code", err)
			}
			t.Log(err)
		})
	}
}

// resignHMAC replaces the signature by an HMAC-SHA256 one keyed with the certificate bytes
// (public material), keeping the KeyInfo that names the BinarySecurityToken.
func resignHMAC(t *testing.T, m parts, key []byte) {
	t.Helper()
	ki := m.strEl.Copy()
	refs := signedRefs(t, m)
	m.sec.RemoveChild(m.sig)
	if _, err := dsig.Sign(m.sec, refs, key, dsig.SignOptions{SignatureMethod: dsig.HMACSHA256, DigestMethod: dsig.SHA256, KeyInfo: ki}); err != nil {
		t.Fatal(err)
	}
}

// signedRefs returns the elements the signature's references name.
func signedRefs(t *testing.T, m parts) []*etree.Element {
	t.Helper()
	var refs []*etree.Element
	for _, r := range m.sig.FindElements("./SignedInfo/Reference") {
		id := strings.TrimPrefix(r.SelectAttrValue("URI", ""), "#")
		el := byID(m.doc.Root(), id)
		if el == nil {
			t.Fatalf("no element with ID %q", id)
		}
		refs = append(refs, el)
	}
	return refs
}

func byID(el *etree.Element, id string) *etree.Element {
	if v, ok := dsig.IDOf(el); ok && v == id {
		return el
	}
	for _, c := range el.ChildElements() {
		if f := byID(c, id); f != nil {
			return f
		}
	}
	return nil
}

// resignRSASHA1 rewrites SignatureMethod to RSA-SHA1 and recomputes the SignatureValue, the
// way an older stack would sign (dsig.Sign refuses to write RSA-SHA1).
func resignRSASHA1(t *testing.T, m parts, key *rsa.PrivateKey) {
	t.Helper()
	si := m.sig.ChildElements()[0]
	find(si, wsse.NSDS, "SignatureMethod").CreateAttr("Algorithm", dsig.RSASHA1)
	h := sha1.New()
	if err := c14n.Canonicalize(h, si, c14n.Options{}); err != nil {
		t.Fatal(err)
	}
	v, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, h.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	m.sig.ChildElements()[1].SetText(base64.StdEncoding.EncodeToString(v))
}

// TestVerifyCoverageByIdentity: a second, signed-looking Timestamp elsewhere does not
// stand in for the Security header's own.
func TestVerifyCoverageByIdentity(t *testing.T) {
	p := fixturePKI(t)
	doc := parse(t, signedXML(t, rst11, p.initiator))
	env, _ := locate(doc)
	if env.version != soap.V11 {
		t.Fatal("want SOAP 1.1")
	}
	res, err := Verify(doc, verifyOpts(p))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range env.addressingHeaders() {
		found := false
		for _, s := range res.Signed {
			found = found || s == h
		}
		if !found {
			t.Fatalf("%s not in Result.Signed", h.FullTag())
		}
	}
}

func TestVerifyNilAndGarbage(t *testing.T) {
	p := fixturePKI(t)
	for _, doc := range []*etree.Document{nil, etree.NewDocument(), parse(t, `<a/>`)} {
		if _, err := Verify(doc, verifyOpts(p)); !errors.Is(err, ErrEnvelope) {
			t.Errorf("got %v, want ErrEnvelope", err)
		}
	}
}
