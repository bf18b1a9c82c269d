package schemas

import (
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkValidateSignedAppMessage validates a typical secured application message:
// SOAP 1.2, WS-Addressing headers, wsrm:Sequence and wsrm:AckRequested, wsse:Security with
// wsu:Timestamp, wsc:SecurityContextToken, wsc:DerivedKeyToken and a ds:Signature with six
// References, about 1 KiB of body.
func BenchmarkValidateSignedAppMessage(b *testing.B) {
	doc := readTestdata(b, "p11-signed-app-message.xml")
	if p := testValidator.Validate(doc); p != nil {
		b.Fatalf("benchmark message is not valid: %v", p)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := testValidator.Validate(doc); p != nil {
			b.Fatal(p)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "validations/s")
}

// BenchmarkValidateSignedAppMessageParallel is the same from GOMAXPROCS goroutines.
func BenchmarkValidateSignedAppMessageParallel(b *testing.B) {
	doc := readTestdata(b, "p11-signed-app-message.xml")
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if p := testValidator.Validate(doc); p != nil {
				b.Error(p)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "validations/s")
}

// FuzzValidate checks that no input makes validation panic or write garbage problems, and
// that Validate is ValidateElement plus the Envelope requirement.
func FuzzValidate(f *testing.F) {
	files, err := filepath.Glob("testdata/*.xml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed corpus: %v", err)
	}
	for _, name := range files {
		f.Add(readTestdata(f, filepath.Base(name)))
	}
	f.Add([]byte("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"))
	f.Add(utf16le("<a/>"))
	f.Add([]byte("\xef\xbb\xbf<a/>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		whole := testValidator.Validate(doc)
		elem := testValidator.ValidateElement(doc)
		if whole == nil && elem != nil {
			t.Fatalf("valid as a message but not as an element: %v", elem)
		}
		for _, p := range append(whole, elem...) {
			if p.Reason == "" || strings.ContainsAny(p.Reason, "\r\n") || p.Line < 0 || p.Column < 0 ||
				(p.Column > 0 && p.Line == 0) {
				t.Fatalf("malformed problem %#v", p)
			}
		}
	})
}
