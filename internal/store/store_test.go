package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/memstore"
)

func TestNewBatchPicksPersistent(t *testing.T) {
	acts := []rm.Action{
		rm.PutSource{State: rm.SourceState{Seq: "urn:a"}},
		rm.PutMessage{Role: rm.RoleSource, Seq: "urn:a", Number: 1},
		rm.SendMessage{Seq: "urn:a", Number: 1},
		rm.Note{Text: "x"},
		rm.DeleteMessages{Role: rm.RoleSource, Seq: "urn:a", Lower: 1, Upper: 1},
	}
	b := store.NewBatch(acts)
	if len(b.Actions) != 3 || b.Len() != 3 {
		t.Fatalf("batch %+v", b.Actions)
	}
	if _, ok := b.Actions[2].(rm.DeleteMessages); !ok {
		t.Fatal("order not kept")
	}
	b.AddActions([]rm.Action{rm.Deliver{}, rm.DeleteSequence{Role: rm.RoleSource, Seq: "urn:a"}})
	b.PutMeta("k", nil)
	b.DeleteToken("urn:uuid:t")
	if b.Len() != 6 {
		t.Fatalf("Len %d", b.Len())
	}
	ops, err := b.Prepare()
	if err != nil || len(ops) != 6 || ops[4].Kind != store.OpDeleteToken || ops[5].Kind != store.OpPutMeta {
		t.Fatalf("Prepare: %v %+v", err, ops)
	}
}

func TestBatchErrorNamesTheOperation(t *testing.T) {
	b := store.Batch{Actions: []rm.Persistent{
		rm.PutSource{State: rm.SourceState{Seq: "urn:a"}},
		rm.PutMessage{Role: rm.RoleDestination, Seq: "urn:a", Number: 0},
	}}
	_, err := b.Prepare()
	var be *store.BatchError
	if !errors.As(err, &be) || be.Index != 1 || !strings.Contains(err.Error(), `PutMessage destination "urn:a" #0`) {
		t.Fatalf("%v", err)
	}
	long := strings.Repeat("x", store.MaxKeyLen+1)
	if _, err := (store.Batch{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: long}}}).Prepare(); !errors.Is(err, store.ErrInvalidBatch) {
		t.Fatalf("long key: %v", err)
	}
}

// TestValidateMatchesPrepare: Validate refuses exactly what Prepare refuses, with the same
// error, and encodes nothing.
func TestValidateMatchesPrepare(t *testing.T) {
	long := strings.Repeat("x", store.MaxKeyLen+1)
	batches := []store.Batch{
		{Actions: []rm.Persistent{rm.PutSource{State: rm.SourceState{Seq: "urn:a"}}, rm.PutMessage{Role: rm.RoleSource, Seq: "urn:a", Number: 1, Payload: rm.Payload("p")}}},
		{Actions: []rm.Persistent{rm.PutDestination{State: rm.DestinationState{Seq: "urn:a"}}, rm.DeleteMessages{Role: rm.RoleDestination, Seq: "urn:a", Lower: 1, Upper: 2}}},
		{Actions: []rm.Persistent{rm.PutMessage{Role: rm.RoleDestination, Seq: "urn:a", Number: 0}}},
		{Actions: []rm.Persistent{rm.DeleteMessages{Role: rm.RoleSource, Seq: "urn:a", Lower: 3, Upper: 2}}},
		{Actions: []rm.Persistent{rm.DeleteSequence{Role: rm.RoleSource, Seq: long}}},
		{Actions: []rm.Persistent{rm.PutSource{State: rm.SourceState{}}}},
		{Actions: []rm.Persistent{nil}},
		{Tokens: []store.TokenOp{{Record: store.TokenRecord{Identifier: "urn:t", Sealed: []byte("plaintext")}}}},
		{Tokens: []store.TokenOp{{Record: store.TokenRecord{Identifier: "urn:t"}, Delete: true}}},
		{Meta: []store.MetaOp{{Key: "", Value: []byte("v")}}},
		{Meta: []store.MetaOp{{Key: "k", Value: []byte("v")}, {Key: "k", Delete: true}}},
	}
	valid := 0
	for i, b := range batches {
		_, perr := b.Prepare()
		verr := b.Validate()
		if (perr == nil) != (verr == nil) || (perr != nil && perr.Error() != verr.Error()) {
			t.Errorf("batch %d: Prepare %v, Validate %v", i, perr, verr)
		}
		if perr == nil {
			valid++
		}
	}
	if valid != 4 {
		t.Fatalf("%d valid batches, want 4 (the table is wrong)", valid)
	}
}

func TestDumpEmptyStore(t *testing.T) {
	v, err := store.Dump(context.Background(), memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(v)
	if string(j) != `{"sequences":[],"tokens":[],"meta":[]}` {
		t.Fatalf("%s", j)
	}
}

func TestResealNeedsBothKeys(t *testing.T) {
	if _, err := store.Reseal(nil, nil, nil); err == nil {
		t.Fatal("Reseal without keys accepted")
	}
}
