package codec

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// secRoundTrip encodes env, decodes the bytes, fails on any decode problem, and compares the
// typed headers and body values with what was encoded.
func secRoundTrip(t *testing.T, env *Envelope) *Message {
	t.Helper()
	raw, err := Encode(env, Options{})
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	m, err := Decode(raw, Options{})
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, raw)
	}
	if ps := m.DecodeProblems(); len(ps) > 0 {
		t.Fatalf("decode problems: %v\n%s", ps, raw)
	}
	if len(m.Headers) != len(env.Headers) {
		t.Fatalf("%d headers, want %d", len(m.Headers), len(env.Headers))
	}
	for i, h := range env.Headers {
		got := m.Headers[i]
		if !reflect.DeepEqual(got.Value, h.Value) {
			t.Errorf("header %d differs:%s", i, secDiff(got.Value, h.Value))
		}
		if got.MustUnderstand != h.MustUnderstand {
			t.Errorf("header %d mustUnderstand %v", i, got.MustUnderstand)
		}
	}
	if len(env.Body) > 0 && !reflect.DeepEqual(m.Payload, env.Body[0]) {
		t.Errorf("body differs:%s", secDiff(m.Payload, env.Body[0]))
	}
	return m
}

// secDiff describes how got and want differ, item by item for a Security header.
func secDiff(got, want any) string {
	gs, ok1 := got.(*wsse.Security)
	ws, ok2 := want.(*wsse.Security)
	if !ok1 || !ok2 || len(gs.Items) != len(ws.Items) {
		return fmt.Sprintf("\n got  %s\n want %s", deref(got), deref(want))
	}
	var b strings.Builder
	for i := range gs.Items {
		if !reflect.DeepEqual(gs.Items[i], ws.Items[i]) {
			fmt.Fprintf(&b, "\n item %d\n  got  %s\n  want %s", i, deref(gs.Items[i]), deref(ws.Items[i]))
		}
	}
	return b.String()
}

func deref(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return fmt.Sprintf("%+v", rv.Elem().Interface())
	}
	return fmt.Sprintf("%+v", v)
}

func pu64(n uint64) *uint64 { return &n }
func pint(n int) *int       { return &n }
func pstr(s string) *string { return &s }

const testSCTID = "urn:uuid:5f0c2c2e-7d55-4d3e-9f55-8c1f7a0b6e01"

func testSCT(v wsc.Version) *wsc.SecurityContextToken {
	return &wsc.SecurityContextToken{V: v, ID: "sct-1", Identifier: testSCTID, Instance: "inst-2",
		Extra: []wire.Any{{Name: wire.QName{Space: "http://schemas.microsoft.com/ws/2006/05/security", Local: "Cookie"}, Prefix: "dnse", Text: "AQID"}}}
}

func testDKT(v wsc.Version, id string) *wsc.DerivedKeyToken {
	return &wsc.DerivedKeyToken{V: v, ID: id, Algorithm: v.PSHA1(),
		STR:        &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: "#sct-1", ValueType: v.SCTTokenType()}},
		Properties: []wire.Any{{Name: wire.QName{Space: v.Namespace(), Local: "Name"}, Prefix: "wsc", Text: "urn:x-name"}},
		Offset:     pu64(0), Length: pu64(32), Label: pstr("WS-SecureConversationWS-SecureConversation"),
		Nonce: []byte{0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f}}
}

func testSignature() *wsse.Signature {
	return &wsse.Signature{
		ID: "sig-1",
		SignedInfo: wsse.SignedInfo{
			CanonicalizationMethod: wsse.CanonicalizationMethod{Algorithm: wsse.AlgExcC14N, HasInclusive: true, InclusivePrefixes: []string{"s", "wsu"}},
			SignatureMethod:        wsse.SignatureMethod{Algorithm: wsse.AlgHMACSHA1, HMACOutputLength: pint(160)},
			References: []wsse.DSReference{
				{URI: "#_0", Transforms: []wsse.Transform{{Algorithm: wsse.AlgExcC14N, HasInclusive: true}}, DigestMethod: wsse.AlgSHA1, DigestValue: []byte{1, 2, 3, 4}},
				{ID: "r2", URI: "#ts", Type: "urn:x-type", DigestMethod: wsse.AlgSHA256, DigestValue: []byte{5, 6},
					Transforms: []wsse.Transform{{Algorithm: wsse.AlgSTRTransform, Params: []wire.Any{{
						Name: wire.QName{Space: wsse.NS, Local: "TransformationParameters"}, Prefix: "wsse",
						Children: []wire.Any{{Name: wire.QName{Space: wsse.NSDS, Local: "CanonicalizationMethod"}, Prefix: "ds",
							Attrs: []wire.Attr{{Name: wire.QName{Local: "Algorithm"}, Value: wsse.AlgExcC14N}}}},
					}}}}},
			},
		},
		SignatureValue:   []byte("hmac-value-20-bytes!"),
		SignatureValueID: "sv-1",
		KeyInfo:          &wsse.KeyInfo{STR: &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: "#dk-1"}}},
	}
}

