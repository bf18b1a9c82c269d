package token

import (
	"errors"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

var _ wssec.Resolver = (*Store)(nil)
var _ wssec.Resolver = (*Resolution)(nil)

func TestStoreStates(t *testing.T) {
	clk := &clock{t: t0}
	s := NewStore(clk.Now)
	tok := testToken()
	if err := s.Put(tok); err != nil {
		t.Fatal(err)
	}
	if w, ok := s.Token(tok.Identifier); !ok || w.Identifier != tok.Identifier {
		t.Fatal("valid token not resolved")
	}
	if _, ok := s.Token("urn:uuid:nope"); ok {
		t.Fatal("unknown token resolved")
	}
	// Expired: refused for messages (RenewNeeded), still there for renewal.
	clk.Add(time.Hour)
	if _, ok := s.Token(tok.Identifier); ok {
		t.Fatal("expired token resolved")
	}
	r := s.Resolve()
	if _, ok := r.Token(tok.Identifier); ok {
		t.Fatal("expired token resolved")
	}
	var le *LookupError
	if !errors.As(r.Err(), &le) || !errors.Is(le, ErrExpired) || le.Code() != wsc.RenewNeeded {
		t.Fatalf("expired: %v", r.Err())
	}
	if q := le.Fault(wsc.V200502); q.Space != wsc.NS200502 || q.Local != "RenewNeeded" {
		t.Errorf("fault %v", q)
	}
	if _, ok := s.ForRenewal().Token(tok.Identifier); !ok {
		t.Fatal("expired token not available for renewal")
	}
	if _, err := s.Get(tok.Identifier); err != nil {
		t.Fatal(err)
	}
	// Renewed: same Identifier, new Instance.
	tok.Instance, tok.Expires = "urn:uuid:i2", clk.Now().Add(time.Hour)
	if err := s.Put(tok); err != nil {
		t.Fatal(err)
	}
	if w, ok := s.Token(tok.Identifier); !ok || w.Instance != "urn:uuid:i2" {
		t.Fatal("renewed instance not current")
	}
	// Cancelled: gone, BadContextToken, and cannot be put back (SC-CNL-003).
	if _, err := s.Cancel(tok.Identifier); err != nil {
		t.Fatal(err)
	}
	for _, res := range []*Resolution{s.Resolve(), s.ForRenewal()} {
		if _, ok := res.Token(tok.Identifier); ok || !errors.Is(res.Err(), ErrCancelled) {
			t.Fatalf("cancelled token: %v", res.Err())
		}
		errors.As(res.Err(), &le)
		if le.Code() != wsc.BadContextToken {
			t.Errorf("cancelled code %s", le.Code())
		}
	}
	if _, err := s.Cancel(tok.Identifier); !errors.Is(err, ErrCancelled) {
		t.Errorf("second cancel: %v", err)
	}
	if err := s.Put(tok); !errors.Is(err, ErrCancelled) {
		t.Errorf("cancelled Identifier put back: %v", err)
	}
	if _, err := s.Cancel("urn:uuid:nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("cancel unknown: %v", err)
	}
	res := s.Resolve()
	res.Token("urn:uuid:nope")
	if !errors.Is(res.Err(), ErrUnknown) {
		t.Errorf("unknown: %v", res.Err())
	}
	if len(s.All()) != 0 {
		t.Error("All lists a cancelled token")
	}
}

func TestStorePurge(t *testing.T) {
	clk := &clock{t: t0}
	s := NewStore(clk.Now)
	s.Grace = time.Hour
	old := testToken()
	if err := s.Put(old); err != nil {
		t.Fatal(err)
	}
	clk.Add(3 * time.Hour) // expired + grace passed
	if _, err := s.Get(old.Identifier); !errors.Is(err, ErrUnknown) {
		t.Fatalf("beyond grace: %v", err)
	}
	other := testToken()
	other.Identifier, other.Expires = "urn:uuid:other", clk.Now().Add(time.Hour)
	_ = s.Put(other)
	if got := s.All(); len(got) != 1 || got[0].Identifier != other.Identifier {
		t.Fatalf("purge: %v", got)
	}
	if err := s.Put(Token{Identifier: "x"}); err == nil {
		t.Error("bad token put")
	}
}

func TestResolutionExplain(t *testing.T) {
	clk := &clock{t: t0}
	s := NewStore(clk.Now)
	r := s.Resolve()
	r.Token("urn:uuid:gone")
	werr := &wssec.Error{Kind: wssec.ErrUnknownToken, Detail: "x"}
	if err := r.Explain(werr); !errors.Is(err, ErrUnknown) || !errors.Is(err, wssec.ErrUnknownToken) {
		t.Errorf("Explain: %v", err)
	}
	sig := &wssec.Error{Kind: wssec.ErrSignature}
	if err := r.Explain(sig); err != sig {
		t.Errorf("Explain changed an unrelated error: %v", err)
	}
	if r.Explain(nil) != nil {
		t.Error("Explain(nil)")
	}
}

func TestStoreReplace(t *testing.T) {
	clk := &clock{t: t0}
	s := NewStore(clk.Now)
	tok := testToken()
	if err := s.Replace(tok, ""); !errors.Is(err, ErrUnknown) {
		t.Fatalf("replace unknown: %v", err)
	}
	_ = s.Put(tok)
	r1, r2 := tok, tok
	r1.Instance, r2.Instance = "urn:uuid:r1", "urn:uuid:r2"
	if err := s.Replace(r1, ""); err != nil {
		t.Fatal(err)
	}
	var le *LookupError
	if err := s.Replace(r2, ""); !errors.As(err, &le) || !errors.Is(err, ErrStale) || le.Code() != wsc.UnableToRenew {
		t.Fatalf("lost race: %v", err)
	}
	if cur, _ := s.Lookup(tok.Identifier); cur.Instance != "urn:uuid:r1" {
		t.Fatalf("current %q", cur.Instance)
	}
	_, _ = s.Cancel(tok.Identifier)
	if err := s.Replace(r2, "urn:uuid:r1"); !errors.Is(err, ErrCancelled) {
		t.Fatalf("replace cancelled: %v", err)
	}
}
