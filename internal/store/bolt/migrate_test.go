package bolt_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/store/record"
)

// rawFile writes a bbolt file in dir by hand: schema version v and what fill adds.
func rawFile(t *testing.T, dir string, v uint32, fill func(tx *bbolt.Tx) error) string {
	t.Helper()
	path := filepath.Join(dir, bolt.FileName)
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		m, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		if err := m.Put([]byte("schema"), binary.BigEndian.AppendUint32(nil, v)); err != nil {
			return err
		}
		if fill != nil {
			return fill(tx)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// A fake version 0 kept source states as bare JSON in one bucket "seqs". The migration hook
// turns it into version 1 in the transaction that records the new version.
func TestMigrationHook(t *testing.T) {
	dir := t.TempDir()
	st := rm.SourceState{Seq: "urn:old", Next: 4, Token: "urn:uuid:t"}
	rawFile(t, dir, 0, func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("seqs"))
		if err != nil {
			return err
		}
		j, _ := json.Marshal(st)
		return b.Put([]byte(st.Seq), j)
	})
	v0to1 := func(tx *bbolt.Tx) error {
		for _, p := range [][2]string{{"source", "msgs"}, {"destination", "states"}, {"destination", "msgs"}, {"tokens"}, {"appmeta"}} {
			if _, err := nested(tx, p[:]...); err != nil {
				return err
			}
		}
		states, err := nested(tx, "source", "states")
		if err != nil {
			return err
		}
		err = tx.Bucket([]byte("seqs")).ForEach(func(k, v []byte) error {
			var s rm.SourceState
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			enc, err := record.EncodeSource(s)
			if err != nil {
				return err
			}
			return states.Put(k, enc)
		})
		if err != nil {
			return err
		}
		return tx.DeleteBucket([]byte("seqs"))
	}
	// Without a migration for version 0: refused, file untouched.
	_, err := bolt.Open(dir, bolt.Options{})
	var se *bolt.SchemaError
	if !errors.As(err, &se) || se.Found != 0 || se.Supported != bolt.SchemaVersion {
		t.Fatalf("Open of v0 without migration = %v", err)
	}
	// A failing migration leaves the file as it was.
	failing := bolt.WithMigrations(bolt.Options{}, map[int]bolt.Migration{0: func(tx *bbolt.Tx) error {
		if err := tx.DeleteBucket([]byte("seqs")); err != nil {
			return err
		}
		return errors.New("boom")
	}})
	if _, err := bolt.Open(dir, failing); err == nil {
		t.Fatal("a failing migration must fail Open")
	}
	// Read-only cannot migrate.
	if _, err := bolt.Open(dir, bolt.WithMigrations(bolt.Options{ReadOnly: true}, map[int]bolt.Migration{0: v0to1})); !errors.As(err, &se) {
		t.Fatalf("read-only Open of v0 = %v", err)
	}
	d, err := bolt.Open(dir, bolt.WithMigrations(bolt.Options{}, map[int]bolt.Migration{0: v0to1}))
	if err != nil {
		t.Fatalf("migrating Open: %v", err)
	}
	snap, err := d.Recover(ctx)
	if err != nil || len(snap.Sources) != 1 || snap.Sources[0].Seq != "urn:old" || snap.Sources[0].Next != 4 {
		t.Fatalf("after migration: %+v, %v", snap, err)
	}
	d.Close()
	// Migrated for good: the plain table opens it now.
	open(t, dir).Close()
}

// nested creates (if needed) the bucket at path; empty names are ignored.
func nested(tx *bbolt.Tx, path ...string) (*bbolt.Bucket, error) {
	b, err := tx.CreateBucketIfNotExists([]byte(path[0]))
	for _, name := range path[1:] {
		if err != nil || name == "" {
			break
		}
		b, err = b.CreateBucketIfNotExists([]byte(name))
	}
	return b, err
}

func TestNewerSchema(t *testing.T) {
	dir := t.TempDir()
	path := rawFile(t, dir, bolt.SchemaVersion+1, nil)
	_, err := bolt.Open(dir, bolt.Options{})
	var se *bolt.SchemaError
	if !errors.As(err, &se) || se.Path != path || se.Found != bolt.SchemaVersion+1 {
		t.Fatalf("Open of a newer schema = %v", err)
	}
	t.Log(err)
}

// A bbolt file that is not an rspcheck store is refused, not adopted.
func TestForeignBoltFile(t *testing.T) {
	dir := t.TempDir()
	db, err := bbolt.Open(filepath.Join(dir, bolt.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
	db.Close()
	if _, err := bolt.Open(dir, bolt.Options{}); !isCorrupt(err, dir) {
		t.Fatalf("Open of a foreign bbolt file = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, bolt.FileName)); err != nil {
		t.Fatal(err)
	}
}
