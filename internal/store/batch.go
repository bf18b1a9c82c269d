package store

import (
	"fmt"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store/record"
	"github.com/rspcheck/rspcheck/internal/token"
)

// Limits on what a batch may carry (checked by Prepare, so that one oversized operation fails
// its own batch and not a group of batches sharing a transaction).
const (
	// MaxKeyLen bounds sequence identifiers, token Identifiers and metadata keys (the sealed
	// record format allows 4096 octets for an Identifier).
	MaxKeyLen = 4096
	// MaxValueLen bounds a payload or a metadata value.
	MaxValueLen = 1 << 30
)

// Batch is one atomic unit of Commit: the Persistent actions of one engine call, in order,
// plus token records and metadata written at the same moment. The three parts address
// separate key spaces; within each part, operations apply in order (a Put after a Delete of
// the same key wins, and vice versa).
type Batch struct {
	Actions []rm.Persistent
	Tokens  []TokenOp
	Meta    []MetaOp
}

// TokenOp puts Record (replacing any record of the same Identifier: a renewal) or, with
// Delete, removes the record of Record.Identifier (the token was cancelled or is no longer
// used by any sequence).
type TokenOp struct {
	Record TokenRecord
	Delete bool
}

// MetaOp puts Value under Key or, with Delete, removes Key.
type MetaOp struct {
	Key    string
	Value  []byte
	Delete bool
}

// Persistent returns the Persistent actions among acts, in order (rm puts them first).
func Persistent(acts []rm.Action) []rm.Persistent {
	var out []rm.Persistent
	for _, a := range acts {
		if p, ok := a.(rm.Persistent); ok {
			out = append(out, p)
		}
	}
	return out
}

// NewBatch returns the batch of the Persistent actions among acts: what must be committed
// before any other action of the same engine call is performed.
func NewBatch(acts []rm.Action) Batch { return Batch{Actions: Persistent(acts)} }

// AddActions appends the Persistent actions among acts.
func (b *Batch) AddActions(acts []rm.Action) { b.Actions = append(b.Actions, Persistent(acts)...) }

// PutToken adds a token record.
func (b *Batch) PutToken(r TokenRecord) { b.Tokens = append(b.Tokens, TokenOp{Record: r}) }

// DeleteToken adds the removal of the record of identifier.
func (b *Batch) DeleteToken(identifier string) {
	b.Tokens = append(b.Tokens, TokenOp{Record: TokenRecord{Identifier: identifier}, Delete: true})
}

// PutMeta adds a metadata value.
func (b *Batch) PutMeta(key string, value []byte) {
	b.Meta = append(b.Meta, MetaOp{Key: key, Value: value})
}

// DeleteMeta adds the removal of a metadata key.
func (b *Batch) DeleteMeta(key string) { b.Meta = append(b.Meta, MetaOp{Key: key, Delete: true}) }

// Len is the number of operations.
func (b Batch) Len() int { return len(b.Actions) + len(b.Tokens) + len(b.Meta) }

// OpKind is the kind of a prepared operation.
type OpKind uint8

const (
	OpPutState       OpKind = iota + 1 // Role, Key = sequence, Value
	OpDeleteSequence                   // Role, Key
	OpPutMessage                       // Role, Key, Number, Value
	OpDeleteMessages                   // Role, Key, Number..Upper inclusive
	OpPutToken                         // Key = Identifier, Value
	OpDeleteToken                      // Key
	OpPutMeta                          // Key, Value
	OpDeleteMeta                       // Key
)

// Op is one validated, encoded operation of a batch, as the implementations apply it: Value
// is already in the record encoding (package record) and shares no memory with the batch.
type Op struct {
	Kind          OpKind
	Role          rm.Role
	Key           string
	Number, Upper uint64
	Value         []byte
}

// Prepare validates b and encodes its operations in order: actions, then tokens, then
// metadata. An invalid batch gives a *BatchError and no operations. Implementations call it
// before touching storage, so that applying the result cannot fail for reasons of content.
func (b Batch) Prepare() ([]Op, error) { return b.prepare(true) }

// Validate applies Prepare's checks without encoding anything: for a peer that keeps its
// state in memory only, where nothing is ever read back, so that a malformed batch is still
// the same error it would be on disk.
func (b Batch) Validate() error {
	_, err := b.prepare(false)
	return err
}

