package runner_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/assertions"
	"github.com/rspcheck/rspcheck/internal/report"
	"github.com/rspcheck/rspcheck/suite/framework"
	"github.com/rspcheck/rspcheck/suite/runner"
)

// TestEveryTestableAssertionHasASpec is the CI check of the catalogue's coverage: building
// the spec tree (a dry run registers every spec, both SUT roles) must register only known
// assertion IDs, none twice for one role (framework.Assert refuses both, failing the tree),
// and a spec for every testable catalogue entry. An entry the suite genuinely cannot exercise
// is marked `untested` with the reason in the catalogue's seed (internal/assertions/seed),
// which makes it not testable; a testable entry needs a spec.
func TestEveryTestableAssertionHasASpec(t *testing.T) {
	// Ginkgo exits the process when the tree cannot be built (an unknown or duplicate ID
	// panics in framework.Assert): its output, on stderr, then says why.
	run, _, err := runner.Run(runner.Options{DryRun: true, ReportDir: t.TempDir(), GinkgoOutput: os.Stderr})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	for _, r := range run.Results {
		if r.Verdict == report.Fail {
			t.Errorf("dry run: %s failed while the spec tree was built: %s", r.ID, r.Message)
		}
	}
	cat := assertions.MustLoad()
	used := framework.Registered()
	if len(used) == 0 {
		t.Fatal("no spec registered: the phases were not built")
	}
	uerr := cat.CheckUsage(used)
	if uerr == nil {
		return
	}
	var ue *assertions.UsageError
	if !errors.As(uerr, &ue) {
		t.Fatal(uerr)
	}
	if len(ue.Unknown) > 0 {
		t.Errorf("specs use %d assertion ID(s) the catalogue does not have: %s", len(ue.Unknown), strings.Join(ue.Unknown, " "))
	}
	if len(ue.Duplicate) > 0 {
		t.Errorf("assertion ID(s) used by more than one spec: %s", strings.Join(ue.Duplicate, " "))
	}
	if len(ue.Uncovered) > 0 {
		t.Errorf("%d testable catalogue entr(y/ies) without a spec (write one with framework.Assert, or mark the entry "+
			"untested with the reason in internal/assertions/seed if the suite cannot exercise it):\n  %s",
			len(ue.Uncovered), strings.Join(ue.Uncovered, "\n  "))
	}
}
