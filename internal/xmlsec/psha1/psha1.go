// Package psha1 implements the P_SHA1 pseudo-random function of TLS 1.0 and
// the two key computations that WS-Trust and WS-SecureConversation build on
// it: the issued-token "computed key" (CK/PSHA1) and derived keys (DKT).
//
// P_SHA1 is the P_hash construction of RFC 2246 §5 instantiated with
// HMAC-SHA1. The construction itself is exposed generically as PHash so that
// the implementation can be checked against the published TLS 1.2 PRF vector
// (P_SHA256) as well.
//
// Only the standard library is used. All functions are pure and safe for
// concurrent use.
package psha1

import (
	"crypto/hmac"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
)

// MaxOutput is the largest position (offset+length, in octets) that PHash
// will produce. WS-SC derived keys are normally 16..64 octets at small
// offsets; a bound keeps a hostile wsc:Offset or wsc:Generation from turning
// key derivation into a CPU sink.
const MaxOutput = 1 << 20

// ErrRange reports an offset/length outside what PHash accepts.
var ErrRange = errors.New("psha1: offset/length out of range")

// PHash returns octets [offset, offset+length) of the P_hash stream defined in
// RFC 2246 §5 for the given HMAC hash:
//
//	A(0) = seed
//	A(i) = HMAC_hash(secret, A(i-1))
//	P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
//	                       HMAC_hash(secret, A(2) + seed) + ...
//
// "P_hash can be iterated as many times as is necessary to produce the
// required quantity of data" (RFC 2246 §5): output blocks that lie entirely
// before offset are skipped (only the A(i) chain is advanced for them).
//
// It fails with ErrRange when offset < 0, length <= 0, or
// offset+length > MaxOutput.
func PHash(h func() hash.Hash, secret, seed []byte, offset, length int) ([]byte, error) {
	if offset < 0 || length <= 0 || length > MaxOutput || offset > MaxOutput-length {
		return nil, fmt.Errorf("%w: offset=%d length=%d (want offset>=0, 0<length, offset+length<=%d)",
			ErrRange, offset, length, MaxOutput)
	}
	mac := hmac.New(h, secret)
	bs := mac.Size()

	out := make([]byte, 0, length)
	// a holds A(i); block holds HMAC(secret, A(i) + seed). Both reuse the
	// same backing arrays for every iteration.
	a := make([]byte, 0, bs)
	block := make([]byte, 0, bs)

	mac.Write(seed) // A(1) = HMAC(secret, A(0)) with A(0) = seed
	a = mac.Sum(a[:0])
	pos := 0 // stream position of the first octet of the current block
	for len(out) < length {
		if pos+bs > offset { // the block overlaps [offset, offset+length)
			mac.Reset()
			mac.Write(a)
			mac.Write(seed)
			block = mac.Sum(block[:0])
			skip := 0
			if offset > pos {
				skip = offset - pos
			}
			need := length - len(out)
			chunk := block[skip:]
			if len(chunk) > need {
				chunk = chunk[:need]
			}
			out = append(out, chunk...)
		}
		pos += bs
		// A(i+1) = HMAC(secret, A(i))
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
	return out, nil
}

// PSHA1 returns octets [offset, offset+length) of P_SHA1(secret, seed), the
// P_hash of RFC 2246 §5 with HMAC-SHA1. See PHash for the error conditions.
func PSHA1(secret, seed []byte, offset, length int) ([]byte, error) {
	return PHash(sha1.New, secret, seed, offset, length)
}

// ComputedKey returns the proof key of an issued token whose RSTR carries
// wst:ComputedKey http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1
// (or the Feb 2005 equivalent).
//
// WS-Trust 1.3 §4.4.4 (paraphrased; [R] in spec/CONSTANTS.md §7): the key is
// computed with P_SHA1 from the entropy of both parties, the requestor's
// entropy being the secret and the issuer's entropy the seed — key =
// P_SHA1(EntREQ, EntRES) — taking KeySize/8 octets from position 0. There is
// no label. Swapping the two arguments is a known interop bug; the test
// vectors pin the order.
//
// keySizeBits is the wst:KeySize of the RSTR (or, if absent there, the
// requested size); it must be a positive multiple of 8. Both entropies must
// be non-empty: the mechanism is defined only when both parties contribute.
func ComputedKey(requestorEntropy, issuerEntropy []byte, keySizeBits int) ([]byte, error) {
	if keySizeBits <= 0 || keySizeBits%8 != 0 {
		return nil, fmt.Errorf("psha1: computed key: KeySize %d bits is not a positive multiple of 8", keySizeBits)
	}
	if len(requestorEntropy) == 0 || len(issuerEntropy) == 0 {
		return nil, errors.New("psha1: computed key: requestor and issuer entropy must both be non-empty")
	}
	k, err := PSHA1(requestorEntropy, issuerEntropy, 0, keySizeBits/8)
	if err != nil {
		return nil, fmt.Errorf("psha1: computed key: %w", err)
	}
	return k, nil
}
