package bootstrap

import (
	"testing"
	"time"

	"github.com/beevik/etree"
)

// FuzzVerify: Verify never panics on any input, whatever the tree. Seeds are messages Sign
// wrote, so mutations start from a structure that reaches signature verification.
func FuzzVerify(f *testing.F) {
	p := fixturePKI(f)
	for _, e := range envelopes {
		f.Add([]byte(signedXML(f, e.xml, p.initiator)))
	}
	f.Add([]byte(rst12))
	f.Add([]byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><o:Security xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" s:mustUnderstand="1"/></s:Header><s:Body/></s:Envelope>`))
	opts := VerifyOptions{Roots: p.ca.Pool(), Now: testNow.Add(time.Minute)}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc := etree.NewDocument()
		doc.ReadSettings.Permissive = false
		if err := doc.ReadFromBytes(data); err != nil {
			return
		}
		res, err := Verify(doc, opts)
		if err == nil && (res == nil || res.Cert == nil || len(res.Signed) < 2) {
			t.Fatalf("accepted without a complete result: %+v", res)
		}
	})
}
