// Package runner runs the conformance specs (every phase package) in process and turns
// Ginkgo's report into the conformance reports: `rspcheck run` and `make run` call Run; the
// Ginkgo test binary in suite/ runs the same specs for Ginkgo users.
package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/rspcheck/rspcheck/internal/assertions"
	"github.com/rspcheck/rspcheck/internal/report"
	"github.com/rspcheck/rspcheck/suite/framework"

	// The phases: their specs register at init.
	_ "github.com/rspcheck/rspcheck/suite/phases"
)

// Options configure a run.
type Options struct {
	Config framework.Config
	// ReportDir receives junit.xml, report.json (Ginkgo's), conformance.json/.md, index.html.
	ReportDir string
	// IDs are assertion ID prefixes to run (e.g. "RM-STR", "SC-ISS-001"); empty = all.
	IDs []string
	// LabelFilter is a Ginkgo label filter (e.g. "phase:establish && level:MUST").
	LabelFilter string
	DryRun      bool
	Baseline    *report.Baseline
	// Progress receives one line per finished spec (nil = none); with ProgressLive the line
	// is rewritten in place (a terminal).
	Progress     io.Writer
	ProgressLive bool
	// GinkgoOutput receives Ginkgo's own reporter output (nil = discarded).
	GinkgoOutput io.Writer
	Tool         string
	// SUTInfo names the product in the reports.
	SUTInfo report.SUT
}

// fakeT lets RunSpecs run outside `go test`.
type fakeT struct{ failed bool }

func (t *fakeT) Fail() { t.failed = true }

var (
	last     *types.Report
	progress io.Writer
	live     bool
	total    int
	done     int
)

var _ = ginkgo.ReportAfterSuite("rspcheck reports", func(r ginkgo.Report) { last = &r })

var _ = ginkgo.ReportBeforeSuite(func(r ginkgo.Report) { total = r.PreRunStats.SpecsThatWillRun })

var _ = ginkgo.ReportAfterEach(func(r ginkgo.SpecReport) {
	if progress == nil || r.LeafNodeType != types.NodeTypeIt || notSelected(r) {
		return
	}
	done++
	if live {
		fmt.Fprintf(progress, "\r\033[K[%d/%d] %s %s", done, total, idOf(r), verdictOf(r, false))
		return
	}
	fmt.Fprintf(progress, "[%d/%d] %s %s %s\n", done, total, idOf(r), roleOf(r), verdictOf(r, false))
})

// Run runs the specs once per process (Ginkgo's rule) and writes the reports; the reports
// are written before Run returns, whatever the verdicts.
func Run(opt Options) (*report.Run, report.Summary, error) {
	if err := framework.Configure(opt.Config); err != nil {
		return nil, report.Summary{}, err
	}
	cat, err := assertions.Load()
	if err != nil {
		return nil, report.Summary{}, err
	}
	if opt.ReportDir == "" {
		opt.ReportDir = "reports"
	}
	if err := os.MkdirAll(opt.ReportDir, 0o755); err != nil {
		return nil, report.Summary{}, err
	}
	gomega.RegisterFailHandler(ginkgo.Fail)
	sc, rc := ginkgo.GinkgoConfiguration()
	sc.LabelFilter = opt.LabelFilter
	sc.DryRun = opt.DryRun
	sc.RandomizeAllSpecs = false
	sc.Timeout = 30 * time.Minute
	for _, id := range opt.IDs {
		sc.FocusStrings = append(sc.FocusStrings, regexp.QuoteMeta("["+id))
	}
	rc.JSONReport = filepath.Join(opt.ReportDir, "report.json")
	rc.NoColor = true
	rc.Succinct = true
	out := opt.GinkgoOutput
	if out == nil {
		out = io.Discard
	}
	formatter.ColorableStdOut = out
	formatter.ColorableStdErr = out
	progress, live = opt.Progress, opt.ProgressLive
	start := time.Now()
	ginkgo.RunSpecs(&fakeT{}, "rspcheck conformance", sc, rc)
	if progress != nil && live {
		fmt.Fprint(progress, "\r\033[K")
	}
	if last == nil {
		return nil, report.Summary{}, errors.New("the specs did not run (no report)")
	}
	if total == 0 && (len(opt.IDs) > 0 || opt.LabelFilter != "") {
		// A selection that matches nothing would otherwise pass with no assertion judged.
		return nil, report.Summary{}, fmt.Errorf("the selection (%s) matches no spec for this SUT; labels are "+
			"id:RM-SEQ-004, spec:…, phase:establish, level:MUST, role:…, sut:responder or sut:initiator (`rspcheck assertions` lists the IDs)",
			selection(opt))
	}
	run := convert(*last, cat, opt)
	run.Started, run.Duration = start, time.Since(start)
	if _, err := report.WriteAll(opt.ReportDir, run, opt.Baseline); err != nil {
		return run, report.Summary{}, err
	}
	applied, sum := report.Summarize(run, opt.Baseline)
	if uerr := cat.CheckUsage(framework.Registered()); uerr != nil {
		var ue *assertions.UsageError
		if errors.As(uerr, &ue) && ue.Invalid() {
			return applied, sum, uerr
		}
	}
	return applied, sum, nil
}

// idOf is the assertion ID of a spec (its id: label).
func idOf(r types.SpecReport) string {
	for _, l := range r.Labels() {
		if strings.HasPrefix(l, "id:") {
			return strings.TrimPrefix(l, "id:")
		}
	}
	return ""
}

// entry returns the value of the named report entry ("" when absent).
func entry(r types.SpecReport, name string) string {
	for _, e := range r.ReportEntries {
		if e.Name == name {
			return e.StringRepresentation()
		}
	}
	return ""
}

// selection describes the IDs and label filter of a run, for messages.
func selection(opt Options) string {
	var parts []string
	if len(opt.IDs) > 0 {
		parts = append(parts, "IDs "+strings.Join(opt.IDs, " "))
	}
	if opt.LabelFilter != "" {
		parts = append(parts, fmt.Sprintf("--label-filter %q", opt.LabelFilter))
	}
	return strings.Join(parts, ", ")
}
