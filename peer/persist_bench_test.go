package peer

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/store/bolt"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// BenchmarkDurableRM16 is BenchmarkSecuredRM16 with both peers on the embedded bolt store
// (fsync on every commit; group commit at the peer): b.N secured reliable messages of 256
// octets over 16 concurrent sequences, end to end over loopback HTTP, every message durable
// at the initiator before it is sent and at the responder before it is acknowledged.
//
//   - group: the peers' write path as shipped (engine calls staged in order, merged while the
//     previous commit is written);
//   - serial: each engine call committed alone under the engine's lock (the naive path);
//   - group-ack8: group, the responder acknowledging every 8th in-order message.
//
// Metrics: msg/s; commits/msg at each peer (how many fsyncs a message costs).
func BenchmarkDurableRM16(b *testing.B) {
	for _, c := range []struct {
		name             string
		serial           bool
		ackEvery, window int
	}{{"group", false, 0, 0}, {"serial", true, 0, 0}, {"group-ack8", false, 8, 0},
		{"group-window4", false, 0, 4}, {"group-window4-ack8", false, 8, 4}} {
		b.Run(c.name, func(b *testing.B) { benchDurable(b, c.serial, c.ackEvery, c.window) })
	}
}

func benchDurable(b *testing.B, serial bool, ackEvery, window int) {
	defer TuneGC()()     // as rsppeer runs (GOGC, when set, wins)
	defer TuneProcs(2)() // two stores in this process (GOMAXPROCS, when set, wins)
	key := make([]byte, token.StorageKeySize)
	_, _ = rand.Read(key)
	rst, err := bolt.Open(b.TempDir(), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer rst.Close()
	ist, err := bolt.Open(b.TempDir(), bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ist.Close()
	r, err := NewResponder(ResponderConfig{Store: rst, StoreKey: key, AckEvery: ackEvery})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	srv, err := transport.NewServer("127.0.0.1:0", r.Handler())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	in, err := NewInitiator(InitiatorConfig{To: srv.URL() + "/rm", SOAP: soap.V12, Store: ist, StoreKey: key})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	r.per.dur.serial, in.per.dur.serial = serial, serial
	n := max(b.N, 16)
	b.ReportAllocs()
	b.ResetTimer()
	sum, err := in.Run(context.Background(), Plan{Messages: n, Sequences: 16, Size: 256, Window: window})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if got := len(r.Delivered()); got != n {
		b.Fatalf("delivered %d of %d", got, n)
	}
	b.ReportMetric(sum.Rate(), "msg/s")
	b.ReportMetric(float64(in.CommitStats().Commits)/float64(n), "init-commits/msg")
	b.ReportMetric(float64(r.CommitStats().Commits)/float64(n), "resp-commits/msg")
}

// BenchmarkResume10k measures the restart of an initiator whose store holds 10,000
// unacknowledged messages (16 sequences of 625 messages of 256 octets, one sealed SCT, the
// job's metadata), as a crash leaves it. One operation is the whole restart until the first
// retransmission is ready to leave:
//
//	bolt.Open (with its consistency check) -> NewInitiator (Recover, unseal the SCT,
//	rm.RecoverSource) -> the first Tick (all 10,000 retransmissions due) -> the first
//	retransmission protected afresh (new Timestamp and signature, RM-PER-008).
//
// Target: at most 1 s.
func BenchmarkResume10k(b *testing.B) {
	const seqs, perSeq = 16, 625
	dir := b.TempDir()
	key := make([]byte, token.StorageKeySize)
	_, _ = rand.Read(key)
	to := "http://127.0.0.1:1/rm"
	seedResumeStore(b, dir, key, to, seqs, perSeq)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		st, err := bolt.Open(dir, bolt.Options{})
		if err != nil {
			b.Fatal(err)
		}
		in, err := NewInitiator(InitiatorConfig{To: to, SOAP: soap.V12, Store: st, StoreKey: key})
		if err != nil {
			b.Fatal(err)
		}
		in.mu.Lock()
		acts := in.src.Tick(in.cfg.Now())
		in.stage(acts)
		in.mu.Unlock()
		var first *rm.SendMessage
		due := 0
		for _, a := range acts {
			if m, ok := a.(rm.SendMessage); ok {
				if first == nil {
					first = &m
				}
				due++
			}
		}
		if due != seqs*perSeq || first == nil || first.Attempt == 0 {
			b.Fatalf("%d retransmissions due after recovery, want %d", due, seqs*perSeq)
		}
		h := first.Header()
		env := &codec.Envelope{SOAP: soap.V12, Addressing: addressing(AppAction, to),
			Headers: []codec.Header{{Value: &h, MustUnderstand: true}}, Body: []any{appBody(first.Payload)}}
		if _, err := build(env, in.tokenFor(first.Token), in.pol, in.cfg.Now()); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		_ = in.Close()
		_ = st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/resume")
}

// seedResumeStore writes what an initiator's store holds after a crash with seqs*perSeq
// messages sent and none acknowledged.
func seedResumeStore(b *testing.B, dir string, key []byte, to string, seqs, perSeq int) {
	b.Helper()
	st, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sealer, err := token.NewSealer(key, nil)
	if err != nil {
		b.Fatal(err)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	now := time.Now()
	tok := token.Token{Identifier: newID(), Secret: secret, Created: now, Expires: now.Add(time.Hour),
		Version: wsc.V200512, Endpoint: to}
	rec, err := tokenRecord(sealer, tok)
	if err != nil {
		b.Fatal(err)
	}
	plan := Plan{Messages: seqs * perSeq, Sequences: seqs, Size: 256}
	var meta store.Batch
	meta.PutToken(rec)
	meta.PutMeta(metaRole, []byte("initiator"))
	meta.PutMeta(metaPlan, mustJSON(jobPlan{Messages: plan.Messages, Sequences: seqs, Size: plan.Size, To: to, Profile: P11.String()}))
	ctx := context.Background()
	for k := range seqs {
		id := newID()
		meta.PutMeta(slotKey(k), mustJSON(slotRecord{Seq: id}))
		var batch store.Batch
		for n := uint64(1); n <= uint64(perSeq); n++ {
			batch.Actions = append(batch.Actions, rm.PutMessage{Role: rm.RoleSource, Seq: id, Number: n,
				Payload: plan.Payload(planIndex(k, n, plan))})
		}
		batch.Actions = append(batch.Actions, rm.PutSource{State: rm.SourceState{Seq: id, Version: wsrm.V200702,
			Token: tok.Identifier, To: wsa.EPR{Address: to}, AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()},
			Next: uint64(perSeq) + 1, Sent: perSeq}})
		if err := st.Commit(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Commit(ctx, meta); err != nil {
		b.Fatal(err)
	}
}
