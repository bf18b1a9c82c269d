// Command rspcheck is the conformance tool for WS-ReliableMessaging sequences secured by, and
// scoped to, a WS-SecureConversation security context token.
//
//	rspcheck validate [--profile p11|p05|auto] FILE|DIR|- ...
//	rspcheck verify --sct-id URI --secret-b64 KEY [flags] FILE
//	rspcheck sign --sct-id URI --secret-b64 KEY [flags] IN OUT
//
// Exit codes: 0 success, 1 a check failed, 2 usage or I/O error.
package main

import (
	"fmt"
	"io"
	"os"
)

var version = "dev"

const usage = `rspcheck — conformance checks for WS-RM sequences secured by a WS-SecureConversation token

Usage:
  rspcheck validate [--profile p11|p05|auto] FILE|DIR|- ...
      Validate captured SOAP messages against the official schemas (SOAP 1.1/1.2,
      WS-Addressing, WS-RM, WS-SecureConversation, WS-Trust, WSS, XML-DSig, XML-Enc) and
      the structural rules the schemas cannot express. One line per message:
      "PASS path" or "FAIL path:line:col: element: reason", then "N passed, N failed".
  rspcheck verify --sct-id URI --secret-b64 KEY [--require-signed Body,Timestamp,wsa,wsrm,...]
                  [--at RFC3339] [--skew D] [--show-c14n] FILE|-
      Process the wsse:Security header of a captured message with a known SCT: print the
      token, key kind, derivation parameters, every signed element and the Timestamp, or
      the precise reason verification fails (which reference's digest, or the signature).
  rspcheck sign --sct-id URI --secret-b64 KEY [--dk] [--ns 200512|200502] [--encrypt]
                [--at RFC3339] [--ttl D] IN|- OUT|-
      Add a wsse:Security header (Timestamp, SCT, optional DerivedKeyToken, HMAC signature
      over Body, Timestamp and every wsa and wsrm header; optional Body encryption).
  rspcheck certs --out DIR [--force]
      Write a development PKI for the X.509 bootstrap of SCT issuance: DIR/ca.pem+.key,
      initiator.pem+.key, responder.pem+.key (SANs localhost, IP 127.0.0.1). Keys are
      PKCS#8, mode 0600. Existing files are kept unless --force.
  rspcheck assertions [--format md|json] [--phase P[,P]] [--level L[,L]]
      List the assertion catalogue (IDs, level, roles, spec, profiles, title): Markdown
      tables grouped by phase, or a JSON array with every field.
  rspcheck run [ID-prefix ...] [--target URL | --sut FILE] [--role responder|initiator] [--listen ADDR]
               [--profile p11|p05] [--soap 1.2|1.1] [--strict] [--label-filter EXPR] [--report-dir DIR]
               [--baseline FILE] [--misbehave knobs] [--dry-run] [-v]
      Run the conformance specs: by default against the embedded reference peers in both
      roles; against a SUT responder at URL; or as described by a SUT descriptor. Writes
      DIR/junit.xml, report.json, conformance.json, conformance.md and index.html, then
      prints the summary. Exit 1 iff a MUST failed or the baseline was broken.
  rspcheck version

Exit status: 0 all passed, 1 a check failed, 2 usage or I/O error.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "validate":
		return runValidate(args[1:], stdin, stdout, stderr)
	case "verify":
		return runVerify(args[1:], stdin, stdout, stderr)
	case "sign":
		return runSign(args[1:], stdin, stdout, stderr)
	case "certs":
		return runCerts(args[1:], stdout, stderr)
	case "assertions":
		return runAssertions(args[1:], stdout, stderr)
	case "interop":
		return runInterop(args[1:], stdout, stderr)
	case "run":
		return runRun(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "rspcheck", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "rspcheck: unknown command %q\n\n%s", args[0], usage)
	return 2
}
