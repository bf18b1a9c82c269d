// Package rm is the sans-I/O WS-ReliableMessaging engine: the RM Source and RM Destination
// state machines of sequences that are secured by, and scoped to, a WS-SecureConversation
// security context token (SCT). It implements WS-RM 1.1/1.2 and WS-RM 2005/02 (FLOW.md,
// ASSERTIONS.md RM-*).
//
// # Shape
//
// Input is a typed message (internal/wire/wsrm), the Auth that internal/wssec verified for it,
// and the current time; output is a list of Actions. The engine has no goroutines, no clock,
// no I/O and no randomness: identifiers come from an injected NewID, time from the caller,
// and timers are reported as one NextDeadline that the caller arms and answers with Tick.
// Neither engine is safe for concurrent use; the caller serialises calls.
//
// The composition layer (peer/) performs the actions of one call in order:
//
//	persist -> protect -> send -> trace
//
// Every call returns its Persistent actions (PutSource, PutDestination, DeleteSequence,
// PutMessage, DeleteMessages) first; they form one atomic store batch.
//
// # Durability before acknowledgement
//
// Nothing after the Persistent actions of a call — no Deliver, no SendAck, no Reply, no
// SendMessage — may be performed before that batch is durable:
//
//   - Destination: the received number (PutDestination) and, for a message held for in-order
//     delivery, its payload (PutMessage) are durable before any ack covering it goes out, so an
//     acknowledged message is never lost and a duplicate after a restart is still recognised
//     (RM-PER-003). The delivery position is recorded in the same batch as the Deliver actions
//     that follow it: for ExactlyOnce across crashes the peer's application record of a
//     delivery belongs in that batch too (otherwise a crash between the commit and the
//     hand-off loses it: AtMostOnce semantics at the crash boundary).
//   - Source: the payload (PutMessage) and the next number (PutSource) are durable before the
//     first transmission, so a restart never reuses a number for a different payload
//     (RM-PER-001/002); acknowledged messages are deleted (DeleteMessages) only after the ack
//     was verified.
//
// RecoverSource / RecoverDestination rebuild the engines from what the store holds; Snapshot
// produces the same form from a live engine. The token binding is part of every sequence
// state; the peer stores the sealed SCT alongside (RM-PER-004/005) and must re-load it before
// the first post-recovery Tick, whose retransmissions are protected afresh (RM-PER-008).
//
// # Security scoping
//
// A CreateSequence with a wsse:SecurityTokenReference binds the new sequence to the SCT it
// names, provided the message is secured by that very SCT with the body (and the
// UsesSequenceSTR header) signed; otherwise wsrm:CreateSequenceRefused (RM-STR-002..007).
// Every later message of the sequence — Sequence, AckRequested, SequenceAcknowledgement,
// CloseSequence, TerminateSequence and the responses — must be secured by the same SCT with
// its RM headers/body signed (RM-STR-008). A message that is not is rejected without any state
// change: never acknowledged, never delivered (RM-STR-009). WS-RM defines no fault for this;
// the engine answers wsse:FailedAuthentication (see rejectFault for why) or, with
// DestinationConfig.RejectSilently, drops it as WCF does. The Source drops such messages.
//
// # Driving a Destination (sketch of peer/)
//
//	d, _ := rm.NewDestination(rm.DestinationConfig{NewID: uuidURN, RequireSTR: true,
//		RequireUsesSequenceSTR: true, Assurance: rm.Assurance{Delivery: rm.ExactlyOnce, InOrder: true}})
//	// for each inbound message, after wssec.Check:
//	auth := rm.Auth{Token: a.Token.Identifier, Headers: a.Parts&wssec.PartRM != 0, Body: a.Parts&wssec.PartBody != 0}
//	var acts []rm.Action
//	switch {
//	case body is *wsrm.CreateSequence:
//		acts = d.CreateSequence(rm.CreateSequenceRequest{Msg: cs, UsesSequenceSTR: hdr,
//			STRToken: rm.STRToken(cs, localTokenIDs)}, auth, now)
//	case header *wsrm.Sequence:
//		acts = d.Message(seq, rm.Payload(unprotectedBytes), auth, now)
//	case body *wsrm.CloseSequence:     acts = d.CloseSequence(cl, auth, now)
//	case body *wsrm.TerminateSequence: acts = d.TerminateSequence(ts, auth, now)
//	}
//	if ar != nil { acts = append(acts, d.AckRequested(ar, auth, now)...) }
//	perform(acts) // Persistent batch; Deliver to the app; Reply/SendAck/SendFault protected by their Token
//	if t, ok := d.NextDeadline(); ok { timer.Reset(t.Sub(now)) } // on fire: perform(d.Tick(now))
//
// # Driving a Source (sketch of peer/)
//
//	s, _ := rm.NewSource(rm.SourceConfig{NewID: uuidURN, Retransmit: rm.Backoff{Base: time.Second, Factor: 2, Max: 30 * time.Second}})
//	ref, acts := s.Create(rm.CreateParams{Version: wsrm.V200702, To: rmd, Token: sct.Identifier}, now)
//	perform(acts) // Send{CreateSequence}: wsa:MessageID = ref, add the STR and UsesSequenceSTR, sign with the SCT
//	// on the response:        perform(s.CreateSequenceResponse(relatesTo, csr, auth, now))
//	// on a refusal fault:     perform(s.Refused(relatesTo, fault, now))
//	acts, err := s.Send(id, rm.Payload(unprotectedEnvelope), now) // PutMessage, PutSource, SendMessage{Attempt: 0}
//	// every SequenceAcknowledgement header: perform(s.Ack(ack, auth, now))
//	// timer: perform(s.Tick(now)) -> SendMessage{Attempt: n}: protect afresh from Payload
//	acts, err = s.Finish(id, now) // waits for acks, Close (1.1) / LastMessage (2005/02), Terminate
//	// CloseSequenceResponse / TerminateSequenceResponse bodies: s.CloseSequenceResponse / s.TerminateSequenceResponse
//
// With an Offer, each engine emits a Reverse action that the peer hands to the other engine
// (Source.Adopt / Destination.Adopt): the reverse sequence shares the token binding (RM-STR-010).
//
// Deliberate violations for the reference peers are switched on with Misbehave.
package rm
