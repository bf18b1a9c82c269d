package dsig

import "testing"

// BenchmarkVerifyGolden verifies the golden P11 application message (HMAC-SHA1 over eight
// exclusive-c14n references) signed by xmlsec1.
func BenchmarkVerifyGolden(b *testing.B) {
	doc := load(b, "../../../fixtures/golden/p11-soap12/app-message.xml")
	sig := findSig(doc)
	opt := VerifyOptions{Key: hmacKey(derivedKey(b))}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(sig, opt); err != nil {
			b.Fatal(err)
		}
	}
}
