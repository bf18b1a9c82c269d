package codec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/xmltree/xmltreetest"
)

var updateBuild = flag.Bool("update-build", false, "rewrite testdata/build.sha256 from the current Build")

// buildGolden holds, per case of buildCases, a digest of the tree Build makes (etree's
// serialization, WriteDocument's, and a structural dump with indexes and character-data
// flags). It was written by the etree-only Build (CreateElement/CreateAttr/SetText) before
// Build moved to xmltree.Builder, so the test pins the new trees to the old ones.
const buildGolden = "testdata/build.sha256"

type buildCase struct {
	name string
	env  *Envelope
}

// appEnvelope is a typical application message of the peers: wsa headers, wsrm Sequence and
// AckRequested, an application body (peer/common.go appBody).
func appEnvelope(sv soap.Version) *Envelope {
	return &Envelope{
		SOAP: sv,
		Addressing: &wsa.Headers{Version: wsa.V10, Action: "urn:rspcheck:app:Deliver", To: "http://localhost:8080/rm",
			MessageID: "urn:uuid:6b1f7c1e-2d1a-4f0e-9c44-0a1b2c3d4e5f"},
		Headers: []Header{
			{Value: &wsrm.Sequence{V: wsrm.V200702, Identifier: "urn:uuid:1f8e5a52-7c2b-4d3e-9a61-2b7c4d5e6f70", MessageNumber: 17}, MustUnderstand: true},
			{Value: &wsrm.AckRequested{V: wsrm.V200702, Identifier: "urn:uuid:1f8e5a52-7c2b-4d3e-9a61-2b7c4d5e6f70"}},
		},
		Body: []any{wire.Any{Name: wire.QName{Space: "urn:rspcheck:app", Local: "Data"}, Prefix: "app",
			Text: strings.Repeat("0123456789abcdef", 8)}},
	}
}

// oddEnvelopes exercise the writer's corners: prefix collisions, unqualified and xml:
// attributes, default-namespace undeclaration, copied raw elements with text, comments and
// white space, faults of both SOAP versions, reference parameters of both WS-A versions.
func oddEnvelopes(t testing.TB) []buildCase {
	// Only one prefix (x) is inherited by the copied element: copyInScope declares several
	// in map order.
	raw := etree.NewDocument()
	if err := raw.ReadFromString(`<x:Outer xmlns:x="urn:x"><x:In xmlns:y="urn:y" y:a="1">  <!--c--> text <y:Leaf/>
 </x:In></x:Outer>`); err != nil {
		t.Fatal(err)
	}
	inner := raw.Root().SelectElement("In")
	def := etree.NewDocument()
	if err := def.ReadFromString(`<Root xmlns="urn:default"><Kid>v</Kid><Empty/></Root>`); err != nil {
		t.Fatal(err)
	}
	anyDefault := wire.Any{Name: wire.QName{Local: "Plain"}, Text: "p",
		Attrs: []wire.Attr{{Name: wire.QName{Local: "k"}, Value: "v"}, {Name: wire.QName{Space: "http://www.w3.org/XML/1998/namespace", Local: "lang"}, Value: "en"},
			{Name: wire.QName{Space: "urn:attr-ns", Local: "q"}, Value: "w"}, {Name: wire.QName{Local: "k"}, Value: "again"}},
		Children: []wire.Any{{Name: wire.QName{Local: "Child"}, Text: " "}, {Name: wire.QName{Space: "urn:other", Local: "Q"}, Prefix: "s", Text: "\n\t"}}}
	collide := []any{
		wire.Any{Name: wire.QName{Space: "urn:a", Local: "A"}, Prefix: "ns"},
		wire.Any{Name: wire.QName{Space: "urn:b", Local: "B"}, Prefix: "ns", Children: []wire.Any{{Name: wire.QName{Space: "urn:c", Local: "C"}}}},
		wire.Any{Name: wire.QName{Space: "urn:a", Local: "A2"}, Prefix: "zz", Text: "<&>\"'"},
		anyDefault,
		def.Root(),
		&wire.Any{Name: wire.QName{Space: "urn:a", Local: "Ptr"}},
	}
	epr := &wsa.EPR{Address: "http://example/epr",
		ReferenceParameters: []wire.Any{{Name: wire.QName{Space: "urn:rp", Local: "Key"}, Prefix: "rp", Text: "42",
			Attrs: []wire.Attr{{Name: wire.QName{Local: "id"}, Value: "k1"}}}},
		Metadata: []wire.Any{{Name: wire.QName{Space: "urn:md", Local: "M"}, Prefix: "md"}},
		Extra:    []wire.Any{{Name: wire.QName{Space: "urn:x", Local: "Ext"}, Prefix: "x"}}}
	full := func(v wsa.Version) *wsa.Headers {
		return &wsa.Headers{Version: v, Action: "urn:act", To: "http://to", MessageID: "urn:uuid:m",
			RelatesTo: []wsa.RelatesTo{{URI: "urn:uuid:r1"}, {URI: "urn:uuid:r2", RelationshipType: "urn:rel"}},
			From:      epr, ReplyTo: epr, FaultTo: &wsa.EPR{Address: "http://fault"}}
	}
	var out []buildCase
	for _, sv := range []soap.Version{soap.V12, soap.V11} {
		out = append(out,
			buildCase{"app/" + sv.String(), appEnvelope(sv)},
			buildCase{"collide/" + sv.String(), &Envelope{SOAP: sv, Body: collide, BodyID: "body-1",
				Headers: []Header{{Value: inner, MustUnderstand: true, Role: "urn:role", ID: "h1"}, {Value: anyDefault}}}},
			buildCase{"wsa10-full/" + sv.String(), &Envelope{SOAP: sv, Addressing: full(wsa.V10),
				AddressingAttrs: map[string]Attrs{wsa.Action: {MustUnderstand: true, ID: "a"}, wsa.To: {Role: "urn:r"}},
				Headers:         ReferenceHeaders(wsa.V10, epr)}},
			buildCase{"wsa0408-full/" + sv.String(), &Envelope{SOAP: sv, Addressing: full(wsa.V200408),
				Headers: append(ReferenceHeaders(wsa.V200408, epr),
					Header{Value: AddressingHeader{Local: wsa.To}, MustUnderstand: true},
					Header{Value: AddressingHeader{Local: wsa.Relates, Index: 1}, ID: "rel"},
					Header{Value: AddressingHeader{Local: wsa.Action}})}},
			buildCase{"fault/" + sv.String(), &Envelope{SOAP: sv, Body: []any{&soap.Fault{
				Code: soap.Sender, Subcodes: []wire.QName{{Space: wsrm.NS200702, Local: "UnknownSequence"}},
				Reason: "The value of wsrm:Identifier is not a known Sequence identifier", Lang: "en", Node: "urn:node", Role: "urn:role",
				Detail: []wire.Any{{Name: wire.QName{Space: wsrm.NS200702, Local: "Identifier"}, Prefix: "wsrm", Text: "urn:uuid:x"}}}}}},
			buildCase{"empty/" + sv.String(), &Envelope{SOAP: sv}},
		)
		for _, v := range wsc.Versions {
			out = append(out, buildCase{"security/" + sv.String() + "/" + v.String(), &Envelope{SOAP: sv, Headers: []Header{
				{Value: testSecurity(v), MustUnderstand: true},
				{Value: &wsse.EncryptedHeader{Data: wsse.EncryptedData{ID: "eh-1", Type: wsse.EncTypeElement,
					EncryptionMethod: &wsse.EncryptionMethod{Algorithm: wsse.AlgAES256GCM}, CipherValue: []byte{7, 7}}}, ID: "eh"},
			}, Body: []any{testDKT(v, "dk-body")}, BodyID: "_0"}})
		}
	}
	for _, v := range wst.Versions {
		for i, body := range []any{testIssueRST(v), testIssueRSTR(v),
			&wst.RequestSecurityTokenResponseCollection{V: v, Responses: []*wst.RequestSecurityTokenResponse{testIssueRSTR(v), {V: v, RequestedTokenCancelled: true}}},
			testSCT(v.SC())} {
			out = append(out, buildCase{fmt.Sprintf("trust/%s/%d", v, i), &Envelope{SOAP: soap.V12, Body: []any{body}}})
		}
	}
	return out
}

