package bolt_test

import (
	"testing"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/store/storetest"
)

func open(t testing.TB, dir string) *bolt.DB {
	t.Helper()
	d, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestContract(t *testing.T) {
	storetest.Run(t,
		func(t *testing.T) store.Store { return open(t, t.TempDir()) },
		func(t *testing.T, s store.Store) store.Store {
			dir := s.(*bolt.DB).Path()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, dirOf(dir))
		})
}
