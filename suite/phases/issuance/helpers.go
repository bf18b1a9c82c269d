// Package issuance holds the specs of the issuance phase: the SCT binding of WS-Trust (RST/SCT
// and its RSTR), the computed key, renewal and cancellation, judged at a SUT responder's STS
// (crafted requests, the key recomputed from both entropies and proven by use) and at a SUT
// initiator (its requests captured by the scripted responder, its keys recomputed from the
// captured entropies and checked against its signatures).
package issuance

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/peer"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

// issuer is a client of a SUT responder whose STS the spec exercises.
func issuer(s *Spec) *Client {
	s.Require(CapIssuance)
	return s.Client(s.Responder())
}

// versions are the WS-SC and WS-Trust versions of the run.
func versions(c *Client) (wsc.Version, wst.Version) {
	v := c.Profile.SC()
	return v, seckit.TrustVersion(v)
}

// send posts a crafted WS-Trust request.
func send(ctx context.Context, c *Client, o seckit.RST, p Protection) *seckit.Exchange {
	x, err := seckit.Send(ctx, c, o, p)
	Expect(err).NotTo(HaveOccurred(), "the request reaches the SUT")
	return x
}

// answered expects a non-fault answer with an RSTR.
func answered(x *seckit.Exchange, what string) {
	Expect(x.Resp).To(BeAccepted(), what)
	Expect(x.RSTR).NotTo(BeNil(), what+": the response carries a wst:RequestSecurityTokenResponse")
}

// grant recomputes the token an answered exchange grants; a key the suite cannot recompute
// (encrypted for a certificate it does not hold) skips the spec as unsupported.
func grant(c *Client, x *seckit.Exchange, what string) (token.Token, string) {
	answered(x, what)
	t, how, err := x.Grant(c.Profile.SC())
	if errors.Is(err, seckit.ErrNoKey) {
		Skip(UnsupportedPrefix + err.Error())
	}
	Expect(err).NotTo(HaveOccurred(), what+": the proof key can be recomputed from the RSTR")
	return t, how
}

// issue obtains a token by a crafted Issue request (32 octets of entropy, KeySize 256).
func issue(ctx context.Context, c *Client) (token.Token, *seckit.Exchange) {
	x := send(ctx, c, seckit.RST{}, Protection{})
	t, _ := grant(c, x, "RST/SCT is answered")
	return t, x
}

// proof protects a Renew or Cancel with t, the SCT in the header (as WCF and the reference do).
func proof(c *Client, t *token.Token) Protection {
	pol := c.Policy
	pol.IncludeToken = true
	return Protection{Token: t, Policy: &pol}
}

// usable proves a key by use: a CreateSequence secured by t creates a sequence and a message
// of it secured by t is accepted.
func usable(ctx context.Context, c *Client, t token.Token, what string) {
	seq, err := c.OpenWith(ctx, t)
	Expect(err).NotTo(HaveOccurred(), what+": a CreateSequence secured by the key is accepted")
	r, err := c.Message(ctx, seq, Msg{AckRequested: true})
	Expect(err).NotTo(HaveOccurred())
	Expect(r).To(BeAccepted(), what+": a message secured by the key is accepted")
}

// absoluteURI reports whether s has a scheme (WS-SC 1.3 §3).
func absoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}

// --- SUT initiator runs ---

// embeddedTimeout bounds a run of the embedded initiator (a clean run takes well under a
// second, the renewal scenario about one); an external SUT keeps the framework's default.
const embeddedTimeout = 3 * time.Second

// run runs the SUT initiator once (two messages, one sequence unless told).
func run(ctx context.Context, s *Spec, sc Scenario) *InitiatorRun {
	s.RequireWSTrust()
	if sc.Messages == 0 {
		sc.Messages = 2
	}
	if sc.Timeout == 0 && s.Config().Embedded() {
		sc.Timeout = embeddedTimeout
	}
	return s.RunInitiator(ctx, sc)
}

// Renewal scenario: the scripted responder grants SCTs of renewLifetime, and every
// application message's response is delayed so that the sequence outlasts the first token.
const (
	renewLifetime = 900 * time.Millisecond
	renewDelay    = 80 * time.Millisecond
	renewMessages = 12
)

// renewRun runs the SUT initiator through the expiry of its first SCT.
func renewRun(ctx context.Context, s *Spec) *InitiatorRun {
	tap := transport.NewTap(1, transport.Rule{Action: peer.AppAction, Effect: transport.Delay, Delay: renewDelay, OnResponse: true})
	return run(ctx, s, Scenario{Messages: renewMessages, Tap: tap, Responder: peer.ResponderConfig{Lifetime: renewLifetime}})
}

// sent are the WS-Trust exchanges the SUT initiator started.
func sent(s *Spec, b wsc.Binding) []seckit.Captured {
	var out []seckit.Captured
	for _, x := range seckit.Exchanges(s.Wire, FromSUT) {
		if x.Binding == b {
			out = append(out, x)
		}
	}
	return out
}

// granted recomputes every token instance the SUT initiator obtained; every exchange must be
// recomputable.
func granted(s *Spec) []token.Token {
	toks, errs := seckit.Granted(s.Wire, FromSUT)
	Expect(errors.Join(errs...)).NotTo(HaveOccurred(), "the keys of the SUT's tokens can be recomputed from the captured entropies")
	Expect(toks).NotTo(BeEmpty(), "the SUT obtained an SCT")
	return toks
}

// secured are the messages the SUT sent with a signature, except its Issue requests.
func secured(s *Spec) []*Message { return seckit.SecuredFrom(s.Wire) }

func describeMsg(m *Message) string { return fmt.Sprintf("message %d (%s)", m.N, m.Action()) }
