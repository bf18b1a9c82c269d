// Package peer is the only composition root of rspcheck (DESIGN.md): it wires the wire
// vocabularies, codec, wssec, token/trust, the sans-I/O rm engines, transport and trace into
// the two reference peers of FLOW.md.
//
//   - Responder is the service side: the security token service that issues security
//     context tokens (SCTs) over WS-Trust, and the WS-RM Destination whose sequences are
//     scoped to an SCT, with an application that records every delivered message.
//   - Initiator is the client side: a token.Provider over the WS-Trust client, and the WS-RM
//     Source; Run performs the whole flow (SCT once, K sequences, N messages, Close or
//     LastMessage, Terminate, SCT Cancel) and returns a Summary.
//
// Every message either peer handles goes through the same order of effects:
//
//	persist -> protect -> send -> trace
//
// Persistence (issue #5, FLOW §6): with a store.Store (ResponderConfig.Store,
// InitiatorConfig.Store; bolt in rsppeer's --data DIR) every engine call's Persistent actions
// are staged in engine order and committed — merged with those of concurrent calls, one fsync
// for the group — before any other action of the call is performed: the responder never
// acknowledges, and the initiator never sends, what is not durable (persist.go). SCTs are
// stored sealed (AES-256-GCM under the storage key, bound to Identifier and Instance): the
// initiator's when the Provider obtains or renews one, the responder's whenever its issuer's
// table changes. NewResponder and NewInitiator recover from the store (responder_store.go,
// initiator_store.go); the initiator's Run is then a resumable job (job.go). Without a store
// the same path runs against an in-memory store. Retransmissions, after a restart too, are
// protected afresh from the unprotected message (RM-SEQ-008, RM-PER-008).
//
// Misbehaviour knobs (rm.ParseMisbehave names, plus sign-with-other-token on the initiator)
// make a peer play a broken implementation on purpose; see Misbehave in rm.
package peer
