package peer

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/rspcheck/rspcheck/internal/token"
)

// ParseProvisioned reads an out-of-band SCT as rsppeer --sct takes it: IDENTIFIER=BASE64SECRET
// (the identifier is an absolute URI, the secret standard base64 of at least 16 octets).
func ParseProvisioned(s string) (token.Token, error) {
	id, secret, ok := strings.Cut(s, "=")
	if !ok || id == "" || secret == "" {
		return token.Token{}, fmt.Errorf("provisioned SCT %q: want IDENTIFIER=BASE64SECRET", redactSecret(s))
	}
	key, err := base64.StdEncoding.DecodeString(secret)
	if err != nil {
		return token.Token{}, fmt.Errorf("provisioned SCT %s: the secret is not base64: %v", id, err)
	}
	if len(key) < 16 {
		return token.Token{}, fmt.Errorf("provisioned SCT %s: a %d-octet secret is too short (at least 16)", id, len(key))
	}
	return token.Token{Identifier: id, Secret: key}, nil
}

func redactSecret(s string) string {
	if id, _, ok := strings.Cut(s, "="); ok {
		return id + "=[redacted]"
	}
	return "[redacted]"
}

// provision makes the out-of-band SCTs known to the responder (ResponderConfig.Provisioned).
func (r *Responder) provision(toks []token.Token) error {
	for _, t := range toks {
		t.Version = r.cfg.Profile.SC() // one WS-SC version per profile (SC-ISS-002)
		if t.Created.IsZero() {
			t.Created = r.cfg.Now()
		}
		if _, err := r.store.Get(t.Identifier); err == nil {
			continue // recovered from the Store: the same context, possibly renewed since
		}
		if err := r.store.Put(t); err != nil {
			return fmt.Errorf("responder: provisioned SCT %s: %w", t.Identifier, err)
		}
		if r.cfg.KeyLog != nil {
			if err := r.cfg.KeyLog.Log(t.Identifier, t.Secret); err != nil {
				return fmt.Errorf("responder: key log: %w", err)
			}
		}
	}
	return nil
}

// provisionedEstablisher stands in for WS-Trust when the initiator's SCT was agreed out of
// band: issuing returns that token, renewal is impossible, cancellation has nothing to say.
type provisionedEstablisher struct{ t token.Token }

func (p provisionedEstablisher) Issue(context.Context, string) (token.Token, error) { return p.t, nil }

func (p provisionedEstablisher) Renew(_ context.Context, _ string, cur token.Token) (token.Token, error) {
	return token.Token{}, fmt.Errorf("provisioned SCT %s cannot be renewed (no issuer): %w", cur.Identifier, token.ErrRenew)
}

func (p provisionedEstablisher) Cancel(context.Context, string, token.Token) error {
	return errProvisioned
}

var errProvisioned = errors.New("a provisioned SCT is not cancelled on the wire")
