package peer

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"

	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// BenchmarkSecuredRM16 sends b.N secured reliable messages (256 octets, derived-key HMAC
// signatures both ways, acks on the back-channel) end to end over loopback HTTP, spread over
// 16 concurrent sequences of one SCT; the msg/s metric includes the SCT issuance,
// CreateSequence, Close, Terminate and Cancel of the run.
func BenchmarkSecuredRM16(b *testing.B) { benchSecured(b, ResponderConfig{}) }

// BenchmarkSecuredRM16AckEvery8 is BenchmarkSecuredRM16 with the responder acknowledging new
// in-order messages on every 8th response only (rsppeer responder --ack-every 8).
func BenchmarkSecuredRM16AckEvery8(b *testing.B) { benchSecured(b, ResponderConfig{AckEvery: 8}) }

func benchSecured(b *testing.B, rc ResponderConfig) {
	defer TuneGC()() // as rsppeer runs (GOGC, when set, wins)
	r, err := NewResponder(rc)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := transport.NewServer("127.0.0.1:0", r.Handler())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	in, err := NewInitiator(InitiatorConfig{To: srv.URL() + "/rm", SOAP: soap.V12})
	if err != nil {
		b.Fatal(err)
	}
	n := max(b.N, 16)
	b.ReportAllocs()
	b.ResetTimer()
	sum, err := in.Run(context.Background(), Plan{Messages: n, Sequences: 16, Size: 256})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if got := len(r.Delivered()); got != n {
		b.Fatalf("delivered %d of %d", got, n)
	}
	b.ReportMetric(sum.Rate(), "msg/s")
}

// BenchmarkOpenSequences10k opens 10,000 sequences of one SCT at a responder over loopback
// HTTP and leaves each with a gap (messages 1 and 3 received, 2 missing); it reports the
// live heap of both peers per open sequence and in all (target: 10,000 open sequences in at
// most 200 MiB — acknowledgement state is O(gaps), not O(messages)).
func BenchmarkOpenSequences10k(b *testing.B) {
	const open = 10000
	for range b.N {
		r, err := NewResponder(ResponderConfig{})
		if err != nil {
			b.Fatal(err)
		}
		srv, err := transport.NewServer("127.0.0.1:0", r.Handler())
		if err != nil {
			b.Fatal(err)
		}
		in, err := NewInitiator(InitiatorConfig{To: srv.URL() + "/rm", SOAP: soap.V12})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		tok, err := in.obtain(ctx, in.cfg.To)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for k := range open {
			wg.Add(1)
			sem <- struct{}{}
			go func(k int) {
				defer func() { <-sem; wg.Done() }()
				if err := openWithGap(ctx, in, tok.Identifier); err != nil {
					b.Error(k, err)
				}
			}(k)
		}
		wg.Wait()
		if n := r.Sequences(); n != open {
			b.Fatalf("%d sequences open at the responder", n)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		b.ReportMetric(heap/open, "B/seq")
		b.ReportMetric(heap/(1<<20), "MiB-total")
		runtime.KeepAlive(r)
		runtime.KeepAlive(in)
		srv.Close()
	}
}

// openWithGap creates one sequence and sends messages 1 and 3 of it (2 is skipped by
// sending it nowhere), through the Initiator's own machinery.
func openWithGap(ctx context.Context, in *Initiator, tok string) error {
	in.mu.Lock()
	ref, acts := in.src.Create(rm.CreateParams{Version: in.cfg.Profile.RM(), To: wsa.EPR{Address: in.cfg.To}, Token: tok}, in.cfg.Now())
	in.mu.Unlock()
	in.perform(ctx, nil, acts, "")
	var id string
	if err := in.wait(ctx, func() bool { id = in.created[ref]; return id != "" }); err != nil {
		return err
	}
	for i := range 3 {
		in.mu.Lock()
		acts, err := in.src.Send(id, rm.Payload(payload(i, 64)), in.cfg.Now())
		in.mu.Unlock()
		if err != nil {
			return err
		}
		if i != 1 {
			in.perform(ctx, nil, acts, "")
		}
	}
	return nil
}
