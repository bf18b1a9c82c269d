// Command entrypoint is PID 1 of the rsppeer image (FROM scratch: there is no shell, so the
// environment contract is implemented here, in Go, and the peer is started with execve).
//
// Contract (interop-runner style, shared with the gSOAP image):
//
//	ROLE       responder (default in the image) or initiator; argv[1] may name the role instead
//	TESTCASE   empty or "flow" (the whole FLOW.md run); any other value exits 127 = unsupported
//	PROFILE    p11 (default) or p05          SOAP       1.2 (default) or 1.1
//	LISTEN     responder address, default :8080
//	TO         initiator: the responder's endpoint URL (required)
//	MESSAGES   initiator: application messages, default 10
//	SEQUENCES  initiator: sequences the messages are spread over, default 1
//	MISBEHAVE  comma-separated misbehaviour knobs (rsppeer --misbehave)
//	TRACE_DIR, KEYLOG, DELIVERED   evidence files (rsppeer --trace, --keylog, --delivered)
//
// Arguments are passed on: "entrypoint responder --listen :9000" runs exactly that; with ROLE
// set, extra arguments are appended to the flags built from the environment. Exit status: that
// of rsppeer, or 127 (unsupported test case), 2 (usage), 1 (the peer could not be started).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// peer is where the image puts the rsppeer binary.
const peer = "/rsppeer"

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Environ(), os.Stderr, syscall.Exec))
}

// execFunc replaces the process (syscall.Exec); it returns only on failure.
type execFunc func(path string, argv, env []string) error

func run(args []string, getenv func(string) string, environ []string, stderr io.Writer, exec execFunc) int {
	argv, err := plan(args, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "rsppeer-entrypoint: %v\n", err)
		var ce *codeError
		if errors.As(err, &ce) {
			return ce.code
		}
		return 2
	}
	if err := exec(peer, append([]string{peer}, argv...), environ); err != nil {
		fmt.Fprintf(stderr, "rsppeer-entrypoint: exec %s: %v\n", peer, err)
		return 1
	}
	return 0
}
