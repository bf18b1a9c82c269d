package trust

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// securedPing builds an RM application message secured with tok, as the RM source would send
// it, and checks it on the responder with the store (the seam: RM sees only the Auth).
func securedPing(t *testing.T, r *rig, tok token.Token) (*wssec.Auth, error, *token.Resolution) {
	t.Helper()
	rv := wsrm.V200702
	if r.pr.p == codec.ProfileP05 {
		rv = wsrm.V200502
	}
	env := &codec.Envelope{SOAP: r.pr.soap,
		Addressing: &wsa.Headers{Version: r.pr.wsa, Action: "urn:example:Ping", To: endpoint, MessageID: "urn:uuid:00000000-0000-4000-8000-000000000001"},
		Headers:    []codec.Header{{Value: &wsrm.Sequence{V: rv, Identifier: "urn:uuid:seq-1", MessageNumber: 1}, MustUnderstand: true}},
		Body:       []any{&wsrm.AckRequested{V: rv, Identifier: "urn:uuid:seq-1"}},
	}
	doc, err := codec.Build(env, codec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wssec.Apply(doc, tok.Security(), wssec.Policy{Version: tok.Version, DerivedKeys: true}, r.clk.Now(), nil); err != nil {
		t.Fatal(err)
	}
	m, err := codec.Decode(serialize(t, doc), codec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := r.store.Resolve()
	auth, err := wssec.Check(m, wssec.CheckOptions{Policy: wssec.Policy{Version: tok.Version, DerivedKeys: true},
		Tokens: res, Expect: tok.Identifier, Now: r.clk.Now()})
	return auth, res.Explain(err), res
}

// TestFlow runs the token life cycle through a Provider over Client↔Issuer for each profile:
// issue, reuse, renewal near expiry, cancel, and use after cancel.
func TestFlow(t *testing.T) {
	ctx := context.Background()
	for _, pr := range profiles {
		t.Run(pr.name, func(t *testing.T) {
			r := newRig(t, pr, IssuerConfig{Lifetime: time.Hour}, ClientConfig{})
			p, err := token.NewProvider(token.Config{Establisher: r.client, StorageKey: bytes.Repeat([]byte{1}, 32), Now: r.clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			issueAction := pr.v.RequestAction(1)
			a, err := p.SCT(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := r.store.Lookup(a.Identifier)
			if err != nil || !bytes.Equal(srv.Secret, a.Secret) || len(a.Secret) != 32 {
				t.Fatalf("both sides must hold the same 256-bit key: %v", err)
			}
			if a.Instance != "" || a.Endpoint != endpoint || a.AttachedID == "" || a.UnattachedURI != a.Identifier || a.Version != pr.v {
				t.Errorf("issued token %v", a)
			}
			if !a.Expires.Equal(t0.Add(time.Hour)) {
				t.Errorf("Expires %v", a.Expires)
			}
			if auth, err, _ := securedPing(t, r, a); err != nil || auth.Token.Identifier != a.Identifier {
				t.Fatalf("message secured by the new SCT: %v", err)
			}
			// SC-ISS-015: reuse within the session.
			r.clk.Add(20 * time.Minute)
			if b, _ := p.SCT(ctx, endpoint); b.Identifier != a.Identifier || r.count(issueAction) != 1 {
				t.Fatalf("second SCT call sent another RST (%d)", r.count(issueAction))
			}
			// Renewal near expiry: same Identifier, new Instance and key (SC-RNW-002).
			r.clk.Add(36 * time.Minute)
			n, err := p.SCT(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			if n.Identifier != a.Identifier || n.Instance == "" || bytes.Equal(n.Secret, a.Secret) || !n.Expires.After(a.Expires) {
				t.Fatalf("renewed %v from %v", n, a)
			}
			if srv, _ := r.store.Lookup(a.Identifier); srv.Instance != n.Instance || !bytes.Equal(srv.Secret, n.Secret) {
				t.Fatal("the issuer does not hold the renewed instance")
			}
			if _, err, _ := securedPing(t, r, n); err != nil {
				t.Fatalf("message secured by the renewed SCT: %v", err)
			}
			if _, err, _ := securedPing(t, r, a); err == nil {
				t.Fatal("the old key instance still verifies after renewal")
			}
			// Renewal after expiry (issue #5: expired during an outage).
			r.clk.Add(2 * time.Hour)
			if _, err, res := securedPing(t, r, n); !errors.Is(err, token.ErrExpired) {
				t.Fatalf("expired SCT: %v", err)
			} else if le := new(token.LookupError); !errors.As(res.Err(), &le) || le.Fault(pr.v).Local != "RenewNeeded" {
				t.Fatalf("expired SCT must answer wsc:RenewNeeded: %v", res.Err())
			}
			x, err := p.SCT(ctx, endpoint)
			if err != nil || x.Identifier != a.Identifier || x.Instance == n.Instance {
				t.Fatalf("renewal after expiry: %v %v", x, err)
			}
			// Persist and restore the renewed token (sealed).
			rec, err := p.Marshal(x)
			if err != nil || bytes.Contains(rec, x.Secret) || bytes.Contains(rec, []byte(base64.StdEncoding.EncodeToString(x.Secret))) {
				t.Fatalf("sealed record: %v", err)
			}
			// Cancel (SC-CNL-001/002), then any use is wsc:BadContextToken (SC-CNL-003).
			if err := p.Cancel(ctx, endpoint); err != nil {
				t.Fatal(err)
			}
			_, err, res := securedPing(t, r, x)
			var le *token.LookupError
			if !errors.As(err, &le) || !errors.Is(err, token.ErrCancelled) || le.Fault(pr.v).Local != "BadContextToken" || res.Err() == nil {
				t.Fatalf("use after cancel: %v", err)
			}
			if _, err := r.client.Renew(ctx, endpoint, x); CodeOf(err) != "wsc:BadContextToken" {
				t.Fatalf("renew after cancel: %v", err)
			}
			if err := r.client.Cancel(ctx, endpoint, x); !errors.Is(err, ErrBadContextToken) {
				t.Fatalf("second cancel: %v", err)
			}
			// A new session gets a new context (SC-ISS-006: unique Identifiers).
			y, err := p.SCT(ctx, endpoint)
			if err != nil || y.Identifier == a.Identifier {
				t.Fatalf("after cancel: %v %v", y, err)
			}
			if len(r.messages) < 12 {
				t.Errorf("only %d messages checked", len(r.messages))
			}
		})
	}
}

// TestComputedKeyVector: CONSTANTS §7.1 end to end — requestor entropy 00..1f, issuer
// entropy 20..3f, KeySize 256 gives 31kTLCr20jDkM3cyB2oUVhaUvhKDjMACA9Y8gWZT11s= on both
// sides (SC-ISS-010; the swapped-argument key must not come out).
func TestComputedKeyVector(t *testing.T) {
	const want = "31kTLCr20jDkM3cyB2oUVhaUvhKDjMACA9Y8gWZT11s="
	const swapped = "848ed6b556375d78b11c556858ed47bf4cf6566773cd22447348d5f4ff798b9e"
	for _, pr := range profiles {
		t.Run(pr.name, func(t *testing.T) {
			r := newRig(t, pr, IssuerConfig{Entropy: bytes.NewReader(seq(0x20, 32))},
				ClientConfig{Entropy: bytes.NewReader(seq(0x00, 32)), KeySize: 256})
			tok, err := r.client.Issue(context.Background(), endpoint)
			if err != nil {
				t.Fatal(err)
			}
			if got := base64.StdEncoding.EncodeToString(tok.Secret); got != want {
				t.Fatalf("client key %s, want %s", got, want)
			}
			srv, _ := r.store.Lookup(tok.Identifier)
			if got := base64.StdEncoding.EncodeToString(srv.Secret); got != want {
				t.Fatalf("issuer key %s, want %s", got, want)
			}
			// The wire carries the entropies in the clear and the CK/PSHA1 URI.
			resp := r.messages[len(r.messages)-1]
			var rstr []*wst.RequestSecurityTokenResponse
			switch b := resp.Payload.(type) {
			case *wst.RequestSecurityTokenResponseCollection:
				if pr.p == codec.ProfileP05 {
					t.Fatal("P05 answered with a collection (SC-ISS-003)")
				}
				rstr = b.Responses
			case *wst.RequestSecurityTokenResponse:
				if pr.p == codec.ProfileP11 {
					t.Fatal("P11 answered with a bare RSTR (SC-ISS-003)")
				}
				rstr = []*wst.RequestSecurityTokenResponse{b}
			}
			if rstr[0].RequestedProofToken.ComputedKey != trustVersion(pr.v).CKPSHA1() ||
				base64.StdEncoding.EncodeToString(rstr[0].Entropy.BinarySecret.Value) != "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=" ||
				rstr[0].Entropy.BinarySecret.Type != trustVersion(pr.v).NonceType() || rstr[0].KeySize != 256 {
				t.Errorf("RSTR proof/entropy %+v %+v", rstr[0].RequestedProofToken, rstr[0].Entropy)
			}
			if base64.StdEncoding.EncodeToString(tok.Secret) == base64.StdEncoding.EncodeToString([]byte(swapped)) {
				t.Fatal("swapped arguments")
			}
		})
	}
}

// TestProviderConcurrentEstablishment: many goroutines ask for the SCT of one endpoint
// through a real Client↔Issuer; exactly one RST/SCT goes out. Run with -race.
func TestProviderConcurrentEstablishment(t *testing.T) {
	pr := profiles[0]
	r := newRig(t, pr, IssuerConfig{}, ClientConfig{})
	p, _ := token.NewProvider(token.Config{Establisher: r.client, Now: r.clk.Now})
	const n = 48
	var wg sync.WaitGroup
	ids := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := p.SCT(context.Background(), endpoint)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- tok.Identifier
		}()
	}
	wg.Wait()
	close(ids)
	first := ""
	for id := range ids {
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatalf("two tokens: %s %s", first, id)
		}
	}
	if got := r.count(pr.v.RequestAction(1)); got != 1 {
		t.Fatalf("%d RST/SCT sent, want 1", got)
	}
}
