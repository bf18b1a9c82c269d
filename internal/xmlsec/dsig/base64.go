package dsig

import (
	"encoding/base64"
	"strings"
)

// DecodeBase64 decodes xs:base64Binary element content (DigestValue, SignatureValue, Nonce):
// standard base64 in which white space may appear anywhere. Content made of base64 alphabet
// characters only (what every stack writes) is decoded as it is; anything else has its white
// space removed first, as strings.Fields defines it — the rule this replaces, which split
// and joined every value (measured: a third of the time spent reading a SignedInfo).
func DecodeBase64(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if !b64Alphabet[s[i]] {
			s = strings.Join(strings.Fields(s), "")
			break
		}
	}
	return base64.StdEncoding.DecodeString(s)
}

var b64Alphabet = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=" {
		t[c] = true
	}
	return t
}()
