// Package wssec applies and checks the wsse:Security header of one SOAP message secured by a
// WS-SecureConversation security context token (SCT): Timestamp, the SCT itself when the
// policy includes it, DerivedKeyTokens, an HMAC signature over the parts the policy names,
// and optional XML Encryption of the Body content (sign-then-encrypt, the WCF default).
//
// Check is strict and safe against signature wrapping: it works on the raw tree of the
// message, processes the Security header in order, takes keys only from the token the caller
// expects, and reports in Auth the exact elements that were verified. Callers (the RM layer
// through peer/) decide by element identity — Auth.Covers(el) — never by looking content up
// again by name.
package wssec
