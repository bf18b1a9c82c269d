package token

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
)

// StorageKeySize is the size of the storage key: AES-256.
const StorageKeySize = 32

// Sealed-record format, version 1 (all integers big-endian):
//
//	"RSPT" | 0x01 | u16 len | Identifier | u16 len | Instance | 12-octet nonce | GCM(ciphertext ‖ tag)
//
// Everything before the nonce is the header; it is the GCM associated data, so a record is
// bound to the Identifier and Instance it names (issue #5: a record cannot be moved to another
// token). The plaintext is the JSON form of the rest of the token, secret included; it never
// appears outside the ciphertext.
const (
	sealMagic   = "RSPT"
	sealVersion = 1
	maxIDLen    = 4096
)

// Errors of Unmarshal. A record that fails authentication is always an error, never a
// silently different key.
var (
	ErrNoStorageKey = errors.New("token: no storage key configured")
	ErrSealed       = errors.New("token: sealed record is malformed")
	ErrSealVersion  = errors.New("token: sealed record has an unknown format version")
	ErrOpen         = errors.New("token: sealed record does not authenticate (tampered, swapped, or another storage key)")
	ErrRecordFor    = errors.New("token: sealed record belongs to another token")
)

// Sealer seals tokens for persistent storage with AES-256-GCM under one storage key. It is
// safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
	rand io.Reader
}

// NewSealer returns a Sealer for a 32-octet storage key. rnd supplies the nonces
// (crypto/rand when nil).
func NewSealer(key []byte, rnd io.Reader) (*Sealer, error) {
	if len(key) != StorageKeySize {
		return nil, fmt.Errorf("token: storage key must be %d octets (AES-256), got %d", StorageKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("token: storage key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token: storage key: %w", err)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Sealer{aead: aead, rand: rnd}, nil
}

// record is the sealed plaintext. Identifier and Instance are repeated inside so that a
// record is checked twice: by the associated data and after opening.
type record struct {
	Identifier string    `json:"id"`
	Instance   string    `json:"instance,omitempty"`
	Secret     []byte    `json:"secret"`
	Created    time.Time `json:"created,omitzero"`
	Expires    time.Time `json:"expires,omitzero"`
	Version    string    `json:"wsc"`
	Endpoint   string    `json:"endpoint,omitempty"`
	AttachedID string    `json:"attached,omitempty"`
	Unattached string    `json:"unattached,omitempty"`
}

// header is the associated data of a record for a token.
func header(identifier, instance string) ([]byte, error) {
	if len(identifier) > maxIDLen || len(instance) > maxIDLen {
		return nil, fmt.Errorf("token: Identifier or Instance longer than %d octets", maxIDLen)
	}
	var b bytes.Buffer
	b.WriteString(sealMagic)
	b.WriteByte(sealVersion)
	for _, s := range []string{identifier, instance} {
		_ = binary.Write(&b, binary.BigEndian, uint16(len(s)))
		b.WriteString(s)
	}
	return b.Bytes(), nil
}

// Marshal seals t. The result holds the Identifier and Instance in the clear (they travel in
// clear in every message anyway) and everything else, the secret above all, encrypted.
func (s *Sealer) Marshal(t Token) ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	hdr, err := header(t.Identifier, t.Instance)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(record{
		Identifier: t.Identifier, Instance: t.Instance, Secret: t.Secret,
		Created: t.Created.UTC(), Expires: t.Expires.UTC(), Version: t.Version.String(),
		Endpoint: t.Endpoint, AttachedID: t.AttachedID, Unattached: t.UnattachedURI,
	})
	if err != nil {
		return nil, fmt.Errorf("token: seal %s: %w", t.Identifier, err)
	}
	defer clear(plain)
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return nil, fmt.Errorf("token: seal %s: nonce: %w", t.Identifier, err)
	}
	out := make([]byte, 0, len(hdr)+len(nonce)+len(plain)+s.aead.Overhead())
	out = append(append(out, hdr...), nonce...)
	return s.aead.Seal(out, nonce, plain, hdr), nil
}

