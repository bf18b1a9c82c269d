package codec

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

func pbool(b bool) *bool { return &b }

func testEntropy(v wst.Version, first byte) *wst.Entropy {
	b := make([]byte, 32)
	for i := range b {
		b[i] = first + byte(i)
	}
	return &wst.Entropy{BinarySecret: &wst.BinarySecret{Type: v.NonceType(), Value: b}}
}

func testAppliesTo() *wire.Any {
	return &wire.Any{Name: wire.QName{Space: "http://schemas.xmlsoap.org/ws/2004/09/policy", Local: "AppliesTo"}, Prefix: "wsp",
		Children: []wire.Any{{Name: wire.QName{Space: wsa.NS10, Local: "EndpointReference"}, Prefix: "wsa",
			Children: []wire.Any{{Name: wire.QName{Space: wsa.NS10, Local: "Address"}, Prefix: "wsa", Text: "http://svc.example/rm"}}}}}
}

func testIssueRST(v wst.Version) *wst.RequestSecurityToken {
	return &wst.RequestSecurityToken{
		V: v, Context: "urn:uuid:ctx-1", TokenType: v.SC().SCTTokenType(), RequestType: v.RequestType(wst.Issue),
		AppliesTo: testAppliesTo(),
		Claims: &wire.Any{Name: wire.QName{Space: v.Namespace(), Local: "Claims"}, Prefix: "wst",
			Attrs: []wire.Attr{{Name: wire.QName{Local: "Dialect"}, Value: "urn:x-dialect"}}},
		Entropy:  testEntropy(v, 0x00),
		Lifetime: &wst.Lifetime{Created: "2026-01-01T10:00:00Z", Expires: "2026-01-01T18:00:00Z"},
		Renewing: &wst.Renewing{Allow: pbool(true), OK: pbool(false)},
		KeyType:  v.KeyTypeSymmetric(), KeySize: 256, ComputedKeyAlgorithm: v.CKPSHA1(),
		Extra: []wire.Any{{Name: wire.QName{Space: "urn:vendor", Local: "Hint"}, Prefix: "v", Text: "1"}},
	}
}

func testIssueRSTR(v wst.Version) *wst.RequestSecurityTokenResponse {
	sc := v.SC()
	return &wst.RequestSecurityTokenResponse{
		V: v, Context: "urn:uuid:ctx-1", TokenType: sc.SCTTokenType(),
		RequestedSecurityToken:       &wst.RequestedSecurityToken{SCT: testSCT(sc)},
		AppliesTo:                    testAppliesTo(),
		RequestedAttachedReference:   &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: "#sct-1", ValueType: sc.SCTTokenType()}},
		RequestedUnattachedReference: &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: testSCTID, ValueType: sc.SCTTokenType()}},
		RequestedProofToken:          &wst.RequestedProofToken{ComputedKey: v.CKPSHA1()},
		Entropy:                      testEntropy(v, 0x20),
		Lifetime:                     &wst.Lifetime{Created: "2026-01-01T10:00:00Z", Expires: "2026-01-01T18:00:00Z"},
		Renewing:                     &wst.Renewing{Allow: pbool(true)},
		KeyType:                      v.KeyTypeSymmetric(),
		KeySize:                      256,
	}
}

