package main

import (
	"os"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/suite/selfcheck"
)

// TestREADMEKnobTable keeps README's knob table (its last column: the assertions the suite
// fails for each knob) equal to the checked-in verdict-accuracy table, knobs.yaml.
func TestREADMEKnobTable(t *testing.T) {
	table, err := selfcheck.Table()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "| knob | role | what it does | the suite fails (SUT role) |")
	if !ok {
		t.Fatal("README.md: the knob table is missing")
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(rest, "\n")[2:] {
		if !strings.HasPrefix(line, "| `") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		knob, role := strings.Trim(strings.TrimSpace(cells[0]), "`"), strings.TrimSpace(cells[1])
		var want []string
		for _, e := range table[knob] {
			if e.Role == role {
				want = append(want, e.ID)
			} else {
				want = append(want, e.ID+" ("+e.Role+")")
			}
		}
		if got := strings.TrimSpace(cells[len(cells)-1]); got != strings.Join(want, ", ") {
			t.Errorf("README knob %s: %q, knobs.yaml says %q", knob, got, strings.Join(want, ", "))
		}
		seen[knob] = true
	}
	for k := range table {
		if !seen[k] {
			t.Errorf("knob %s of knobs.yaml is not in README's table", k)
		}
	}
}
