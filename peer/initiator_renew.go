package peer

import (
	"context"
	"time"

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
)

// renewTimeout bounds one renewal exchange.
const renewTimeout = 30 * time.Second

// maybeRenew starts the renewal of the run's SCT when it is near its expiry (SC-RNW-001: same
// Identifier, new Instance and key, so every sequence bound to it stays valid, RM-PER-006).
// Caller holds in.mu.
func (in *Initiator) maybeRenew(now time.Time) {
	if in.prov == nil || in.cfg.RenewBefore < 0 || in.renewing {
		return
	}
	t, ok := in.prov.Current(in.cfg.To)
	if !ok || t.Expires.IsZero() || t.Expires.Sub(now) > renewMargin(t, in.cfg.RenewBefore) {
		return
	}
	in.startRenew()
}

// renewNeeded starts a renewal when the responder answered wsc:RenewNeeded (SC-ISS-012: renew,
// then retransmit — the RM Source retransmits unacknowledged messages on its own). Caller
// holds in.mu.
func (in *Initiator) renewNeeded(q wire.QName) {
	if code, _, ok := wsc.FaultCodeOf(q); ok && code == wsc.RenewNeeded && in.prov != nil && !in.renewing {
		in.startRenew()
	}
}

// startRenew renews the SCT in the background; the Provider's OnChange (keep) installs the
// new key before anyone uses it. Caller holds in.mu.
func (in *Initiator) startRenew() {
	in.renewing = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), renewTimeout)
		defer cancel()
		_, err := in.prov.Renew(ctx, in.cfg.To)
		in.mu.Lock()
		defer in.mu.Unlock()
		in.renewing = false
		if err == nil {
			in.renewals++
		}
		in.signal()
	}()
}

// renewMargin is how long before expiry t is renewed: before, else a tenth of its lifetime
// capped at token.DefaultRenewBefore.
func renewMargin(t token.Token, before time.Duration) time.Duration {
	if before > 0 {
		return before
	}
	return min(t.Expires.Sub(t.Created)/10, token.DefaultRenewBefore)
}

func (in *Initiator) renewalCount() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.renewals
}
