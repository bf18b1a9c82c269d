// Package bolt is the embedded default store.Store: one bbolt file, DIR/rspcheck.db, per state
// directory.
//
// # Layout (schema version 1)
//
//	meta         "schema" -> uint32 big-endian schema version
//	source       states: sequence identifier -> record (rm.SourceState)
//	             msgs:   one bucket per sequence identifier: number (8 octets, big-endian) -> payload record
//	destination  states / msgs as for source
//	tokens       SCT Identifier -> token record (Instance, Endpoint, sealed octets)
//	appmeta      key -> value record
//
// Values use package record (versioned frame with a CRC-32C over address and body). Keys sort
// as rm sorts (identifiers bytewise, numbers ascending), so Recover reads in order, a
// DeleteMessages range is a cursor scan and DeleteSequence drops one bucket.
//
// # Durability and group commit
//
// Commit returns only after the bbolt transaction holding its batch committed, fsync
// included (NoSync is never set): durability before acknowledgement (rm package
// documentation; FLOW §6; RM-PER-001..003). Concurrent Commit calls share transactions: one
// committer goroutine takes every batch queued while the previous transaction was being
// written, applies them in one read-write transaction and commits once (one fsync for the
// group). Each batch is validated and encoded before it is queued, so applying it cannot
// fail for reasons of content; if the transaction fails anyway (I/O error, full disk, a
// damaged page), every batch of that transaction fails and none of them is applied, while
// batches of other transactions are unaffected. A batch is never split across transactions.
//
// bbolt's own DB.Batch is not used: it would give the same all-or-nothing grouping (it
// retries a failing function alone), but it collects calls for MaxBatchDelay (10 ms) before
// committing, which adds that delay to every lone Commit — the common case for a peer
// answering one message at a time — and it cannot drop a batch whose context ended while it
// waited. Here a lone Commit is written at once and batching arises from the fsync itself.
//
// # Locking, schema, damage
//
// bbolt locks the file with flock(2) (exclusive for read-write, shared for ReadOnly). A second
// opener — another process, or a second Open in the same process, since flock locks belong to
// the open file description — gets a *LockedError naming the file after Options.LockTimeout.
//
// The schema version lives in the meta bucket. An older version is upgraded on Open by the
// migrations table (version v -> v+1, each run in the one transaction that also records the
// new version); a newer version, or an older one without migration, is a *SchemaError.
//
// A damaged file is never reset or recreated: Open and Recover return a *store.CorruptError
// naming the file. Open rejects an empty file (stores are created under a temporary name and
// linked into place, so a crash during creation cannot leave an empty rspcheck.db) and, from
// bbolt's meta pages read before bbolt maps the file, a file shorter than its own high-water
// mark (truncated). bbolt panics on some damaged pages; every
// read runs with debug.SetPanicOnFault and recovers, turning the panic into a CorruptError.
// Open also walks every reachable page and runs bbolt's consistency check (tx.Check: page
// reachability, double frees, key order), which costs about 2 ms per 10 MB of file;
// Options.SkipCheck turns it off. bbolt has no checksums on data pages; the record checksums
// cover every value, and Recover checks that keys come back in strictly ascending order.
package bolt