// Unmarshal opens a record written by Marshal. Any change to the record, a record whose
// header was swapped for another token's, or another storage key gives an error wrapping
// ErrOpen; the token is never returned with a different key.
func (s *Sealer) Unmarshal(b []byte) (Token, error) {
	id, inst, hdrLen, err := parseHeader(b)
	if err != nil {
		return Token{}, err
	}
	ns := s.aead.NonceSize()
	if len(b) < hdrLen+ns+s.aead.Overhead() {
		return Token{}, fmt.Errorf("%w: truncated", ErrSealed)
	}
	hdr, nonce, ct := b[:hdrLen], b[hdrLen:hdrLen+ns], b[hdrLen+ns:]
	plain, err := s.aead.Open(nil, nonce, ct, hdr)
	if err != nil {
		return Token{}, fmt.Errorf("%w: record for %s", ErrOpen, id)
	}
	defer clear(plain)
	var r record
	if err := json.Unmarshal(plain, &r); err != nil {
		return Token{}, fmt.Errorf("%w: record for %s: content unreadable", ErrSealed, id)
	}
	if r.Identifier != id || r.Instance != inst {
		return Token{}, fmt.Errorf("%w: header names %s/%q, content %s/%q", ErrRecordFor, id, inst, r.Identifier, r.Instance)
	}
	v, ok := versionOf(r.Version)
	if !ok {
		return Token{}, fmt.Errorf("%w: record for %s: unknown WS-SC version %q", ErrSealed, id, r.Version)
	}
	t := Token{Identifier: r.Identifier, Instance: r.Instance, Secret: append([]byte(nil), r.Secret...),
		Created: r.Created, Expires: r.Expires, Version: v, Endpoint: r.Endpoint,
		AttachedID: r.AttachedID, UnattachedURI: r.Unattached}
	clear(r.Secret)
	if err := t.check(); err != nil {
		return Token{}, fmt.Errorf("%w: %v", ErrSealed, err)
	}
	return t, nil
}

// UnmarshalFor opens a record and checks that it is the record of identifier and instance,
// for a store that files records under a key of its own.
func (s *Sealer) UnmarshalFor(b []byte, identifier, instance string) (Token, error) {
	id, inst, _, err := parseHeader(b)
	if err != nil {
		return Token{}, err
	}
	if id != identifier || inst != instance {
		return Token{}, fmt.Errorf("%w: wanted %s/%q, record is %s/%q", ErrRecordFor, identifier, instance, id, inst)
	}
	return s.Unmarshal(b)
}

// RecordIdentity reads the Identifier and Instance of a sealed record without opening it
// (for listings such as `rsppeer store dump`; nothing secret is involved).
func RecordIdentity(b []byte) (identifier, instance string, err error) {
	id, inst, _, err := parseHeader(b)
	return id, inst, err
}

func parseHeader(b []byte) (id, inst string, n int, err error) {
	if len(b) < len(sealMagic)+1 || string(b[:len(sealMagic)]) != sealMagic {
		return "", "", 0, fmt.Errorf("%w: not a sealed token record", ErrSealed)
	}
	if b[len(sealMagic)] != sealVersion {
		return "", "", 0, fmt.Errorf("%w: version %d", ErrSealVersion, b[len(sealMagic)])
	}
	n = len(sealMagic) + 1
	var parts [2]string
	for i := range parts {
		if len(b) < n+2 {
			return "", "", 0, fmt.Errorf("%w: truncated header", ErrSealed)
		}
		l := int(binary.BigEndian.Uint16(b[n:]))
		n += 2
		if l > maxIDLen || len(b) < n+l {
			return "", "", 0, fmt.Errorf("%w: truncated header", ErrSealed)
		}
		parts[i] = string(b[n : n+l])
		n += l
	}
	return parts[0], parts[1], n, nil
}

func versionOf(s string) (wsc.Version, bool) {
	for _, v := range wsc.Versions {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}
