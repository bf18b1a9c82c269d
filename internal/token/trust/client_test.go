package trust

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

// rstrOf is the RSTR of a response envelope, bare or in a collection.
func rstrOf(env *codec.Envelope) *wst.RequestSecurityTokenResponse {
	switch b := env.Body[0].(type) {
	case *wst.RequestSecurityTokenResponseCollection:
		return b.Responses[0]
	case *wst.RequestSecurityTokenResponse:
		return b
	}
	return nil
}

// TestClientRefusesBadResponses: each rule the client enforces on an issuance response.
func TestClientRefusesBadResponses(t *testing.T) {
	for _, pr := range profiles {
		v, tv := pr.v, trustVersion(pr.v)
		other := wsc.V200502
		if v == wsc.V200502 {
			other = wsc.V200512
		}
		cases := map[string]func(env *codec.Envelope){
			"Context not echoed (SC-ISS-004)": func(env *codec.Envelope) { rstrOf(env).Context = "urn:uuid:other" },
			"Context dropped (SC-ISS-004)":    func(env *codec.Envelope) { rstrOf(env).Context = "" },
			"wrong container (SC-ISS-003)": func(env *codec.Envelope) {
				if c, ok := env.Body[0].(*wst.RequestSecurityTokenResponseCollection); ok {
					env.Body[0] = c.Responses[0]
				} else {
					env.Body[0] = &wst.RequestSecurityTokenResponseCollection{V: tv, Responses: []*wst.RequestSecurityTokenResponse{rstrOf(env)}}
				}
			},
			"two RSTRs in the collection": func(env *codec.Envelope) {
				r := rstrOf(env)
				env.Body[0] = &wst.RequestSecurityTokenResponseCollection{V: tv, Responses: []*wst.RequestSecurityTokenResponse{r, r}}
			},
			"ComputedKey without issuer entropy (SC-ISS-010)": func(env *codec.Envelope) { rstrOf(env).Entropy = nil },
			"relative Identifier (SC-ISS-005)": func(env *codec.Envelope) {
				rstrOf(env).RequestedSecurityToken.SCT.Identifier = "sct-1"
			},
			"no SCT (SC-ISS-005)":          func(env *codec.Envelope) { rstrOf(env).RequestedSecurityToken = nil },
			"wrong TokenType (SC-ISS-001)": func(env *codec.Envelope) { rstrOf(env).TokenType = v.DKTokenType() },
			"SCT of the other version (SC-ISS-002)": func(env *codec.Envelope) {
				rstrOf(env).RequestedSecurityToken.SCT.V = other
			},
			"KeySize 64 (SC-ISS-009)":        func(env *codec.Envelope) { rstrOf(env).KeySize = 64 },
			"KeySize 7 (SC-ISS-009)":         func(env *codec.Envelope) { rstrOf(env).KeySize = 7 },
			"unknown computed key algorithm": func(env *codec.Envelope) { rstrOf(env).RequestedProofToken.ComputedKey = "urn:x:CK" },
			"wrong RelatesTo":                func(env *codec.Envelope) { env.Addressing.RelatesTo = []wsa.RelatesTo{{URI: "urn:uuid:x"}} },
			"wrong action": func(env *codec.Envelope) {
				env.Addressing.Action = v.ResponseAction(wsc.BindingRenew)
			},
			"unattached reference not the Identifier (SC-ISS-013)": func(env *codec.Envelope) {
				rstrOf(env).RequestedUnattachedReference.Reference.URI = "urn:uuid:someone-else"
			},
			"attached reference not the SCT (SC-ISS-013)": func(env *codec.Envelope) {
				rstrOf(env).RequestedAttachedReference.Reference.URI = "#elsewhere"
			},
			"expired on arrival (SC-ISS-012)": func(env *codec.Envelope) {
				rstrOf(env).Lifetime = lifetime(t0.Add(-2*time.Hour), t0.Add(-time.Hour))
			},
			"unreadable Lifetime": func(env *codec.Envelope) { rstrOf(env).Lifetime.Expires = "tomorrow" },
			"proof key too short (SC-ISS-009)": func(env *codec.Envelope) {
				r := rstrOf(env)
				r.RequestedProofToken = &wst.RequestedProofToken{BinarySecret: &wst.BinarySecret{Value: []byte("short")}}
			},
			"proof key of asymmetric type": func(env *codec.Envelope) {
				rstrOf(env).RequestedProofToken = &wst.RequestedProofToken{BinarySecret: &wst.BinarySecret{Type: "urn:x:AsymmetricKey", Value: seq(0, 32)}}
			},
			"encrypted proof without a client certificate": func(env *codec.Envelope) {
				rstrOf(env).RequestedProofToken = &wst.RequestedProofToken{EncryptedKey: encKey()}
			},
			"empty body": func(env *codec.Envelope) { env.Body = []any{etree.NewElement("x")} },
		}
		for name, mutate := range cases {
			t.Run(pr.name+"/"+name, func(t *testing.T) {
				r := newRig(t, pr, IssuerConfig{}, ClientConfig{})
				r.mutate = mutate
				tok, err := r.client.Issue(context.Background(), endpoint)
				if !errors.Is(err, ErrResponse) {
					t.Fatalf("accepted (%v) or wrong error: %v", tok, err)
				}
			})
		}
	}
}

