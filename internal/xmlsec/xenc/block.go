package xenc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// ErrDecrypt is the one error returned for every failure that depends on decrypted data: CBC
// padding, GCM authentication, and a plaintext that is not an acceptable XML fragment. It
// carries no detail on purpose (no padding or parse oracle in error text).
var ErrDecrypt = errors.New("xenc: decryption failed")

// ErrKeySize reports a key whose length does not match the algorithm.
var ErrKeySize = errors.New("xenc: key size does not match the algorithm")

// ErrUnsupportedAlgorithm reports an algorithm URI this package does not implement.
var ErrUnsupportedAlgorithm = errors.New("xenc: unsupported algorithm")

// ErrMalformed reports an EncryptedData or EncryptedKey whose structure is wrong before any
// decryption is attempted (missing elements, invalid base64, oversized cipher value).
var ErrMalformed = errors.New("xenc: malformed encrypted element")

// blockAlg is one block encryption algorithm of XML-Enc 1.0 §5.2 / 1.1 §5.2.
type blockAlg struct {
	uri     string
	keySize int
	gcm     bool
}

var blockAlgs = []blockAlg{
	{AES128CBC, 16, false},
	{AES192CBC, 24, false},
	{AES256CBC, 32, false},
	{AES128GCM, 16, true},
	{AES192GCM, 24, true},
	{AES256GCM, 32, true},
}

const (
	gcmNonceSize = 12 // XML-Enc 1.1 §5.2.4: 96-bit IV
	gcmTagSize   = 16 // XML-Enc 1.1 §5.2.4: 128-bit authentication tag
)

// lookupBlock returns the algorithm for uri and checks the key length against it.
func lookupBlock(uri string, key []byte) (blockAlg, error) {
	for _, a := range blockAlgs {
		if a.uri == uri {
			if len(key) != a.keySize {
				return blockAlg{}, fmt.Errorf("%w: %s needs a %d-byte key, got %d bytes", ErrKeySize, uri, a.keySize, len(key))
			}
			return a, nil
		}
	}
	return blockAlg{}, fmt.Errorf("%w: block encryption %q", ErrUnsupportedAlgorithm, uri)
}

// overhead is the largest number of bytes the cipher text adds to the plaintext.
func (a blockAlg) overhead() int {
	if a.gcm {
		return gcmNonceSize + gcmTagSize
	}
	return 2 * aes.BlockSize // IV + at most one block of padding
}

// seal encrypts plaintext; the result is the octet sequence that is base64-encoded into
// CipherValue.
func (a blockAlg) seal(key, plaintext []byte, rnd io.Reader) ([]byte, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeySize, err)
	}
	if a.gcm {
		return sealGCM(block, plaintext, rnd)
	}
	return sealCBC(block, plaintext, rnd)
}

// open decrypts a cipher value. Every failure is ErrDecrypt.
func (a blockAlg) open(key, ciphertext []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, ErrDecrypt
	}
	if a.gcm {
		return openGCM(block, ciphertext)
	}
	return openCBC(block, ciphertext)
}

// XML-Enc 1.1 §5.2.4 (AES-GCM): the cipher value is the 96-bit IV, then the encrypted
// octets, then the 128-bit authentication tag; there is no additional authenticated data.
func sealGCM(block cipher.Block, plaintext []byte, rnd io.Reader) ([]byte, error) {
	aead, err := cipher.NewGCMWithNonceSize(block, gcmNonceSize)
	if err != nil {
		return nil, err
	}
	out := make([]byte, gcmNonceSize, gcmNonceSize+len(plaintext)+gcmTagSize)
	if _, err := io.ReadFull(rnd, out); err != nil {
		return nil, fmt.Errorf("xenc: reading the GCM IV: %w", err)
	}
	return aead.Seal(out, out[:gcmNonceSize], plaintext, nil), nil
}

func openGCM(block cipher.Block, ct []byte) ([]byte, error) {
	if len(ct) < gcmNonceSize+gcmTagSize {
		return nil, ErrDecrypt
	}
	aead, err := cipher.NewGCMWithNonceSize(block, gcmNonceSize)
	if err != nil {
		return nil, ErrDecrypt
	}
	pt, err := aead.Open(nil, ct[:gcmNonceSize], ct[gcmNonceSize:], nil)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// XML-Enc 1.0 §5.2 (block encryption algorithms, padding): the plaintext is padded to a
// multiple of the block size with k octets, 1 <= k <= block size; the last octet holds k and
// the other k-1 padding octets are arbitrary. The IV is prepended to the cipher text (§5.2.2
// for AES-CBC). We write random padding octets, as the spec's example and xmlsec1 do, and a
// decryptor must not check them (only the last octet is meaningful).
func sealCBC(block cipher.Block, plaintext []byte, rnd io.Reader) ([]byte, error) {
	bs := block.BlockSize()
	k := bs - len(plaintext)%bs // 1..bs
	out := make([]byte, bs+len(plaintext)+k)
	iv := out[:bs]
	body := out[bs:]
	copy(body, plaintext)
	pad := body[len(plaintext):]
	if _, err := io.ReadFull(rnd, iv); err != nil {
		return nil, fmt.Errorf("xenc: reading the CBC IV: %w", err)
	}
	if _, err := io.ReadFull(rnd, pad[:k-1]); err != nil {
		return nil, fmt.Errorf("xenc: reading the padding: %w", err)
	}
	pad[k-1] = byte(k)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(body, body)
	return out, nil
}

func openCBC(block cipher.Block, ct []byte) ([]byte, error) {
	bs := block.BlockSize()
	if len(ct) < 2*bs || len(ct)%bs != 0 {
		return nil, ErrDecrypt
	}
	pt := make([]byte, len(ct)-bs)
	cipher.NewCBCDecrypter(block, ct[:bs]).CryptBlocks(pt, ct[bs:])
	// The padding length is checked without a data-dependent branch; the only decision is
	// the final one, and it yields the same error as every later failure.
	k := int(pt[len(pt)-1])
	ok := subtle.ConstantTimeLessOrEq(1, k) & subtle.ConstantTimeLessOrEq(k, bs)
	if ok != 1 {
		return nil, ErrDecrypt
	}
	return pt[:len(pt)-k], nil
}
