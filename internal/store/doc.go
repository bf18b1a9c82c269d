// Package store keeps what the reference peers must not lose across a restart (FLOW.md §6,
// ASSERTIONS RM-PER-001..009): the durable state of every RM sequence, the messages a Source
// has not seen acknowledged and a Destination holds for in-order delivery, the sealed SCTs the
// sequences are bound to, and a little opaque metadata of the peers (the initiator's job plan,
// the responder's delivered-log position).
//
// # Contract
//
// A Store applies one Batch per engine call atomically and durably: Commit returns nil only
// when every operation of the batch is on stable storage, and after a crash either all of a
// batch or none of it is found (rm package documentation, "Durability before
// acknowledgement"). A Batch is built from the Persistent actions of one rm call (NewBatch,
// Batch.AddActions) plus token records and metadata of the same moment.
//
// Recover returns everything in the form rm.RecoverSource and rm.RecoverDestination take:
// states sorted by sequence identifier, messages by (identifier, number), exactly as
// rm.Source.Snapshot and rm.Destination.Snapshot sort them.
//
// Key model: sequences by (role, identifier); messages by (role, identifier, number), so that
// a DeleteMessages range is a range scan and DeleteSequence drops a sequence's messages with
// it; token records by SCT Identifier (one current instance per context: a renewal replaces
// the record, FLOW §6 "on renew"); metadata by key.
//
// # Secrets
//
// The store never sees a plaintext secret: token records carry the output of token.Sealer
// (AES-256-GCM, bound to Identifier and Instance), and Commit refuses a record that is not a
// sealed record of the token it claims to be (RM-PER-005). Rekey re-seals every record under a
// new storage key in one batch; Dump lists the store without secret or sealed bytes.
//
// # Implementations
//
// memstore (in memory, for tests and for peers run without a state directory) and bolt (the
// embedded default: one bbolt file per state directory, group commit, schema version, corrupt
// files refused). storetest is the contract suite both run. Package record is the versioned,
// checksummed value encoding both share.
package store
