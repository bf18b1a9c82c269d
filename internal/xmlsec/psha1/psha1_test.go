package psha1

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
)

func seq(from, to byte) []byte {
	var b []byte
	for c := from; ; c++ {
		b = append(b, c)
		if c == to {
			return b
		}
	}
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Vectors of spec/CONSTANTS.md §7.1 ([V]); the computed key was also
// reproduced with `openssl kdf -kdfopt digest:SHA1 ... TLS1-PRF`.
var (
	reqEntropy = seq(0x00, 0x1f) // AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
	resEntropy = seq(0x20, 0x3f) // ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=
	dkNonce    = seq(0x40, 0x4f) // QEFCQ0RFRkdISUpLTE1OTw==
)

const (
	ckHex        = "df59132c2af6d230e4337732076a14561694be12838cc00203d63c816653d75b"
	ckB64        = "31kTLCr20jDkM3cyB2oUVhaUvhKDjMACA9Y8gWZT11s="
	ckSwappedHex = "848ed6b556375d78b11c556858ed47bf4cf6566773cd22447348d5f4ff798b9e"
	dk32Hex      = "c061416cd73ec156b1a258bc9cc02b8b99904ed106a47e9b34d9ef2dec78bb34"
	dk16Hex      = "c061416cd73ec156b1a258bc9cc02b8b"
	dkGen1Hex    = "2f3d61e064b43544104938cfdbf0f798a430bc530768e7c8d2098ecd95576d42"
	dkSingleHex  = "912fb7ed29f1a45e2567e3024918c3d44b8fdce4684bd94f165c8ec50760a3e5"
)

func TestVectorInputsMatchCatalogue(t *testing.T) {
	for _, c := range []struct {
		b   []byte
		b64 string
	}{
		{reqEntropy, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
		{resEntropy, "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="},
		{dkNonce, "QEFCQ0RFRkdISUpLTE1OTw=="},
	} {
		if got := base64.StdEncoding.EncodeToString(c.b); got != c.b64 {
			t.Errorf("input %x: base64 %s, catalogue says %s", c.b, got, c.b64)
		}
	}
}

func TestComputedKeyVector(t *testing.T) {
	k, err := ComputedKey(reqEntropy, resEntropy, 256)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(k); got != ckHex {
		t.Fatalf("computed key = %s, want %s", got, ckHex)
	}
	if got := base64.StdEncoding.EncodeToString(k); got != ckB64 {
		t.Fatalf("computed key b64 = %s, want %s", got, ckB64)
	}
	// The swapped-argument bug must be distinguishable from the right order.
	bug, err := ComputedKey(resEntropy, reqEntropy, 256)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(bug); got != ckSwappedHex {
		t.Fatalf("swapped computation = %s, want catalogue bug value %s", got, ckSwappedHex)
	}
	if bytes.Equal(bug, k) {
		t.Fatal("swapped-argument value must not match the computed key")
	}
}

func TestDerivedKeyVectors(t *testing.T) {
	ck := unhex(t, ckHex)
	cases := []struct {
		name string
		p    DerivationParams
		want string
	}{
		{"offset0-len32-defaults", DerivationParams{Nonce: dkNonce}, dk32Hex},
		{"explicit-offset0-len32", DerivationParams{Nonce: dkNonce, HasOffset: true, Length: 32}, dk32Hex},
		{"len16", DerivationParams{Nonce: dkNonce, Length: 16}, dk16Hex},
		{"generation1-len32", DerivationParams{Nonce: dkNonce, HasGeneration: true, Generation: 1}, dkGen1Hex},
		{"offset32-equals-generation1", DerivationParams{Nonce: dkNonce, HasOffset: true, Offset: 32}, dkGen1Hex},
		{"explicit-default-label", DerivationParams{Nonce: dkNonce, HasLabel: true, Label: DefaultLabel}, dk32Hex},
		{"single-label-bug", DerivationParams{Nonce: dkNonce, HasLabel: true, Label: "WS-SecureConversation"}, dkSingleHex},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := c.p.Derive(ck)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(k); got != c.want {
				t.Fatalf("derived key = %s, want %s", got, c.want)
			}
		})
	}
	right, _ := DeriveKey(ck, DefaultLabel, dkNonce, 0, 32)
	bug, _ := DeriveKey(ck, "WS-SecureConversation", dkNonce, 0, 32)
	if bytes.Equal(right, bug) {
		t.Fatal("single-label bug value must differ from the doubled-label key")
	}
	if len(DefaultLabel) != 42 {
		t.Fatalf("DefaultLabel has %d octets, want 42", len(DefaultLabel))
	}
}

