package token

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Establisher obtains tokens over the wire: the WS-Trust client of package trust implements it.
type Establisher interface {
	// Issue establishes a new SCT with endpoint (FLOW M1/M2).
	Issue(ctx context.Context, endpoint string) (Token, error)
	// Renew renews cur: same Identifier, new Instance, key and lifetime (SC-RNW-001/002).
	Renew(ctx context.Context, endpoint string, cur Token) (Token, error)
	// Cancel cancels cur (SC-CNL-001/002).
	Cancel(ctx context.Context, endpoint string, cur Token) error
}

// Config configures a Provider.
type Config struct {
	// Establisher obtains, renews and cancels tokens. Required.
	Establisher Establisher
	// StorageKey is the 32-octet AES-256 key that seals tokens for persistent storage. Nil
	// means memory only: Marshal and Unmarshal then fail with ErrNoStorageKey.
	StorageKey []byte
	// RenewBefore is how long before Expires a token is renewed. Zero: a tenth of the
	// token's lifetime, at most DefaultRenewBefore.
	RenewBefore time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Rand supplies the sealing nonces (crypto/rand when nil).
	Rand io.Reader
	// OnChange, when set, is called with every token the Provider obtains (established or
	// renewed) before any caller gets it, so that the caller can persist it sealed first
	// (FLOW §6: persist after M2 and on renew). An error fails the call that obtained it and
	// the token is not used.
	OnChange func(ctx context.Context, t Token) error
}

// DefaultRenewBefore caps the default renewal margin.
const DefaultRenewBefore = 5 * time.Minute

// ErrRenew marks a failed renewal of a token that has already expired: the Provider does not
// silently replace it with a new context, because a sequence bound to its Identifier would
// then be lost (SC-RNW-003, issue #5). Call Drop to give the token up, then SCT to establish
// a new one.
var ErrRenew = errors.New("token: the expired token could not be renewed")

// Provider gives the RM layer the SCT of each endpoint (FLOW §0, M0; SC-ISS-015): reuse a
// valid one, renew one near expiry, else establish one. It is safe for concurrent use; one
// establishment or renewal per endpoint runs at a time and other callers for that endpoint
// wait for its result.
type Provider struct {
	cfg    Config
	sealer *Sealer

	mu    sync.Mutex
	slots map[string]*slot
}

// slot is the state of one endpoint; sem (capacity 1) serialises work on it and lets waiters
// give up when their context ends.
type slot struct {
	sem chan struct{}
	tok *Token // guarded by sem
}

