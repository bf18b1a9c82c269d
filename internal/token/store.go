package token

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// Why a Store refuses a token. Each maps to the WS-SC fault a responder answers with.
var (
	// ErrUnknown: no such context was issued here (or it was purged). wsc:BadContextToken.
	ErrUnknown = errors.New("security context unknown")
	// ErrCancelled: the context was cancelled; WS-SC 1.3 §6 (SC-CNL-003): a cancelled SCT is
	// dead, any later message protected by it is rejected. wsc:BadContextToken.
	ErrCancelled = errors.New("security context cancelled")
	// ErrStale: a renewal raced with another one; the instance it renewed is no longer
	// current. wsc:UnableToRenew.
	ErrStale = errors.New("security context was renewed meanwhile")
	// ErrExpired: the context's lifetime has ended; WS-Trust 1.3 Lifetime / SC-ISS-012: no
	// message may be protected by it without renewing it first. wsc:RenewNeeded.
	ErrExpired = errors.New("security context expired")
)

// LookupError is a refused token: Kind is ErrUnknown, ErrCancelled or ErrExpired.
type LookupError struct {
	Kind       error
	Identifier string
}

func (e *LookupError) Error() string { return "token: " + e.Identifier + ": " + e.Kind.Error() }
func (e *LookupError) Unwrap() error { return e.Kind }

// Code is the WS-SC fault code to answer with (CONSTANTS §9.4): RenewNeeded for an expired
// context, UnableToRenew for a lost renewal race, BadContextToken otherwise.
func (e *LookupError) Code() wsc.FaultCode {
	switch e.Kind {
	case ErrExpired:
		return wsc.RenewNeeded
	case ErrStale:
		return wsc.UnableToRenew
	}
	return wsc.BadContextToken
}

// Fault is the fault QName in WS-SC version v.
func (e *LookupError) Fault(v wsc.Version) wire.QName { return e.Code().QName(v) }

// Store is the responder's table of issued tokens, by Identifier, holding the current key
// instance of each. It is safe for concurrent use.
type Store struct {
	now func() time.Time
	// Grace is how long after Expires an expired token is kept for renewal (ForRenewal);
	// after that it is purged and unknown. Set before use; zero means DefaultGrace.
	Grace time.Duration

	mu        sync.RWMutex
	live      map[string]Token
	cancelled map[string]time.Time // tombstones: Identifier -> when it may be forgotten
	purged    time.Time
}

// DefaultGrace is how long an expired token stays renewable.
const DefaultGrace = 24 * time.Hour

// NewStore returns an empty Store reading the clock now (time.Now when nil).
func NewStore(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{now: now, live: map[string]Token{}, cancelled: map[string]time.Time{}}
}

func (s *Store) grace() time.Duration {
	if s.Grace > 0 {
		return s.Grace
	}
	return DefaultGrace
}

// Put records t as the current instance of its context (a new issuance or a renewal). A
// cancelled Identifier cannot come back (SC-ISS-006: Identifiers are unique; SC-CNL-003).
func (s *Store) Put(t Token) error {
	if err := t.check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purge()
	if _, dead := s.cancelled[t.Identifier]; dead {
		return &LookupError{Kind: ErrCancelled, Identifier: t.Identifier}
	}
	s.live[t.Identifier] = t
	return nil
}

// Replace records t, a renewal of the instance prev of the same context, only if prev is
// still the current instance: of two concurrent renewals of one instance exactly one wins
// (ErrStale for the other), so no requestor is left with a key the store no longer holds.
func (s *Store) Replace(t Token, prev string) error {
	if err := t.check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dead := s.cancelled[t.Identifier]; dead {
		return &LookupError{Kind: ErrCancelled, Identifier: t.Identifier}
	}
	cur, ok := s.live[t.Identifier]
	if !ok {
		return &LookupError{Kind: ErrUnknown, Identifier: t.Identifier}
	}
	if cur.Instance != prev {
		return &LookupError{Kind: ErrStale, Identifier: t.Identifier}
	}
	s.live[t.Identifier] = t
	return nil
}

// purge forgets tokens expired for longer than the grace and old tombstones, at most once a
// minute. Caller holds mu.
func (s *Store) purge() {
	now := s.now()
	if now.Sub(s.purged) < time.Minute && !now.Before(s.purged) {
		return
	}
	s.purged = now
	for id, t := range s.live {
		if !t.Expires.IsZero() && now.After(t.Expires.Add(s.grace())) {
			delete(s.live, id)
		}
	}
	for id, until := range s.cancelled {
		if now.After(until) {
			delete(s.cancelled, id)
		}
	}
}

