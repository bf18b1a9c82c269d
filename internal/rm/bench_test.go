package rm

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// BenchmarkDestinationInOrder: one admitted, in-order message per op (record, persist state,
// deliver, ack).
func BenchmarkDestinationInOrder(b *testing.B) {
	for _, as := range []Assurance{{Delivery: ExactlyOnce}, {Delivery: ExactlyOnce, InOrder: true}} {
		b.Run(fmt.Sprintf("%s/inorder=%v", as.Delivery, as.InOrder), func(b *testing.B) {
			d := newDest(b, func(c *DestinationConfig) { c.Assurance = as })
			id := open(b, d, wsrm.V200702, anon)
			h := &wsrm.Sequence{V: wsrm.V200702, Identifier: id}
			a := signed(tokA)
			p := Payload("x")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.MessageNumber = uint64(i + 1)
				if acts := d.Message(h, p, a, t0); len(acts) != 3 {
					b.Fatal(describe(acts))
				}
			}
		})
	}
}

// BenchmarkSourceSendAck: one Send plus the ack that releases it, per op.
func BenchmarkSourceSendAck(b *testing.B) {
	s := newSrc(b, nil)
	id := createdSource(b, s, wsrm.V200702, tokA, nil)
	a := signed(tokA)
	ack := &wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, Ranges: []wsrm.AckRange{{Lower: 1}}}
	p := Payload("x")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Send(id, p, t0); err != nil {
			b.Fatal(err)
		}
		ack.Ranges[0].Upper = uint64(i + 1)
		s.Ack(ack, a, t0)
	}
}

// openSequences builds a Destination with n open sequences, each with 20 messages received
// and one gap (two ranges), InOrder with the messages after the gap held, and an addressable
// AcksTo with a reference parameter-free EPR. It returns the heap growth in bytes.
func openSequences(tb testing.TB, n int) (uint64, *Destination) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := newDest(tb, func(c *DestinationConfig) {
		c.Assurance.InOrder = true
		c.InactivityTimeout = 600e9
		c.NewID = func() func() string {
			k := 0
			return func() string { k++; return fmt.Sprintf("urn:uuid:00000000-0000-0000-0000-%012d", k) }
		}()
	})
	acks := wsa.EPR{Address: "http://client.example/acks/0123456789"}
	for i := 0; i < n; i++ {
		id := open(tb, d, wsrm.V200702, acks)
		for k := uint64(1); k <= 21; k++ {
			if k != 15 {
				d.Message(seqH(wsrm.V200702, id, k), nil, signed(tokA), t0)
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return after.HeapAlloc - before.HeapAlloc, d
}

// BenchmarkOpenSequences reports the memory of 10,000 open sequences (issue #4: ≤ 200 MiB for
// 10,000 open sequences including everything else).
func BenchmarkOpenSequences(b *testing.B) {
	for i := 0; i < b.N; i++ {
		bytes, d := openSequences(b, 10_000)
		b.ReportMetric(float64(bytes)/10_000, "bytes/seq")
		b.ReportMetric(float64(bytes)/(1<<20), "MiB/10k")
		runtime.KeepAlive(d)
	}
}

// TestOpenSequencesMemory keeps the engine's share of the memory budget small: 10,000 open
// sequences stay far below 200 MiB (the engine's state is a few hundred bytes per sequence).
func TestOpenSequencesMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement")
	}
	bytes, d := openSequences(t, 10_000)
	runtime.KeepAlive(d)
	if per := bytes / 10_000; per > 4096 {
		t.Fatalf("%d bytes per open sequence", per)
	}
	if d.Len() != 10_000 {
		t.Fatal(d.Len())
	}
}
