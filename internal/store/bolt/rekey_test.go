package bolt_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
)

func testSealer(t *testing.T, fill byte) *token.Sealer {
	t.Helper()
	s, err := token.NewSealer(bytes.Repeat([]byte{fill}, token.StorageKeySize), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The offline rotation of the storage key (`rsppeer store rekey`): one transaction, all or
// nothing; the store must not be in use.
func TestRekeyDir(t *testing.T) {
	dir := t.TempDir()
	oldK, newK := testSealer(t, 1), testSealer(t, 2)
	d := open(t, dir)
	var b store.Batch
	for _, id := range []string{"urn:uuid:a", "urn:uuid:b"} {
		sealed, err := oldK.Marshal(token.Token{Identifier: id, Secret: []byte("0123456789abcdef0123456789abcdef"), Version: wsc.V200512})
		if err != nil {
			t.Fatal(err)
		}
		b.PutToken(store.TokenRecord{Identifier: id, Sealed: sealed})
	}
	if err := d.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	var le *bolt.LockedError
	if _, err := bolt.RekeyDir(ctx, dir, bolt.Options{LockTimeout: short}, oldK, newK); !errors.As(err, &le) {
		t.Fatalf("RekeyDir on a store in use = %v", err)
	}
	d.Close()
	if n, err := bolt.RekeyDir(ctx, dir, bolt.Options{}, newK, oldK); n != 0 || !errors.Is(err, token.ErrOpen) {
		t.Fatalf("RekeyDir with the wrong old key = %d, %v", n, err)
	}
	if n, err := bolt.RekeyDir(ctx, dir, bolt.Options{}, oldK, newK); n != 2 || err != nil {
		t.Fatalf("RekeyDir = %d, %v", n, err)
	}
	d = open(t, dir)
	defer d.Close()
	snap, err := d.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range snap.Tokens {
		if _, err := newK.UnmarshalFor(r.Sealed, r.Identifier, r.Instance); err != nil {
			t.Fatalf("%s after RekeyDir: %v", r.Identifier, err)
		}
	}
}
