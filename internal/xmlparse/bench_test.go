package xmlparse

import (
	"os"
	"testing"
)

// The ~3 KiB signed envelope: WS-Security header (Timestamp, DerivedKeyToken, Signature
// with four References), wsrm:Sequence, WS-Addressing headers and a Body.
func loadEnvelope(b *testing.B) []byte {
	raw, err := os.ReadFile("testdata/signed-envelope.xml")
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func BenchmarkParse(b *testing.B) {
	raw := loadEnvelope(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEtreeReadFromBytes(b *testing.B) {
	raw := loadEnvelope(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reference(raw); err != nil {
			b.Fatal(err)
		}
	}
}
