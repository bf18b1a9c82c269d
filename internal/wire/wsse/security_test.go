package wsse

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire"
)

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected violation: %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want violation containing %q, got %v", want, err)
	}
}

func TestTimestampValidate(t *testing.T) {
	cases := []struct {
		name string
		ts   Timestamp
		want string
	}{
		{"created and expires", Timestamp{Created: "2026-01-01T10:00:00Z", Expires: "2026-01-01T10:05:00.123Z"}, ""},
		{"created only", Timestamp{Created: "2026-01-01T10:00:00Z"}, ""},
		{"expires only", Timestamp{Expires: "2026-01-01T10:00:00+00:00"}, ""},
		{"not a dateTime", Timestamp{Created: "yesterday"}, "not an xs:dateTime"},
		{"not UTC", Timestamp{Created: "2026-01-01T10:00:00+02:00"}, "not in UTC"},
		{"no zone", Timestamp{Created: "2026-01-01T10:00:00"}, "not in UTC"},
		{"expires before created", Timestamp{Created: "2026-01-01T10:05:00Z", Expires: "2026-01-01T10:00:00Z"}, "not later than Created"},
		{"expires equals created", Timestamp{Created: "2026-01-01T10:05:00Z", Expires: "2026-01-01T10:05:00Z"}, "not later than Created"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.ts.Validate(), c.want) })
	}
	c, e, err := (&Timestamp{Created: "2026-01-01T10:00:00Z", Expires: "2026-01-01T10:05:00Z"}).Times()
	if err != nil || e.Sub(c).Minutes() != 5 {
		t.Fatalf("Times: %v %v %v", c, e, err)
	}
}

func TestSecurityValidate(t *testing.T) {
	ts := func() *Timestamp { return &Timestamp{Created: "2026-01-01T10:00:00Z"} }
	cases := []struct {
		name string
		sec  Security
		want string
	}{
		{"one timestamp", Security{Items: []any{ts(), wire.Any{Name: wire.QName{Space: "urn:x", Local: "y"}}}}, ""},
		{"two timestamps", Security{Items: []any{ts(), ts()}}, "more than one wsu:Timestamp"},
		{"item violation is prefixed by the occurrence of its name", Security{Items: []any{ts(), &BinarySecurityToken{Value: []byte{1}}, &BinarySecurityToken{}}}, "BinarySecurityToken[1]: "},
		{"nil item ignored", Security{Items: []any{(*Signature)(nil)}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.sec.Validate(), c.want) })
	}
	s := &Security{Items: []any{&BinarySecurityToken{Value: []byte{1}}, ts()}}
	if s.Timestamp() == nil || len(ItemsOf[*BinarySecurityToken](s)) != 1 {
		t.Fatal("finders")
	}
}

func TestBSTValidate(t *testing.T) {
	checkErr(t, (&BinarySecurityToken{ValueType: ValueTypeX509v3, Value: []byte{0x30}}).Validate(), "")
	checkErr(t, (&BinarySecurityToken{ValueType: ValueTypeX509v3}).Validate(), "no token data")
}

func goodSignature() *Signature {
	return &Signature{
		SignedInfo: SignedInfo{
			CanonicalizationMethod: CanonicalizationMethod{Algorithm: AlgExcC14N},
			SignatureMethod:        SignatureMethod{Algorithm: AlgHMACSHA1},
			References: []DSReference{{URI: "#_0", Transforms: []Transform{{Algorithm: AlgExcC14N}},
				DigestMethod: AlgSHA1, DigestValue: []byte{1, 2, 3}}},
		},
		SignatureValue: []byte{9, 9},
		KeyInfo:        &KeyInfo{STR: &SecurityTokenReference{Reference: &Reference{URI: "#dk-1"}}},
	}
}

