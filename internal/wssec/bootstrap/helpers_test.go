package bootstrap

import (
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// testPKI is one CA with the two parties of the bootstrap, made once per test binary (RSA key
// generation dominates the run time otherwise).
type testPKI struct {
	ca                   *pki.CA
	initiator, responder *pki.Identity
}

var (
	pkiOnce   sync.Once
	pkiShared testPKI
	pkiErr    error
)

// testNow is the fixed clock of the tests; the certificates are issued at it.
var testNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func fixturePKI(t testing.TB) testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		var p testPKI
		if p.ca, pkiErr = pki.NewCA("bootstrap test CA", testNow); pkiErr != nil {
			return
		}
		if p.initiator, pkiErr = p.ca.Issue("initiator", nil, testNow); pkiErr != nil {
			return
		}
		if p.responder, pkiErr = p.ca.Issue("responder", []string{"localhost", "127.0.0.1"}, testNow); pkiErr != nil {
			return
		}
		pkiShared = p
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiShared
}

// rst12 is an RST/SCT (FLOW M1, profile P11): SOAP 1.2, WS-Addressing 1.0, WS-Trust 1.3.
const rst12 = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">` +
	`<s:Header>` +
	`<a:Action s:mustUnderstand="1">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT</a:Action>` +
	`<a:MessageID>urn:uuid:6f2b9a0e-3c1d-4e55-9b1a-0d7c2f4e8a11</a:MessageID>` +
	`<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>` +
	`<a:To s:mustUnderstand="1">http://127.0.0.1:8443/sts</a:To>` +
	`</s:Header>` +
	`<s:Body>` +
	`<t:RequestSecurityToken xmlns:t="http://docs.oasis-open.org/ws-sx/ws-trust/200512" Context="uuid-8c1e0a52-1">` +
	`<t:TokenType>http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct</t:TokenType>` +
	`<t:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</t:RequestType>` +
	`<t:Entropy><t:BinarySecret Type="http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce">q6b1Y0zTn0b2Qp8bVZ4p1rM0l3QxWm6cJk9r2eF5s8U=</t:BinarySecret></t:Entropy>` +
	`<t:KeySize>256</t:KeySize>` +
	`<t:ComputedKeyAlgorithm>http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1</t:ComputedKeyAlgorithm>` +
	`</t:RequestSecurityToken>` +
	`</s:Body></s:Envelope>`

// rst11 is the P05 form (WCF WSHttpBinding): SOAP 1.1, WS-Addressing 2004/08, WS-Trust
// 2005/02.
const rst11 = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">` +
	`<soap:Header>` +
	`<wsa:Action soap:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT</wsa:Action>` +
	`<wsa:MessageID>urn:uuid:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d</wsa:MessageID>` +
	`<wsa:ReplyTo><wsa:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>` +
	`<wsa:To soap:mustUnderstand="1">http://localhost:8080/sts</wsa:To>` +
	`</soap:Header>` +
	`<soap:Body>` +
	`<t:RequestSecurityToken xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust">` +
	`<t:TokenType>http://schemas.xmlsoap.org/ws/2005/02/sc/sct</t:TokenType>` +
	`<t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</t:RequestType>` +
	`<t:Entropy><t:BinarySecret Type="http://schemas.xmlsoap.org/ws/2005/02/trust/Nonce">q6b1Y0zTn0b2Qp8bVZ4p1rM0l3QxWm6cJk9r2eF5s8U=</t:BinarySecret></t:Entropy>` +
	`<t:KeySize>256</t:KeySize>` +
	`</t:RequestSecurityToken>` +
	`</soap:Body></soap:Envelope>`

// bareDefaultNS has no Header, a default-namespace envelope and no declared wsu or wsse
// prefix: Sign must create the Header and declare what it uses.
const bareDefaultNS = `<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><p:Ping xmlns:p="urn:app">hi</p:Ping></Body></Envelope>`

// existingSecurity already has a Security header (without mustUnderstand), IDs on some wsa
// headers, and the prefix "wsu" bound to an unrelated namespace.
const existingSecurity = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:wsu="urn:not-wsu">` +
	`<s:Header>` +
	`<a:Action Id="act">urn:app:Ping</a:Action>` +
	`<o:Security xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><o:UsernameToken><o:Username>u</o:Username></o:UsernameToken></o:Security>` +
	`<a:To>urn:app:svc</a:To>` +
	`</s:Header>` +
	`<s:Body><wsu:Ping>hi</wsu:Ping></s:Body></s:Envelope>`

var envelopes = []struct{ name, xml string }{
	{"soap12-wsa10-rst", rst12},
	{"soap11-wsa200408-rst", rst11},
	{"default-namespace-no-header", bareDefaultNS},
	{"existing-security-header", existingSecurity},
}

func parse(t testing.TB, s string) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		t.Fatal(err)
	}
	return doc
}

func serialize(t testing.TB, doc *etree.Document) string {
	t.Helper()
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signedXML signs the envelope with id at testNow and returns the serialized message.
func signedXML(t testing.TB, envelope string, id *pki.Identity) string {
	t.Helper()
	doc := parse(t, envelope)
	if err := Sign(doc, id, Options{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	return serialize(t, doc)
}

func verifyOpts(p testPKI) VerifyOptions {
	return VerifyOptions{Roots: p.ca.Pool(), Now: testNow.Add(time.Minute)}
}

// find returns the first element in document order named {ns}local.
func find(root *etree.Element, ns, local string) *etree.Element {
	if is(root, ns, local) {
		return root
	}
	for _, c := range root.ChildElements() {
		if f := find(c, ns, local); f != nil {
			return f
		}
	}
	return nil
}
