package token

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
)

func testSealer(t testing.TB, fill byte) *Sealer {
	t.Helper()
	s, err := NewSealer(bytes.Repeat([]byte{fill}, StorageKeySize), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealRoundTrip(t *testing.T) {
	s := testSealer(t, 1)
	for _, inst := range []string{"", "urn:uuid:instance-2"} {
		tok := testToken()
		tok.Instance = inst
		tok.UnattachedURI = tok.Identifier
		b, err := s.Marshal(tok)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if got.Identifier != tok.Identifier || got.Instance != tok.Instance || !bytes.Equal(got.Secret, tok.Secret) ||
			!got.Created.Equal(tok.Created) || !got.Expires.Equal(tok.Expires) || got.Version != tok.Version ||
			got.Endpoint != tok.Endpoint || got.AttachedID != tok.AttachedID || got.UnattachedURI != tok.UnattachedURI {
			t.Errorf("round trip: got %v, want %v", got, tok)
		}
		if _, err := s.UnmarshalFor(b, tok.Identifier, inst); err != nil {
			t.Errorf("UnmarshalFor own identity: %v", err)
		}
		id, gi, err := RecordIdentity(b)
		if err != nil || id != tok.Identifier || gi != inst {
			t.Errorf("RecordIdentity = %q %q %v", id, gi, err)
		}
	}
}

// TestSealedBytesHoldNoSecret: issue #5 "A test scans the store file for the raw secret and
// its base64 form and must find neither"; likewise the hex form.
func TestSealedBytesHoldNoSecret(t *testing.T) {
	s := testSealer(t, 2)
	tok := testToken()
	b, err := s.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	for name, form := range map[string][]byte{
		"raw":        tok.Secret,
		"base64":     []byte(base64.StdEncoding.EncodeToString(tok.Secret)),
		"base64 raw": []byte(base64.RawStdEncoding.EncodeToString(tok.Secret)),
		"hex":        []byte(hex.EncodeToString(tok.Secret)),
		"half":       tok.Secret[:16],
	} {
		if bytes.Contains(b, form) {
			t.Errorf("sealed record contains the secret (%s form)", name)
		}
	}
	if !bytes.Contains(b, []byte(tok.Identifier)) {
		t.Error("the Identifier is expected in the clear header")
	}
}

func TestSealRefusals(t *testing.T) {
	s := testSealer(t, 3)
	tok := testToken()
	b, err := s.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	other := testToken()
	other.Identifier = "urn:uuid:00000000-1111-2222-3333-444444444444"
	ob, err := s.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	hdrLen := len(sealMagic) + 1 + 2 + len(tok.Identifier) + 2

	// Every single-bit flip anywhere in the record is refused.
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x01
		if got, err := s.Unmarshal(c); err == nil {
			t.Fatalf("flip of byte %d accepted: %v", i, got)
		}
	}
	swapped := append(bytes.Clone(ob[:hdrLen]), b[hdrLen:]...) // other's header, tok's ciphertext
	renamed := bytes.Clone(b)
	copy(renamed[len(sealMagic)+3:], "urn:uuid:7")                                  // same length, other Identifier
	withInst := append(append(bytes.Clone(b[:hdrLen-2]), 0, 1, 'x'), b[hdrLen:]...) // Instance "" -> "x"
	cases := map[string]struct {
		rec  []byte
		open *Sealer
		want error
	}{
		"swapped header (AD)":  {swapped, s, ErrOpen},
		"renamed Identifier":   {renamed, s, ErrOpen},
		"added Instance":       {withInst, s, ErrOpen},
		"wrong key":            {b, testSealer(t, 4), ErrOpen},
		"truncated":            {b[:len(b)-1], s, ErrOpen},
		"header only":          {b[:hdrLen], s, ErrSealed},
		"empty":                {nil, s, ErrSealed},
		"not a record":         {[]byte(`{"secret":"AAAA"}`), s, ErrSealed},
		"future version":       {append([]byte("RSPT\x02"), b[5:]...), s, ErrSealVersion},
		"long length":          {append([]byte("RSPT\x01\xff\xff"), b[7:]...), s, ErrSealed},
		"truncated identifier": {b[:10], s, ErrSealed},
	}
	for name, c := range cases {
		got, err := c.open.Unmarshal(c.rec)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
		if len(got.Secret) != 0 {
			t.Errorf("%s: a key came back", name)
		}
	}
	if _, err := s.UnmarshalFor(b, other.Identifier, ""); !errors.Is(err, ErrRecordFor) {
		t.Errorf("UnmarshalFor another token: %v", err)
	}
	if _, err := s.UnmarshalFor(b, tok.Identifier, "urn:uuid:i2"); !errors.Is(err, ErrRecordFor) {
		t.Errorf("UnmarshalFor another instance: %v", err)
	}
}

func TestSealerKeyAndToken(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := NewSealer(make([]byte, n), nil); err == nil {
			t.Errorf("storage key of %d octets accepted", n)
		}
	}
	s := testSealer(t, 5)
	for name, tok := range map[string]Token{
		"no key":        {Identifier: "urn:uuid:x"},
		"relative id":   {Identifier: "sct-1", Secret: []byte{1}},
		"no identifier": {Secret: []byte{1}},
	} {
		if _, err := s.Marshal(tok); err == nil {
			t.Errorf("%s: sealed", name)
		}
	}
	b1, _ := s.Marshal(testToken())
	b2, _ := s.Marshal(testToken())
	if bytes.Equal(b1, b2) {
		t.Error("two seals of one token are identical: nonce reuse")
	}
}

func FuzzUnmarshal(f *testing.F) {
	// A fixed nonce: the fuzz workers are other processes and must compute the same seed.
	s, err := NewSealer(bytes.Repeat([]byte{6}, StorageKeySize), bytes.NewReader(make([]byte, 12)))
	if err != nil {
		f.Fatal(err)
	}
	b, _ := s.Marshal(testToken())
	f.Add(bytes.Clone(b)) // the engine may reuse the seed's memory
	f.Add([]byte("RSPT\x01\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, rec []byte) {
		tok, err := s.Unmarshal(rec)
		if err == nil && !bytes.Equal(rec, b) {
			t.Fatalf("a changed record opened: %v", tok)
		}
	})
}
