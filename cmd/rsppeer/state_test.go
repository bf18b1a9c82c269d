package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
)

// TestStateDirectory: --data and --store-key as a user meets them: the key file created with
// mode 0600, a second process on the same directory refused with the store's lock error, the
// store listed without secrets, the storage key rotated (the old key no longer opens the
// SCTs, the new one does), and a damaged store file named in the error and left as it is.
func TestStateDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("real processes")
	}
	c := &crashRun{t: t, bin: rsppeerBinary(t), mode: "both", dir: t.TempDir()}
	c.startResponder()
	defer c.stopAll()
	rdata := c.path("rdata")

	fi, err := os.Stat(filepath.Join(rdata, KeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"responder", "--listen", "127.0.0.1:0", "--data", rdata}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "locked by another process") || !strings.Contains(errb.String(), bolt.FileName) {
		t.Errorf("second responder on the same directory: exit %d, %q", code, errb.String())
	}

	// A job interrupted with kill -9 leaves sequences and sealed SCTs in both stores.
	c.startInitiator()
	for len(c.delivered()) < 3 {
		if c.sleepOrExit(2 * time.Millisecond) {
			t.Fatalf("the job ended before the crash:\n%s", c.initOut)
		}
	}
	c.crash()
	raw, err := exec.Command(c.bin, "store", "dump", "--data", rdata).Output()
	if err != nil {
		t.Fatal(err)
	}
	var v store.DumpView
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Sequences) == 0 || len(v.Tokens) == 0 || len(v.Tokens[0].Sequences) == 0 {
		t.Fatalf("dump: %s", raw)
	}
	if bytes.Contains(raw, []byte("RSPT")) || bytes.Contains(bytes.ToLower(raw), []byte("secret")) {
		t.Errorf("dump shows sealed or secret material: %s", raw)
	}

	// Rotate the responder's storage key.
	newKey := c.path("new.key")
	out.Reset()
	errb.Reset()
	if code := run([]string{"rekey", "--data", rdata, "--store-key", newKey, "--old-key", filepath.Join(rdata, KeyFileName)}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), "re-sealed") {
		t.Fatalf("rekey: exit %d %q %q", code, out.String(), errb.String())
	}
	errb.Reset()
	if code := run([]string{"responder", "--listen", "127.0.0.1:0", "--data", rdata}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "does not open") {
		t.Errorf("responder with the old key after rekey: exit %d, %q", code, errb.String())
	}
	c.respExtra = []string{"--store-key", newKey}
	c.startResponder() // with the new key: recovers
	c.startInitiator()
	c.finish()
	c.verifyLog()

	// A damaged store is named and left alone.
	bad := t.TempDir()
	junk := bytes.Repeat([]byte("not a bbolt file "), 512)
	if err := os.WriteFile(filepath.Join(bad, bolt.FileName), junk, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, KeyFileName), bytes.Repeat([]byte{7}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run([]string{"initiator", "--to", "http://127.0.0.1:1/rm", "--messages", "1", "--data", bad}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), filepath.Join(bad, bolt.FileName)) || !strings.Contains(errb.String(), "corrupt") {
		t.Errorf("damaged store: exit %d, %q", code, errb.String())
	}
	if got, _ := os.ReadFile(filepath.Join(bad, bolt.FileName)); !bytes.Equal(got, junk) {
		t.Error("the damaged store file was changed")
	}
	// A missing key for an existing store is not silently replaced by a new one.
	noKey := c.path("idata")
	errb.Reset()
	if err := os.Rename(filepath.Join(noKey, KeyFileName), c.path("moved.key")); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"store", "dump", "--data", noKey}, &out, &errb); code != 0 {
		t.Errorf("dump needs no key: exit %d %q", code, errb.String())
	}
	if code := run([]string{"initiator", "--to", c.endpoint, "--messages", "30", "--sequences", "3", "--size", "64", "--data", noKey}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "does not exist") {
		t.Errorf("missing key: exit %d, %q", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(noKey, KeyFileName)); err == nil {
		t.Error("a new key was created for an existing store")
	}
	_ = c.resp.Process.Signal(syscall.SIGTERM)
}

// TestStateUsage: mistakes with the persistence options exit 2 with the usage text.
func TestStateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"responder", "--listen", ":0", "--store-key", "k"},
		{"initiator", "--to", "http://127.0.0.1:1/rm", "--messages", "1", "--store-key", "k"},
		{"initiator", "--to", "http://127.0.0.1:1/rm", "--messages", "1", "--retransmit", "-1s"},
		{"store"},
		{"store", "bogus"},
		{"store", "dump"},
		{"rekey", "--data", "d"},
		{"rekey", "--data", "d", "--store-key", "k", "--old-key", "k"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 || !strings.Contains(errb.String(), "usage:") {
			t.Errorf("%q: exit %d, want 2 with usage (stderr %q)", args, code, errb.String())
		}
	}
}
