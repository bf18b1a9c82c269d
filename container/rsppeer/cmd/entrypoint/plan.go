package main

import (
	"fmt"
	"slices"
)

// Exit statuses of the contract.
const (
	exitUsage       = 2
	exitUnsupported = 127
)

// codeError is a refusal with the exit status to report.
type codeError struct {
	code int
	msg  string
}

func (e *codeError) Error() string { return e.msg }

// testcases are the TESTCASE values the reference peer supports: it implements the whole flow
// and answers whatever arrives, so "flow" is the only named case.
var testcases = []string{"", "flow"}

// plan maps the arguments and the environment to rsppeer's command line (without argv[0]).
func plan(args []string, getenv func(string) string) ([]string, error) {
	if tc := getenv("TESTCASE"); !slices.Contains(testcases, tc) {
		return nil, &codeError{exitUnsupported, fmt.Sprintf("unsupported test case %q (supported: %q)", tc, testcases[1:])}
	}
	if len(args) > 0 && slices.Contains([]string{"responder", "initiator", "help", "-h", "--help"}, args[0]) {
		return args, nil
	}
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var argv []string
	switch role := getenv("ROLE"); role {
	case "responder":
		argv = []string{"responder", "--listen", env("LISTEN", ":8080")}
	case "initiator":
		to := getenv("TO")
		if to == "" {
			return nil, &codeError{exitUsage, "ROLE=initiator needs TO (the responder's endpoint URL)"}
		}
		argv = []string{"initiator", "--to", to, "--messages", env("MESSAGES", "10"), "--sequences", env("SEQUENCES", "1")}
	case "":
		return nil, &codeError{exitUsage, "no role: set ROLE=responder|initiator or pass it as the first argument"}
	default:
		return nil, &codeError{exitUsage, fmt.Sprintf("unknown ROLE %q (responder or initiator)", role)}
	}
	argv = append(argv, "--profile", env("PROFILE", "p11"), "--soap", env("SOAP", "1.2"))
	for _, f := range []struct{ env, flag string }{
		{"MISBEHAVE", "--misbehave"}, {"TRACE_DIR", "--trace"}, {"KEYLOG", "--keylog"}, {"DELIVERED", "--delivered"},
	} {
		if v := getenv(f.env); v != "" {
			if f.flag == "--delivered" && argv[0] != "responder" {
				continue
			}
			argv = append(argv, f.flag, v)
		}
	}
	return append(argv, args...), nil
}
