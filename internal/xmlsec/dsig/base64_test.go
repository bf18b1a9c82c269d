package dsig

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestDecodeBase64(t *testing.T) {
	want := []byte("derived key material \x00\xff")
	enc := base64.StdEncoding.EncodeToString(want)
	for _, in := range []string{enc, " " + enc + "\n", enc[:8] + "\n\t " + enc[8:], "\r\n" + enc[:4] + " " + enc[4:] + "\v"} {
		got, err := DecodeBase64(in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("DecodeBase64(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"!!!!", enc[:len(enc)-1], "YQ=a"} {
		if _, err := DecodeBase64(in); err == nil {
			t.Errorf("DecodeBase64(%q): no error", in)
		}
	}
}

func FuzzDecodeBase64(f *testing.F) {
	f.Add("YWJj")
	f.Add(" YW\nJj ")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := DecodeBase64(s)
		old, oldErr := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if (err == nil) != (oldErr == nil) || !bytes.Equal(got, old) {
			t.Fatalf("%q: %q %v, the split-and-join rule gives %q %v", s, got, err, old, oldErr)
		}
	})
}
