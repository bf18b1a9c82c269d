package peer

import (
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

// renewals returns the Renew requests on the wire.
func renewals(c *capture) []*codec.Message {
	return c.messages(func(m *codec.Message) bool {
		rst, ok := m.Payload.(*wst.RequestSecurityToken)
		return ok && rst.RequestType != "" && rst.RequestType[len(rst.RequestType)-5:] == "Renew"
	})
}

// TestRenewDuringRun: an SCT that nears its expiry while the run lasts is renewed (SC-RNW-001:
// same Identifier, new key), the sequences bound to it carry on, and nothing is lost.
func TestRenewDuringRun(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{Lifetime: 700 * time.Millisecond},
		InitiatorConfig{RenewBefore: 350 * time.Millisecond})
	sum, err := pr.run(t, Plan{Messages: 30, Sequences: 2, Size: 40, Interval: 60 * time.Millisecond}, 30*time.Second)
	if err != nil {
		t.Fatalf("run: %v (%s)", err, sum)
	}
	if sum.Renewals < 1 || len(renewals(pr.cap)) < 1 {
		t.Fatalf("no renewal in a run longer than the SCT's lifetime: %s", sum)
	}
	if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
		t.Error(err)
	}
	pr.cap.check(t, P11)
}

// TestRenewNeeded: an initiator that does not renew ahead of time gets wsc:RenewNeeded for
// messages under the expired SCT (SC-ISS-012), renews, and retransmits: nothing is lost.
func TestRenewNeeded(t *testing.T) {
	pr := newPair(t, P11, soap.V12, ResponderConfig{Lifetime: 500 * time.Millisecond},
		InitiatorConfig{RenewBefore: -1})
	sum, err := pr.run(t, Plan{Messages: 16, Sequences: 1, Size: 40, Interval: 60 * time.Millisecond}, 30*time.Second)
	if err != nil {
		t.Fatalf("run: %v (%s)", err, sum)
	}
	faults := pr.cap.messages(func(m *codec.Message) bool {
		f := m.Fault()
		if f == nil {
			return false
		}
		c, _, ok := wsc.FaultCodeOf(f.Subcode())
		if !ok {
			c, _, ok = wsc.FaultCodeOf(f.CodeQName)
		}
		return ok && c == wsc.RenewNeeded
	})
	if len(faults) == 0 || sum.Renewals < 1 {
		t.Fatalf("%d RenewNeeded faults, %d renewals (%s)", len(faults), sum.Renewals, sum)
	}
	if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
		t.Error(err)
	}
}