// TestPHashTLS12PRF is the self-check of spec/CONSTANTS.md §7.1: the generic
// P_hash with HMAC-SHA256 reproduces the TLS 1.2 PRF vector
// (PRF(secret, label, seed) = P_SHA256(secret, label + seed)), 100 octets,
// also reproduced with `openssl kdf ... TLS1-PRF`.
func TestPHashTLS12PRF(t *testing.T) {
	secret := unhex(t, "9bbe436ba940f017b17652849a71db35")
	seed := append([]byte("test label"), unhex(t, "a0ba9f936cda311827a6f796ffd5198c")...)
	want := "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a" +
		"6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab" +
		"4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701" +
		"87347b66"
	got, err := PHash(sha256.New, secret, seed, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got) != want {
		t.Fatalf("P_SHA256 = %x\nwant       %s", got, want)
	}
}

// TestOffsetWindows checks that every (offset, length) window equals the
// same slice of one long stream, across block boundaries.
func TestOffsetWindows(t *testing.T) {
	secret, seed := []byte("k"), []byte("seed")
	full, err := PSHA1(secret, seed, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < 120; off += 7 {
		for _, n := range []int{1, 19, 20, 21, 40, 57} {
			got, err := PSHA1(secret, seed, off, n)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, full[off:off+n]) {
				t.Fatalf("window [%d,+%d) differs from the full stream", off, n)
			}
		}
	}
}

func TestRangeErrors(t *testing.T) {
	big := int(^uint(0) >> 1)
	for _, c := range []struct{ off, n int }{
		{-1, 1}, {0, 0}, {0, -5}, {big, 1}, {1, big}, {MaxOutput, 1}, {0, MaxOutput + 1}, {MaxOutput - 4, 5},
	} {
		if _, err := PSHA1([]byte("k"), nil, c.off, c.n); !errors.Is(err, ErrRange) {
			t.Errorf("PSHA1(off=%d, len=%d) error = %v, want ErrRange", c.off, c.n, err)
		}
	}
	if _, err := PSHA1([]byte("k"), nil, MaxOutput-20, 20); err != nil {
		t.Errorf("window ending at MaxOutput rejected: %v", err)
	}
}

func TestComputedKeyErrors(t *testing.T) {
	for _, bits := range []int{0, -8, 7, 255} {
		if _, err := ComputedKey(reqEntropy, resEntropy, bits); err == nil {
			t.Errorf("KeySize %d accepted", bits)
		}
	}
	if _, err := ComputedKey(nil, resEntropy, 256); err == nil {
		t.Error("empty requestor entropy accepted")
	}
	if _, err := ComputedKey(reqEntropy, nil, 256); err == nil {
		t.Error("empty issuer entropy accepted")
	}
}

func TestResolveRules(t *testing.T) {
	if _, _, _, err := (DerivationParams{HasOffset: true, HasGeneration: true}).Resolve(); !errors.Is(err, ErrOffsetAndGeneration) {
		t.Fatalf("offset+generation: err = %v", err)
	}
	label, off, n, err := DerivationParams{}.Resolve()
	if err != nil || label != DefaultLabel || off != 0 || n != DefaultLength {
		t.Fatalf("defaults = %q %d %d %v", label, off, n, err)
	}
	_, off, n, err = DerivationParams{HasGeneration: true, Generation: 3, Length: 16}.Resolve()
	if err != nil || off != 48 || n != 16 {
		t.Fatalf("generation 3 × 16 = %d,%d %v", off, n, err)
	}
	// An explicitly empty label is honoured, not replaced by the default.
	label, _, _, _ = DerivationParams{HasLabel: true}.Resolve()
	if label != "" {
		t.Fatalf("explicit empty label resolved to %q", label)
	}
	bad := []DerivationParams{
		{Length: -1},
		{Length: MaxOutput + 1},
		{HasOffset: true, Offset: -1},
		{HasOffset: true, Offset: 1 << 40},
		{HasGeneration: true, Generation: -1},
		{HasGeneration: true, Generation: 1 << 62},
		{HasGeneration: true, Generation: MaxOutput / 32},
	}
	for _, p := range bad {
		if _, _, _, err := p.Resolve(); !errors.Is(err, ErrRange) {
			t.Errorf("%+v: err = %v, want ErrRange", p, err)
		}
	}
	if _, err := DeriveKey(nil, DefaultLabel, dkNonce, 0, 32); err == nil {
		t.Error("empty secret accepted")
	}
}

func BenchmarkComputedKey256(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ComputedKey(reqEntropy, resEntropy, 256); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeriveKey32(b *testing.B) {
	ck := unhex(b, ckHex)
	p := DerivationParams{Nonce: dkNonce}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Derive(ck); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeriveKeyGeneration8(b *testing.B) {
	ck := unhex(b, ckHex)
	p := DerivationParams{Nonce: dkNonce, HasGeneration: true, Generation: 8}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Derive(ck); err != nil {
			b.Fatal(err)
		}
	}
}
