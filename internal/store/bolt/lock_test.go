package bolt_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
)

const short = 100 * time.Millisecond

// A second Open of the same directory in the same process collides too: bbolt's flock(2)
// belongs to the open file description, not to the process.
func TestLockedInProcess(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	defer d.Close()
	_, err := bolt.Open(dir, bolt.Options{LockTimeout: short})
	var le *bolt.LockedError
	path := filepath.Join(dir, bolt.FileName)
	if !errors.As(err, &le) || le.Path != path || !strings.Contains(err.Error(), path+" is locked by another process") {
		t.Fatalf("second Open = %v", err)
	}
	// A read-only opener (store dump) is refused as well while a writer holds the file.
	if _, err := bolt.Open(dir, bolt.Options{LockTimeout: short, ReadOnly: true}); !errors.As(err, &le) {
		t.Fatalf("read-only Open of a held store = %v", err)
	}
	// Once closed, the directory opens again.
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	open(t, dir).Close()
}

// helperEnv names the directory the helper process opens.
const helperEnv = "RSPCHECK_STORE_LOCK_HELPER"

// TestLockHelper is not a test: run by TestLockedByOtherProcess as a second process, it
// opens the store and prints the outcome.
func TestLockHelper(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	d, err := bolt.Open(dir, bolt.Options{LockTimeout: short})
	if err != nil {
		fmt.Println("HELPER:", err)
		return
	}
	d.Close()
	fmt.Println("HELPER: opened")
}

func TestLockedByOtherProcess(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir)
	helper := func() string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		for _, l := range strings.Split(string(out), "\n") {
			if s, ok := strings.CutPrefix(l, "HELPER: "); ok {
				return s
			}
		}
		t.Fatalf("helper said nothing:\n%s", out)
		return ""
	}
	path := filepath.Join(dir, bolt.FileName)
	if got := helper(); !strings.Contains(got, "store: "+path+" is locked by another process") {
		t.Fatalf("second process: %s", got)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if got := helper(); got != "opened" {
		t.Fatalf("second process after Close: %s", got)
	}
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	if _, err := bolt.Open(dir, bolt.Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read-only Open of a missing store = %v", err)
	}
	d := open(t, dir)
	if err := d.Commit(ctx, putSource("urn:a")); err != nil {
		t.Fatal(err)
	}
	d.Close()
	r1, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := bolt.Open(dir, bolt.Options{ReadOnly: true}) // shared lock: dumps do not collide
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if snap, err := r2.Recover(ctx); err != nil || len(snap.Sources) != 1 {
		t.Fatalf("read-only Recover = %v, %v", snap, err)
	}
	if err := r1.Commit(ctx, putSource("urn:b")); !errors.Is(err, store.ErrReadOnly) {
		t.Fatalf("read-only Commit = %v", err)
	}
	if _, err := r1.Rekey(ctx, nil, nil); !errors.Is(err, store.ErrReadOnly) {
		t.Fatalf("read-only Rekey = %v", err)
	}
}
