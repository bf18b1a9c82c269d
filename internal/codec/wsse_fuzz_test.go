package codec

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

// Hand-written messages of the flow (FLOW M1, M2, M3, Mx) in both profiles, used as fuzz seeds
// and as decode tests. Values are made up; signatures do not verify.
const (
	secNS = `xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"
 xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
 xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"`

	seedM1P11 = `<s:Envelope ` + secNS + `><s:Header>
<a:Action s:mustUnderstand="1" u:Id="_2">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT</a:Action>
<a:MessageID u:Id="_3">urn:uuid:9a2c6a4e-1b0f-4f7a-9d44-0a1b2c3d4e5f</a:MessageID>
<o:Security s:mustUnderstand="1">
 <u:Timestamp u:Id="_0"><u:Created>2026-01-01T10:00:00.000Z</u:Created><u:Expires>2026-01-01T10:05:00.000Z</u:Expires></u:Timestamp>
 <o:BinarySecurityToken u:Id="uuid-x509" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">MIIBszCCAV2gAwIBAgIQ
  AAECAwQFBgcICQoLDA0ODw==</o:BinarySecurityToken>
 <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>
  <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
  <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
  <Reference URI="#_0"><Transforms><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms>
   <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>n3dcx0mH2XpLuwT3nT2Z0G6mHhkd9WjJ4WvG3QyHh2U=</DigestValue></Reference>
  <Reference URI="#_1"><Transforms><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><InclusiveNamespaces xmlns="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="s"/></Transform></Transforms>
   <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>3xB2gqgXfVx0o3bS7gqV9lJ5o2m6eI3b2N0b8Vw1kWc=</DigestValue></Reference>
 </SignedInfo><SignatureValue>c2lnbmF0dXJl</SignatureValue>
 <KeyInfo><o:SecurityTokenReference><o:Reference URI="#uuid-x509" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/></o:SecurityTokenReference></KeyInfo></Signature>
</o:Security></s:Header>
<s:Body u:Id="_1"><t:RequestSecurityToken xmlns:t="http://docs.oasis-open.org/ws-sx/ws-trust/200512" Context="urn:uuid:ctx-1">
 <t:TokenType>http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct</t:TokenType>
 <t:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</t:RequestType>
 <t:Entropy><t:BinarySecret Type="http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce">AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=</t:BinarySecret></t:Entropy>
 <t:KeySize>256</t:KeySize>
 <t:ComputedKeyAlgorithm>http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1</t:ComputedKeyAlgorithm>
</t:RequestSecurityToken></s:Body></s:Envelope>`

	seedM2P11 = `<s:Envelope ` + secNS + `><s:Header>
<a:Action s:mustUnderstand="1">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT</a:Action>
<a:RelatesTo>urn:uuid:9a2c6a4e-1b0f-4f7a-9d44-0a1b2c3d4e5f</a:RelatesTo>
<o:Security s:mustUnderstand="1"><u:Timestamp u:Id="_0"><u:Created>2026-01-01T10:00:01Z</u:Created><u:Expires>2026-01-01T10:05:01Z</u:Expires></u:Timestamp></o:Security>
</s:Header><s:Body>
<t:RequestSecurityTokenResponseCollection xmlns:t="http://docs.oasis-open.org/ws-sx/ws-trust/200512"
  xmlns:c="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512">
 <t:RequestSecurityTokenResponse Context="urn:uuid:ctx-1">
  <t:TokenType>http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct</t:TokenType>
  <t:RequestedSecurityToken><c:SecurityContextToken u:Id="uuid-sct-1"><c:Identifier>urn:uuid:5f0c2c2e-7d55-4d3e-9f55-8c1f7a0b6e01</c:Identifier></c:SecurityContextToken></t:RequestedSecurityToken>
  <t:RequestedAttachedReference><o:SecurityTokenReference><o:Reference URI="#uuid-sct-1" ValueType="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct"/></o:SecurityTokenReference></t:RequestedAttachedReference>
  <t:RequestedUnattachedReference><o:SecurityTokenReference><o:Reference URI="urn:uuid:5f0c2c2e-7d55-4d3e-9f55-8c1f7a0b6e01" ValueType="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct"/></o:SecurityTokenReference></t:RequestedUnattachedReference>
  <t:RequestedProofToken><t:ComputedKey>http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1</t:ComputedKey></t:RequestedProofToken>
  <t:Entropy><t:BinarySecret Type="http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce">ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=</t:BinarySecret></t:Entropy>
  <t:Lifetime><u:Created>2026-01-01T10:00:01Z</u:Created><u:Expires>2026-01-01T18:00:01Z</u:Expires></t:Lifetime>
  <t:KeySize>256</t:KeySize>
 </t:RequestSecurityTokenResponse>
</t:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`

	seedM2P05 = `<s:Envelope ` + secNS + `><s:Header>
<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT</a:Action></s:Header><s:Body>
<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust" xmlns:c="http://schemas.xmlsoap.org/ws/2005/02/sc">
 <t:TokenType>http://schemas.xmlsoap.org/ws/2005/02/sc/sct</t:TokenType>
 <t:RequestedSecurityToken><c:SecurityContextToken u:Id="uuid-sct-1"><c:Identifier>urn:uuid:11111111-2222-3333-4444-555555555555</c:Identifier><c:Instance>urn:uuid:inst-1</c:Instance></c:SecurityContextToken></t:RequestedSecurityToken>
 <t:RequestedProofToken><t:ComputedKey>http://schemas.xmlsoap.org/ws/2005/02/trust/CK/PSHA1</t:ComputedKey></t:RequestedProofToken>
 <t:Entropy><t:BinarySecret Type="http://schemas.xmlsoap.org/ws/2005/02/trust/Nonce">ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=</t:BinarySecret></t:Entropy>
 <t:Lifetime><u:Created>2026-01-01T10:00:01Z</u:Created><u:Expires>2026-01-01T18:00:01Z</u:Expires></t:Lifetime>
 <t:KeySize>256</t:KeySize>
</t:RequestSecurityTokenResponse></s:Body></s:Envelope>`

	seedM3P11 = `<s:Envelope ` + secNS + ` xmlns:r="http://docs.oasis-open.org/ws-rx/wsrm/200702" xmlns:c="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512"><s:Header>
<a:Action s:mustUnderstand="1" u:Id="_2">http://docs.oasis-open.org/ws-rx/wsrm/200702/CreateSequence</a:Action>
<r:UsesSequenceSTR s:mustUnderstand="1" u:Id="_4"/>
<o:Security s:mustUnderstand="1">
 <u:Timestamp u:Id="_0"><u:Created>2026-01-01T10:01:00.000Z</u:Created><u:Expires>2026-01-01T10:06:00.000Z</u:Expires></u:Timestamp>
 <c:SecurityContextToken u:Id="uuid-sct-1"><c:Identifier>urn:uuid:5f0c2c2e-7d55-4d3e-9f55-8c1f7a0b6e01</c:Identifier></c:SecurityContextToken>
 <c:DerivedKeyToken u:Id="_dk-s" Algorithm="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk/p_sha1">
  <o:SecurityTokenReference><o:Reference URI="#uuid-sct-1" ValueType="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct"/></o:SecurityTokenReference>
  <c:Offset>0</c:Offset><c:Length>32</c:Length><c:Nonce>QEFCQ0RFRkdISUpLTE1OTw==</c:Nonce></c:DerivedKeyToken>
 <c:DerivedKeyToken u:Id="_dk-e"><o:SecurityTokenReference><o:Reference URI="urn:uuid:5f0c2c2e-7d55-4d3e-9f55-8c1f7a0b6e01" ValueType="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct"/></o:SecurityTokenReference>
  <c:Generation>1</c:Generation><c:Length>32</c:Length><c:Label>WS-SecureConversationWS-SecureConversation</c:Label><c:Nonce>UFFSU1RVVldYWVpbXF1eXw==</c:Nonce></c:DerivedKeyToken>
 <e:ReferenceList xmlns:e="http://www.w3.org/2001/04/xmlenc#"><e:DataReference URI="#_ed1"/></e:ReferenceList>
 <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>
  <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
  <SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1"/>
  <Reference URI="#_0"><Transforms><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue>4Ew0eJ6UJx3dWiAn3V6h4wT2YnE=</DigestValue></Reference>
  <Reference URI="#_1"><Transforms><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue>h0G1G8tJmCkF1TQ3h0m8b3G+Ws8=</DigestValue></Reference>
  <Reference URI="#_2"><Transforms><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue>2jmj7l5rSw0yVb/vlWAYkK/YBwk=</DigestValue></Reference>
  <Reference URI="#_4"><Transforms><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue>C+7Hteo/D9vJXQ3UfzxbwnXaijM=</DigestValue></Reference>
 </SignedInfo><SignatureValue>aG1hYy1zaGExLTIwLWJ5dGVzLg==</SignatureValue>
 <KeyInfo><o:SecurityTokenReference><o:Reference URI="#_dk-s" ValueType="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk"/></o:SecurityTokenReference></KeyInfo></Signature>
</o:Security></s:Header>
<s:Body u:Id="_1"><r:CreateSequence><r:AcksTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></r:AcksTo>
 <o:SecurityTokenReference><o:Reference URI="urn:uuid:5f0c2c2e-7d55-4d3e-9f55-8c1f7a0b6e01" ValueType="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct"/></o:SecurityTokenReference>
</r:CreateSequence></s:Body></s:Envelope>`

	seedMxP05 = `<s:Envelope ` + secNS + ` xmlns:c="http://schemas.xmlsoap.org/ws/2005/02/sc"><s:Header>
<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/02/trust/RST/SCT/Cancel</a:Action>
<o:Security s:mustUnderstand="1"><u:Timestamp u:Id="_0"><u:Created>2026-01-01T11:00:00Z</u:Created><u:Expires>2026-01-01T11:05:00Z</u:Expires></u:Timestamp>
 <c:DerivedKeyToken u:Id="_dk"><o:SecurityTokenReference><o:Reference URI="urn:uuid:11111111-2222-3333-4444-555555555555" ValueType="http://schemas.xmlsoap.org/ws/2005/02/sc/sct"/></o:SecurityTokenReference><c:Offset>0</c:Offset><c:Length>24</c:Length><c:Nonce>AAAAAAAAAAAAAAAAAAAAAA==</c:Nonce></c:DerivedKeyToken>
 <e:EncryptedData xmlns:e="http://www.w3.org/2001/04/xmlenc#" Id="_ed" Type="http://www.w3.org/2001/04/xmlenc#Element"><e:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>
  <KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><o:SecurityTokenReference><o:Reference URI="#_dk"/></o:SecurityTokenReference></KeyInfo>
  <e:CipherData><e:CipherValue>AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=</e:CipherValue></e:CipherData></e:EncryptedData>
</o:Security></s:Header><s:Body>
<t:RequestSecurityToken xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust">
 <t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Cancel</t:RequestType>
 <t:CancelTarget><o:SecurityTokenReference><o:Reference URI="urn:uuid:11111111-2222-3333-4444-555555555555" ValueType="http://schemas.xmlsoap.org/ws/2005/02/sc/sct"/></o:SecurityTokenReference></t:CancelTarget>
</t:RequestSecurityToken></s:Body></s:Envelope>`

	seedCancelledP11 = `<s:Envelope ` + secNS + `><s:Header><a:Action>http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/SCT/Cancel</a:Action></s:Header><s:Body>
<t:RequestSecurityTokenResponseCollection xmlns:t="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><t:RequestSecurityTokenResponse><t:RequestedTokenCancelled/></t:RequestSecurityTokenResponse></t:RequestSecurityTokenResponseCollection>
</s:Body></s:Envelope>`
)

