package record

import (
	"reflect"
	"testing"

	"github.com/rspcheck/rspcheck/internal/rm"
)

// FuzzDecode feeds arbitrary stored values (anything read back from disk is untrusted) to
// every decoder: they must return an error or a value, never panic; a value that decodes
// re-encodes to one that decodes to the same thing.
func FuzzDecode(f *testing.F) {
	st, _ := EncodeSource(rm.SourceState{Seq: "urn:a", Next: 3})
	dt, _ := EncodeDestination(rm.DestinationState{Seq: "urn:a", DeliveredUpTo: 2})
	f.Add("urn:a", uint64(1), st)
	f.Add("urn:a", uint64(1), dt)
	f.Add("urn:a", uint64(7), EncodeMessage(rm.RoleSource, "urn:a", 7, rm.Payload("x")))
	f.Add("urn:uuid:t", uint64(1), EncodeToken("urn:uuid:t", "i", "e", sealedRecord(f, "urn:uuid:t", "i")))
	f.Add("urn:a", uint64(1), EncodeMeta("urn:a", []byte("v")))
	f.Add("", uint64(0), []byte{})
	f.Add("urn:a", uint64(1), []byte{1, 'S', '{', '}', 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, key string, n uint64, v []byte) {
		if s, err := DecodeSource(key, v); err == nil {
			again, err := EncodeSource(s)
			if err != nil {
				t.Fatalf("decoded source state does not encode: %v", err)
			}
			if s2, err := DecodeSource(key, again); err != nil || !reflect.DeepEqual(s2, s) {
				t.Fatalf("source state round trip: %v", err)
			}
		}
		if d, err := DecodeDestination(key, v); err == nil {
			again, err := EncodeDestination(d)
			if err != nil {
				t.Fatalf("decoded destination state does not encode: %v", err)
			}
			if d2, err := DecodeDestination(key, again); err != nil || !reflect.DeepEqual(d2, d) {
				t.Fatalf("destination state round trip: %v", err)
			}
		}
		for _, role := range []rm.Role{rm.RoleSource, rm.RoleDestination} {
			if p, err := DecodeMessage(role, key, n, v); err == nil {
				if p2, err := DecodeMessage(role, key, n, EncodeMessage(role, key, n, p)); err != nil || string(p2) != string(p) {
					t.Fatalf("message round trip: %v", err)
				}
			}
		}
		if inst, ep, sealed, err := DecodeToken(key, v); err == nil {
			i2, e2, s2, err := DecodeToken(key, EncodeToken(key, inst, ep, sealed))
			if err != nil || i2 != inst || e2 != ep || string(s2) != string(sealed) {
				t.Fatalf("token round trip: %v", err)
			}
		}
		if m, err := DecodeMeta(key, v); err == nil {
			if m2, err := DecodeMeta(key, EncodeMeta(key, m)); err != nil || string(m2) != string(m) {
				t.Fatalf("meta round trip: %v", err)
			}
		}
		_, _ = ParseNumberKey(v)
	})
}

// FuzzDecodeBody frames arbitrary bodies with a valid checksum, so that the body parsers
// (strict JSON of the states, the token record layout and its sealed-record header) are
// reached, which random values with random checksums almost never do.
func FuzzDecodeBody(f *testing.F) {
	f.Add("urn:a", []byte(`{"Seq":"urn:a","Acked":[{"Lower":1,"Upper":2}],"To":{"Address":"x","ReferenceParameters":[{"Children":[{}]}]}}`))
	f.Add("urn:a", []byte(`{"Seq":"urn:a","Expires":"2025-01-02T03:04:05Z"}`))
	f.Add("urn:uuid:t", EncodeToken("urn:uuid:t", "i", "e", sealedRecord(f, "urn:uuid:t", "i"))[headerLen:])
	f.Add("urn:uuid:t", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		addr := [][]byte{[]byte(key)}
		framed := func(k Kind) []byte { return frame(k, addr, append(newBody(len(body)), body...)) }
		if s, err := DecodeSource(key, framed(KindSource)); err == nil && s.Seq != key {
			t.Fatalf("source state of %q accepted under %q", s.Seq, key)
		}
		if d, err := DecodeDestination(key, framed(KindDestination)); err == nil && d.Seq != key {
			t.Fatalf("destination state of %q accepted under %q", d.Seq, key)
		}
		if _, _, sealed, err := DecodeToken(key, framed(KindToken)); err == nil && len(sealed) == 0 {
			t.Fatal("token record without a sealed record accepted")
		}
		if m, err := DecodeMeta(key, framed(KindMeta)); err != nil || string(m) != string(body) {
			t.Fatalf("meta body: %v", err)
		}
	})
}