// prepare validates b and, with encode, encodes its operations (without, Value stays nil).
func (b Batch) prepare(encode bool) ([]Op, error) {
	ops := make([]Op, 0, b.Len())
	for i, a := range b.Actions {
		op, err := actionOp(a, encode)
		if err != nil {
			return nil, &BatchError{Part: "action", Index: i, What: describe(a), Reason: err.Error()}
		}
		ops = append(ops, op)
	}
	for i, t := range b.Tokens {
		op, err := tokenOp(t, encode)
		if err != nil {
			return nil, &BatchError{Part: "token", Index: i, What: fmt.Sprintf("%s %q", putOrDelete(t.Delete), t.Record.Identifier), Reason: err.Error()}
		}
		ops = append(ops, op)
	}
	for i, m := range b.Meta {
		if err := checkKey(m.Key); err != nil {
			return nil, &BatchError{Part: "meta", Index: i, What: fmt.Sprintf("%s %q", putOrDelete(m.Delete), m.Key), Reason: err.Error()}
		}
		if m.Delete {
			ops = append(ops, Op{Kind: OpDeleteMeta, Key: m.Key})
			continue
		}
		if len(m.Value) > MaxValueLen {
			return nil, &BatchError{Part: "meta", Index: i, What: "put " + m.Key, Reason: fmt.Sprintf("value of %d octets exceeds %d", len(m.Value), MaxValueLen)}
		}
		op := Op{Kind: OpPutMeta, Key: m.Key}
		if encode {
			op.Value = record.EncodeMeta(m.Key, m.Value)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func putOrDelete(del bool) string {
	if del {
		return "delete"
	}
	return "put"
}

func actionOp(a rm.Persistent, encode bool) (Op, error) {
	switch x := a.(type) {
	case rm.PutSource:
		if err := checkKey(x.State.Seq); err != nil {
			return Op{}, err
		}
		op := Op{Kind: OpPutState, Role: rm.RoleSource, Key: x.State.Seq}
		var err error
		if encode {
			op.Value, err = record.EncodeSource(x.State)
		}
		return op, err
	case rm.PutDestination:
		if err := checkKey(x.State.Seq); err != nil {
			return Op{}, err
		}
		op := Op{Kind: OpPutState, Role: rm.RoleDestination, Key: x.State.Seq}
		var err error
		if encode {
			op.Value, err = record.EncodeDestination(x.State)
		}
		return op, err
	case rm.DeleteSequence:
		return Op{Kind: OpDeleteSequence, Role: x.Role, Key: x.Seq}, checkSeq(x.Role, x.Seq)
	case rm.PutMessage:
		if err := checkSeq(x.Role, x.Seq); err != nil {
			return Op{}, err
		}
		if x.Number == 0 {
			return Op{}, fmt.Errorf("message number 0 (numbers start at 1, RM-SEQ-002)")
		}
		if len(x.Payload) > MaxValueLen {
			return Op{}, fmt.Errorf("payload of %d octets exceeds %d", len(x.Payload), MaxValueLen)
		}
		op := Op{Kind: OpPutMessage, Role: x.Role, Key: x.Seq, Number: x.Number}
		if encode {
			op.Value = record.EncodeMessage(x.Role, x.Seq, x.Number, x.Payload)
		}
		return op, nil
	case rm.DeleteMessages:
		if err := checkSeq(x.Role, x.Seq); err != nil {
			return Op{}, err
		}
		if x.Lower > x.Upper {
			return Op{}, fmt.Errorf("empty range %d..%d", x.Lower, x.Upper)
		}
		return Op{Kind: OpDeleteMessages, Role: x.Role, Key: x.Seq, Number: x.Lower, Upper: x.Upper}, nil
	case nil:
		return Op{}, fmt.Errorf("nil action")
	}
	return Op{}, fmt.Errorf("unknown Persistent action %T", a)
}

func tokenOp(t TokenOp, encode bool) (Op, error) {
	r := t.Record
	if err := checkKey(r.Identifier); err != nil {
		return Op{}, err
	}
	if t.Delete {
		return Op{Kind: OpDeleteToken, Key: r.Identifier}, nil
	}
	// RM-PER-005: only sealed records are stored; anything else (a plaintext token by
	// mistake) is refused before it reaches the disk.
	id, inst, err := token.RecordIdentity(r.Sealed)
	if err != nil {
		return Op{}, fmt.Errorf("Sealed is not a sealed token record: %v", err)
	}
	if id != r.Identifier || inst != r.Instance {
		return Op{}, fmt.Errorf("sealed record is for %s/%q, not %s/%q", id, inst, r.Identifier, r.Instance)
	}
	if len(r.Endpoint) > MaxKeyLen {
		return Op{}, fmt.Errorf("Endpoint longer than %d octets", MaxKeyLen)
	}
	op := Op{Kind: OpPutToken, Key: r.Identifier}
	if encode {
		op.Value = record.EncodeToken(r.Identifier, r.Instance, r.Endpoint, r.Sealed)
	}
	return op, nil
}

func checkSeq(role rm.Role, seq string) error {
	if role != rm.RoleSource && role != rm.RoleDestination {
		return fmt.Errorf("invalid role %d", role)
	}
	return checkKey(seq)
}

func checkKey(k string) error {
	if k == "" {
		return fmt.Errorf("empty key")
	}
	if len(k) > MaxKeyLen {
		return fmt.Errorf("key of %d octets exceeds %d", len(k), MaxKeyLen)
	}
	return nil
}

func describe(a rm.Persistent) string {
	switch x := a.(type) {
	case rm.PutSource:
		return fmt.Sprintf("PutSource %q", x.State.Seq)
	case rm.PutDestination:
		return fmt.Sprintf("PutDestination %q", x.State.Seq)
	case rm.DeleteSequence:
		return fmt.Sprintf("DeleteSequence %s %q", x.Role, x.Seq)
	case rm.PutMessage:
		return fmt.Sprintf("PutMessage %s %q #%d", x.Role, x.Seq, x.Number)
	case rm.DeleteMessages:
		return fmt.Sprintf("DeleteMessages %s %q %d..%d", x.Role, x.Seq, x.Lower, x.Upper)
	}
	return fmt.Sprintf("%T", a)
}
