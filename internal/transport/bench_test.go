package transport

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// BenchmarkRoundTrip1KiB measures round trips of 1 KiB SOAP 1.2 POSTs over loopback TCP with
// 16 concurrent clients sharing one keep-alive transport: "oneway" is answered 202 with an
// empty body, "echo" with the same 1 KiB envelope (a back-channel reply). The rt/s metric is
// the figure to report.
func BenchmarkRoundTrip1KiB(b *testing.B) {
	oneway := func(*Request) (*Reply, error) { return nil, nil }
	b.Run("oneway", func(b *testing.B) { benchRoundTrips(b, oneway, nil) })
	b.Run("echo", func(b *testing.B) { benchRoundTrips(b, echo, nil) })
	// The cost of a Tap that lets everything pass (a rule that never fires), on both sides.
	b.Run("echo-tap", func(b *testing.B) {
		benchRoundTrips(b, echo, NewTap(1, Rule{Action: "urn:never", Effect: DropRequest}))
	})
}

func benchRoundTrips(b *testing.B, reply func(*Request) (*Reply, error), tap *Tap) {
	const clients = 16
	var h http.Handler = &Handler{Serve: func(_ context.Context, r *Request) (*Reply, error) { return reply(r) }}
	tr := NewHTTPTransport()
	defer tr.CloseIdleConnections()
	c := NewClient(tr)
	if tap != nil {
		h, c = tap.Middleware(h), NewClient(tap.RoundTripper(tr))
	}
	s, err := NewServer("127.0.0.1:0", h)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	url := s.URL() + "/rm"
	body := []byte(env12("<p>" + strings.Repeat("x", 1024-len(env12("<p></p>"))) + "</p>"))
	if len(body) != 1024 {
		b.Fatalf("body of %d bytes", len(body))
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if _, err := c.Post(context.Background(), url, soap.V12, "urn:bench", body); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rt/s")
}
