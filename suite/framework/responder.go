package framework

import (
	"context"
	"fmt"
	"slices"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL

	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/peer"
)

// ResponderKnobs are the misbehaviour knobs of the reference responder; the others belong to
// the initiator.
var ResponderKnobs = []string{"accept-any-token", "skip-str-check", "ack-gaps", "no-final", "accept-after-terminate",
	"unsigned-acks", "deliver-duplicates", peer.WrongDKLabel, "ignore-uses-sequence-str", "silent-unknown-sequence"}

func knobsFor(role Role, all []string) []string {
	var out []string
	for _, k := range all {
		if slices.Contains(ResponderKnobs, k) == (role == Responder) {
			out = append(out, k)
		}
	}
	return out
}

// SUTResponder is the SUT in the responder role, as one spec sees it.
type SUTResponder struct {
	Endpoint string
	// Embedded is the reference responder when it is the SUT (nil for an external product):
	// what it delivered is observable.
	Embedded *peer.Responder
}

// Delivered is what the SUT's application received, in order (observable SUTs only: the
// spec must Require(CapObservable) first).
func (r *SUTResponder) Delivered() []trace.Delivery {
	if r.Embedded == nil {
		return nil
	}
	return r.Embedded.Delivered()
}

// Responder returns the SUT responder for this spec: a fresh embedded reference responder
// (with the run's responder knobs) listening on loopback and stopped when the spec ends, or
// the external product's endpoint.
func (s *Spec) Responder(cfgs ...func(*peer.ResponderConfig)) *SUTResponder {
	if s.cfg.SUT != nil {
		return &SUTResponder{Endpoint: s.cfg.SUT.Endpoint}
	}
	rc := peer.ResponderConfig{Profile: s.cfg.Profile, SOAP: s.cfg.SOAP, Misbehave: knobsFor(Responder, s.cfg.Misbehave),
		Duplex: true}
	for _, f := range cfgs {
		f(&rc)
	}
	r, err := peer.NewResponder(rc)
	if err != nil {
		Fail(fmt.Sprintf("embedded responder: %v", err))
	}
	srv, err := transport.NewServer("127.0.0.1:0", r.Handler())
	if err != nil {
		Fail(fmt.Sprintf("embedded responder: %v", err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	DeferCleanup(func() {
		cancel()
		_ = srv.Close()
	})
	return &SUTResponder{Endpoint: srv.URL() + "/rm", Embedded: r}
}

// Client returns a scripted initiator towards the SUT responder r.
func (s *Spec) Client(r *SUTResponder) *Client {
	c, err := newClient(r.Endpoint, s.cfg, s.Wire)
	if err != nil {
		Fail(fmt.Sprintf("client: %v", err))
	}
	return c
}
