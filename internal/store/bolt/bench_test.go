package bolt_test

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

func benchState(seq string, next uint64) rm.SourceState {
	return rm.SourceState{Seq: seq, Version: wsrm.V200702, Token: "urn:uuid:sct-bench", Next: next, Sent: int(next - 1),
		To: wsa.EPR{Address: "http://server.example/rm"}, AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()}}
}

// commitBench runs Commit (PutMessage of 1 KiB + PutSource, fsync included) from
// committers goroutines and reports batches/s and the batches sharing a transaction.
func commitBench(b *testing.B, committers int) {
	d, err := bolt.Open(b.TempDir(), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	payload := make(rm.Payload, 1024)
	var ids atomic.Int64
	b.SetParallelism((committers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		seq := fmt.Sprintf("urn:uuid:bench-%d", ids.Add(1))
		for n := uint64(1); pb.Next(); n++ {
			batch := store.Batch{Actions: []rm.Persistent{
				rm.PutMessage{Role: rm.RoleSource, Seq: seq, Number: n, Payload: payload},
				rm.PutSource{State: benchState(seq, n+1)},
			}}
			if err := d.Commit(ctx, batch); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	st := d.Stats()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "batches/s")
	b.ReportMetric(float64(st.Batches)/float64(max(st.Transactions, 1)), "batches/tx")
}

// BenchmarkCommit: one committer (the latency of one durable batch) and 16 or 64 concurrent
// committers (group commit).
func BenchmarkCommit(b *testing.B) {
	b.Run("committers=1", func(b *testing.B) { commitBench(b, 1) })
	b.Run("committers=16", func(b *testing.B) { commitBench(b, 16) })
	b.Run("committers=64", func(b *testing.B) { commitBench(b, 64) })
}

// recoverFixture is a store with 10,000 unacknowledged 1 KiB messages across 16 Source
// sequences.
func recoverFixture(b *testing.B) string {
	dir := b.TempDir()
	d, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	payload := make(rm.Payload, 1024)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	const seqs, perSeq = 16, 625
	for s := range seqs {
		seq := fmt.Sprintf("urn:uuid:recover-%02d", s)
		batch := store.Batch{Actions: []rm.Persistent{rm.PutSource{State: benchState(seq, perSeq+1)}}}
		for n := uint64(1); n <= perSeq; n++ {
			batch.Actions = append(batch.Actions, rm.PutMessage{Role: rm.RoleSource, Seq: seq, Number: n, Payload: payload})
		}
		if err := d.Commit(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkRecover: a restart's read path — Recover of 10,000 unacknowledged 1 KiB messages
// across 16 sequences, then rm.RecoverSource; with Open (and Close) included, and with the
// consistency check on Open.
func BenchmarkRecover(b *testing.B) {
	dir := recoverFixture(b)
	recoverAll := func(b *testing.B, d *bolt.DB) {
		snap, err := d.Recover(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.SourceMessages) != 10000 {
			b.Fatalf("%d messages", len(snap.SourceMessages))
		}
		src, err := rm.RecoverSource(rm.SourceConfig{NewID: func() string { return "urn:uuid:x" }}, snap.Sources, snap.SourceMessages, time.Now())
		if err != nil || src.Len() != 16 {
			b.Fatal(err)
		}
	}
	b.Run("recover", func(b *testing.B) {
		d, err := bolt.Open(dir, bolt.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		for b.Loop() {
			recoverAll(b, d)
		}
	})
	for _, skip := range []bool{true, false} {
		b.Run(fmt.Sprintf("open+recover/skipcheck=%v", skip), func(b *testing.B) {
			for b.Loop() {
				d, err := bolt.Open(dir, bolt.Options{SkipCheck: skip})
				if err != nil {
					b.Fatal(err)
				}
				recoverAll(b, d)
				d.Close()
			}
		})
	}
}
