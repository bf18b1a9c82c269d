// Package report turns the results of a conformance run into the files users read and CI
// tools parse: junit.xml (Jenkins, GitLab), conformance.json (lossless, for bots),
// conformance.md (the summary for humans and pull requests) and index.html (one
// self-contained page with every assertion, its verdict, requirement / expected / actual and
// the wire log of its messages).
//
// The model (Run, Result, WireMessage) is neutral: it knows no Ginkgo type, so the suite's
// ReportAfterSuite, an offline analyzer and the tests all fill the same structs. Verdicts
// follow Autobahn's graded scheme (pass, fail, non-strict, info, unsupported) plus the two
// outcomes of an expected-failure baseline (expected-fail, unexpected-pass); ExitCode says
// when a run fails. Every file is written atomically (WriteAll).
package report

import (
	"slices"
	"time"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

// Verdict is the outcome of one assertion.
type Verdict string

// The verdicts.
const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	// NonStrict is a SHOULD deviation: a pass with a warning, a failure under --strict.
	NonStrict Verdict = "non-strict"
	// Info records observed behaviour (INFO assertions); never a failure.
	Info Verdict = "info"
	// SkippedUnsupported: the SUT declares the feature unsupported (QUIC runner's exit 127).
	SkippedUnsupported Verdict = "skipped-unsupported"
	Skipped            Verdict = "skipped"
	// ExpectedFail: failed, and the baseline says it would (Baseline.Apply).
	ExpectedFail Verdict = "expected-fail"
	// UnexpectedPass: passed, but the baseline says it fails: the baseline is stale.
	UnexpectedPass Verdict = "unexpected-pass"
)

// Verdicts lists every verdict in report order.
var Verdicts = []Verdict{Pass, Fail, NonStrict, Info, SkippedUnsupported, Skipped, ExpectedFail, UnexpectedPass}

// SUT describes the system under test.
type SUT struct {
	Product  string `json:"product"`
	Version  string `json:"version"`
	Role     string `json:"role"`     // initiator, responder (the role the SUT plays)
	Endpoint string `json:"endpoint"` // URL, or "embedded"
	Profile  string `json:"profile"`  // P11, P05
	SOAP     string `json:"soap"`     // 1.1, 1.2
	// Log names a file beside the reports with the SUT's own output (a container's logs).
	Log string `json:"log,omitempty"`
}

// Run is one conformance run.
type Run struct {
	SUT      SUT
	Tool     string // e.g. "rspcheck v0.3.0"; optional
	Started  time.Time
	Duration time.Duration
	Strict   bool // SHOULD deviations count as failures
	Results  []Result
}

// Result is the outcome of one assertion. Title, Phase and Level come from the catalogue
// (Annotate fills them when empty); results of unknown phase are grouped under "other".
type Result struct {
	ID          string
	Title       string
	Phase       string
	Level       string // MUST, SHOULD, MAY, INFO
	Verdict     Verdict
	Requirement string // what must hold (the catalogue's paraphrase, or the spec's wording)
	Expected    string
	Actual      string
	Message     string // free text: skip reason, failure location, non-strict warning
	Reason      string // baseline reason, set by Baseline.Apply
	Duration    time.Duration
	Wire        []WireMessage
}

// Dir is a message's direction, as the suite saw it.
type Dir string

// The directions.
const (
	In  Dir = "in"  // received from the SUT
	Out Dir = "out" // sent to the SUT
)

// WireMessage is one message of an assertion's exchange. The caller redacts secrets before
// filling Content; the report shows what it is given.
type WireMessage struct {
	N        int
	Dir      Dir
	Action   string
	File     string   // path of the message file (relative to the report directory), if any
	Content  string   // the envelope, already redacted; empty when only File is known
	Problems []string // what the suite found wrong with this message
}

// Annotate fills empty Title, Phase, Level and Requirement of results from the catalogue.
func (r *Run) Annotate(c *assertions.Catalogue) {
	for i := range r.Results {
		res := &r.Results[i]
		a, ok := c.Get(res.ID)
		if !ok {
			continue
		}
		if res.Title == "" {
			res.Title = a.Title
		}
		if res.Phase == "" {
			res.Phase = string(a.Phase)
		}
		if res.Level == "" {
			res.Level = string(a.Level)
		}
		if res.Requirement == "" {
			res.Requirement = a.Requirement
		}
	}
}

// otherPhase groups results whose phase is empty or not one of the catalogue's.
const otherPhase = "other"

// phaseOf is the group a result is reported under.
func phaseOf(r Result) string {
	if slices.Contains(assertions.Phases, assertions.Phase(r.Phase)) {
		return r.Phase
	}
	return otherPhase
}

// phaseGroups splits results by phase, in the catalogue's phase order (then "other"),
// keeping the order of results within a phase. Empty phases are left out.
func phaseGroups(results []Result) []group {
	byPhase := map[string][]Result{}
	for _, r := range results {
		byPhase[phaseOf(r)] = append(byPhase[phaseOf(r)], r)
	}
	var out []group
	for _, p := range append(phaseNames(), otherPhase) {
		if rs := byPhase[p]; len(rs) > 0 {
			out = append(out, group{Name: p, Results: rs})
		}
	}
	return out
}

type group struct {
	Name    string
	Results []Result
}

func phaseNames() []string {
	var out []string
	for _, p := range assertions.Phases {
		out = append(out, string(p))
	}
	return out
}

// failing reports whether a result makes the run fail: a failure (a SHOULD-level one only
// under strict; an INFO-level one never), a SHOULD deviation under strict, or a pass the
// baseline did not expect.
func failing(r Result, strict bool) bool {
	switch r.Verdict {
	case Fail:
		switch r.Level {
		case string(assertions.INFO):
			return false
		case string(assertions.SHOULD):
			return strict
		}
		return true
	case NonStrict:
		return strict
	case UnexpectedPass:
		return true
	}
	return false
}
