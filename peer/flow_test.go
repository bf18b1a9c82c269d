package peer

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"

	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// TestFullFlow runs FLOW.md end to end over loopback HTTP for each profile and SOAP version:
// every message is well-formed for its profile, every message is delivered exactly once and
// in order, every sequence is terminated and the SCT cancelled.
func TestFullFlow(t *testing.T) {
	cases := []struct {
		name string
		p    Profile
		sv   soap.Version
	}{
		{"P11-soap12", P11, soap.V12},
		{"P11-soap11", P11, soap.V11},
		{"P05-soap12", P05, soap.V12},
		{"P05-soap11", P05, soap.V11},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pr := newPair(t, tc.p, tc.sv, ResponderConfig{}, InitiatorConfig{})
			sum, err := pr.run(t, Plan{Messages: 12, Sequences: 3, Size: 100}, 20*time.Second)
			if err != nil {
				t.Fatalf("run: %v (%s)", err, sum)
			}
			if sum.Acknowledged != 12 || sum.Terminated != 3 || !sum.Cancelled {
				t.Errorf("summary %s", sum)
			}
			if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
				t.Error(err)
			}
			if n := pr.resp.Sequences(); n != 0 {
				t.Errorf("%d sequences still live at the responder", n)
			}
			pr.cap.check(t, tc.p)
		})
	}
}

// TestAddressableAcksTo: with an addressable AcksTo the responder sends its acknowledgements
// as separate, secured messages to the initiator's own endpoint (RM-ACK-002).
func TestAddressableAcksTo(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		t.Run(p.String(), func(t *testing.T) {
			var h http.Handler
			acks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
			t.Cleanup(acks.Close)
			pr := newPair(t, p, soap.V12, ResponderConfig{}, InitiatorConfig{AcksTo: acks.URL + "/acks"})
			h = pr.init.Handler()
			sum, err := pr.run(t, Plan{Messages: 10, Sequences: 2, Size: 50}, 20*time.Second)
			if err != nil {
				t.Fatalf("run: %v (%s)", err, sum)
			}
			if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
				t.Error(err)
			}
			sent := pr.cap.messages(func(m *codec.Message) bool {
				return m.HasAddressing && m.Addressing.To == acks.URL+"/acks"
			})
			if len(sent) == 0 {
				t.Error("no acknowledgement was sent to the AcksTo endpoint")
			}
			pr.cap.check(t, p)
		})
	}
}
