package peer

import (
	"context"
	"testing"

	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// BenchmarkSecuredRM16 sends b.N secured reliable messages (256 octets, derived-key HMAC
// signatures both ways, acks on the back-channel) end to end over loopback HTTP, spread over
// 16 concurrent sequences of one SCT; the msg/s metric includes the SCT issuance,
// CreateSequence, Close, Terminate and Cancel of the run.
func BenchmarkSecuredRM16(b *testing.B) {
	r, err := NewResponder(ResponderConfig{})
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
