package record

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
)

var when = time.Date(2025, 6, 7, 8, 9, 10, 11, time.UTC)

// fill sets every field of v (recursively, slices with two elements) to a non-zero value, so
// that a field added to rm's states that does not survive the encoding fails the round trip.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", depth))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(depth + 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(depth + 2))
	case reflect.Slice:
		if depth > 3 {
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(when))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), depth+1)
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	default:
		panic("fill: unhandled kind " + v.Kind().String() + " (teach the store encoding about it)")
	}
}

func TestStatesRoundTripEveryField(t *testing.T) {
	var src rm.SourceState
	fill(reflect.ValueOf(&src).Elem(), 0)
	v, err := EncodeSource(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSource(src.Seq, v)
	if err != nil || !reflect.DeepEqual(got, src) {
		t.Fatalf("source round trip: %v\n got %+v\nwant %+v", err, got, src)
	}
	var dst rm.DestinationState
	fill(reflect.ValueOf(&dst).Elem(), 0)
	v, err = EncodeDestination(dst)
	if err != nil {
		t.Fatal(err)
	}
	gotD, err := DecodeDestination(dst.Seq, v)
	if err != nil || !reflect.DeepEqual(gotD, dst) {
		t.Fatalf("destination round trip: %v\n got %+v\nwant %+v", err, gotD, dst)
	}
}

// Times come back in UTC without a monotonic reading, whatever zone they went in with.
func TestTimesInUTC(t *testing.T) {
	local := time.Now().In(time.FixedZone("X", 3600))
	v, err := EncodeSource(rm.SourceState{Seq: "urn:a", Expires: local})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSource("urn:a", v)
	if err != nil || got.Expires != local.UTC().Round(0) {
		t.Fatalf("Expires %v (%v), want %v", got.Expires, err, local.UTC())
	}
}

func sealedRecord(t testing.TB, id, inst string) []byte {
	t.Helper()
	sl, err := token.NewSealer(bytes.Repeat([]byte{9}, token.StorageKeySize), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sl.Marshal(token.Token{Identifier: id, Instance: inst, Secret: []byte("0123456789abcdef0123456789abcdef"), Version: wsc.V200512})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOtherRecordsRoundTrip(t *testing.T) {
	m := EncodeMessage(rm.RoleDestination, "urn:a", 5, rm.Payload("hello"))
	if p, err := DecodeMessage(rm.RoleDestination, "urn:a", 5, m); err != nil || string(p) != "hello" {
		t.Fatalf("message: %q %v", p, err)
	}
	if p, err := DecodeMessage(rm.RoleSource, "urn:a", 5, EncodeMessage(rm.RoleSource, "urn:a", 5, nil)); err != nil || p != nil {
		t.Fatalf("empty message: %q %v", p, err)
	}
	sealed := sealedRecord(t, "urn:uuid:t", "i2")
	inst, ep, s, err := DecodeToken("urn:uuid:t", EncodeToken("urn:uuid:t", "i2", "http://ep", sealed))
	if err != nil || inst != "i2" || ep != "http://ep" || !bytes.Equal(s, sealed) {
		t.Fatalf("token: %q %q %v", inst, ep, err)
	}
	if v, err := DecodeMeta("k", EncodeMeta("k", nil)); err != nil || v == nil || len(v) != 0 {
		t.Fatalf("empty meta: %v %v", v, err)
	}
}

// A value is bound to where it is stored: moved under another key, another number, another
// role or read as another kind, it fails its checksum.
func TestRecordsBoundToTheirAddress(t *testing.T) {
	m := EncodeMessage(rm.RoleSource, "urn:a", 5, rm.Payload("hello"))
	for name, err := range map[string]error{
		"other number": second(DecodeMessage(rm.RoleSource, "urn:a", 6, m)),
		"other seq":    second(DecodeMessage(rm.RoleSource, "urn:b", 5, m)),
		"other role":   second(DecodeMessage(rm.RoleDestination, "urn:a", 5, m)),
		"as meta":      second(DecodeMeta("urn:a", m)),
	} {
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	st, _ := EncodeSource(rm.SourceState{Seq: "urn:a"})
	if _, err := DecodeSource("urn:b", st); !errors.Is(err, ErrCorrupt) {
		t.Errorf("state under another key: %v", err)
	}
	if _, err := DecodeDestination("urn:a", st); !errors.Is(err, ErrCorrupt) {
		t.Errorf("source state read as destination: %v", err)
	}
	// The sealed record inside a token record must be the token's.
	v := EncodeToken("urn:uuid:t", "", "", sealedRecord(t, "urn:uuid:other", ""))
	if _, _, _, err := DecodeToken("urn:uuid:t", v); !errors.Is(err, ErrCorrupt) {
		t.Errorf("token record sealing another token: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestDamage(t *testing.T) {
	good := EncodeMeta("k", []byte("value"))
	for i := range good {
		b := bytes.Clone(good)
		b[i] ^= 0x10
		_, err := DecodeMeta("k", b)
		if i == 0 {
			if !errors.Is(err, ErrVersion) {
				t.Errorf("version octet changed: %v", err)
			}
			continue
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("octet %d flipped: %v", i, err)
		}
	}
	for n := range good {
		if _, err := DecodeMeta("k", good[:n]); err == nil {
			t.Errorf("truncated to %d accepted", n)
		}
	}
	// A state whose JSON has an unknown field (a renamed rm field) is refused, not half-read.
	body := []byte(`{"Seq":"urn:a","Renamed":1}`)
	v := frame(KindSource, [][]byte{[]byte("urn:a")}, append(newBody(len(body)), body...))
	if _, err := DecodeSource("urn:a", v); !errors.Is(err, ErrCorrupt) {
		t.Errorf("unknown field: %v", err)
	}
	body = []byte(`{"Seq":"urn:a"} {}`)
	v = frame(KindSource, [][]byte{[]byte("urn:a")}, append(newBody(len(body)), body...))
	if _, err := DecodeSource("urn:a", v); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing data: %v", err)
	}
}

func TestNumberKeys(t *testing.T) {
	for _, n := range []uint64{1, 255, 256, 1<<63 + 5, ^uint64(0)} {
		if got, err := ParseNumberKey(NumberKey(n)); err != nil || got != n {
			t.Errorf("%d: %d %v", n, got, err)
		}
	}
	if bytes.Compare(NumberKey(255), NumberKey(256)) >= 0 {
		t.Error("keys do not sort by number")
	}
	for _, k := range [][]byte{nil, {1}, make([]byte, 8), make([]byte, 9)} {
		if _, err := ParseNumberKey(k); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%x accepted", k)
		}
	}
}
