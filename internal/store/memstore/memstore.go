// Package memstore is the in-memory store.Store: for tests and for peers run without a state
// directory. It keeps values in the record encoding of package record, so what goes in and
// what comes out never share memory with the caller and are normalised exactly as the bolt
// store normalises them (times in UTC, checksummed frames).
package memstore

import (
	"context"
	"sync"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/record"
)

// Path is what CorruptError.Path says for this store.
const Path = "memory"

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	mu     sync.RWMutex
	closed bool
	states map[rm.Role]map[string][]byte
	msgs   map[rm.Role]map[string]map[uint64][]byte
	tokens map[string][]byte
	meta   map[string][]byte
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		states: map[rm.Role]map[string][]byte{rm.RoleSource: {}, rm.RoleDestination: {}},
		msgs:   map[rm.Role]map[string]map[uint64][]byte{rm.RoleSource: {}, rm.RoleDestination: {}},
		tokens: map[string][]byte{},
		meta:   map[string][]byte{},
	}
}

// Commit applies b atomically (it is validated and encoded before the lock is taken, so
// applying cannot fail half-way).
func (s *Store) Commit(ctx context.Context, b store.Batch) error {
	ops, err := b.Prepare()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(ops) == 0 {
		return s.check()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	for _, op := range ops {
		s.apply(op)
	}
	return nil
}

func (s *Store) check() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	return nil
}

func (s *Store) apply(op store.Op) {
	switch op.Kind {
	case store.OpPutState:
		s.states[op.Role][op.Key] = op.Value
	case store.OpDeleteSequence:
		delete(s.states[op.Role], op.Key)
		delete(s.msgs[op.Role], op.Key)
	case store.OpPutMessage:
		m := s.msgs[op.Role][op.Key]
		if m == nil {
			m = map[uint64][]byte{}
			s.msgs[op.Role][op.Key] = m
		}
		m[op.Number] = op.Value
	case store.OpDeleteMessages:
		m := s.msgs[op.Role][op.Key]
		for k := range m {
			if k >= op.Number && k <= op.Upper {
				delete(m, k)
			}
		}
		if len(m) == 0 {
			delete(s.msgs[op.Role], op.Key)
		}
	case store.OpPutToken:
		s.tokens[op.Key] = op.Value
	case store.OpDeleteToken:
		delete(s.tokens, op.Key)
	case store.OpPutMeta:
		s.meta[op.Key] = op.Value
	case store.OpDeleteMeta:
		delete(s.meta, op.Key)
	}
}

// Recover decodes everything into a fresh Snapshot.
func (s *Store) Recover(ctx context.Context) (*store.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	snap := &store.Snapshot{Meta: map[string][]byte{}}
	corrupt := func(where string, err error) error {
		return &store.CorruptError{Path: Path, Where: where, Err: err}
	}
	for seq, v := range s.states[rm.RoleSource] {
		st, err := record.DecodeSource(seq, v)
		if err != nil {
			return nil, corrupt("source "+seq, err)
		}
		snap.Sources = append(snap.Sources, st)
	}
	for seq, v := range s.states[rm.RoleDestination] {
		st, err := record.DecodeDestination(seq, v)
		if err != nil {
			return nil, corrupt("destination "+seq, err)
		}
		snap.Destinations = append(snap.Destinations, st)
	}
	for _, role := range []rm.Role{rm.RoleSource, rm.RoleDestination} {
		for seq, m := range s.msgs[role] {
			_, hasState := s.states[role][seq]
			for n, v := range m {
				p, err := record.DecodeMessage(role, seq, n, v)
				if err != nil {
					return nil, corrupt(role.String()+" message "+seq, err)
				}
				snap.AddMessage(role, rm.StoredMessage{Seq: seq, Number: n, Payload: p}, hasState)
			}
		}
	}
	for id, v := range s.tokens {
		inst, ep, sealed, err := record.DecodeToken(id, v)
		if err != nil {
			return nil, corrupt("token "+id, err)
		}
		snap.Tokens = append(snap.Tokens, store.TokenRecord{Identifier: id, Instance: inst, Endpoint: ep, Sealed: sealed})
	}
	for k, v := range s.meta {
		val, err := record.DecodeMeta(k, v)
		if err != nil {
			return nil, corrupt("meta "+k, err)
		}
		snap.Meta[k] = val
	}
	snap.Sort()
	return snap, nil
}

// Close forgets nothing (a closed memstore cannot be reopened) but refuses further use.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
