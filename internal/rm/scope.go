package rm

import (
	"strings"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Auth is what the security layer (internal/wssec) verified about one inbound message, as RM
// needs it. RM never sees keys (DESIGN "The seam between RM and security").
type Auth struct {
	// Token is the Identifier of the SCT whose key (or a key derived from it) produced the
	// message's verified signature; "" = the message was not secured by an SCT.
	Token string
	// Headers reports that the signature covers the message's wsrm (and wsa) headers.
	Headers bool
	// Body reports that the signature covers the SOAP Body.
	Body bool
}

// Secured reports whether an SCT protected the message.
func (a Auth) Secured() bool { return a.Token != "" }

// CreateSequenceRequest is an inbound CreateSequence with what RM needs from the rest of the
// message.
type CreateSequenceRequest struct {
	Msg *wsrm.CreateSequence
	// UsesSequenceSTR reports the wsrm:UsesSequenceSTR header (1.1).
	UsesSequenceSTR bool
	// STRToken is the SCT Identifier that Msg.STR names, "" when Msg.STR is nil or names
	// nothing the caller can resolve (see STRToken).
	STRToken string
	// MessageID is the request's wsa:MessageID: a retransmission (same MessageID, same
	// token) of a CreateSequence that created a still-live sequence is answered with that
	// sequence's response again. "" disables the check.
	MessageID string
}

// STRToken resolves the token named by the wsse:SecurityTokenReference of a CreateSequence:
// a direct reference to an absolute URI (the SCT Identifier, the form every stack uses,
// RM-STR-002) is returned as is; a local "#id" reference is passed without the "#" to local,
// which returns the Identifier of the token with that wsu:Id in the same message ("" when
// none). KeyIdentifier and embedded forms name no Identifier: "". local may be nil.
func STRToken(cs *wsrm.CreateSequence, local func(id string) string) string {
	if cs == nil || cs.STR == nil || cs.STR.Reference == nil {
		return ""
	}
	uri := cs.STR.Reference.URI
	if id, ok := strings.CutPrefix(uri, "#"); ok {
		if local == nil || id == "" {
			return ""
		}
		return local(id)
	}
	return uri
}

// checkScope applies the STR scoping rules to a CreateSequence (WS-RM 1.1 §5.2 "Securing
// Sequences"/§6.1 as numbered in ASSERTIONS; FLOW §5). It returns the token the new sequence
// is bound to ("" = unscoped) or the CreateSequenceRefused fault.
func (d *Destination) checkScope(req CreateSequenceRequest, a Auth) (string, *Fault) {
	cs, m := req.Msg, d.cfg.Misbehave
	v := cs.V
	if cs.STR == nil {
		// The header announces an STR-scoped sequence; without an STR there is nothing to
		// scope to (RM-STR-003: header and STR come together).
		if req.UsesSequenceSTR && !m.IgnoreUsesSequenceSTR {
			return "", refused(v, "RM-STR-003", "wsrm:UsesSequenceSTR without a wsse:SecurityTokenReference in CreateSequence")
		}
		// RM-STR-007 / RM-STR-012: a secured endpoint (SequenceSTR policy; WCF with secure
		// conversation) refuses a CreateSequence without the STR.
		if d.cfg.RequireSTR && !m.SkipSTRCheck {
			return "", refused(v, "RM-STR-007", "this endpoint requires CreateSequence to carry a wsse:SecurityTokenReference to the securing SCT")
		}
		return "", nil
	}
	token := req.STRToken
	if !m.SkipSTRCheck {
		switch {
		case !a.Secured():
			// RM-STR-006: an STR but no secure-conversation context at all.
			return "", refused(v, "RM-STR-006", "CreateSequence names a security token but is not secured by one")
		case token == "":
			// RM-STR-002: the STR must name the SCT by a reference we can resolve.
			return "", refused(v, "RM-STR-002", "the wsse:SecurityTokenReference does not name a security context token")
		case token != a.Token:
			// RM-STR-005: the CreateSequence proves possession of the referenced token's
			// key, i.e. it is signed with that SCT and no other.
			return "", refused(v, "RM-STR-005", "CreateSequence names token %s but is secured by %s", token, a.Token)
		case !a.Body:
			// RM-STR-005: the signature covers the Body, hence the STR.
			return "", refused(v, "RM-STR-005", "the signature does not cover the CreateSequence body (and its STR)")
		case req.UsesSequenceSTR && !a.Headers:
			// RM-STR-005: ... and the UsesSequenceSTR header.
			return "", refused(v, "RM-STR-005", "the signature does not cover the wsrm:UsesSequenceSTR header")
		}
	}
	// RM-STR-003 / RM-STR-007: in 1.1 the STR comes with UsesSequenceSTR (mustUnderstand);
	// WCF refuses an STR without it ("CSRefusedNoSTRWSSecurity"). Policy knob.
	if v == wsrm.V200702 && !req.UsesSequenceSTR && d.cfg.RequireUsesSequenceSTR && !m.IgnoreUsesSequenceSTR {
		return "", refused(v, "RM-STR-003", "CreateSequence carries an STR without the wsrm:UsesSequenceSTR header")
	}
	if token == "" {
		token = a.Token // SkipSTRCheck with an unresolvable STR: bind to whatever secured it
	}
	return token, nil
}

// checkBinding applies RM-STR-008/009 to a message that claims membership of a sequence bound
// to token: it must be secured by that SCT, and the signature must cover the parts that carry
// the claim (the RM headers, the body). An unscoped sequence (token "") accepts anything.
// anyToken is the AcceptAnyToken misbehaviour.
func checkBinding(token string, a Auth, headers, body, anyToken bool) RejectReason {
	switch {
	case token == "":
		return 0
	case !a.Secured():
		return RejectUnsecured
	case a.Token != token && !anyToken:
		return RejectWrongToken
	case headers && !a.Headers, body && !a.Body:
		return RejectUncovered
	}
	return 0
}
