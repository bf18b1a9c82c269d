package xenc

import (
	"bytes"
	"errors"
	"testing"

	"github.com/beevik/etree"
)

// Fixed keys, so that seeds stay decryptable across runs.
var (
	fuzzKey16 = bytes.Repeat([]byte{0x16}, 16)
	fuzzKey24 = bytes.Repeat([]byte{0x24}, 24)
	fuzzKey32 = bytes.Repeat([]byte{0x32}, 32)
)

func fuzzKey(alg string) []byte {
	switch keySizes[alg] {
	case 16:
		return fuzzKey16
	case 24:
		return fuzzKey24
	}
	return fuzzKey32
}

// FuzzDecrypt feeds arbitrary XML to Decrypt: it must never panic, and any error must be one
// of the documented kinds.
func FuzzDecrypt(f *testing.F) {
	for _, alg := range blockAlgURIs {
		for _, el := range []bool{false, true} {
			doc := parseDoc(f, testEnvelope)
			var err error
			if el {
				_, err = EncryptElement(mustFind(f, doc.Root(), nsWSRM, "Sequence"), fuzzKey(alg), alg, EncryptOptions{ID: "x"})
			} else {
				_, err = EncryptContent(mustFind(f, doc.Root(), nsSOAP, "Body"), fuzzKey(alg), alg, EncryptOptions{KeyInfo: keyName("k")})
			}
			if err != nil {
				f.Fatal(err)
			}
			f.Add([]byte(writeDoc(f, doc)))
		}
	}
	f.Add([]byte(`<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Content"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc := etree.NewDocument()
		doc.ReadSettings.PreserveCData = true
		if doc.ReadFromBytes(data) != nil || doc.Root() == nil {
			return
		}
		ed := find(doc.Root(), NS, "EncryptedData")
		if ed == nil {
			return
		}
		alg, _ := attr(child(ed, NS, "EncryptionMethod"), "Algorithm")
		_, err := Decrypt(ed, fuzzKey(alg))
		if err != nil && !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrMalformed) &&
			!errors.Is(err, ErrUnsupportedAlgorithm) && !errors.Is(err, ErrKeySize) {
			t.Fatalf("undocumented error: %v", err)
		}
		if err == nil {
			if _, werr := doc.WriteToBytes(); werr != nil {
				t.Fatal(werr)
			}
		}
	})
}

// FuzzDecryptPlaintext reaches the fragment parser with arbitrary decrypted bytes (FuzzDecrypt
// almost never produces a valid cipher text): never a panic, either exactly ErrDecrypt or a
// fragment that survives a second encryption round trip.
func FuzzDecryptPlaintext(f *testing.F) {
	for _, s := range []string{
		`<wsrm:CreateSequence><wsrm:AcksTo/></wsrm:CreateSequence>`, `text <a x="1">&amp;</a><!--c-->`,
		`<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`, `</w><w>`, `<![CDATA[x]]>`, `<?pi x?>`, `<a xmlns:p="">`,
		`<p:a xmlns:p="urn:p" p:b="&#xD;"/>`, "\xff", "",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, pt []byte, element bool) {
		typ := TypeContent
		if element {
			typ = TypeElement
		}
		doc, body := inBody(t, sealed(t, AES128GCM, typ, fuzzKey16, pt))
		nodes, err := Decrypt(body.Child[0].(*etree.Element), fuzzKey16)
		if err != nil {
			if err != ErrDecrypt {
				t.Fatalf("got %v, want exactly ErrDecrypt", err)
			}
			return
		}
		first := writeDoc(t, doc)
		ed, err := EncryptContent(body, fuzzKey16, AES128GCM, EncryptOptions{})
		if err != nil {
			t.Fatalf("re-encrypting %d decrypted nodes: %v", len(nodes), err)
		}
		if _, err := Decrypt(ed, fuzzKey16); err != nil {
			t.Fatalf("second round trip of %q: %v", pt, err)
		}
		if second := writeDoc(t, doc); second != first {
			t.Fatalf("second round trip changed\n%s\n%s", first, second)
		}
	})
}
