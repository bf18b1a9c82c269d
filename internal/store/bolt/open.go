package bolt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/rspcheck/rspcheck/internal/store"
)

// FileName is the store file inside the state directory.
const FileName = "rspcheck.db"

// Options configure Open. The zero value is the default.
type Options struct {
	// LockTimeout is how long Open waits for the file lock held by another opener before
	// failing with a *LockedError (0 = 1 s).
	LockTimeout time.Duration
	// ReadOnly opens with a shared lock for listings (store dump): Commit and Rekey fail
	// with store.ErrReadOnly, no migration runs, a missing file is an error.
	ReadOnly bool
	// SkipCheck skips the consistency check on Open: a walk of every reachable page followed
	// by bbolt's tx.Check (page reachability, double frees, key order). It costs about 2 ms
	// per 10 MB of file (BenchmarkRecover); Recover detects damaged values in any case.
	SkipCheck bool
	// MaxGroup bounds the batches sharing one transaction (0 = 256).
	MaxGroup int

	migrations map[int]Migration // nil = the package's table; set by tests
}

// LockedError: another process (or another Open in this process) holds the store file.
type LockedError struct {
	Path    string
	Timeout time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("store: %s is locked by another process (no lock within %v; is a peer already running on this state directory?)", e.Path, e.Timeout)
}

// DB is a bbolt-backed store.Store.
type DB struct {
	path     string
	bdb      *bbolt.DB
	readOnly bool
	maxGroup int

	mu      sync.RWMutex // guards closed and sends to queue
	closed  bool
	queue   chan *request
	stopped chan struct{}

	batches, txs atomic.Uint64
	taken        atomic.Uint64 // batches taken off the queue (tests wait on it)
}

var (
	_ store.Store   = (*DB)(nil)
	_ store.Rekeyer = (*DB)(nil)
)

// Open opens (read-write: creating it when absent) the store in dir.
func Open(dir string, o Options) (*DB, error) {
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	if o.MaxGroup <= 0 {
		o.MaxGroup = 256
	}
	if o.migrations == nil {
		o.migrations = migrations
	}
	path := filepath.Join(dir, FileName)
	if err := prepareFile(dir, path, o); err != nil {
		return nil, err
	}
	bdb, err := openBolt(path, o)
	if err != nil {
		return nil, err
	}
	d := &DB{path: path, bdb: bdb, readOnly: o.ReadOnly, maxGroup: o.MaxGroup}
	if err := d.verify(o); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	if !o.ReadOnly {
		d.queue = make(chan *request, o.MaxGroup)
		d.stopped = make(chan struct{})
		go d.run()
	}
	return d, nil
}

// Path is the store file.
func (d *DB) Path() string { return d.path }

// prepareFile makes sure path is an existing, non-empty file (creating a new store when it is
// absent and o allows).
func prepareFile(dir, path string, o Options) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("store: %s is a directory", path)
	case err == nil && fi.Size() == 0:
		return &store.CorruptError{Path: path, Err: errors.New("empty file (stores are created complete, so this is not a store " +
			"interrupted during creation; move it away only if nothing of value was ever stored there)")}
	case err == nil:
		return precheck(path)
	case !errors.Is(err, fs.ErrNotExist) || o.ReadOnly:
		return fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return create(dir, path, o)
}

// create writes a new, initialised store under a temporary name and links it into place, so
// that rspcheck.db never exists half-made. If another opener linked its own first, that one is
// kept.
func create(dir, path string, o Options) error {
	f, err := os.CreateTemp(dir, FileName+".new-*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	bdb, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: o.LockTimeout})
	if err != nil {
		return fmt.Errorf("store: create %s: %w", tmp, err)
	}
	err = bdb.Update(initSchema)
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: create %s: %w", tmp, err)
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("store: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("store: sync %s: %w", dir, err)
	}
	return nil
}

// openBolt opens the existing file path with bbolt, mapping bbolt's failures to typed errors.
func openBolt(path string, o Options) (*bbolt.DB, error) {
	var file *os.File
	opts := &bbolt.Options{Timeout: o.LockTimeout, ReadOnly: o.ReadOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			// Never let bbolt create (and initialise) a file: prepareFile did that.
			f, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
			file = f
			return f, err
		}}
	var bdb *bbolt.DB
	err := safe(path, "open", func() error {
		var err error
		bdb, err = bbolt.Open(path, 0o600, opts)
		return err
	})
	var ce *store.CorruptError
	switch {
	case err == nil:
		return bdb, nil
	case errors.As(err, &ce):
		if file != nil {
			_ = file.Close() // bbolt panicked half-way: release the descriptor and its lock
		}
		return nil, err
	case errors.Is(err, berrors.ErrTimeout):
		return nil, &LockedError{Path: path, Timeout: o.LockTimeout}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), strings.Contains(err.Error(), "file size too small"):
		return nil, &store.CorruptError{Path: path, Err: fmt.Errorf("not a readable bbolt file: %w", err)}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("store: %w", err)
	}
	return nil, fmt.Errorf("store: open %s: %w", path, err)
}

// verify checks the opened file: not truncated, a known schema (migrating an older one), and
// unless o.SkipCheck bbolt's consistency check.
func (d *DB) verify(o Options) error {
	fi, err := os.Stat(d.path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	var hwm int64
	if err := d.safe("open", func() error {
		return d.bdb.View(func(tx *bbolt.Tx) error { hwm = tx.Size(); return nil })
	}); err != nil {
		return err
	}
	if hwm > fi.Size() {
		// Reading pages past the end of the file would fault; bbolt does not check this
		// (precheck normally caught it before bbolt mapped the file).
		return &store.CorruptError{Path: d.path, Err: fmt.Errorf("truncated: the file has %d octets, its pages reach %d", fi.Size(), hwm)}
	}
	if err := d.schema(o); err != nil {
		return err
	}
	if o.SkipCheck {
		return nil
	}
	return d.check()
}

// check touches every reachable page from this goroutine (where faults are recovered), then
// runs tx.Check, which reads the same pages from a goroutine of its own.
func (d *DB) check() error {
	return d.safe("consistency check", func() error {
		return d.bdb.View(func(tx *bbolt.Tx) error {
			if err := tx.ForEach(func(_ []byte, b *bbolt.Bucket) error { return walk(b) }); err != nil {
				return err
			}
			var errs []error
			for err := range tx.Check() {
				errs = append(errs, err)
			}
			if len(errs) > 0 {
				return &store.CorruptError{Path: d.path, Where: "consistency check", Err: errors.Join(errs...)}
			}
			return nil
		})
	})
}

func walk(b *bbolt.Bucket) error {
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if sub := b.Bucket(k); sub != nil {
				return walk(sub)
			}
		}
		return nil
	})
}
