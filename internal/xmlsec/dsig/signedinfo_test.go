package dsig

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// TestAppendBase64: appendBase64 appends exactly what DecodeBase64 decodes, and fails where
// it fails, for plain text, white space anywhere, bad input, and text longer than its stack
// buffer.
func TestAppendBase64(t *testing.T) {
	long := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5, 1, 2}, 200))
	for _, in := range []string{"", "YWJj", " YW\nJj ", "YQ==", "YQ=a", "!!!!", "YWJ", "\u00a0YWJj\u0085", long, long[:60] + "\n" + long[60:], long + "="} {
		for _, prefix := range [][]byte{nil, []byte("head"), make([]byte, 2, 8)} {
			want, wantErr := DecodeBase64(in)
			got, err := appendBase64(bytes.Clone(prefix), in)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%q: error %v, DecodeBase64 %v", in, err, wantErr)
			}
			if err == nil && !bytes.Equal(got, append(bytes.Clone(prefix), want...)) {
				t.Fatalf("%q after %q: %q, want %q", in, prefix, got, want)
			}
			if !bytes.Equal(got[:len(prefix)], prefix) {
				t.Fatalf("%q: prefix changed", in)
			}
		}
	}
}

func FuzzAppendBase64(f *testing.F) {
	f.Add("YWJj", []byte("x"))
	f.Add(" YW\nJj ", []byte(nil))
	f.Fuzz(func(t *testing.T, s string, prefix []byte) {
		want, wantErr := DecodeBase64(s)
		got, err := appendBase64(bytes.Clone(prefix), s)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, DecodeBase64 %v", s, err, wantErr)
		}
		if err == nil && !bytes.Equal(got, append(bytes.Clone(prefix), want...)) {
			t.Fatalf("%q: %q, want %q", s, got, want)
		}
	})
}

// TestIsDSChild: the parent shortcut answers as etree's NamespaceURI for children with the
// parent's prefix, another prefix, their own (re)declaration, or the default namespace.
func TestIsDSChild(t *testing.T) {
	doc := etree.NewDocument()
	err := doc.ReadFromString(`<ds:P xmlns:ds="` + NS + `" xmlns:x="` + NS + `" xmlns:y="urn:y">` +
		`<ds:A/><x:A/><y:A/><ds:A xmlns:ds="urn:evil"/><ds:A xmlns:ds="` + NS + `"/><A/><A xmlns="` + NS + `"/>` +
		`<ds:A xmlns:dup="urn:d" xmlns:ds="urn:first"/><ds:B/></ds:P>`)
	if err != nil {
		t.Fatal(err)
	}
	parent := doc.Root()
	n := 0
	for c := range parent.ChildElementsSeq() {
		for _, local := range []string{"A", "B"} {
			want := c.Tag == local && c.NamespaceURI() == NS
			if got := isDSChild(parent, c, local); got != want {
				t.Errorf("child %d <%s %v> as ds:%s: %v, etree says %v", n, c.FullTag(), c.Attr, local, got, want)
			}
		}
		n++
	}
	// A detached element is resolved by etree, not by the shortcut.
	lone := etree.NewElement("ds:A")
	if isDSChild(parent, lone, "A") {
		t.Error("an element that is not a child of parent took the parent's namespace")
	}
}

// TestDuplicateURIs: a URI referenced twice is refused below and above the size where the
// duplicate check moves from a scan to a set (MaxReferences raised).
func TestDuplicateURIs(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	for _, n := range []int{2, 64, 65, 100} {
		_, sig := signed(t, key, SignOptions{})
		si := sig.FindElement("SignedInfo")
		ref := si.FindElement("Reference")
		for i := 2; i < n; i++ {
			c := ref.Copy()
			c.CreateAttr("URI", fmt.Sprintf("#x%d", i))
			si.AddChild(c)
		}
		// With unique URIs the references dangle: the duplicate check comes first, so a
		// duplicate is reported as such, and without one the error is about a dangling URI.
		_, err := Verify(sig, VerifyOptions{Key: hmacKey(key), MaxReferences: 1000})
		if !errors.Is(err, ErrReference) && n > 2 {
			t.Fatalf("%d unique references: %v", n, err)
		}
		last := si.ChildElements()[len(si.ChildElements())-1]
		last.CreateAttr("URI", ref.SelectAttrValue("URI", ""))
		_, err = Verify(sig, VerifyOptions{Key: hmacKey(key), MaxReferences: 1000})
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "referenced twice") {
			t.Fatalf("%d references, one twice: %v", n, err)
		}
	}
}
