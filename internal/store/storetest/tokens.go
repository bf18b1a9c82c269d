package storetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

func sealer(t *testing.T, fill byte) *token.Sealer {
	t.Helper()
	s, err := token.NewSealer(bytes.Repeat([]byte{fill}, token.StorageKeySize), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testToken(id, instance string) token.Token {
	return token.Token{Identifier: id, Instance: instance, Secret: bytes.Repeat([]byte{0x5a}, 32),
		Created: t0, Expires: t0.Add(time.Hour), Version: wsc.V200512, Endpoint: "http://server.example/sts"}
}

// sealed returns the record of a token sealed by sl.
func sealed(t *testing.T, sl *token.Sealer, id, instance string) store.TokenRecord {
	t.Helper()
	tok := testToken(id, instance)
	b, err := sl.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	return store.TokenRecord{Identifier: id, Instance: instance, Endpoint: tok.Endpoint, Sealed: b}
}

// RM-PER-004/005: sealed token records are stored by Identifier (a renewal replaces the
// record), returned sorted, deletable; records that are not sealed for the token they claim
// to be are refused.
func testTokens(t *testing.T, h *harness) {
	s := h.store(t)
	sl := sealer(t, 1)
	var b store.Batch
	for _, id := range []string{"urn:uuid:t3", "urn:uuid:t1", "urn:uuid:t2"} {
		b.PutToken(sealed(t, sl, id, ""))
	}
	commit(t, s, b)
	renewed := sealed(t, sl, "urn:uuid:t1", "urn:uuid:inst-2")
	b = store.Batch{}
	b.PutToken(renewed)
	b.DeleteToken("urn:uuid:t2")
	b.DeleteToken("urn:uuid:never")
	commit(t, s, b)
	snap := recoverAll(t, s)
	if len(snap.Tokens) != 2 || snap.Tokens[0].Identifier != "urn:uuid:t1" || snap.Tokens[1].Identifier != "urn:uuid:t3" {
		t.Fatalf("tokens %+v", snap.Tokens)
	}
	if got, _ := snap.Token("urn:uuid:t1"); !reflect.DeepEqual(got, renewed) {
		t.Fatalf("renewed record %+v, want %+v", got, renewed)
	}
	tok, err := sl.UnmarshalFor(snap.Tokens[0].Sealed, "urn:uuid:t1", "urn:uuid:inst-2")
	if err != nil || !bytes.Equal(tok.Secret, testToken("", "").Secret) {
		t.Fatalf("stored record does not open to the token: %v", err)
	}
	// Refused: a record claiming another identity, another instance, or no record at all.
	other := sealed(t, sl, "urn:uuid:t9", "")
	for name, r := range map[string]store.TokenRecord{
		"swapped identifier": {Identifier: "urn:uuid:t1", Sealed: other.Sealed},
		"wrong instance":     {Identifier: "urn:uuid:t9", Instance: "urn:uuid:x", Sealed: other.Sealed},
		"plaintext":          {Identifier: "urn:uuid:t9", Sealed: []byte("secret")},
		"no identifier":      {Sealed: other.Sealed},
	} {
		b := store.Batch{}
		b.PutToken(r)
		if err := s.Commit(ctx, b); !errors.Is(err, store.ErrInvalidBatch) {
			t.Errorf("%s: Commit = %v, want ErrInvalidBatch", name, err)
		}
	}
}

func testMeta(t *testing.T, h *harness) {
	s := h.store(t)
	var b store.Batch
	b.PutMeta("initiator/plan", []byte(`{"jobs":3}`))
	b.PutMeta("responder/delivered", []byte{0, 0, 0, 42})
	b.PutMeta("empty", nil)
	b.PutMeta("gone", []byte("x"))
	commit(t, s, b)
	b = store.Batch{}
	b.PutMeta("initiator/plan", []byte(`{"jobs":4}`))
	b.DeleteMeta("gone")
	b.DeleteMeta("never")
	commit(t, s, b)
	want := map[string][]byte{"initiator/plan": []byte(`{"jobs":4}`), "responder/delivered": {0, 0, 0, 42}, "empty": {}}
	if got := recoverAll(t, s).Meta; !reflect.DeepEqual(got, want) {
		t.Fatalf("meta %q, want %q", got, want)
	}
}

// The store shares no memory with batches or snapshots.
func testIsolation(t *testing.T, h *harness) {
	s := h.store(t)
	st := srcState("urn:a", 2)
	st.Acked = []wsrm.AckRange{{Lower: 1, Upper: 1}}
	p := rm.Payload("original")
	meta := []byte("meta")
	sl := sealer(t, 2)
	rec := sealed(t, sl, "urn:uuid:t", "")
	b := store.Batch{Actions: []rm.Persistent{rm.PutSource{State: st}, rm.PutMessage{Role: rm.RoleSource, Seq: "urn:a", Number: 1, Payload: p}}}
	b.PutMeta("k", meta)
	b.PutToken(rec)
	commit(t, s, b)
	want := recoverAll(t, s)
	copy(p, "XXXXXXXX")
	copy(meta, "XXXX")
	st.Acked[0].Upper = 99
	rec.Sealed[len(rec.Sealed)-1] ^= 1
	got := recoverAll(t, s)
	if !reflect.DeepEqual(got, want) {
		t.Fatal("changing the batch after Commit changed the store")
	}
	got.SourceMessages[0].Payload[0] = 'Z'
	got.Meta["k"][0] = 'Z'
	got.Sources[0].Acked[0].Upper = 77
	got.Tokens[0].Sealed[0] = 'Z'
	if again := recoverAll(t, s); !reflect.DeepEqual(again, want) {
		t.Fatal("changing a snapshot changed the store")
	}
}

func testContext(t *testing.T, h *harness) {
	s := h.store(t)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Commit(c, store.Batch{Actions: []rm.Persistent{rm.PutSource{State: srcState("urn:a", 1)}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit with a cancelled context = %v", err)
	}
	if snap := recoverAll(t, s); len(snap.Sources) != 0 {
		t.Fatal("a batch refused for its context was applied")
	}
	if _, err := s.Recover(c); !errors.Is(err, context.Canceled) {
		t.Fatalf("Recover with a cancelled context = %v", err)
	}
}

func testClosed(t *testing.T, h *harness) {
	s := h.open(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := s.Commit(ctx, store.Batch{Actions: []rm.Persistent{rm.PutSource{State: srcState("urn:a", 1)}}}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Commit after Close = %v", err)
	}
	if _, err := s.Recover(ctx); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Recover after Close = %v", err)
	}
}

// RM-PER-005: Rekey re-seals every record under the new key, all or nothing; a record that
// does not open with the old key is an error naming it, never passed through.
func testRekey(t *testing.T, h *harness) {
	s := h.store(t)
	oldK, newK, otherK := sealer(t, 3), sealer(t, 4), sealer(t, 5)
	var b store.Batch
	b.PutToken(sealed(t, oldK, "urn:uuid:r1", ""))
	b.PutToken(sealed(t, oldK, "urn:uuid:r2", "urn:uuid:i2"))
	commit(t, s, b)
	n, err := store.Rekey(ctx, s, oldK, newK)
	if err != nil || n != 2 {
		t.Fatalf("Rekey = %d, %v", n, err)
	}
	for _, r := range recoverAll(t, s).Tokens {
		if _, err := newK.UnmarshalFor(r.Sealed, r.Identifier, r.Instance); err != nil {
			t.Fatalf("%s does not open with the new key: %v", r.Identifier, err)
		}
		if _, err := oldK.Unmarshal(r.Sealed); !errors.Is(err, token.ErrOpen) {
			t.Fatalf("%s still opens with the old key: %v", r.Identifier, err)
		}
	}
	// One record under another key: the whole rekey fails, naming it, and nothing changes.
	b = store.Batch{}
	b.PutToken(sealed(t, otherK, "urn:uuid:r3", ""))
	commit(t, s, b)
	before := recoverAll(t, s)
	n, err = store.Rekey(ctx, s, newK, oldK)
	var re *store.RekeyError
	if !errors.As(err, &re) || re.Identifier != "urn:uuid:r3" || !errors.Is(err, token.ErrOpen) || n != 0 {
		t.Fatalf("Rekey with a foreign record = %d, %v", n, err)
	}
	if after := recoverAll(t, s); !reflect.DeepEqual(after, before) {
		t.Fatal("a failed Rekey changed the store")
	}
	// A tampered record (one octet of ciphertext flipped) is refused the same way.
	b = store.Batch{}
	b.DeleteToken("urn:uuid:r3")
	bad := sealed(t, newK, "urn:uuid:r4", "")
	bad.Sealed[len(bad.Sealed)-3] ^= 0x40
	b.PutToken(bad)
	commit(t, s, b)
	if _, err := store.Rekey(ctx, s, newK, oldK); !errors.As(err, &re) || re.Identifier != "urn:uuid:r4" {
		t.Fatalf("Rekey with a tampered record = %v", err)
	}
}

// Dump lists sequences, tokens and metadata, and never a payload, sealed octets or secret.
func testDump(t *testing.T, h *harness) {
	s := h.store(t)
	sl := sealer(t, 6)
	rec := sealed(t, sl, "urn:uuid:tok-urn:a", "")
	st := srcState("urn:a", 4)
	st.Acked, st.Closed = []wsrm.AckRange{{Lower: 1, Upper: 2}}, true
	b := store.Batch{Actions: []rm.Persistent{rm.PutSource{State: st}, msg(rm.RoleSource, "urn:a", 3),
		rm.PutDestination{State: dstState("urn:d")}}}
	b.PutToken(rec)
	b.PutMeta("plan", []byte("secret-plan"))
	commit(t, s, b)
	v, err := store.Dump(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Sequences) != 2 || v.Sequences[0].ID != "urn:a" || v.Sequences[0].Messages != 1 || v.Sequences[0].Next != 4 ||
		!reflect.DeepEqual(v.Sequences[0].Flags, []string{"closed"}) || !reflect.DeepEqual(v.Sequences[0].Ranges, [][2]uint64{{1, 2}}) {
		t.Fatalf("sequences %+v", v.Sequences)
	}
	if len(v.Tokens) != 1 || v.Tokens[0].SealedSize != len(rec.Sealed) || !reflect.DeepEqual(v.Tokens[0].Sequences, []string{"urn:a"}) {
		t.Fatalf("tokens %+v", v.Tokens)
	}
	if len(v.Meta) != 1 || v.Meta[0] != (store.MetaView{Key: "plan", Size: 11}) {
		t.Fatalf("meta %+v", v.Meta)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{base64.StdEncoding.EncodeToString(rec.Sealed), base64.StdEncoding.EncodeToString(testToken("", "").Secret),
		"secret-plan", string(payload("urn:a", 3))} {
		if strings.Contains(string(j), leak) {
			t.Fatalf("dump contains %q: %s", leak, j)
		}
	}
}
