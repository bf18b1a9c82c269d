package bolt_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// isCorrupt reports whether err is a *store.CorruptError naming the store file of dir.
func isCorrupt(err error, dir string) bool {
	var ce *store.CorruptError
	path := filepath.Join(dir, bolt.FileName)
	return errors.As(err, &ce) && ce.Path == path && strings.Contains(err.Error(), path) && errors.Is(err, store.ErrCorrupt)
}

// marker is a payload octet pattern that can be found in the file.
func marker(seq string, n uint64) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("[%s#%04d]", seq, n)), 1024/16)
}

// populated is a closed store file with a few hundred KiB of sequences and messages, and what
// Recover returned from it.
type populated struct {
	data []byte
	want *store.Snapshot
}

var golden *populated

func populate(t *testing.T) *populated {
	t.Helper()
	if golden != nil {
		return golden
	}
	dir := t.TempDir()
	d := open(t, dir)
	for _, seq := range []string{"urn:s1", "urn:s2", "urn:s3"} {
		b := store.Batch{Actions: []rm.Persistent{rm.PutSource{State: rm.SourceState{Seq: seq, Version: wsrm.V200702, Next: 61,
			Acked: []wsrm.AckRange{{Lower: 1, Upper: 2}}}}}}
		for n := uint64(1); n <= 60; n++ {
			b.Actions = append(b.Actions, rm.PutMessage{Role: rm.RoleSource, Seq: seq, Number: n, Payload: marker(seq, n)})
		}
		b.PutMeta("meta/"+seq, []byte(seq))
		if err := d.Commit(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// churn, so that the file has free pages as well
	if err := d.Commit(ctx, store.Batch{Actions: []rm.Persistent{rm.DeleteMessages{Role: rm.RoleSource, Seq: "urn:s2", Lower: 1, Upper: 30}}}); err != nil {
		t.Fatal(err)
	}
	want, err := d.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	data, err := os.ReadFile(d.Path())
	if err != nil {
		t.Fatal(err)
	}
	golden = &populated{data: data, want: want}
	return golden
}

// damaged writes a copy of the populated file, changed by mutate, into a new directory.
func damaged(t *testing.T, p *populated, mutate func([]byte) []byte) string {
	t.Helper()
	dir := t.TempDir()
	data := mutate(bytes.Clone(p.data))
	if err := os.WriteFile(filepath.Join(dir, bolt.FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// outcome opens and recovers a damaged store: "error" for a CorruptError naming the file
// (from Open or Recover), "intact" when everything reads back exactly as written; anything
// else fails the test: damage is never silently accepted.
func outcome(t *testing.T, dir string, p *populated, o bolt.Options) string {
	t.Helper()
	before, _ := os.ReadFile(filepath.Join(dir, bolt.FileName))
	defer func() {
		after, _ := os.ReadFile(filepath.Join(dir, bolt.FileName))
		if !bytes.Equal(before, after) {
			t.Errorf("the damaged file was modified (reset or repaired?)")
		}
	}()
	d, err := bolt.Open(dir, o)
	if err != nil {
		if !isCorrupt(err, dir) {
			t.Fatalf("Open = %v, want a CorruptError naming the file", err)
		}
		return "error at open: " + err.Error()
	}
	defer d.Close()
	snap, err := d.Recover(ctx)
	switch {
	case err != nil && isCorrupt(err, dir):
		return "error at recover: " + err.Error()
	case err != nil:
		t.Fatalf("Recover = %v, want a CorruptError naming the file", err)
	case !reflect.DeepEqual(snap, p.want):
		t.Fatalf("damaged store read back different data without an error")
	}
	return "intact"
}

func TestCorruptTruncated(t *testing.T) {
	p := populate(t)
	page := os.Getpagesize()
	// The last page may lie past the high-water mark (room bbolt grew the file by): cutting
	// it may leave the store intact. Every other cut reaches used pages.
	for _, size := range []int{len(p.data) - page, len(p.data) / 2, 2 * page, page, 100, 0} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			dir := damaged(t, p, func(b []byte) []byte { return b[:size] })
			got := outcome(t, dir, p, bolt.Options{})
			if size < len(p.data)-page && !strings.HasPrefix(got, "error at open") {
				t.Fatalf("truncated to %d: %s", size, got)
			}
			if size >= 2*page && size < len(p.data)-page && !strings.Contains(got, "truncated") {
				t.Fatalf("truncated to %d, not said so: %s", size, got)
			}
			t.Log(got)
		})
	}
}

func TestCorruptGarbage(t *testing.T) {
	p := populate(t)
	r := rand.New(rand.NewPCG(1, 2))
	for name, mutate := range map[string]func([]byte) []byte{
		"random file": func(b []byte) []byte {
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return b
		},
		"text file":         func([]byte) []byte { return []byte("this is not a database\n") },
		"zeroed meta pages": func(b []byte) []byte { clear(b[:2*os.Getpagesize()]); return b },
	} {
		t.Run(name, func(t *testing.T) {
			if got := outcome(t, damaged(t, p, mutate), p, bolt.Options{}); !strings.HasPrefix(got, "error at open") {
				t.Fatalf("%s: %s", name, got)
			}
		})
	}
}

// One flipped octet inside a stored payload: bbolt does not notice (no checksums on data
// pages); the record checksum does.
func TestCorruptPayloadOctet(t *testing.T) {
	p := populate(t)
	m := marker("urn:s3", 42)
	dir := damaged(t, p, func(b []byte) []byte {
		i := bytes.Index(b, m)
		if i < 0 {
			t.Fatal("payload not found in the file")
		}
		b[i+100] ^= 0x01
		return b
	})
	got := outcome(t, dir, p, bolt.Options{})
	if !strings.Contains(got, "error at recover") || !strings.Contains(got, `source message "urn:s3" #42`) {
		t.Fatalf("flipped payload octet: %s", got)
	}
}

// Garbage written over the middle of the file, at several places, without and with the
// consistency check: every outcome is an error naming the file, or the intact content (the
// damage hit free space) — never a panic, never different data.
func TestCorruptOverwrite(t *testing.T) {
	p := populate(t)
	page := os.Getpagesize()
	r := rand.New(rand.NewPCG(3, 4))
	garbage := make([]byte, page/2)
	for i := range garbage {
		garbage[i] = byte(r.Uint32())
	}
	pages := len(p.data) / page
	for _, skip := range []bool{true, false} {
		for i := 1; i < 10; i++ {
			off := (2 + (pages-2)*i/10) * page // a page start past the meta pages
			for _, shift := range []int{0, page / 2} {
				name := fmt.Sprintf("skipcheck=%v/page%d+%d", skip, off/page, shift)
				t.Run(name, func(t *testing.T) {
					dir := damaged(t, p, func(b []byte) []byte { copy(b[off+shift:], garbage); return b })
					t.Log(outcome(t, dir, p, bolt.Options{SkipCheck: skip}))
				})
			}
		}
	}
}

func TestIntactFilePassesTheCheck(t *testing.T) {
	p := populate(t)
	for _, skip := range []bool{false, true} {
		if got := outcome(t, damaged(t, p, func(b []byte) []byte { return b }), p, bolt.Options{SkipCheck: skip}); got != "intact" {
			t.Fatal(got)
		}
	}
}