func testSecurity(v wsc.Version) *wsse.Security {
	return &wsse.Security{Items: []any{
		&wsse.Timestamp{ID: "ts", Created: "2026-01-01T10:00:00.000Z", Expires: "2026-01-01T10:05:00.000Z"},
		&wsse.BinarySecurityToken{ID: "x509", ValueType: wsse.ValueTypeX509v3, EncodingType: wsse.EncodingBase64Binary, Value: []byte{0x30, 0x82, 0x01}},
		testSCT(v),
		testDKT(v, "dk-1"),
		&wsc.DerivedKeyToken{V: v, ID: "dk-2", STR: &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: testSCTID, ValueType: v.SCTTokenType(), Instance: "inst-2", InstanceNS: v.Namespace()}},
			Generation: pu64(1), Length: pu64(16), Nonce: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		&wsse.EncryptedKey{ID: "ek-1", Recipient: "svc",
			EncryptionMethod: &wsse.EncryptionMethod{Algorithm: wsse.AlgRSAOAEPMGF1P, DigestMethod: wsse.AlgSHA1, OAEPParams: []byte{9}},
			KeyInfo: &wsse.KeyInfo{STR: &wsse.SecurityTokenReference{KeyIdentifier: &wsse.KeyIdentifier{
				ValueType: wsse.ValueTypeThumbprintSHA1, EncodingType: wsse.EncodingBase64Binary, Value: "AAEC"}}},
			CipherValue:    []byte("wrapped"),
			ReferenceList:  &wsse.ReferenceList{DataReferences: []string{"#ed-1"}},
			CarriedKeyName: "k1"},
		&wsse.ReferenceList{DataReferences: []string{"#ed-1", "#ed-2"}, KeyReferences: []string{"#ek-1"}},
		&wsse.EncryptedData{ID: "ed-2", Type: wsse.EncTypeElement,
			EncryptionMethod: &wsse.EncryptionMethod{Algorithm: wsse.AlgAES256CBC, KeySize: 256},
			KeyInfo:          &wsse.KeyInfo{STR: &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: "#dk-2"}}},
			CipherValue:      []byte("ciphertext")},
		testSignature(),
		&wsse.SignatureConfirmation{ID: "sc-1", Value: []byte("hmac-value-20-bytes!")},
		&wsse.SignatureConfirmation{},
		&wsse.SecurityTokenReference{ID: "str-1", Reference: &wsse.Reference{URI: "#x509", ValueType: wsse.ValueTypeX509v3}},
		&wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: testSCTID, ValueType: v.SCTTokenType()},
			ImpliedNonce: []byte{1, 2, 3, 4}, ImpliedLength: 16, ImpliedNS: v.Namespace()},
		wire.Any{Name: wire.QName{Space: "urn:vendor", Local: "Hint"}, Prefix: "v", Text: "x"},
	}}
}