// NewProvider returns a Provider.
func NewProvider(cfg Config) (*Provider, error) {
	if cfg.Establisher == nil {
		return nil, errors.New("token: provider needs an Establisher")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Provider{cfg: cfg, slots: map[string]*slot{}}
	if cfg.StorageKey != nil {
		s, err := NewSealer(cfg.StorageKey, cfg.Rand)
		if err != nil {
			return nil, err
		}
		p.sealer = s
	}
	return p, nil
}

func (p *Provider) slot(endpoint string) *slot {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.slots[endpoint]
	if !ok {
		s = &slot{sem: make(chan struct{}, 1)}
		p.slots[endpoint] = s
	}
	return s
}

// lock takes the endpoint's slot, or fails when ctx ends first.
func (p *Provider) lock(ctx context.Context, endpoint string) (*slot, error) {
	s := p.slot(endpoint)
	select {
	case s.sem <- struct{}{}:
		return s, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("token: waiting for the SCT of %s: %w", endpoint, context.Cause(ctx))
	}
}

func (s *slot) unlock() { <-s.sem }

// margin is the renewal margin for t.
func (p *Provider) margin(t Token) time.Duration {
	if p.cfg.RenewBefore > 0 {
		return p.cfg.RenewBefore
	}
	if t.Expires.IsZero() || t.Created.IsZero() {
		return DefaultRenewBefore
	}
	return min((t.Expires.Sub(t.Created))/10, DefaultRenewBefore)
}

// SCT returns the token to secure messages to endpoint at this moment:
//
//   - a valid token for endpoint that is not near its expiry is reused (SC-ISS-015: one SCT
//     per session, reused across sequences);
//   - a token near or past its expiry is renewed: same Identifier, new Instance and key, so
//     sequences bound to it keep their binding (SC-RNW-003). If the renewal fails while the
//     token is still valid, the old token is returned and renewal is tried again on the next
//     call; if it fails after expiry the error wraps ErrRenew;
//   - otherwise a new token is established (FLOW M1/M2).
func (p *Provider) SCT(ctx context.Context, endpoint string) (Token, error) {
	s, err := p.lock(ctx, endpoint)
	if err != nil {
		return Token{}, err
	}
	defer s.unlock()
	now := p.cfg.Now()
	if s.tok == nil {
		return p.establish(ctx, s, endpoint)
	}
	cur := *s.tok
	// Only Expires decides here: a Created slightly ahead of our clock (skew) must not make
	// every call renew.
	if !cur.NearExpiry(now, p.margin(cur)) {
		return cur, nil
	}
	t, err := p.renew(ctx, s, endpoint, cur)
	if err == nil {
		return t, nil
	}
	if !cur.Expired(p.cfg.Now()) {
		return cur, nil
	}
	return Token{}, fmt.Errorf("%w: %s for %s: %w", ErrRenew, cur.Identifier, endpoint, err)
}

// Renew renews the endpoint's token now, whatever its lifetime: the reaction to a
// wsc:RenewNeeded fault (SC-ISS-012: renew, then retransmit).
func (p *Provider) Renew(ctx context.Context, endpoint string) (Token, error) {
	s, err := p.lock(ctx, endpoint)
	if err != nil {
		return Token{}, err
	}
	defer s.unlock()
	if s.tok == nil {
		return Token{}, fmt.Errorf("token: no SCT for %s to renew", endpoint)
	}
	t, err := p.renew(ctx, s, endpoint, *s.tok)
	if err != nil {
		return Token{}, fmt.Errorf("%w: %s for %s: %w", ErrRenew, s.tok.Identifier, endpoint, err)
	}
	return t, nil
}

func (p *Provider) establish(ctx context.Context, s *slot, endpoint string) (Token, error) {
	t, err := p.cfg.Establisher.Issue(ctx, endpoint)
	if err != nil {
		return Token{}, fmt.Errorf("token: establish SCT with %s: %w", endpoint, err)
	}
	if err := t.check(); err != nil {
		return Token{}, fmt.Errorf("token: establish SCT with %s: %w", endpoint, err)
	}
	return p.keep(ctx, s, endpoint, t)
}

func (p *Provider) renew(ctx context.Context, s *slot, endpoint string, cur Token) (Token, error) {
	t, err := p.cfg.Establisher.Renew(ctx, endpoint, cur)
	if err != nil {
		return Token{}, err
	}
	// SC-RNW-002 / SC-ISS-007: a renewal keeps the Identifier and names the new key with a
	// new Instance.
	if t.Identifier != cur.Identifier {
		return Token{}, fmt.Errorf("token: renewal of %s returned another context %s (SC-RNW-002)", cur.Identifier, t.Identifier)
	}
	if t.Instance == "" || t.Instance == cur.Instance {
		return Token{}, fmt.Errorf("token: renewal of %s did not name a new wsc:Instance (SC-ISS-007)", cur.Identifier)
	}
	if err := t.check(); err != nil {
		return Token{}, err
	}
	return p.keep(ctx, s, endpoint, t)
}

// keep records t as the endpoint's token once OnChange accepted it.
func (p *Provider) keep(ctx context.Context, s *slot, endpoint string, t Token) (Token, error) {
	if t.Endpoint == "" {
		t.Endpoint = endpoint
	}
	if p.cfg.OnChange != nil {
		if err := p.cfg.OnChange(ctx, t); err != nil {
			return Token{}, fmt.Errorf("token: keeping %s: %w", t.Identifier, err)
		}
	}
	s.tok = &t
	return t, nil
}

// Current returns the endpoint's token without establishing, renewing or checking it. Like
// Restore and Drop it waits for an establishment in progress on that endpoint.
func (p *Provider) Current(endpoint string) (Token, bool) {
	s := p.slot(endpoint)
	s.sem <- struct{}{}
	defer s.unlock()
	if s.tok == nil {
		return Token{}, false
	}
	return *s.tok, true
}

// Restore makes t the token of t.Endpoint, as recovered from persistent storage after a
// restart (issue #5): the sequences bound to it keep their key material.
func (p *Provider) Restore(t Token) error {
	if err := t.check(); err != nil {
		return err
	}
	s := p.slot(t.Endpoint)
	s.sem <- struct{}{}
	defer s.unlock()
	s.tok = &t
	return nil
}

// Drop forgets the endpoint's token without telling the issuer (e.g. after ErrRenew).
func (p *Provider) Drop(endpoint string) {
	s := p.slot(endpoint)
	s.sem <- struct{}{}
	defer s.unlock()
	s.tok = nil
}

// Cancel cancels the endpoint's token with the issuer and forgets it (FLOW Mx; SC-CNL-001).
// Call it only once the sequences bound to the token are terminated (SC-CNL-004). Without a
// token it does nothing. When the issuer refuses, the token is kept and the error returned.
func (p *Provider) Cancel(ctx context.Context, endpoint string) error {
	s, err := p.lock(ctx, endpoint)
	if err != nil {
		return err
	}
	defer s.unlock()
	if s.tok == nil {
		return nil
	}
	if err := p.cfg.Establisher.Cancel(ctx, endpoint, *s.tok); err != nil {
		return fmt.Errorf("token: cancel %s with %s: %w", s.tok.Identifier, endpoint, err)
	}
	s.tok = nil
	return nil
}

// Marshal seals t for persistent storage (AES-256-GCM under the storage key; associated data
// = Identifier and Instance). The result never holds the secret in the clear.
func (p *Provider) Marshal(t Token) ([]byte, error) {
	if p.sealer == nil {
		return nil, ErrNoStorageKey
	}
	return p.sealer.Marshal(t)
}

// Unmarshal opens a record written by Marshal; a tampered or swapped record, or one sealed
// under another key, is an error.
func (p *Provider) Unmarshal(b []byte) (Token, error) {
	if p.sealer == nil {
		return Token{}, ErrNoStorageKey
	}
	return p.sealer.Unmarshal(b)
}
