package peer

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// duplexPair is a pair whose initiator has its own endpoint (Offer Endpoint / ReplyTo).
func duplexPair(t *testing.T, p Profile, sv soap.Version, rcfg ResponderConfig) *pair {
	t.Helper()
	var h http.Handler
	ep := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ep.Close)
	pr := newPair(t, p, sv, rcfg, InitiatorConfig{Offer: true, AcksTo: ep.URL + "/client"})
	h = pr.init.Handler()
	return pr
}

// TestDuplexOffer: with an Offer accepted (RM-CS-004, RM-CSR-002) the responder answers every
// delivered message with its echo on the reverse sequence, secured by the same SCT
// (RM-STR-010); the initiator's Destination delivers the echoes exactly once and in order,
// and the responder closes and terminates each reverse sequence after its forward one.
func TestDuplexOffer(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Profile
		sv   soap.Version
	}{{"P11-soap12", P11, soap.V12}, {"P05-soap11", P05, soap.V11}} {
		t.Run(tc.name, func(t *testing.T) {
			pr := duplexPair(t, tc.p, tc.sv, ResponderConfig{Duplex: true})
			sum, err := pr.run(t, Plan{Messages: 12, Sequences: 2, Size: 64}, 30*time.Second)
			if err != nil {
				t.Fatalf("run: %v (%s)", err, sum)
			}
			if sum.Replies != 12 {
				t.Errorf("replies %d, want 12 (%s)", sum.Replies, sum)
			}
			if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
				t.Error(err)
			}
			pr.cap.check(t, tc.p)

			offers := pr.cap.messages(func(m *codec.Message) bool {
				cs, ok := m.Payload.(*wsrm.CreateSequence)
				return ok && cs.Offer != nil
			})
			accepts := pr.cap.messages(func(m *codec.Message) bool {
				r, ok := m.Payload.(*wsrm.CreateSequenceResponse)
				return ok && r.Accept != nil
			})
			if len(offers) < 2 || len(accepts) < 2 {
				t.Fatalf("%d Offers, %d Accepts", len(offers), len(accepts))
			}
			// Every echo is sequenced on an offered identifier and signed by the run's SCT.
			offered := map[string]bool{}
			for _, m := range offers {
				offered[m.Payload.(*wsrm.CreateSequence).Offer.Identifier] = true
			}
			tokens, sct := wssec.TokenMap{}, ""
			pr.init.mu.Lock()
			for id, tk := range pr.init.tokens {
				tokens[id], sct = tk.Security(), id
			}
			pr.init.mu.Unlock()
			echoes := pr.cap.messages(func(m *codec.Message) bool { return m.HasAddressing && m.Addressing.Action == EchoAction })
			if len(echoes) < 12 {
				t.Fatalf("%d echo messages on the wire", len(echoes))
			}
			for _, m := range echoes {
				s, _ := codec.Find[*wsrm.Sequence](m)
				if s == nil || !offered[s.Identifier] {
					t.Fatalf("echo not on an offered sequence: %+v", s)
				}
				a, err := wssec.Check(m, wssec.CheckOptions{Policy: policy(tc.p), Tokens: tokens, Now: time.Now()})
				if err != nil || a.Token.Identifier != sct || a.Parts&wssec.PartRM == 0 {
					t.Fatalf("echo not secured by the run's SCT %s: %v", sct, err)
				}
			}
			// The responder ended every reverse sequence with TerminateSequence.
			terms := pr.cap.messages(func(m *codec.Message) bool {
				ts, ok := m.Payload.(*wsrm.TerminateSequence)
				return ok && offered[ts.Identifier]
			})
			if len(terms) < 2 {
				t.Errorf("%d TerminateSequence for the reverse sequences", len(terms))
			}
		})
	}
}

// TestOfferDeclined: a responder that does not do duplex answers the Offer without Accept
// (RM-CSR-003) and the forward flow still completes; the duplex run reports the refusal.
func TestOfferDeclined(t *testing.T) {
	pr := duplexPair(t, P11, soap.V12, ResponderConfig{})
	sum, err := pr.run(t, Plan{Messages: 4, Sequences: 1, Size: 10}, 20*time.Second)
	if err == nil || !strings.Contains(err.Error(), "accepted 0 of 1 Offers") {
		t.Fatalf("run: %v (%s)", err, sum)
	}
	if sum.Terminated != 1 || sum.Acknowledged != 4 {
		t.Errorf("forward flow incomplete: %s", sum)
	}
	if n := len(pr.cap.messages(func(m *codec.Message) bool {
		r, ok := m.Payload.(*wsrm.CreateSequenceResponse)
		return ok && r.Accept != nil
	})); n != 0 {
		t.Errorf("%d Accepts from a responder that declines Offers", n)
	}
}
