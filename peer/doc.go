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
// The peers keep their state in memory: the Persistent actions of the rm engines are
// applied to nothing durable (recovery across restarts is not part of this package yet).
// Retransmissions are protected afresh from the unprotected message (RM-SEQ-008).
//
// Misbehaviour knobs (rm.ParseMisbehave names, plus sign-with-other-token on the initiator)
// make a peer play a broken implementation on purpose; see Misbehave in rm.
package peer
