package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	conformance "github.com/rspcheck/rspcheck/internal/report"
	"github.com/rspcheck/rspcheck/suite/framework"
)

// TestRunUnknownID: an assertion-ID prefix that names nothing in the catalogue is a usage
// error (exit 2) naming it, not a run that passes with no assertion judged.
func TestRunUnknownID(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"run", "--report-dir", t.TempDir(), "RM-SEQ-004", "NOPE-001"}, nil, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), `"NOPE-001"`) {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if err := checkIDs([]string{"RM-SEQ", "RM-SEQ-004", "WSA-"}); err != nil {
		t.Fatalf("valid prefixes refused: %v", err)
	}
}

// TestRunEmptySelection: a label filter (or an ID the SUT's role has no spec for) that
// selects no spec is an error (exit 2) naming the selection and the label forms; a filter
// that selects specs runs them. (Ginkgo runs once per process: each case is a process.)
func TestRunEmptySelection(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "rspcheck")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--label-filter", "RM-SEQ-004"}, 2, `matches no spec for this SUT; labels are id:RM-SEQ-004`},
		{[]string{"--label-filter", "id:RM-SEQ-004 && sut:nobody"}, 2, `--label-filter "id:RM-SEQ-004 && sut:nobody"`},
		{[]string{"--label-filter", "id:RM-SEQ-004"}, 0, "] RM-SEQ-004 responder"},
	}
	for _, c := range cases {
		args := append([]string{"run", "--dry-run", "--report-dir", t.TempDir()}, c.args...)
		out, err := exec.Command(bin, args...).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || !strings.Contains(string(out), c.want) {
			t.Errorf("%q: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, tail(out))
		}
	}
}

// TestRunUnknownBaselineID: a baseline entry naming no assertion of the catalogue is an error
// (exit 2) naming the file and the ID — its failure would never be matched — and the
// descriptors checked in here name only known IDs.
func TestRunUnknownBaselineID(t *testing.T) {
	bl := filepath.Join(t.TempDir(), "baseline.yaml")
	if err := os.WriteFile(bl, []byte("RM-SEQ-004: known\nRM-SEQ-04: a typo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"run", "--baseline", bl, "--report-dir", t.TempDir()}, nil, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), bl) || !strings.Contains(errb.String(), "RM-SEQ-04]") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	for _, f := range []string{"../../container/rsppeer/sut.yaml", "../../container/thirdparty/gsoap/sut.yaml",
		"../../container/thirdparty/gsoap/sut-client.yaml"} {
		sut, err := framework.LoadSUT(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkBaseline(&conformance.Baseline{Entries: sut.Baseline}, "", sut); err != nil {
			t.Error(err)
		}
	}
}
