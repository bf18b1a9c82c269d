// Package record is the value encoding shared by the stores: every stored value is framed as
//
//	version (1 octet, currently 1) | kind (1 octet) | body | CRC-32C (4 octets, big-endian)
//
// where the checksum covers version, kind, the record's address (role, sequence identifier,
// message number, token Identifier or metadata key — the place the value is stored under) and
// the body. bbolt checksums only its meta pages; the trailer detects a flipped octet in a
// value, a truncated value and a value moved under another key. Anything read back is
// untrusted input: decoders return errors wrapping ErrCorrupt or ErrVersion, never panic.
//
// Bodies: sequence states are the JSON form of rm.SourceState / rm.DestinationState (times in
// UTC; decoded strictly: an unknown field is an error, so a renamed rm field needs a schema
// migration rather than silently losing state); messages and metadata are raw octets; token
// records are uvarint-length-prefixed Instance and Endpoint followed by the sealed record.
package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Version is the record format written.
const Version = 1

// Kind tells what a record holds; it is part of the frame and of the checksum.
type Kind byte

const (
	KindSource      Kind = 'S'
	KindDestination Kind = 'D'
	KindMessage     Kind = 'm'
	KindToken       Kind = 'T'
	KindMeta        Kind = 'M'
)

func (k Kind) String() string {
	switch k {
	case KindSource:
		return "source state"
	case KindDestination:
		return "destination state"
	case KindMessage:
		return "message"
	case KindToken:
		return "token record"
	case KindMeta:
		return "metadata"
	}
	return fmt.Sprintf("kind 0x%02x", byte(k))
}

// Errors of the decoders.
var (
	ErrCorrupt = errors.New("record: corrupt")
	ErrVersion = errors.New("record: unknown record format version (written by newer software?)")
)

const (
	headerLen  = 2
	trailerLen = 4
	// Overhead is what the frame adds to a body.
	Overhead = headerLen + trailerLen
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(k Kind, addr [][]byte, body []byte) uint32 {
	c := crc32.Update(0, castagnoli, []byte{Version, byte(k)})
	var n [binary.MaxVarintLen64]byte
	for _, a := range addr {
		c = crc32.Update(c, castagnoli, n[:binary.PutUvarint(n[:], uint64(len(a)))])
		c = crc32.Update(c, castagnoli, a)
	}
	return crc32.Update(c, castagnoli, body)
}

// frame returns the framed value of body. body may be appended to in place: pass a slice with
// headerLen octets reserved at its front (see newBody).
func frame(k Kind, addr [][]byte, buf []byte) []byte {
	buf[0], buf[1] = Version, byte(k)
	sum := checksum(k, addr, buf[headerLen:])
	return binary.BigEndian.AppendUint32(buf, sum)
}

// newBody returns a buffer with room for the header and a body of n octets.
func newBody(n int) []byte {
	b := make([]byte, headerLen, headerLen+n+trailerLen)
	return b
}

// unframe checks a framed value and returns its body (a sub-slice of v).
func unframe(k Kind, addr [][]byte, v []byte) ([]byte, error) {
	if len(v) < Overhead {
		return nil, fmt.Errorf("%w: %s of %d octets is truncated", ErrCorrupt, k, len(v))
	}
	if v[0] != Version {
		return nil, fmt.Errorf("%w: %s has format version %d, this build reads %d", ErrVersion, k, v[0], Version)
	}
	if Kind(v[1]) != k {
		return nil, fmt.Errorf("%w: expected a %s, found a %s", ErrCorrupt, k, Kind(v[1]))
	}
	body := v[headerLen : len(v)-trailerLen]
	want := binary.BigEndian.Uint32(v[len(v)-trailerLen:])
	if checksum(k, addr, body) != want {
		return nil, fmt.Errorf("%w: %s fails its checksum (damaged, or stored under another key)", ErrCorrupt, k)
	}
	return body, nil
}

// NumberKey is the key of message number n: 8 octets big-endian, so that keys sort by number.
func NumberKey(n uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n) }

// ParseNumberKey reads a key written by NumberKey.
func ParseNumberKey(k []byte) (uint64, error) {
	if len(k) != 8 {
		return 0, fmt.Errorf("%w: message key of %d octets (want 8)", ErrCorrupt, len(k))
	}
	n := binary.BigEndian.Uint64(k)
	if n == 0 {
		return 0, fmt.Errorf("%w: message number 0", ErrCorrupt)
	}
	return n, nil
}