func TestTrustRoundTrip(t *testing.T) {
	for _, v := range wst.Versions {
		sc := v.SC()
		cancel := &wst.RequestSecurityToken{V: v, RequestType: v.RequestType(wst.Cancel),
			CancelTarget: &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: testSCTID, ValueType: sc.SCTTokenType()}}}
		renew := &wst.RequestSecurityToken{V: v, TokenType: sc.SCTTokenType(), RequestType: v.RequestType(wst.Renew),
			RenewTargetToken: &wire.Any{Name: wire.QName{Space: sc.Namespace(), Local: "SecurityContextToken"}, Prefix: "wsc",
				Children: []wire.Any{{Name: wire.QName{Space: sc.Namespace(), Local: "Identifier"}, Prefix: "wsc", Text: testSCTID}}},
			Entropy: testEntropy(v, 0x40), KeySize: 256}
		encProof := testIssueRSTR(v)
		encProof.Entropy = nil
		encProof.RequestedProofToken = &wst.RequestedProofToken{EncryptedKey: &wsse.EncryptedKey{
			EncryptionMethod: &wsse.EncryptionMethod{Algorithm: wsse.AlgRSAOAEPMGF1P},
			KeyInfo:          &wsse.KeyInfo{Other: []wire.Any{{Name: wire.QName{Space: wsse.NSDS, Local: "KeyName"}, Prefix: "ds", Text: "svc"}}},
			CipherValue:      []byte("wrapped-key")}}
		secretProof := testIssueRSTR(v)
		secretProof.Entropy = &wst.Entropy{EncryptedKey: &wsse.EncryptedKey{CipherValue: []byte{1, 2}}}
		secretProof.RequestedProofToken = &wst.RequestedProofToken{BinarySecret: &wst.BinarySecret{Value: []byte("0123456789abcdef0123456789abcdef")}}
		cases := map[string]any{
			"issue RST":       testIssueRST(v),
			"cancel RST":      cancel,
			"renew RST":       renew,
			"issue RSTR":      testIssueRSTR(v),
			"encrypted proof": encProof,
			"binary secret":   secretProof,
			"cancelled RSTR":  &wst.RequestSecurityTokenResponse{V: v, RequestedTokenCancelled: true},
			"collection":      &wst.RequestSecurityTokenResponseCollection{V: v, Responses: []*wst.RequestSecurityTokenResponse{testIssueRSTR(v), {V: v, RequestedTokenCancelled: true}}},
			"stand-alone SCT": testSCT(sc),
			"stand-alone DKT": testDKT(sc, "dk-1"),
		}
		for name, body := range cases {
			t.Run(v.String()+"/"+name, func(t *testing.T) {
				for _, s := range []soap.Version{soap.V12, soap.V11} {
					m := secRoundTrip(t, &Envelope{SOAP: s, Body: []any{body}})
					if vv, ok := body.(interface{ Validate() error }); ok {
						if err := vv.Validate(); err != nil {
							t.Fatalf("test value invalid: %v", err)
						}
					}
					if ps := m.Check(ProfileAuto); len(ps) > 0 {
						for _, p := range ps {
							if strings.Contains(p.Element, "wst") || strings.Contains(p.Element, "wsc") {
								t.Errorf("check: %v", p)
							}
						}
					}
				}
			})
		}
	}
}

func TestTrustDecodeProblems(t *testing.T) {
	const msg = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
  xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512" xmlns:old="http://schemas.xmlsoap.org/ws/2005/02/trust"
  xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><s:Body>
<wst:RequestSecurityToken>
  <wst:TokenType>http://schemas.xmlsoap.org/ws/2005/02/sc/sct</wst:TokenType>
  <wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>
  <wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>
  <old:KeySize>256</old:KeySize>
  <wst:KeySize>0</wst:KeySize>
  <wst:Entropy><wst:BinarySecret>@@@</wst:BinarySecret></wst:Entropy>
  <wst:Renewing Allow="maybe"/>
  <wst:Lifetime><wsu:Expires>2026-01-01T10:00:00Z</wsu:Expires><wsu:Created>2026-01-01T11:00:00Z</wsu:Created></wst:Lifetime>
  <wst:CancelTarget/>
</wst:RequestSecurityToken></s:Body></s:Envelope>`
	m, err := Decode([]byte(msg), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, p := range m.DecodeProblems() {
		all = append(all, p.Reason)
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"repeated wst:RequestType", "versions must not be mixed", "KeySize 0", "not valid base64",
		"not an xs:boolean", "unexpected element", "exactly one element"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no problem mentioning %q in:\n%s", want, joined)
		}
	}
	rst, ok := m.Payload.(*wst.RequestSecurityToken)
	if !ok {
		t.Fatalf("payload %T", m.Payload)
	}
	err = rst.Validate()
	if err == nil || !strings.Contains(err.Error(), "SC-ISS-002") || !strings.Contains(err.Error(), "BinarySecret is empty") {
		t.Fatalf("Validate: %v", err)
	}
	// The Check pass reports the Validate violations as problems too.
	found := false
	for _, p := range m.Check(ProfileAuto) {
		if strings.Contains(p.Reason, "SC-ISS-002") {
			found = true
		}
	}
	if !found {
		t.Error("Check did not report the version mix")
	}
}
