package bolt_test

import (
	"context"
	"path/filepath"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
)

func dirOf(path string) string { return filepath.Dir(path) }

var ctx = context.Background()

func putSource(seq string) store.Batch {
	return store.Batch{Actions: []rm.Persistent{rm.PutSource{State: rm.SourceState{Seq: seq, Next: 1}}}}
}
