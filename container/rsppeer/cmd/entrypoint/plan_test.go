package main

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestPlan(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string // joined argv, or "exit N" for a refusal
	}{
		{"responder defaults", nil, map[string]string{"ROLE": "responder"},
			"responder --listen :8080 --profile p11 --soap 1.2"},
		{"responder options", []string{"--keylog", "/data/k"}, map[string]string{"ROLE": "responder", "PROFILE": "p05", "SOAP": "1.1",
			"LISTEN": ":9000", "MISBEHAVE": "skip-str-check", "TRACE_DIR": "/data/t", "DELIVERED": "/data/d", "TESTCASE": "flow"},
			"responder --listen :9000 --profile p05 --soap 1.1 --misbehave skip-str-check --trace /data/t --delivered /data/d --keylog /data/k"},
		{"initiator", nil, map[string]string{"ROLE": "initiator", "TO": "http://r:8080/rm", "MESSAGES": "20"},
			"initiator --to http://r:8080/rm --messages 20 --sequences 1 --profile p11 --soap 1.2"},
		{"initiator ignores DELIVERED", nil, map[string]string{"ROLE": "initiator", "TO": "http://r/rm", "DELIVERED": "/d"},
			"initiator --to http://r/rm --messages 10 --sequences 1 --profile p11 --soap 1.2"},
		{"arguments win", []string{"responder", "--listen", ":1"}, map[string]string{"ROLE": "initiator"}, "responder --listen :1"},
		{"unsupported test case", nil, map[string]string{"ROLE": "responder", "TESTCASE": "zero-rtt"}, "exit 127"},
		{"unsupported even with arguments", []string{"responder"}, map[string]string{"TESTCASE": "x"}, "exit 127"},
		{"no role", nil, nil, "exit 2"},
		{"unknown role", nil, map[string]string{"ROLE": "sts"}, "exit 2"},
		{"initiator without TO", nil, map[string]string{"ROLE": "initiator"}, "exit 2"},
	}
	for _, c := range cases {
		got, err := plan(c.args, envOf(c.env))
		var s string
		var ce *codeError
		switch {
		case errors.As(err, &ce):
			s = fmt.Sprintf("exit %d", ce.code)
		case err != nil:
			t.Fatalf("%s: %v", c.name, err)
		default:
			s = strings.Join(got, " ")
		}
		if s != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, s, c.want)
		}
	}
}

func TestRunExecsThePeer(t *testing.T) {
	var path string
	var argv []string
	exec := func(p string, a, _ []string) error { path, argv = p, a; return nil }
	var stderr bytes.Buffer
	if code := run(nil, envOf(map[string]string{"ROLE": "responder"}), nil, &stderr, exec); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if path != peer || !slices.Equal(argv[:2], []string{peer, "responder"}) {
		t.Fatalf("exec %s %v", path, argv)
	}
	stderr.Reset()
	if code := run(nil, envOf(map[string]string{"ROLE": "responder", "TESTCASE": "nope"}), nil, &stderr, exec); code != 127 {
		t.Fatalf("unsupported test case: exit %d, want 127", code)
	}
	if !strings.Contains(stderr.String(), "unsupported test case") {
		t.Fatalf("stderr %q", stderr.String())
	}
	failing := func(string, []string, []string) error { return errors.New("no such file") }
	if code := run([]string{"responder"}, envOf(nil), nil, &stderr, failing); code != 1 {
		t.Fatalf("exec failure: exit %d, want 1", code)
	}
}
