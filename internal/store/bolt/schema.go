package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
)

// SchemaVersion is the layout this build writes (see the package documentation).
const SchemaVersion = 1

// Bucket and key names.
var (
	bMeta        = []byte("meta")
	kSchema      = []byte("schema")
	bSource      = []byte("source")
	bDestination = []byte("destination")
	bStates      = []byte("states")
	bMsgs        = []byte("msgs")
	bTokens      = []byte("tokens")
	bAppMeta     = []byte("appmeta")
)

// Migration upgrades a store from one schema version to the next inside the transaction that
// then records the new version; an error leaves the file as it was.
type Migration func(tx *bbolt.Tx) error

// migrations[v] upgrades version v to v+1. Version 1 is the first; there is nothing to
// migrate yet.
var migrations = map[int]Migration{}

// SchemaError: the file's schema version is not one this build can use.
type SchemaError struct {
	Path      string
	Found     int
	Supported int
	Reason    string
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("store: %s has schema version %d, this build uses %d: %s", e.Path, e.Found, e.Supported, e.Reason)
}

// initSchema creates the buckets of the current version in an empty file.
func initSchema(tx *bbolt.Tx) error {
	for _, role := range [][]byte{bSource, bDestination} {
		b, err := tx.CreateBucketIfNotExists(role)
		if err != nil {
			return err
		}
		for _, sub := range [][]byte{bStates, bMsgs} {
			if _, err := b.CreateBucketIfNotExists(sub); err != nil {
				return err
			}
		}
	}
	for _, name := range [][]byte{bTokens, bAppMeta} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return writeSchema(tx, SchemaVersion)
}

func writeSchema(tx *bbolt.Tx, v int) error {
	m, err := tx.CreateBucketIfNotExists(bMeta)
	if err != nil {
		return err
	}
	return m.Put(kSchema, binary.BigEndian.AppendUint32(nil, uint32(v)))
}

var errNoSchema = errors.New("no schema record (not an rspcheck store)")

func readSchema(tx *bbolt.Tx) (int, error) {
	m := tx.Bucket(bMeta)
	if m == nil {
		return 0, errNoSchema
	}
	v := m.Get(kSchema)
	if len(v) != 4 {
		return 0, errNoSchema
	}
	return int(binary.BigEndian.Uint32(v)), nil
}

// schema reads the version and migrates an older file (read-write only).
func (d *DB) schema(o Options) error {
	var found int
	err := d.safe("schema", func() error {
		return d.bdb.View(func(tx *bbolt.Tx) (err error) { found, err = readSchema(tx); return err })
	})
	var ce *store.CorruptError
	switch {
	case errors.As(err, &ce):
		return err
	case err != nil:
		return &store.CorruptError{Path: d.path, Where: "meta", Err: err}
	case found == SchemaVersion:
		return nil
	case found > SchemaVersion:
		return &SchemaError{Path: d.path, Found: found, Supported: SchemaVersion, Reason: "written by a newer rspcheck; use that version (or a newer one)"}
	case o.ReadOnly:
		return &SchemaError{Path: d.path, Found: found, Supported: SchemaVersion, Reason: "needs a migration; open it read-write once"}
	}
	for v := found; v < SchemaVersion; v++ {
		if o.migrations[v] == nil {
			return &SchemaError{Path: d.path, Found: found, Supported: SchemaVersion, Reason: fmt.Sprintf("no migration from version %d", v)}
		}
	}
	return d.safe("migration", func() error {
		return d.bdb.Update(func(tx *bbolt.Tx) error {
			for v := found; v < SchemaVersion; v++ {
				if err := o.migrations[v](tx); err != nil {
					return fmt.Errorf("store: %s: migration from schema version %d: %w", d.path, v, err)
				}
			}
			return writeSchema(tx, SchemaVersion)
		})
	})
}

// roleBuckets returns the states and msgs buckets of role.
func roleBuckets(tx *bbolt.Tx, role rm.Role) (states, msgs *bbolt.Bucket, err error) {
	name := bSource
	if role == rm.RoleDestination {
		name = bDestination
	}
	if r := tx.Bucket(name); r != nil {
		states, msgs = r.Bucket(bStates), r.Bucket(bMsgs)
	}
	if states == nil || msgs == nil {
		return nil, nil, fmt.Errorf("bucket %s/%s or %s/%s is missing", name, bStates, name, bMsgs)
	}
	return states, msgs, nil
}

func topBucket(tx *bbolt.Tx, name []byte) (*bbolt.Bucket, error) {
	if b := tx.Bucket(name); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("bucket %s is missing", name)
}