// Lookup returns the token of identifier when it may protect a message now, else a
// *LookupError saying why not.
func (s *Store) Lookup(identifier string) (Token, error) {
	return s.lookup(identifier, false)
}

// Get returns the token of identifier whether or not it has expired (within the grace):
// the issuer renews expired tokens. Cancelled and unknown ones give a *LookupError.
func (s *Store) Get(identifier string) (Token, error) {
	return s.lookup(identifier, true)
}

func (s *Store) lookup(identifier string, expiredOK bool) (Token, error) {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, dead := s.cancelled[identifier]; dead {
		return Token{}, &LookupError{Kind: ErrCancelled, Identifier: identifier}
	}
	t, ok := s.live[identifier]
	if !ok || (!t.Expires.IsZero() && now.After(t.Expires.Add(s.grace()))) {
		return Token{}, &LookupError{Kind: ErrUnknown, Identifier: identifier}
	}
	if !expiredOK && t.Expired(now) {
		return Token{}, &LookupError{Kind: ErrExpired, Identifier: identifier}
	}
	return t, nil
}

// Cancel removes the context for good (WS-SC 1.3 §6, SC-CNL-003): later lookups fail with
// ErrCancelled until its lifetime (plus grace) is over, then with ErrUnknown.
func (s *Store) Cancel(identifier string) (Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dead := s.cancelled[identifier]; dead {
		return Token{}, &LookupError{Kind: ErrCancelled, Identifier: identifier}
	}
	t, ok := s.live[identifier]
	if !ok {
		return Token{}, &LookupError{Kind: ErrUnknown, Identifier: identifier}
	}
	delete(s.live, identifier)
	until := s.now().Add(s.grace())
	if !t.Expires.IsZero() {
		until = t.Expires.Add(s.grace())
	}
	s.cancelled[identifier] = until
	return t, nil
}

// Token implements wssec.Resolver: the current instance of a context that may protect a
// message now (not expired, not cancelled). Use Resolve to learn why a token was refused.
func (s *Store) Token(identifier string) (wssec.Token, bool) {
	t, err := s.Lookup(identifier)
	if err != nil {
		return wssec.Token{}, false
	}
	return t.Security(), true
}

// All returns a snapshot of the live tokens (expired ones included), ordered by Identifier,
// for persistence and dumps.
func (s *Store) All() []Token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Token, 0, len(s.live))
	for _, t := range s.live {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identifier < out[j].Identifier })
	return out
}

// Resolve returns a resolver for checking one message with wssec.Check that remembers why
// it refused a token, so that the caller can answer wsc:RenewNeeded for an expired context
// and wsc:BadContextToken for an unknown or cancelled one.
func (s *Store) Resolve() *Resolution { return &Resolution{s: s} }

// ForRenewal is Resolve for a renewal request, which is proven with the key of a token that
// may already have expired (WS-SC 1.3 §5; issue #5: an SCT that expires during an outage is
// renewed afterwards). Cancelled and unknown tokens are still refused.
func (s *Store) ForRenewal() *Resolution { return &Resolution{s: s, expiredOK: true} }

// Resolution is a wssec.Resolver over a Store for one message.
type Resolution struct {
	s         *Store
	expiredOK bool

	mu  sync.Mutex
	err *LookupError
}

// Token implements wssec.Resolver.
func (r *Resolution) Token(identifier string) (wssec.Token, bool) {
	t, err := r.s.lookup(identifier, r.expiredOK)
	if err != nil {
		r.mu.Lock()
		r.err = err.(*LookupError)
		r.mu.Unlock()
		return wssec.Token{}, false
	}
	return t.Security(), true
}

// Err is the last refusal (a *LookupError), or nil.
func (r *Resolution) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		return nil
	}
	return r.err
}

// Explain refines a wssec.Check failure: when the check failed because the store refused the
// token, the *LookupError (with its WS-SC fault); otherwise err unchanged.
func (r *Resolution) Explain(err error) error {
	var we *wssec.Error
	if err == nil || !errors.As(err, &we) || !errors.Is(err, wssec.ErrUnknownToken) {
		return err
	}
	if le := r.Err(); le != nil {
		return fmt.Errorf("%w (%w)", le, err)
	}
	return err
}
