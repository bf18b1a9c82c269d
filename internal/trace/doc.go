// Package trace holds the files a run leaves behind as evidence, in the one schema that the
// peers write and the suite and the reports read:
//
//   - Writer (rsppeer --trace DIR): every message in either direction as DIR/NNNNNN-in.xml or
//     DIR/NNNNNN-out.xml, the exact envelope bytes, numbered in order across both directions,
//     and DIR/index.jsonl with one Record per message;
//   - KeyLog (--keylog FILE): one line "SCT <Identifier> <base64 secret>" per token, like
//     SSLKEYLOGFILE, so that captures can be verified offline — and ReadKeyLog;
//   - DeliveredLog (--delivered FILE): one line per message delivered to the application,
//     the ground truth for exactly-once and in-order checks — and ReadDelivered, Verify;
//   - Redact: secrets out of XML before a report shows it.
//
// The package parses no XML for the Writer: what the index says about a message (action,
// message id, sequence, number) is what the caller passes in an Event, which has no field for
// key material. Secrets go to the key log only, which is opt-in and kept apart from traces.
package trace