func TestClientRenewCancelRefusals(t *testing.T) {
	ctx := context.Background()
	pr := profiles[0]
	r := newRig(t, pr, IssuerConfig{}, ClientConfig{})
	a, err := r.client.Issue(ctx, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	r.mutate = func(env *codec.Envelope) { rstrOf(env).RequestedSecurityToken.SCT.Instance = "" }
	if _, err := r.client.Renew(ctx, endpoint, a); !errors.Is(err, ErrResponse) {
		t.Fatalf("renewal without Instance (SC-ISS-007): %v", err)
	}
	r.mutate = func(env *codec.Envelope) {
		s := rstrOf(env).RequestedSecurityToken.SCT
		s.Identifier = "urn:uuid:another"
		rstrOf(env).RequestedUnattachedReference.Reference.URI = s.Identifier
	}
	cur, _ := r.store.Lookup(a.Identifier)
	cur.Endpoint = a.Endpoint
	if _, err := r.client.Renew(ctx, endpoint, cur); !errors.Is(err, ErrResponse) {
		t.Fatalf("renewal into another context (SC-RNW-002): %v", err)
	}
	cur, _ = r.store.Lookup(a.Identifier)
	r.mutate = func(env *codec.Envelope) { rstrOf(env).RequestedTokenCancelled = false }
	if err := r.client.Cancel(ctx, endpoint, cur); !errors.Is(err, ErrResponse) {
		t.Fatalf("cancel response without RequestedTokenCancelled (SC-CNL-002): %v", err)
	}
	r.mutate = nil
	// The issuer really cancelled it; the client's second cancel gets the issuer's fault.
	if err := r.client.Cancel(ctx, endpoint, cur); CodeOf(err) != "wsc:BadContextToken" {
		t.Fatalf("second cancel: %v", err)
	}
}

// TestIssuerKeyForms: the proof-token branches of SC-ISS-011 end to end.
func TestIssuerKeyForms(t *testing.T) {
	ctx := context.Background()
	for _, pr := range profiles {
		t.Run(pr.name, func(t *testing.T) {
			// No requestor entropy: the issuer's key comes back as a BinarySecret.
			r := newRig(t, pr, IssuerConfig{}, ClientConfig{EntropySize: -1})
			a, err := r.client.Issue(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			srv, _ := r.store.Lookup(a.Identifier)
			if !bytes.Equal(srv.Secret, a.Secret) || len(a.Secret) != 32 {
				t.Fatal("BinarySecret proof: keys differ")
			}
			p := r.messages[len(r.messages)-1]
			var rstr *wst.RequestSecurityTokenResponse
			switch b := p.Payload.(type) {
			case *wst.RequestSecurityTokenResponseCollection:
				rstr = b.Responses[0]
			case *wst.RequestSecurityTokenResponse:
				rstr = b
			}
			if rstr.RequestedProofToken.BinarySecret == nil || rstr.Entropy != nil {
				t.Errorf("proof %+v entropy %+v", rstr.RequestedProofToken, rstr.Entropy)
			}
			// The issuer accepts the requestor's entropy as the key: no proof token.
			r2 := newRig(t, pr, IssuerConfig{}, ClientConfig{Entropy: bytes.NewReader(seq(0x50, 32))})
			r2.mutate = func(env *codec.Envelope) {
				rs := rstrOf(env)
				rs.RequestedProofToken, rs.Entropy = nil, nil
			}
			b, err := r2.client.Issue(ctx, endpoint)
			if err != nil || !bytes.Equal(b.Secret, seq(0x50, 32)) {
				t.Fatalf("no proof token: %v", err)
			}
		})
	}
}

func TestClientTransportAndConfig(t *testing.T) {
	boom := errors.New("connection refused")
	c, err := NewClient(ClientConfig{Caller: CallerFunc(func(context.Context, string, *etree.Document) (*codec.Message, error) { return nil, boom })})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Issue(context.Background(), endpoint); !errors.Is(err, boom) {
		t.Errorf("transport error: %v", err)
	}
	c, _ = NewClient(ClientConfig{Caller: CallerFunc(func(context.Context, string, *etree.Document) (*codec.Message, error) { return nil, nil })})
	if _, err := c.Issue(context.Background(), endpoint); !errors.Is(err, ErrResponse) {
		t.Errorf("no response: %v", err)
	}
	c, _ = NewClient(ClientConfig{Caller: CallerFunc(func(context.Context, string, *etree.Document) (*codec.Message, error) { return nil, nil }),
		Entropy: bytes.NewReader(nil)})
	if _, err := c.Issue(context.Background(), endpoint); err == nil {
		t.Error("entropy failure ignored")
	}
	for _, ks := range []uint32{64, 100, 1024} {
		if _, err := NewClient(ClientConfig{Caller: CallerFunc(nil), KeySize: ks}); err == nil {
			t.Errorf("KeySize %d accepted", ks)
		}
	}
	if _, err := NewClient(ClientConfig{}); err == nil {
		t.Error("client without caller")
	}
	// VerifyResponse refusals stop the exchange.
	r := newRig(t, profiles[0], IssuerConfig{}, ClientConfig{VerifyResponse: func(*codec.Message) error { return errors.New("issuer signature invalid") }})
	if _, err := r.client.Issue(context.Background(), endpoint); err == nil {
		t.Error("VerifyResponse ignored")
	}
	// A SOAP fault comes back typed.
	r = newRig(t, profiles[1], IssuerConfig{RequireBootstrap: true}, ClientConfig{})
	_, err = r.client.Issue(context.Background(), endpoint)
	var f *Fault
	if !errors.As(err, &f) || !errors.Is(err, ErrFailedAuthentication) || f.Code.Space != wst.NS13 {
		t.Errorf("fault: %v", err)
	}
	var _ token.Establisher = r.client
}
