// Command rsppeer runs the reference peers of rspcheck as long-running programs (pure Go,
// CGO_ENABLED=0):
//
//	rsppeer responder --listen ADDR [--profile p11|p05] [--soap 1.2|1.1] [--misbehave a,b]
//	                  [--trace DIR] [--keylog FILE] [--delivered FILE] [--data DIR [--store-key FILE]]
//	rsppeer initiator --to URL --messages N [--sequences K] [--size BYTES] [--profile p11|p05]
//	                  [--soap 1.2|1.1] [--misbehave a,b] [--trace DIR] [--keylog FILE]
//	                  [--data DIR [--store-key FILE]] [--retransmit D]
//	rsppeer store dump --data DIR
//	rsppeer rekey --data DIR --store-key NEW [--old-key OLD]
//
// With --data DIR the peers keep their state in DIR (issue #5): the responder recovers its
// sequences, issued SCTs and delivered-log position on restart; the initiator's run is a
// resumable job (plan persisted at first start; the same command after a crash resumes it;
// on a finished job it prints that there is nothing to do). SCTs are sealed at rest with
// AES-256-GCM under the storage key (--store-key, default DIR/store.key, created on first
// start).
//
// The responder prints "endpoint: URL" as its first line on stdout, answers GET /healthz with
// 200 and shuts down gracefully on SIGTERM or SIGINT. The initiator runs the whole flow of
// FLOW.md and exits 0 only when every message was acknowledged, every sequence terminated
// and the SCT cancelled, after printing its summary.
//
// Exit status: 0 success, 1 failure, 2 usage error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/peer"
)

const usage = `usage:
  rsppeer responder --listen ADDR [--profile p11|p05] [--soap 1.2|1.1] [--misbehave a,b] [--duplex] [--ack-every N]
                    [--lifetime D] [--inactivity D] [--cert F --key F --ca F [--peer-name CN]]
                    [--trace DIR] [--keylog FILE] [--delivered FILE] [--data DIR [--store-key FILE]]
                    [--sct ID=BASE64SECRET|@FILE ...]
  rsppeer initiator --to URL --messages N [--sequences K] [--window W] [--size BYTES] [--interval D] [--profile p11|p05]
                    [--soap 1.2|1.1] [--misbehave a,b] [--listen ADDR [--offer]] [--renew-before D]
                    [--cert F --key F --ca F --peer-cert F [--peer-name CN]] [--trace DIR] [--keylog FILE] [--timeout D]
                    [--data DIR [--store-key FILE]] [--retransmit D] [--sct ID=BASE64SECRET|@FILE]
  rsppeer store dump --data DIR
  rsppeer rekey --data DIR --store-key NEW [--old-key OLD]     (also: rsppeer store rekey ...)
`

// usageError is a command line mistake: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 0:
		err = usagef("missing command")
	case args[0] == "responder":
		peer.TuneGC()
		err = responder(args[1:], stdout, stderr)
	case args[0] == "initiator":
		peer.TuneGC()
		err = initiator(args[1:], stdout, stderr)
	case args[0] == "store":
		err = storeCmd(args[1:], stdout)
	case args[0] == "rekey":
		err = rekey(args[1:], stdout)
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usagef("unknown command %q", args[0])
	}
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "rsppeer: %v\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "rsppeer: %v\n", err)
		return 1
	}
}

// knobs splits a --misbehave list.
func knobs(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// evidence opens the optional trace directory and key log.
type evidence struct {
	trace  *trace.Writer
	keylog *trace.KeyLog
}

func openEvidence(traceDir, keylog string) (*evidence, error) {
	ev := &evidence{}
	var err error
	if traceDir != "" {
		if ev.trace, err = trace.NewWriter(traceDir, trace.Options{}); err != nil {
			return nil, err
		}
	}
	if keylog != "" {
		if ev.keylog, err = trace.OpenKeyLog(keylog); err != nil {
			ev.close()
			return nil, err
		}
	}
	return ev, nil
}

func (ev *evidence) close() {
	if ev.trace != nil {
		_ = ev.trace.Close()
	}
	if ev.keylog != nil {
		_ = ev.keylog.Close()
	}
}
