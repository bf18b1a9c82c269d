package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/peer"
	"github.com/rspcheck/rspcheck/suite/selfcheck"
)

type jsonResult struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Level   string `json:"level"`
	Verdict string `json:"verdict"`
	Actual  string `json:"actual"`
	Message string `json:"message"`
}

func readResults(t *testing.T, dir string) []jsonResult {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "conformance.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Results []jsonResult `json:"results"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Results
}

// TestSelfValidation is the suite's verdict accuracy (issue #6): against the clean embedded
// reference peers every MUST passes and `rspcheck run` exits 0; with each misbehaviour knob,
// the assertions the checked-in table (suite/selfcheck/knobs.yaml) names fail. Every knob of
// the peers is in the table.
func TestSelfValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole suite; skipped under -short only")
	}
	table, err := selfcheck.Table()
	if err != nil {
		t.Fatal(err)
	}
	all := append(rm.MisbehaveNames(), peer.WrongDKLabel, peer.SignWithOtherToken)
	for _, k := range all {
		if len(table[k]) == 0 {
			t.Errorf("knob %s: no assertion in suite/selfcheck/knobs.yaml is expected to catch it", k)
		}
	}
	bin := filepath.Join(t.TempDir(), "rspcheck")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, prof := range []string{"p11", "p05"} {
		dir := t.TempDir()
		out, err := exec.Command(bin, "run", "--profile", prof, "--report-dir", dir).CombinedOutput()
		for _, r := range readResults(t, dir) {
			if r.Verdict == "fail" {
				t.Errorf("clean peers (%s): %s %s [%s] failed: %s", prof, r.ID, r.Title, r.Level, r.Message)
			}
		}
		if err != nil {
			t.Errorf("clean run (%s): %v\n%s", prof, err, tail(out))
		}
	}
	for _, k := range selfcheck.Knobs(table) {
		t.Run(k, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"run", "--misbehave", k, "--report-dir", dir}
			for _, e := range table[k] {
				args = append(args, e.ID)
			}
			out, _ := exec.Command(bin, args...).CombinedOutput()
			results := readResults(t, dir)
			for _, e := range table[k] {
				found := false
				for _, r := range results {
					if r.ID == e.ID && strings.HasSuffix(r.Title, "("+e.Role+" SUT)") {
						found = true
						if r.Verdict != "fail" {
							t.Errorf("knob %s: %s (%s SUT) is %s, want fail\n%s", k, e.ID, e.Role, r.Verdict, tail(out))
						}
					}
				}
				if !found {
					t.Errorf("knob %s: no result for %s (%s SUT)\n%s", k, e.ID, e.Role, tail(out))
				}
			}
		})
	}
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return s
}
