// Package trust is the WS-Trust binding of WS-SecureConversation: how a security context
// token (SCT) is issued, renewed and cancelled (WS-SC 1.3 §3–§6 over WS-Trust 1.3, and the
// February 2005 versions; FLOW.md §1, §3 "renewal", §4 "SCT cancel").
//
// Issuer is the responder's security token service. Handle answers a decoded RST on the SCT
// binding actions (.../RST/SCT, .../RST/SCT/Renew, .../RST/SCT/Cancel; Amend is refused with
// wst:RequestFailed) in the version it was asked in: WS-Trust 1.3 responses wrap the RSTR in
// an RSTRC (profile P11), 2005/02 responses are a bare RSTR (P05). Issued tokens live in a
// token.Store; renewal and cancellation must be proven with the key of the SCT concerned,
// which the caller verifies with wssec.Check through Issuer.Check. Every refusal is a *Fault
// carrying its WS-Trust, WS-SC or WSS fault code.
//
// Client is the initiator's side: it builds the RSTs, sends them through a Caller (transport
// agnostic; tests wire it straight to an Issuer), checks the responses (Context echo, token
// type, an SCT with an absolute Identifier, proof token, lifetime, references) and computes
// the key. It implements token.Establisher, so a token.Provider can use it.
//
// The X.509 bootstrap of issuance (package wssec/bootstrap) is optional: a Client can sign its
// Issue request and encrypt its entropy for the issuer's certificate, an Issuer can encrypt
// its entropy (or the key) for the requestor's certificate.
package trust
