package bolt

import (
	"fmt"
	"runtime/debug"

	"github.com/rspcheck/rspcheck/internal/store"
)

// safe runs fn, turning a panic — including a memory fault on a page of the mapped file,
// which debug.SetPanicOnFault makes recoverable — into a *store.CorruptError naming the
// file. bbolt panics on some damaged pages instead of returning an error; the store file is
// untrusted input like anything else read back from disk.
func safe(path, what string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &store.CorruptError{Path: path, Where: what, Err: fmt.Errorf("bbolt failed on the file: %v", r)}
		}
	}()
	return fn()
}

func (d *DB) safe(what string, fn func() error) error { return safe(d.path, what, fn) }