var securitySeeds = map[string]string{"M1 P11": seedM1P11, "M2 P11": seedM2P11, "M2 P05": seedM2P05, "M3 P11": seedM3P11,
	"Mx P05": seedMxP05, "cancelled P11": seedCancelledP11}

// TestSecuritySeeds decodes the hand-written flow messages: no decode problem, the typed values
// expected, and every Validate rule of the wsse/wsc/wst values passes.
func TestSecuritySeeds(t *testing.T) {
	for name, raw := range securitySeeds {
		t.Run(name, func(t *testing.T) {
			m, err := Decode([]byte(raw), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if ps := m.DecodeProblems(); len(ps) > 0 {
				t.Fatalf("decode problems: %v", ps)
			}
			for _, v := range append(headerValues(m), m.Payload) {
				if err := validateAny(v); err != nil {
					t.Errorf("%T: %v", v, err)
				}
			}
			if sec, _ := Find[*wsse.Security](m); sec != nil && sec.Timestamp() == nil {
				t.Error("no timestamp")
			}
			switch {
			case strings.HasPrefix(name, "M1"):
				rst := m.Payload.(*wst.RequestSecurityToken)
				if k, ok := rst.Kind(); !ok || k != wst.Issue || rst.KeySize != 256 || len(rst.Entropy.BinarySecret.Value) != 32 {
					t.Errorf("rst %+v", rst)
				}
			case name == "M2 P11":
				c := m.Payload.(*wst.RequestSecurityTokenResponseCollection)
				if len(c.Responses) != 1 || c.Responses[0].RequestedSecurityToken.SCT.Identifier != "urn:uuid:5f0c2c2e-7d55-4d3e-9f55-8c1f7a0b6e01" {
					t.Errorf("rstrc %+v", c)
				}
			case name == "M3 P11":
				sec, h := Find[*wsse.Security](m)
				dks := wsse.ItemsOf[*wsc.DerivedKeyToken](sec)
				sigs := wsse.ItemsOf[*wsse.Signature](sec)
				if len(dks) != 2 || len(sigs) != 1 || len(sigs[0].SignedInfo.References) != 4 {
					t.Fatalf("items %+v", sec.Items)
				}
				if _, off, n, _ := dks[1].Derivation(); off != 32 || n != 32 {
					t.Errorf("generation offset %d length %d", off, n)
				}
				if el := SecurityItemElement(h, 5); el == nil || el.Tag != "Signature" {
					t.Errorf("item 5 element %v", el)
				}
			}
		})
	}
}

func headerValues(m *Message) []any {
	var out []any
	for _, h := range m.Headers {
		out = append(out, h.Value)
	}
	return out
}

func validateAny(v any) error {
	if val, ok := v.(interface{ Validate() error }); ok && !isNil(v) {
		return val.Validate()
	}
	return nil
}

// FuzzDecodeSecurity: no input makes the wsse/wsc/wst readers, their Validate rules, the DKT
// derivation or re-encoding panic, and Security items stay 1:1 with the header's children.
func FuzzDecodeSecurity(f *testing.F) {
	for _, s := range securitySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Decode(raw, Options{})
		if err != nil {
			return
		}
		_ = m.DecodeProblems()
		for i := range m.Headers {
			h := &m.Headers[i]
			_ = validateAny(h.Value)
			sec, ok := h.Value.(*wsse.Security)
			if !ok {
				continue
			}
			if len(sec.Items) != len(h.El.ChildElements()) {
				t.Fatalf("%d items for %d children", len(sec.Items), len(h.El.ChildElements()))
			}
			for j, it := range sec.Items {
				if SecurityItemElement(h, j) == nil || isNil(it) {
					t.Fatalf("item %d: %T without element", j, it)
				}
				if dk, ok := it.(*wsc.DerivedKeyToken); ok {
					_, _, _, _ = dk.Derivation()
				}
			}
		}
		_ = validateAny(m.Payload)
		// Re-encoding must not panic. Its output is not required to decode: the decoder accepts
		// names that are not namespace-well-formed (e.g. "<:Reference>"), which the generic
		// writer cannot reproduce (reported to the codec owner).
		if out, err := Encode(m.ToEnvelope(), Options{AllowIllegal: true}); err == nil {
			_, _ = Decode(out, Options{MaxSize: 64 << 20})
		}
	})
}
