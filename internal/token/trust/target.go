package trust

import (
	"errors"
	"strings"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// renew answers RST/SCT/Renew (WS-SC 1.3 §5): same Identifier, new Instance, key and
// Lifetime.
func (is *Issuer) renew(req Request, rst *wst.RequestSecurityToken, v wsc.Version) (*wst.RequestSecurityTokenResponse, *Fault) {
	// SC-RNW-001: wst:RenewTarget holds an STR to the SCT.
	id, f := target(req.Message, v, rst.RenewTarget, rst.RenewTargetToken, "SC-RNW-001")
	if f != nil {
		return nil, f
	}
	cur, f := is.known(id, v, rst.RenewTarget)
	if f != nil {
		return nil, f
	}
	// SC-RNW-001: the renew request proves possession of the current SCT key.
	if f := possession(req, v, cur, "SC-RNW-001"); f != nil {
		return nil, f
	}
	inst, err := newUUID(is.cfg.Rand)
	if err != nil {
		return nil, trustFault(rst.V, wst.RequestFailed, "", "%v", err)
	}
	// SC-RNW-002 / SC-ISS-007: the renewed SCT keeps its Identifier and names the new key with
	// an Instance not used before for it.
	return is.grant(req, rst, v, cur.Identifier, inst, &cur)
}

// cancel answers RST/SCT/Cancel (WS-SC 1.3 §6).
func (is *Issuer) cancel(req Request, rst *wst.RequestSecurityToken, v wsc.Version) (*wst.RequestSecurityTokenResponse, *Fault) {
	// SC-CNL-001: wst:CancelTarget holds an STR to the SCT.
	id, f := target(req.Message, v, rst.CancelTarget, rst.CancelTargetToken, "SC-CNL-001")
	if f != nil {
		return nil, f
	}
	cur, f := is.known(id, v, rst.CancelTarget)
	if f != nil {
		return nil, f
	}
	// SC-CNL-001: possession of the context key must be proven.
	if f := possession(req, v, cur, "SC-CNL-001"); f != nil {
		return nil, f
	}
	// SC-CNL-003: after cancellation any message protected by the SCT is rejected.
	if _, err := is.cfg.Store.Cancel(cur.Identifier); err != nil {
		return nil, lookupFault(v, err)
	}
	// SC-CNL-002: the response carries wst:RequestedTokenCancelled; SC-ISS-004: and @Context.
	return &wst.RequestSecurityTokenResponse{V: rst.V, Context: rst.Context, RequestedTokenCancelled: true}, nil
}

// known returns the current instance of the target context, expired or not (renewal of an
// expired SCT is what renewal is for); unknown and cancelled contexts are
// wsc:BadContextToken (SC-CNL-003). An STR pinning another key instance names a key that no
// longer exists (WS-SC 1.3 §8).
func (is *Issuer) known(id string, v wsc.Version, str *wsse.SecurityTokenReference) (token.Token, *Fault) {
	cur, err := is.cfg.Store.Get(id)
	if err != nil {
		return token.Token{}, lookupFault(v, err)
	}
	if cur.Version != v {
		return token.Token{}, scFault(v, wsc.BadContextToken, "SC-ISS-002", "context %s is a WS-SC %s token, not %s", id, cur.Version, v)
	}
	if str != nil && str.Reference != nil && str.Reference.Instance != "" && str.Reference.Instance != cur.Instance {
		return token.Token{}, scFault(v, wsc.BadContextToken, "SC-ISS-007", "context %s has no key instance %q", id, str.Reference.Instance)
	}
	return cur, nil
}

// lookupFault maps a token.Store refusal to its WS-SC fault: wsc:RenewNeeded for an expired
// context (SC-ISS-012), wsc:BadContextToken for an unknown or cancelled one (SC-CNL-003).
func lookupFault(v wsc.Version, err error) *Fault {
	var le *token.LookupError
	if !errors.As(err, &le) {
		return scFault(v, wsc.BadContextToken, "", "%v", err)
	}
	rule := "SC-CNL-003"
	switch le.Code() {
	case wsc.RenewNeeded:
		rule = "SC-ISS-012"
	case wsc.UnableToRenew:
		rule = "SC-RNW-002"
	}
	return scFault(v, le.Code(), rule, "%v", le)
}

// possession checks that the request was secured by the key of cur (proof of possession).
func possession(req Request, v wsc.Version, cur token.Token, rule string) *Fault {
	tv := trustVersion(v)
	if req.Auth == nil {
		var le *token.LookupError
		var we *wssec.Error
		switch {
		case errors.As(req.AuthErr, &le):
			return lookupFault(v, le)
		case errors.Is(req.AuthErr, wssec.ErrNoSecurity), errors.Is(req.AuthErr, wssec.ErrNotSigned):
			return trustFault(tv, wst.FailedAuthentication, rule, "the request must be signed with a key of SCT %s: %v", cur.Identifier, req.AuthErr)
		case errors.As(req.AuthErr, &we):
			return &Fault{Code: we.Fault, Reason: "the request's security does not verify: " + we.Error(), Rule: rule}
		case req.AuthErr != nil:
			return trustFault(tv, wst.FailedAuthentication, rule, "the request's security does not verify: %v", req.AuthErr)
		}
		return trustFault(tv, wst.FailedAuthentication, rule, "the request must be signed with a key of SCT %s", cur.Identifier)
	}
	if req.Auth.Token.Identifier != cur.Identifier {
		return trustFault(tv, wst.FailedAuthentication, rule, "the request is secured by SCT %s, not by the SCT %s it targets", req.Auth.Token.Identifier, cur.Identifier)
	}
	if req.Auth.Token.Instance != cur.Instance {
		return trustFault(tv, wst.FailedAuthentication, rule, "the request is secured by key instance %q of %s; the current one is %q", req.Auth.Token.Instance, cur.Identifier, cur.Instance)
	}
	return nil
}

// target returns the Identifier that a RenewTarget / CancelTarget names: an STR with a
// wsse:Reference by Identifier (CONSTANTS §4), an STR "#id" to an SCT carried in the
// request's Security header (SC-REF-002), or the SCT element itself.
func target(m *codec.Message, v wsc.Version, str *wsse.SecurityTokenReference, tok *wire.Any, rule string) (string, *Fault) {
	tv := trustVersion(v)
	switch {
	case str != nil:
		r := str.Reference
		if r == nil {
			return "", scFault(v, wsc.UnsupportedContextToken, rule, "the target STR must name the SCT with a wsse:Reference")
		}
		if r.ValueType != "" && r.ValueType != v.SCTTokenType() {
			if sv, kind, ok := wsc.VersionOfTokenType(r.ValueType); ok && kind == wsc.TokenSCT && sv != v {
				return "", trustFault(tv, wst.InvalidRequest, "SC-ISS-002", "the target STR names a WS-SC %s SCT in a WS-SC %s request", sv, v)
			}
			return "", scFault(v, wsc.UnsupportedContextToken, rule, "the target STR has ValueType %q, not an SCT", r.ValueType)
		}
		if !strings.HasPrefix(r.URI, "#") {
			return r.URI, nil
		}
		if id, ok := localSCT(m, v, r.URI[1:]); ok {
			return id, nil
		}
		return "", trustFault(tv, wst.InvalidRequest, "SC-REF-002", "the target STR %s names no SCT in this request's Security header", r.URI)
	case tok != nil:
		if tok.Name.Space != v.Namespace() || tok.Name.Local != "SecurityContextToken" {
			return "", scFault(v, wsc.UnsupportedContextToken, rule, "the target is a %s, not a WS-SC %s SecurityContextToken", tok.Name, v)
		}
		for _, c := range tok.Children {
			if c.Name.Space == v.Namespace() && c.Name.Local == "Identifier" && strings.TrimSpace(c.Text) != "" {
				return strings.TrimSpace(c.Text), nil
			}
		}
		return "", trustFault(tv, wst.InvalidRequest, "SC-ISS-005", "the target SCT has no wsc:Identifier")
	}
	return "", trustFault(tv, wst.InvalidRequest, rule, "the request names no target token")
}

// localSCT finds the Identifier of the SCT with wsu:Id id in m's Security header.
func localSCT(m *codec.Message, v wsc.Version, id string) (string, bool) {
	sec, _ := codec.Find[*wsse.Security](m)
	if sec == nil {
		return "", false
	}
	for _, s := range wsse.ItemsOf[*wsc.SecurityContextToken](sec) {
		if s.ID == id && s.V == v {
			return s.Identifier, true
		}
	}
	return "", false
}
