// Package codec turns bytes into SOAP envelopes and back.
//
// Decode parses with etree, keeps the raw tree (so signatures can be verified later over the
// exact elements received) and decodes every header block and the body into the typed
// vocabularies of internal/wire where it knows them. Unknown headers, unknown body content and
// vendor extensions are kept as they are and never cause a failure on their own.
//
// Decoding is lenient: a header whose content cannot be read (a MessageNumber that is not a
// number, say) is kept untyped and the problem is recorded, so that a validator can report
// every problem of a message at once, each with its line, column and element. Check runs the
// rules of the wire vocabularies and the cross-header rules of this package.
//
// Encode builds an envelope from typed values. It refuses values that break a rule unless
// Options.AllowIllegal is set, which exists to write deliberately broken messages for
// negative conformance tests (as x/net's http2 Framer.AllowIllegalWrites does).
//
// Hardening (input comes from peers under test): a DOCTYPE is refused (so no entity can be
// declared or expanded), input size and element depth are bounded, and no input makes the
// package panic (FuzzDecode).
package codec