// buildCases: every golden fixture and security seed re-encoded from its typed form, then
// oddEnvelopes.
func buildCases(t testing.TB) []buildCase {
	var out []buildCase
	decode := func(name string, raw []byte) {
		m, err := Decode(raw, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, buildCase{name, m.ToEnvelope()})
	}
	for _, f := range goldenFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		decode(strings.TrimPrefix(filepath.ToSlash(f), "../../fixtures/"), raw)
	}
	var seeds []string
	for name := range securitySeeds {
		seeds = append(seeds, name)
	}
	sort.Strings(seeds)
	for _, name := range seeds {
		decode("seed/"+name, []byte(securitySeeds[name]))
	}
	return append(out, oddEnvelopes(t)...)
}

// buildDigest is the digest recorded in buildGolden for one built document, and the text it
// is computed over (printed on a mismatch).
func buildDigest(t testing.TB, doc *etree.Document) (string, string) {
	var sb strings.Builder
	for i, c := range doc.Child {
		xmltreetest.Dump(t, &sb, c, &doc.Element, i)
	}
	sb.WriteString("\n")
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	sb.WriteString(s)
	sb.WriteString("\n")
	var buf bytes.Buffer
	WriteDocument(&buf, doc)
	sb.Write(buf.Bytes())
	sum := sha256.Sum256([]byte(sb.String()))
	return hex.EncodeToString(sum[:]), sb.String()
}

// TestBuildGolden: Build makes, for a representative set of envelopes, exactly the trees the
// etree-only Build made (same names, attributes and their order, text, character-data flags,
// indexes; same bytes from etree's writer and from WriteDocument).
func TestBuildGolden(t *testing.T) {
	cases := buildCases(t)
	got := make(map[string]string, len(cases))
	texts := make(map[string]string, len(cases))
	var order []string
	for _, c := range cases {
		doc, err := Build(c.env, Options{AllowIllegal: true})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		sum, text := buildDigest(t, doc)
		if _, dup := got[c.name]; dup {
			t.Fatalf("duplicate case name %s", c.name)
		}
		got[c.name] = sum
		texts[c.name] = text
		order = append(order, c.name)
	}
	xmltreetest.Golden(t, buildGolden, *updateBuild, order, got, texts)
}

// BenchmarkBuildAppMessage: the envelope of a typical application message (before
// wssec.Apply adds the Security header).
func BenchmarkBuildAppMessage(b *testing.B) {
	env := appEnvelope(soap.V12)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Build(env, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildSecurity: a Security header with every item type, as the suite writes them.
func BenchmarkBuildSecurity(b *testing.B) {
	env := &Envelope{SOAP: soap.V12, Headers: []Header{{Value: testSecurity(wsc.V200512), MustUnderstand: true}}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Build(env, Options{AllowIllegal: true}); err != nil {
			b.Fatal(err)
		}
	}
}
