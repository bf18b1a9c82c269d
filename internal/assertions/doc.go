// Package assertions is the conformance catalogue: every assertion the suite checks, with its
// ID, source (spec, version, section, evidence), level, the roles it binds, the phase of the
// suite it belongs to, the requirement in our words, the test idea and the expected fault.
// It is the single source of assertion IDs: the suite's framework.Assert wrapper takes its
// labels from Labels and refuses IDs that Get does not know; CheckUsage is the CI check that
// the suite uses every testable ID exactly once.
//
// The catalogue is catalogue.yaml, embedded. It was seeded from spec/ASSERTIONS.md by the
// generator in gen/ (parser and mapping rules in seed/), and the generator is kept in step:
// a test in seed/ fails when the committed YAML differs from what the generator makes of the
// current ASSERTIONS.md. To change an entry, change ASSERTIONS.md or the mapping rules and
// overrides in seed/, then run go generate ./internal/assertions.
//
// Mapping of the catalogue's vocabulary:
//
//   - level: MUST, SHOULD, MAY or INFO. An entry whose source level is compound ("MAY (send) /
//     MUST (accept)") gets the strongest level it names, and the source wording is kept in
//     level_text. A PROFILE level (a vendor or WS-I profile requirement) becomes the level the
//     profile states (MUST for the WCF protocol documents' R-numbered requirements) and sets
//     profile: true, as does any level whose strongest part is qualified as a profile's.
//   - roles: initiator (RMS, INIT), responder (RMD), issuer (STS); ANY means initiator and
//     responder.
//   - phase: issuance, establish, transfer, security, closure or recovery (Phases).
//   - profiles: P11 (WS-RM 1.1/1.2, WS-SC/WS-Trust 1.3, WSA 1.0) and/or P05 (WS-RM, WS-SC and
//     WS-Trust 2005/02).
//   - testable: false for the peer-profile notes (PEER-*) and the unnumbered WS-I RSP notes
//     (RSP-UNC-*), which describe targets rather than checkable requirements.
package assertions

//go:generate go run ./gen -in ../../../shared/spec/ASSERTIONS.md -out catalogue.yaml