func TestSecurityRoundTrip(t *testing.T) {
	for _, sv := range []soap.Version{soap.V12, soap.V11} {
		for _, v := range wsc.Versions {
			t.Run(sv.String()+"/"+v.String(), func(t *testing.T) {
				env := &Envelope{SOAP: sv, Headers: []Header{
					{Value: testSecurity(v), MustUnderstand: true},
					{Value: &wsse.EncryptedHeader{Data: wsse.EncryptedData{ID: "eh-1", Type: wsse.EncTypeElement,
						EncryptionMethod: &wsse.EncryptionMethod{Algorithm: wsse.AlgAES256GCM}, CipherValue: []byte{7, 7}}}, ID: "eh"},
				}, Body: []any{testDKT(v, "dk-body")}, BodyID: "_0"}
				m := secRoundTrip(t, env)
				sec, h := Find[*wsse.Security](m)
				if sec == nil {
					t.Fatal("no Security header")
				}
				kids := h.El.ChildElements()
				if len(kids) != len(sec.Items) {
					t.Fatalf("%d items for %d children", len(sec.Items), len(kids))
				}
				for i, it := range sec.Items {
					el := SecurityItemElement(h, i)
					name := reflect.TypeOf(it).String()
					if a, ok := it.(wire.Any); ok {
						name = a.Name.Local
					}
					if el != kids[i] || !strings.HasSuffix(name, el.Tag) {
						t.Errorf("item %d (%s) maps to element %s", i, name, el.Tag)
					}
				}
				if SecurityItemElement(h, len(kids)) != nil || SecurityItemElement(h, -1) != nil || SecurityItemElement(nil, 0) != nil {
					t.Error("out-of-range index gave an element")
				}
				if probs := m.Check(ProfileAuto); len(probs) > 0 {
					for _, p := range probs {
						if strings.Contains(p.Reason, "Security") || strings.Contains(p.Element, "wsse") {
							t.Errorf("check: %v", p)
						}
					}
				}
			})
		}
	}
}

func TestSecurityDecodeProblems(t *testing.T) {
	const sec = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
  xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
  xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
  xmlns:wsc="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512"
  xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><s:Header><wsse:Security s:mustUnderstand="true">
<wsu:Timestamp><wsu:Expires>2026-01-01T10:05:00Z</wsu:Expires><wsu:Created>2026-01-01T10:00:00Z</wsu:Created></wsu:Timestamp>
<wsc:DerivedKeyToken><wsc:Nonce>!!notbase64</wsc:Nonce><wsc:Offset>x</wsc:Offset><wsc:Length>1</wsc:Length><wsc:Length>2</wsc:Length></wsc:DerivedKeyToken>
<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod/></ds:SignedInfo></ds:Signature>
</wsse:Security></s:Header><s:Body/></s:Envelope>`
	m, err := Decode([]byte(sec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, p := range m.DecodeProblems() {
		reasons = append(reasons, p.Reason)
	}
	all := strings.Join(reasons, "\n")
	for _, want := range []string{"at most one Created then one Expires", "not valid base64", "out of order", "not an unsigned integer",
		"requires an Algorithm", "ds:SignatureMethod", "ds:Reference", "ds:SignatureValue"} {
		if !strings.Contains(all, want) {
			t.Errorf("no problem mentioning %q in:\n%s", want, all)
		}
	}
	sec2, _ := Find[*wsse.Security](m)
	if sec2 == nil || len(sec2.Items) != 3 {
		t.Fatalf("items: %#v", sec2)
	}
	dk, ok := sec2.Items[1].(*wsc.DerivedKeyToken)
	if !ok || dk.Nonce != nil || dk.Offset != nil || *dk.Length != 1 || len(dk.Extra) != 1 {
		t.Fatalf("dkt: %#v", sec2.Items[1])
	}
	if err := dk.Validate(); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("repeated Length not reported by Validate: %v", err)
	}
}

// TestSecurityTypedNil: a header that cannot be typed stays raw (untyped nil value), and nil
// typed values given to Encode are skipped instead of dereferenced.
func TestSecurityTypedNil(t *testing.T) {
	raw := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"><s:Header><w:EncryptedHeader/></s:Header><s:Body/></s:Envelope>`
	m, err := Decode([]byte(raw), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Headers[0].Value != nil {
		t.Fatalf("typed nil kept as header value: %#v", m.Headers[0].Value)
	}
	if len(m.DecodeProblems()) != 1 {
		t.Fatalf("problems: %v", m.DecodeProblems())
	}
	if _, err := Encode(m.ToEnvelope(), Options{AllowIllegal: true}); err != nil {
		t.Fatal(err)
	}
	env := &Envelope{SOAP: soap.V12, Headers: []Header{{Value: (*wsse.Security)(nil)},
		{Value: &wsse.Security{Items: []any{(*wsse.Timestamp)(nil), (*wsc.DerivedKeyToken)(nil)}}}}, Body: []any{(*wsc.SecurityContextToken)(nil)}}
	if _, err := Encode(env, Options{AllowIllegal: true}); err != nil {
		t.Fatal(err)
	}
}
