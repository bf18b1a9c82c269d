package memstore_test

import (
	"testing"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/memstore"
	"github.com/rspcheck/rspcheck/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return memstore.New() }, nil)
}