func TestSignatureValidate(t *testing.T) {
	mod := func(f func(*Signature)) *Signature { s := goodSignature(); f(s); return s }
	n := func(i int) *int { return &i }
	cases := []struct {
		name string
		sig  *Signature
		want string
	}{
		{"valid", goodSignature(), ""},
		{"no reference", mod(func(s *Signature) { s.SignedInfo.References = nil }), "at least one ds:Reference"},
		{"no digest method", mod(func(s *Signature) { s.SignedInfo.References[0].DigestMethod = "" }), "no DigestMethod"},
		{"no digest value", mod(func(s *Signature) { s.SignedInfo.References[0].DigestValue = nil }), "no DigestValue"},
		{"no c14n algorithm", mod(func(s *Signature) { s.SignedInfo.CanonicalizationMethod.Algorithm = "" }), "CanonicalizationMethod requires"},
		{"no signature algorithm", mod(func(s *Signature) { s.SignedInfo.SignatureMethod.Algorithm = "" }), "SignatureMethod requires"},
		{"transform without algorithm", mod(func(s *Signature) { s.SignedInfo.References[0].Transforms[0].Algorithm = "" }), "Transform requires"},
		{"empty signature value", mod(func(s *Signature) { s.SignatureValue = nil }), "SignatureValue is empty"},
		{"HMAC output 160", mod(func(s *Signature) { s.SignedInfo.SignatureMethod.HMACOutputLength = n(160) }), ""},
		{"HMAC output truncated below 80", mod(func(s *Signature) { s.SignedInfo.SignatureMethod.HMACOutputLength = n(64) }), "HMACOutputLength 64"},
		{"HMAC-SHA256 output below half", mod(func(s *Signature) {
			s.SignedInfo.SignatureMethod = SignatureMethod{Algorithm: AlgHMACSHA256, HMACOutputLength: n(96)}
		}), "below 128"},
		{"empty KeyInfo", mod(func(s *Signature) { s.KeyInfo = &KeyInfo{} }), "KeyInfo is empty"},
		{"KeyInfo STR empty", mod(func(s *Signature) { s.KeyInfo.STR = &SecurityTokenReference{} }), "has no Reference"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.sig.Validate(), c.want) })
	}
}

func TestEncryptionValidate(t *testing.T) {
	cases := []struct {
		name string
		v    interface{ Validate() error }
		want string
	}{
		{"encrypted key", &EncryptedKey{EncryptionMethod: &EncryptionMethod{Algorithm: AlgRSAOAEPMGF1P, DigestMethod: AlgSHA1},
			CipherValue: []byte{1}, ReferenceList: &ReferenceList{DataReferences: []string{"#ed-1"}}}, ""},
		{"encrypted key without cipher", &EncryptedKey{EncryptionMethod: &EncryptionMethod{Algorithm: AlgKWAES256}}, "neither a CipherValue"},
		{"encrypted key both cipher forms", &EncryptedKey{CipherValue: []byte{1}, CipherReference: &wire.Any{}}, "both a CipherValue"},
		{"method without algorithm", &EncryptedData{EncryptionMethod: &EncryptionMethod{}, CipherValue: []byte{1}}, "requires an Algorithm"},
		{"encrypted data", &EncryptedData{Type: EncTypeContent, EncryptionMethod: &EncryptionMethod{Algorithm: AlgAES256CBC}, CipherValue: []byte{1}}, ""},
		{"encrypted key empty reference list", &EncryptedKey{CipherValue: []byte{1}, ReferenceList: &ReferenceList{}}, "at least one DataReference"},
		{"reference list", &ReferenceList{KeyReferences: []string{"#k"}}, ""},
		{"reference list empty", &ReferenceList{}, "at least one DataReference"},
		{"reference without URI", &ReferenceList{DataReferences: []string{""}}, "requires a URI"},
		{"encrypted header", &EncryptedHeader{Data: EncryptedData{CipherValue: []byte{1}}}, ""},
		{"encrypted header without cipher", &EncryptedHeader{}, "EncryptedData/CipherData"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.v.Validate(), c.want) })
	}
}

func TestFaultCodes(t *testing.T) {
	for _, c := range Codes {
		if got, ok := FaultCodeOf(c.QName()); !ok || got != c {
			t.Errorf("%s", c)
		}
	}
	if c, ok := FaultCodeOf(wire.QName{Space: NSWSU, Local: "MessageExpired"}); !ok || c != MessageExpired {
		t.Error("wsu:MessageExpired not accepted")
	}
	if InvalidSecurity.QName().String() != "{"+NS+"}InvalidSecurity" {
		t.Error("QName")
	}
}

func TestParseDateTime(t *testing.T) {
	for _, s := range []string{"2026-01-01T10:00:00Z", "2026-01-01T10:00:00.5Z", "2026-01-01T10:00:00+01:00", "2026-01-01T10:00:00"} {
		if _, err := ParseDateTime(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "2026-01-01", "10:00:00Z", "2026-13-01T10:00:00Z"} {
		if _, err := ParseDateTime(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
