package runner

import (
	"encoding/json"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/rspcheck/rspcheck/internal/assertions"
	"github.com/rspcheck/rspcheck/internal/report"
	"github.com/rspcheck/rspcheck/suite/framework"
)

// convert turns Ginkgo's report into the neutral conformance run, in catalogue order.
func convert(g types.Report, cat *assertions.Catalogue, opt Options) *report.Run {
	run := &report.Run{SUT: opt.SUTInfo, Tool: opt.Tool, Strict: opt.Config.Strict}
	byID := map[string][]report.Result{}
	for _, sr := range g.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		id := idOf(sr)
		if id == "" || (!opt.DryRun && notSelected(sr)) {
			continue
		}
		res := report.Result{ID: id, Verdict: verdictOf(sr, opt.DryRun), Duration: sr.RunTime}
		if a, ok := cat.Get(id); ok {
			res.Title = a.Title + " (" + roleOf(sr) + " SUT)"
		}
		switch res.Verdict {
		case report.Fail:
			res.Expected, res.Actual = expectedActual(sr.Failure.Message)
			res.Message = sr.Failure.Message
			if loc := sr.Failure.Location; loc.FileName != "" {
				res.Message += "\n(" + loc.String() + ")"
			}
		case report.NonStrict:
			res.Message = entry(sr, framework.EntryNonStrict)
			res.Expected, res.Actual = expectedActual(res.Message)
		case report.Info:
			res.Message = entry(sr, framework.EntryInfo)
			if res.Message == "" {
				res.Message = entry(sr, framework.EntryObserved)
			}
		case report.SkippedUnsupported, report.Skipped:
			res.Message = sr.Failure.Message
		default:
			res.Message = entry(sr, framework.EntryObserved)
		}
		if w := entry(sr, framework.EntryWire); w != "" {
			_ = json.Unmarshal([]byte(w), &res.Wire)
		}
		byID[id] = append(byID[id], res)
	}
	for _, a := range cat.All() {
		run.Results = append(run.Results, byID[a.ID]...)
	}
	run.Annotate(cat)
	return run
}

// notSelected tells a spec that the ID prefixes or the label filter left out (Ginkgo reports
// it as skipped without a reason) from one the spec itself skipped (always with a reason).
func notSelected(sr types.SpecReport) bool {
	return sr.State == types.SpecStateSkipped && sr.Failure.Message == "" && sr.RunTime == 0
}

// verdictOf grades one spec.
func verdictOf(sr types.SpecReport, dry bool) report.Verdict {
	switch {
	case dry:
		return report.Skipped
	case sr.State.Is(types.SpecStateFailureStates):
		return report.Fail
	case sr.State == types.SpecStateSkipped || sr.State == types.SpecStatePending:
		if strings.HasPrefix(sr.Failure.Message, framework.UnsupportedPrefix) {
			return report.SkippedUnsupported
		}
		return report.Skipped
	}
	if entry(sr, framework.EntryNonStrict) != "" {
		return report.NonStrict
	}
	for _, l := range sr.Labels() {
		if l == "level:INFO" {
			return report.Info
		}
	}
	return report.Pass
}

// roleOf is the SUT role of a spec (its sut: label).
func roleOf(sr types.SpecReport) string {
	for _, l := range sr.Labels() {
		if strings.HasPrefix(l, "sut:") {
			return strings.TrimPrefix(l, "sut:")
		}
	}
	return "?"
}

// expectedActual reads the matchers' "expected: ... / actual: ..." failure shape; other
// failures give the whole message as actual.
func expectedActual(msg string) (string, string) {
	i := strings.Index(msg, "expected: ")
	j := strings.Index(msg, "\nactual:")
	if i < 0 || j < i {
		return "", strings.TrimSpace(msg)
	}
	exp := strings.TrimSpace(msg[i+len("expected: ") : j])
	act := strings.TrimSpace(strings.TrimPrefix(msg[j+1:], "actual:"))
	return exp, act
}
