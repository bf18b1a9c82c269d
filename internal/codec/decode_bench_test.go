package codec

import (
	"os"
	"testing"

	"github.com/beevik/etree"
)

// BenchmarkDecodeSecuredMessage decodes a signed application message (the golden P11 SOAP 1.2
// fixture: WS-RM and WS-Addressing headers, a Timestamp, a DerivedKeyToken and a ds:Signature
// over eight references): the codec's share of the receive path, XML parse included.
func BenchmarkDecodeSecuredMessage(b *testing.B) {
	raw, err := os.ReadFile("../../fixtures/golden/p11-soap12/app-message.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		m, err := Decode(raw, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(m.DecodeProblems()) != 0 {
			b.Fatal(m.DecodeProblems())
		}
	}
}

// BenchmarkCheckTree: the namespace and depth check of Decode on the secured message, with
// the scope walk (new) and etree's ancestor walk (etree, the reference of the tests).
func BenchmarkCheckTree(b *testing.B) {
	raw, err := os.ReadFile("../../fixtures/golden/p11-soap12/app-message.xml")
	if err != nil {
		b.Fatal(err)
	}
	m, err := Decode(raw, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    func(*etree.Element, int) error
	}{{"scope", checkTree}, {"etree", checkTreeEtree}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.f(m.Envelope, DefaultMaxDepth); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
