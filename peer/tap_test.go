package peer

import (
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// TestLossyTransport drops requests, drops responses and duplicates requests of application
// messages with a fault-injection Tap: every message is still delivered exactly once and in
// order, thanks to retransmission (with fresh security) and duplicate detection by number.
func TestLossyTransport(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		t.Run(p.String(), func(t *testing.T) {
			tap := transport.NewTap(7,
				transport.Rule{Action: AppAction, Prob: 0.15, Effect: transport.DropRequest},
				transport.Rule{Action: AppAction, Prob: 0.15, Effect: transport.DropResponse},
				transport.Rule{Action: AppAction, Prob: 0.2, Effect: transport.Duplicate},
			)
			pr := newPair(t, p, soap.V12, ResponderConfig{}, InitiatorConfig{RoundTripper: tap.RoundTripper(transport.NewHTTPTransport())})
			sum, err := pr.run(t, Plan{Messages: 60, Sequences: 4, Size: 64}, 30*time.Second)
			if err != nil {
				t.Fatalf("run: %v (%s)", err, sum)
			}
			st := tap.Stats()
			t.Logf("%s; tap %+v", sum, st)
			if len(tap.Decisions()) == 0 {
				t.Fatal("the tap injected no fault")
			}
			if sum.Retransmissions == 0 {
				t.Error("no retransmission despite dropped messages")
			}
			if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
				t.Error(err)
			}
			pr.cap.check(t, p)
		})
	}
}

// TestLossyTransportAllMessages applies the faults to every request, protocol messages and
// WS-Trust exchanges included (CreateSequence, Close, Terminate, AckRequested, RST Issue and
// Cancel), with several seeds.
func TestLossyTransportAllMessages(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		for seed := uint64(1); seed <= 4; seed++ {
			tap := transport.NewTap(seed,
				transport.Rule{Prob: 0.1, Effect: transport.DropRequest},
				transport.Rule{Prob: 0.1, Effect: transport.DropResponse},
				transport.Rule{Prob: 0.1, Effect: transport.Duplicate},
			)
			pr := newPair(t, p, soap.V11, ResponderConfig{}, InitiatorConfig{RoundTripper: tap.RoundTripper(transport.NewHTTPTransport())})
			sum, err := pr.run(t, Plan{Messages: 40, Sequences: 4, Size: 64}, 30*time.Second)
			if err != nil {
				t.Errorf("%s seed %d: %v (%s; tap %+v)", p, seed, err, sum, tap.Stats())
				continue
			}
			if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
				t.Errorf("%s seed %d: %v", p, seed, err)
			}
			pr.cap.check(t, p)
		}
	}
}
