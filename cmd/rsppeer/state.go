package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/peer"
)

// KeyFileName is the default storage key file inside a state directory.
const KeyFileName = "store.key"

// stateFlags are the persistence options of both peers (issue #5).
type stateFlags struct {
	data, key *string
}

func addStateFlags(fs *flag.FlagSet) *stateFlags {
	return &stateFlags{
		data: fs.String("data", "", "state directory: sequences, messages and sealed SCTs survive a restart (default: memory only)"),
		key:  fs.String("store-key", "", "file with the 32-octet storage key sealing the SCTs at rest (default DIR/"+KeyFileName+"; created, mode 0600, on first start)"),
	}
}

// state is an open state directory.
type state struct {
	store *bolt.DB
	key   []byte
}

// open opens the state directory (nil without --data). A second process on the same
// directory gets the store's lock error; a damaged store file the store's error naming it.
func (f *stateFlags) open(role string, warn io.Writer) (*state, error) {
	if *f.data == "" {
		if *f.key != "" {
			return nil, usagef("%s: --store-key needs --data", role)
		}
		return nil, nil
	}
	if err := os.MkdirAll(*f.data, 0o700); err != nil {
		return nil, fmt.Errorf("%s: state directory: %w", role, err)
	}
	keyPath := *f.key
	if keyPath == "" {
		keyPath = filepath.Join(*f.data, KeyFileName)
	}
	_, err := os.Stat(filepath.Join(*f.data, bolt.FileName))
	fresh := errors.Is(err, fs.ErrNotExist)
	key, err := loadKey(keyPath, fresh, warn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	db, err := bolt.Open(*f.data, bolt.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	peer.TuneProcs(1) // commits block in fdatasync (peer.TuneProcs)
	return &state{store: db, key: key}, nil
}

func (s *state) close() error {
	if s == nil {
		return nil
	}
	return s.store.Close()
}

// loadKey reads a storage key file; when it is absent and create is set (a new state
// directory), it creates one with 32 random octets, mode 0600.
func loadKey(path string, create bool, warn io.Writer) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, fmt.Errorf("storage key %s does not exist; the state directory already holds a store, whose SCTs are sealed under another key "+
				"(give that key with --store-key)", path)
		}
		return createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("storage key: %w", err)
	}
	if len(b) != token.StorageKeySize {
		return nil, fmt.Errorf("storage key %s holds %d octets; a storage key is %d random octets", path, len(b), token.StorageKeySize)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 && warn != nil {
		fmt.Fprintf(warn, "rsppeer: warning: storage key %s is accessible to others (mode %04o); chmod 600 it\n", path, fi.Mode().Perm())
	}
	return b, nil
}

// createKey writes a new key under a temporary name and links it into place, so that a
// crash never leaves a partial key file (which would lock the state directory out); if
// another process linked its key first, that one is used.
func createKey(path string) ([]byte, error) {
	key := make([]byte, token.StorageKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("storage key: %w", err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".new-*")
	if err != nil {
		return nil, fmt.Errorf("storage key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(key)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("storage key %s: %w", path, err)
	}
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return loadKey(path, false, nil)
	} else if err != nil {
		return nil, fmt.Errorf("storage key: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return key, nil
}

// readDelivered reads the delivered log that a restarted responder appends to (empty when
// it does not exist yet).
func readDelivered(path string) ([]trace.Delivery, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ds, err := trace.ReadDelivered(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ds, nil
}

// storeCmd is `rsppeer store dump|rekey`.
func storeCmd(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("store: missing subcommand (dump or rekey)")
	}
	switch args[0] {
	case "dump":
		return dump(args[1:], stdout)
	case "rekey":
		return rekey(args[1:], stdout)
	}
	return usagef("store: unknown subcommand %q (dump or rekey)", args[0])
}

// dump prints what a state directory holds, as JSON, without payloads, secrets or sealed
// octets (store.DumpView). It opens the store read-only: run it while the peer is stopped
// (a running peer holds the lock).
func dump(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("store dump", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data := fs.String("data", "", "state directory")
	if err := fs.Parse(args); err != nil {
		return usagef("store dump: %v", err)
	}
	if *data == "" || fs.NArg() > 0 {
		return usagef("store dump: --data DIR is required")
	}
	db, err := bolt.Open(*data, bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := store.Dump(context.Background(), db)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// rekey re-seals every SCT record of a stopped peer's store under a new storage key.
func rekey(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("rekey", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data := fs.String("data", "", "state directory")
	newKey := fs.String("store-key", "", "file with the new storage key (created, mode 0600, when absent)")
	oldKey := fs.String("old-key", "", "file with the current storage key (default DIR/"+KeyFileName+")")
	if err := fs.Parse(args); err != nil {
		return usagef("rekey: %v", err)
	}
	if fs.NArg() > 0 || *data == "" || *newKey == "" {
		return usagef("rekey: --data DIR and --store-key NEW are required")
	}
	if *oldKey == "" {
		*oldKey = filepath.Join(*data, KeyFileName)
	}
	if filepath.Clean(*oldKey) == filepath.Clean(*newKey) {
		return usagef("rekey: --store-key and --old-key name the same file")
	}
	if _, err := os.Stat(filepath.Join(*data, bolt.FileName)); err != nil {
		return fmt.Errorf("rekey: %w", err)
	}
	ok, err := loadKey(*oldKey, false, nil)
	if err != nil {
		return fmt.Errorf("rekey: %w", err)
	}
	nk, err := loadKey(*newKey, true, nil)
	if err != nil {
		return fmt.Errorf("rekey: %w", err)
	}
	olds, err := token.NewSealer(ok, nil)
	if err != nil {
		return err
	}
	news, err := token.NewSealer(nk, nil)
	if err != nil {
		return err
	}
	n, err := bolt.RekeyDir(context.Background(), *data, bolt.Options{}, olds, news)
	if err != nil {
		return fmt.Errorf("rekey: %w", err)
	}
	fmt.Fprintf(stdout, "rekey: %d SCT records in %s re-sealed under %s; start the peer with --store-key %s\n", n, *data, *newKey, *newKey)
	return nil
}
