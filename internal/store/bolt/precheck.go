package bolt

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"

	"github.com/rspcheck/rspcheck/internal/store"
)

// bbolt's file format (version 2): two meta pages at the front, each a 16-octet page header
// followed by magic, version, page size, flags, root bucket (16), freelist page, high-water
// mark (pgid), txid and an FNV-64a checksum of the preceding 56 octets, in native byte order.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderLen  = 16
	metaSummedLen  = 56
	metaLen        = metaSummedLen + 8
	minPageSize    = 512
	maxPageSize    = 1 << 16
	offMetaVersion = 4
	offPageSize    = 8
	offHighWater   = 40
	offTxid        = 48
)

// precheck reads bbolt's meta pages before bbolt does and refuses a file shorter than its
// high-water mark: bbolt maps the file and would read the missing pages (a memory fault, or
// garbage from past the end) before any check of its own. It says nothing about a file whose
// meta pages it cannot read; bbolt reports those.
func precheck(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	m0, ok0 := readMeta(f, 0)
	if !ok0 {
		return nil
	}
	best := m0
	if m1, ok1 := readMeta(f, int64(m0.pageSize)); ok1 && m1.txid > m0.txid {
		best = m1
	}
	if need := best.hwm * uint64(best.pageSize); need > uint64(fi.Size()) {
		return &store.CorruptError{Path: path, Err: fmt.Errorf("truncated: the file has %d octets, its pages reach %d", fi.Size(), need)}
	}
	return nil
}

type meta struct {
	pageSize uint32
	hwm      uint64
	txid     uint64
}

func readMeta(f *os.File, off int64) (meta, bool) {
	b := make([]byte, pageHeaderLen+metaLen)
	if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
		return meta{}, false
	}
	m := b[pageHeaderLen:]
	le := binary.NativeEndian
	h := fnv.New64a()
	h.Write(m[:metaSummedLen])
	ps := le.Uint32(m[offPageSize:])
	if le.Uint32(m) != boltMagic || le.Uint32(m[offMetaVersion:]) != boltVersion || h.Sum64() != le.Uint64(m[metaSummedLen:]) ||
		ps < minPageSize || ps > maxPageSize {
		return meta{}, false
	}
	return meta{pageSize: ps, hwm: le.Uint64(m[offHighWater:]), txid: le.Uint64(m[offTxid:])}, true
}
