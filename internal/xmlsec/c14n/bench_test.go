package c14n

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// benchEnvelope builds a SOAP 1.2 envelope with a WS-Security-like header
// and a Body of about payload octets of structured content (elements,
// attributes, escaped text), the shape a signed RM message has.
func benchEnvelope(payload int) string {
	var body strings.Builder
	for i := 0; body.Len() < payload; i++ {
		fmt.Fprintf(&body, `<m:Item n="%d" kind="a&amp;b"><m:Text>line %d &lt;data&gt; &amp; more text here</m:Text></m:Item>`, i, i)
	}
	return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"` +
		` xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"` +
		` xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">` +
		`<s:Header><a:Action s:mustUnderstand="1" u:Id="_1">http://example.com/Ping</a:Action>` +
		`<a:To s:mustUnderstand="1" u:Id="_2">http://example.com/svc</a:To>` +
		`<o:Security s:mustUnderstand="1"><u:Timestamp u:Id="_ts"><u:Created>2026-01-01T00:00:00Z</u:Created>` +
		`<u:Expires>2026-01-01T00:05:00Z</u:Expires></u:Timestamp></o:Security></s:Header>` +
		`<s:Body u:Id="_0"><m:Ping xmlns:m="urn:example:ping">` + body.String() + `</m:Ping></s:Body></s:Envelope>`
}

func benchDigest(b *testing.B, xml, id string, opt Options) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		b.Fatal(err)
	}
	el := findByID(doc.Root(), id)
	if el == nil {
		b.Fatalf("no element %s", id)
	}
	var n countWriter
	if err := Canonicalize(&n, el, opt); err != nil {
		b.Fatal(err)
	}
	h := sha256.New()
	sum := make([]byte, 0, sha256.Size)
	b.SetBytes(int64(n.n))
	b.ReportAllocs()
	for b.Loop() {
		h.Reset()
		if err := Canonicalize(h, el, opt); err != nil {
			b.Fatal(err)
		}
		sum = h.Sum(sum[:0])
	}
}

// BenchmarkBodySHA256 canonicalizes the SOAP Body (in its envelope
// context) straight into SHA-256, as a ds:Reference digest does.
func BenchmarkBodySHA256(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10, 256 << 10} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			benchDigest(b, benchEnvelope(size), "_0", Options{})
		})
	}
}

// BenchmarkSmallElementSHA256 covers the other references of a signed
// message: header blocks and the timestamp.
func BenchmarkSmallElementSHA256(b *testing.B) {
	env := benchEnvelope(1 << 10)
	for _, id := range []string{"_1", "_ts"} {
		b.Run(id, func(b *testing.B) { benchDigest(b, env, id, Options{}) })
	}
	b.Run("_ts-inclusive", func(b *testing.B) {
		benchDigest(b, env, "_ts", Options{InclusivePrefixes: []string{"#default", "s", "o"}})
	})
}

func BenchmarkDocumentWithComments(b *testing.B) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(benchEnvelope(16 << 10)); err != nil {
		b.Fatal(err)
	}
	h := sha256.New()
	b.ReportAllocs()
	for b.Loop() {
		h.Reset()
		if err := CanonicalizeDocument(h, doc, Options{WithComments: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizeInputNoop(b *testing.B) {
	src := []byte(benchEnvelope(16 << 10))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		NormalizeInput(src)
	}
}

// TestSmallElementAllocs pins the steady-state allocation count of the hot
// path: canonicalizing a header block into a hash allocates nothing.
func TestSmallElementAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	doc := parseDoc(t, benchEnvelope(1<<10))
	el := findByID(doc.Root(), "_1")
	h := sha256.New()
	Canonicalize(h, el, Options{}) // warm the pool
	allocs := testing.AllocsPerRun(200, func() {
		h.Reset()
		if err := Canonicalize(h, el, Options{InclusivePrefixes: []string{"#default"}}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Fatalf("Canonicalize of a header block allocates %.1f times per call", allocs)
	}
}
