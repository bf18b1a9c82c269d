package xenc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// benchEnvelope returns an envelope whose Body holds one payload element (as SOAP bodies
// usually do) that serializes to about size bytes.
func benchEnvelope(b *testing.B, size int) (*etree.Document, *etree.Element) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString(`<wsrm:Payload>`)
	for i := 0; sb.Len() < size-len(`</wsrm:Payload>`); i++ {
		fmt.Fprintf(&sb, `<wsrm:Item n="%d" u:Id="i%d"><wsa:Address>http://example.org/item/%d?x=1&amp;y=2</wsa:Address>text %d</wsrm:Item>`, i, i, i, i)
	}
	sb.WriteString(`</wsrm:Payload>`)
	head := testEnvelope[:strings.Index(testEnvelope, `<s:Body`)]
	env := head + `<s:Body u:Id="body-1">` + sb.String() + `</s:Body></s:Envelope>`
	doc := parseDoc(b, env)
	body := mustFind(b, doc.Root(), nsSOAP, "Body")
	return doc, body
}

var benchSizes = []int{1 << 10, 16 << 10}

func BenchmarkEncryptContent(b *testing.B) {
	for _, alg := range []string{AES256CBC, AES256GCM} {
		for _, size := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dKiB", shortName(alg), size>>10), func(b *testing.B) {
				_, body := benchEnvelope(b, size)
				key := newKey(b, 32)
				content := append([]etree.Token(nil), body.Child...)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := EncryptContent(body, key, alg, EncryptOptions{ID: "ed"}); err != nil {
						b.Fatal(err)
					}
					body.RemoveChildAt(0) // restore the clear content (cheap pointer moves)
					for _, t := range content {
						body.AddChild(t)
					}
				}
			})
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	for _, alg := range []string{AES256CBC, AES256GCM} {
		for _, size := range benchSizes {
			b.Run(fmt.Sprintf("%s/%dKiB", shortName(alg), size>>10), func(b *testing.B) {
				_, body := benchEnvelope(b, size)
				key := newKey(b, 32)
				ed, err := EncryptContent(body, key, alg, EncryptOptions{ID: "ed"})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Decrypt(ed, key); err != nil {
						b.Fatal(err)
					}
					for len(body.Child) > 0 { // put the EncryptedData back
						body.RemoveChildAt(len(body.Child) - 1)
					}
					body.AddChild(ed)
				}
			})
		}
	}
}
