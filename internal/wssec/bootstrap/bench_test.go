package bootstrap

import (
	"testing"
)

// BenchmarkSign signs an RST/SCT (rst12: SOAP 1.2, four WS-Addressing headers, RST body),
// parsing the unsigned message each time as a sender building it would.
func BenchmarkSign(b *testing.B) {
	p := fixturePKI(b)
	b.ReportAllocs()
	for b.Loop() {
		doc := parse(b, rst12)
		if err := Sign(doc, p.initiator, Options{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies the signed RST/SCT (chain check, six references, RSA-2048),
// parsing it each time as a receiver would.
func BenchmarkVerify(b *testing.B) {
	p := fixturePKI(b)
	msg := signedXML(b, rst12, p.initiator)
	opts := verifyOpts(p)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(parse(b, msg), opts); err != nil {
			b.Fatal(err)
		}
	}
}
