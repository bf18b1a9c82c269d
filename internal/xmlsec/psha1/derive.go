package psha1

import (
	"errors"
	"fmt"
)

// DefaultLabel is the label used when a wsc:DerivedKeyToken has no wsc:Label:
// the 42-octet string "WS-SecureConversation" written twice with no
// separator (spec/CONSTANTS.md §6, [C] WCF, WSS4J, Metro, WLS). A single
// "WS-SecureConversation" is a known wrong reading that does not interoperate.
const DefaultLabel = "WS-SecureConversationWS-SecureConversation"

// DefaultLength is the derived-key length in octets when wsc:Length is absent.
const DefaultLength = 32

// ErrOffsetAndGeneration reports a DerivedKeyToken carrying both wsc:Offset
// and wsc:Generation.
var ErrOffsetAndGeneration = errors.New("psha1: wsc:Offset and wsc:Generation are mutually exclusive")

// DeriveKey returns the derived key of WS-SecureConversation 1.3 §7
// (paraphrased; [R] in spec/CONSTANTS.md §7): the key is
// P_SHA1(secret, label + nonce) with the label's UTF-8 octets immediately
// followed by the nonce octets as the seed, taking length octets starting at
// offset. secret is the key of the source token (for an SCT, the proof key
// from its issuance).
//
// DeriveKey applies no defaults; use DerivationParams for the element-level
// defaults. An empty secret is rejected: a key derived from nothing is a
// bug, never a configuration.
func DeriveKey(secret []byte, label string, nonce []byte, offset, length int) ([]byte, error) {
	if len(secret) == 0 {
		return nil, errors.New("psha1: derive key: empty source secret")
	}
	seed := make([]byte, 0, len(label)+len(nonce))
	seed = append(seed, label...)
	seed = append(seed, nonce...)
	k, err := PSHA1(secret, seed, offset, length)
	if err != nil {
		return nil, fmt.Errorf("psha1: derive key: %w", err)
	}
	return k, nil
}

// DerivationParams mirrors the derivation inputs of a wsc:DerivedKeyToken as
// they appear on the wire, with absence expressed explicitly, so that the
// WS-SC defaults are applied in exactly one place.
type DerivationParams struct {
	// Label is the wsc:Label text; used only when HasLabel is set.
	Label    string
	HasLabel bool
	// Nonce is the base64-decoded wsc:Nonce (may be empty).
	Nonce []byte
	// Offset is wsc:Offset in octets; used only when HasOffset is set.
	Offset    int64
	HasOffset bool
	// Generation is wsc:Generation; used only when HasGeneration is set.
	Generation    int64
	HasGeneration bool
	// Length is wsc:Length in octets; 0 means absent.
	Length int
}

// Resolve applies the WS-SecureConversation defaults and returns the label,
// offset and length that DeriveKey needs.
//
// Rules (WS-SC 1.3 §7, paraphrased; [R]/[C] in spec/CONSTANTS.md §6):
//   - wsc:Label: if absent, the default label DefaultLabel is used.
//   - wsc:Length: the size of the derived key in octets; if absent, 32.
//   - wsc:Generation: the generation (counting from zero) of fixed-size keys
//     to use; the key starts at Generation × Length. It MUST NOT be used
//     together with wsc:Offset.
//   - wsc:Offset: the starting position in the P_SHA1 stream. It MUST NOT be
//     used together with wsc:Generation.
//   - Neither present: position 0.
func (p DerivationParams) Resolve() (label string, offset, length int, err error) {
	if p.HasOffset && p.HasGeneration {
		return "", 0, 0, ErrOffsetAndGeneration
	}
	label = DefaultLabel
	if p.HasLabel {
		label = p.Label
	}
	length = DefaultLength
	if p.Length != 0 {
		length = p.Length
	}
	if length < 0 || length > MaxOutput {
		return "", 0, 0, fmt.Errorf("%w: wsc:Length %d", ErrRange, p.Length)
	}
	switch {
	case p.HasOffset:
		if p.Offset < 0 || p.Offset > int64(MaxOutput-length) {
			return "", 0, 0, fmt.Errorf("%w: wsc:Offset %d with length %d", ErrRange, p.Offset, length)
		}
		offset = int(p.Offset)
	case p.HasGeneration:
		// Division instead of multiplication: no overflow for huge values.
		if p.Generation < 0 || p.Generation > int64((MaxOutput-length)/length) {
			return "", 0, 0, fmt.Errorf("%w: wsc:Generation %d with length %d", ErrRange, p.Generation, length)
		}
		offset = int(p.Generation) * length
	}
	return label, offset, length, nil
}

// Derive resolves the parameters (see Resolve) and derives the key from the
// source token's secret with DeriveKey.
func (p DerivationParams) Derive(secret []byte) ([]byte, error) {
	label, offset, length, err := p.Resolve()
	if err != nil {
		return nil, err
	}
	return DeriveKey(secret, label, p.Nonce, offset, length)
}
