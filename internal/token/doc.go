// Package token holds the security context tokens (SCTs) of WS-SecureConversation as the rest
// of rspcheck sees them, and the seam between reliable messaging and security (DESIGN.md "The
// seam between RM and security"; FLOW.md §0, step M0).
//
//   - Token is one SCT instance: its Identifier (an absolute URI, urn:uuid:...), its key
//     Instance, the shared secret, its lifetime, its WS-SC version and the endpoint it is
//     shared with. Printing a Token never prints the secret.
//   - Provider is what the initiator's RM layer calls (through peer/): SCT(ctx, endpoint)
//     reuses a valid token for that endpoint, renews one near its expiry (same Identifier,
//     new Instance and key), or establishes a new one through an Establisher (the WS-Trust
//     client of package trust). One establishment per endpoint runs at a time; concurrent
//     callers wait for it. Marshal/Unmarshal seal a token for persistent storage with
//     AES-256-GCM, bound to its Identifier and Instance (RM-PER-004/005, SC-ISS-015).
//   - Store is the responder's table of issued tokens. It implements wssec.Resolver, and its
//     Resolution says why a token was refused: unknown or cancelled (wsc:BadContextToken,
//     SC-CNL-003) or expired (wsc:RenewNeeded, SC-ISS-012).
//
// The package never logs and never puts a secret into an error message.
package token
