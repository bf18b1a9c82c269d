// Package framework is the way conformance specs are written (DESIGN.md "Conformance specs"):
// Assert gives every spec its assertion ID and labels from the catalogue and turns the
// catalogue level into a verdict (MUST failure = failed spec; SHOULD/MAY deviation = a
// NON-STRICT entry, failed under --strict; INFO = an entry); targets put the system under
// test (SUT) behind one interface — the embedded reference peers, an endpoint URL, or a SUT
// descriptor; a scripted initiator (Client) sends exactly crafted messages, legal or illegal,
// to a SUT responder; a scripted responder judges a SUT initiator's run; every message of a
// spec, both directions, is recorded in its Wire log, validated against the official schemas
// and the profile's rules, and attached to the report; matchers print expected versus actual.
//
// Specs use Gomega assertions only (never ginkgo.Fail directly): Assert intercepts Gomega
// failures to grade SHOULD-level deviations.
package framework
