package wssec

import (
	"errors"
	"strings"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
)

// requireParts checks that every part the policy requires is among the verified elements,
// by identity: the envelope's own Body, this header's Timestamp, each addressing and RM header
// that is a direct child of the SOAP Header (WSS-004, RM-STR-008). A copy of a signed element
// moved elsewhere (signature wrapping) does not count.
func (p *processor) requireParts() error {
	a := p.auth
	need := p.pol.Sign
	if need&PartBody != 0 {
		if !a.Covers(p.env.body) {
			return failf(ErrNotSigned, "the SOAP Body is not covered by the signature")
		}
		a.Parts |= PartBody
	}
	if need&PartTimestamp != 0 {
		if !a.Covers(p.ts) {
			return failf(ErrNotSigned, "the Timestamp is not covered by the signature")
		}
		a.Parts |= PartTimestamp
	}
	if p.env.header != nil {
		for h := range p.env.header.ChildElementsSeq() {
			_, isWSA := wsa.VersionOf(h.NamespaceURI())
			_, isRM := wsrm.VersionOf(h.NamespaceURI())
			switch {
			case isWSA && wsa.IsHeader(h.Tag) && need&PartAddressing != 0 && !a.Covers(h):
				return failf(ErrNotSigned, "header %s is not covered by the signature", h.FullTag())
			case isRM && need&PartRM != 0 && !a.Covers(h):
				return failf(ErrNotSigned, "header %s is not covered by the signature (RM-STR-008)", h.FullTag())
			}
		}
		a.Parts |= need & (PartAddressing | PartRM)
	}
	if need&PartTokens != 0 {
		for _, t := range p.items {
			if !a.Covers(t) {
				return failf(ErrNotSigned, "token %s is not covered by the signature", t.FullTag())
			}
		}
		a.Parts |= PartTokens
	}
	if p.pol.EncryptBody && !p.bodyDecrypted() {
		// WSS 1.1 §9: the Body content arrived encrypted only if its EncryptedData was a
		// child of the Body and was decrypted through the ReferenceList.
		return failf(ErrNotSigned, "the policy requires an encrypted Body")
	}
	return nil
}

func (p *processor) bodyDecrypted() bool { return p.bodyEncrypted }

// replay refuses a signature value seen before within its window (WSS 1.1 §10).
func (p *processor) replay() error {
	if p.opt.Replay == nil {
		return nil
	}
	sv := child(p.sig, dsig.NS, "SignatureValue")
	if sv == nil {
		return failf(ErrSignature, "no SignatureValue")
	}
	until := p.auth.Expires.Add(p.pol.Skew)
	if p.auth.Expires.IsZero() {
		until = p.opt.Now.Add(p.pol.Skew)
	}
	if p.opt.Replay.Seen([]byte(strings.TrimSpace(sv.Text())), until, p.opt.Now) {
		return failf(ErrReplay, "this signature was already received at or after %s", p.auth.Created.UTC().Format(time.RFC3339))
	}
	return nil
}

func asError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
