package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

func assertionsCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(append([]string{"assertions"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestAssertionsMarkdown(t *testing.T) {
	code, out, errs := assertionsCLI()
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	cat := assertions.MustLoad()
	last := -1
	for _, p := range assertions.Phases {
		h := "\n## " + string(p) + " ("
		i := strings.Index(out, h)
		if i < 0 || i < last {
			t.Errorf("phase heading %q missing or out of order", h)
		}
		last = i
	}
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| ") && !strings.HasPrefix(l, "| ID ") {
			rows++
		}
	}
	if rows != cat.Len() {
		t.Errorf("%d table rows, want %d", rows, cat.Len())
	}
	for _, want := range []string{
		"| RM-STR-005 | MUST | initiator, responder | WS-RM 1.1 §6.1 | P11 P05 | CreateSequence proves possession of the referenced token's key |",
		"| RM-STR-007 | MUST (profile) | responder | WCF R2305 |",
		"| PEER-WCF-001 * | INFO |", "\\* a note, not testable",
		"143 of 143 assertions (123 testable)",
		"| MC-001 † | MUST |", "† not exercised by the suite:", "- MC-001: needs WS-MakeConnection",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestAssertionsFilters(t *testing.T) {
	code, out, errs := assertionsCLI("--phase", "closure", "--level", "should")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "## establish") || !strings.Contains(out, "## closure (2)") || strings.Contains(out, "| MUST") ||
		!strings.Contains(out, "| RM-CL-001 | SHOULD |") {
		t.Errorf("filtered output:\n%s", out)
	}
	code, out, _ = assertionsCLI("--phase", "recovery", "--level", "INFO,MAY")
	if code != 0 || !strings.Contains(out, "RM-PER-009") || !strings.Contains(out, "RSP-UNC-03") || strings.Contains(out, "RM-PER-001") {
		t.Errorf("list filter (exit %d):\n%s", code, out)
	}
}

func TestAssertionsJSON(t *testing.T) {
	code, out, errs := assertionsCLI("--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var list []assertions.Assertion
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	cat := assertions.MustLoad()
	if len(list) != cat.Len() {
		t.Fatalf("%d entries, want %d", len(list), cat.Len())
	}
	for i, a := range cat.All() {
		if list[i].ID != a.ID || list[i].Requirement != a.Requirement || list[i].Phase != a.Phase {
			t.Fatalf("entry %d: %+v, want %+v", i, list[i], a)
		}
	}
	code, out, _ = assertionsCLI("--format", "json", "--phase", "security", "--level", "MAY")
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) == 0 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	for _, a := range list {
		if a.Phase != assertions.Security || a.Level != assertions.MAY {
			t.Errorf("filter let %s (%s %s) through", a.ID, a.Phase, a.Level)
		}
	}
}

func TestAssertionsEmptyAndErrors(t *testing.T) {
	// no MAY assertion in issuance: an empty but valid answer
	if code, out, _ := assertionsCLI("--format", "json", "--phase", "issuance", "--level", "MAY"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty json: exit %d %q", code, out)
	}
	if code, out, _ := assertionsCLI("--phase", "issuance", "--level", "MAY"); code != 0 || !strings.Contains(out, "No assertion matches") {
		t.Errorf("empty md: exit %d %q", code, out)
	}
	for _, args := range [][]string{{"--format", "xml"}, {"--phase", "teardown"}, {"--level", "PROFILE"}, {"extra"}, {"--nope"}} {
		if code, _, errs := assertionsCLI(args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}
