package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

// Baseline is a SUT's list of known failures (the QUIC runner's and s2n-quic's "expected to
// fail"): assertion ID → why it fails. A baseline keeps a known gap from failing every run
// without hiding a regression: a failure not in it still fails the run, and so does a pass
// that it lists (the entry is stale and must be removed).
type Baseline struct {
	Entries map[string]string
}

// ParseBaseline reads a baseline file: a YAML (or JSON) mapping of assertion ID to reason,
//
//	RM-CS-007: "AcksTo and ReplyTo differ; fixed in 2.4"
//	SC-ISS-008: "8-octet entropy"
func ParseBaseline(data []byte) (*Baseline, error) {
	b := &Baseline{Entries: map[string]string{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&b.Entries); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if b.Entries == nil {
		b.Entries = map[string]string{}
	}
	return b, nil
}

// Check reports baseline IDs the catalogue does not know.
func (b *Baseline) Check(c *assertions.Catalogue) error {
	var unknown []string
	for id := range b.entries() {
		if _, ok := c.Get(id); !ok {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("baseline: unknown assertion ID(s): %v", unknown)
}

func (b *Baseline) entries() map[string]string {
	if b == nil {
		return nil
	}
	return b.Entries
}

func (b *Baseline) has(id string) (string, bool) {
	reason, ok := b.entries()[id]
	return reason, ok
}

// Diff is how a run compares with a baseline.
type Diff struct {
	NewFailures      []Result // failed and not in the baseline: a regression
	UnexpectedPasses []Result // in the baseline but passed: a stale entry
	ExpectedFailures []Result // failed as the baseline says
	// NotRun are baseline IDs without a result, or only skipped ones; they break nothing.
	NotRun []string
}

// Broken reports whether the run breaks the baseline: a new failure or an unexpected pass.
func (d Diff) Broken() bool { return len(d.NewFailures) > 0 || len(d.UnexpectedPasses) > 0 }

// Diff compares a run with the baseline (nil: no baseline, every failure is new), under the
// run's own Strict setting. It accepts runs with or without Apply.
func (b *Baseline) Diff(run *Run) Diff { return b.diff(run, run.Strict) }

func (b *Baseline) diff(run *Run, strict bool) Diff {
	var d Diff
	ran := map[string]bool{}
	for _, r := range run.Results {
		_, listed := b.has(r.ID)
		switch r.Verdict {
		case Skipped, SkippedUnsupported:
			continue
		case UnexpectedPass:
			d.UnexpectedPasses = append(d.UnexpectedPasses, r)
		case Pass:
			if listed {
				d.UnexpectedPasses = append(d.UnexpectedPasses, r)
			}
		case ExpectedFail:
			if listed || b == nil {
				d.ExpectedFailures = append(d.ExpectedFailures, r)
			} else {
				d.NewFailures = append(d.NewFailures, r)
			}
		case Fail, NonStrict:
			switch {
			case listed && (r.Verdict == Fail || strict):
				d.ExpectedFailures = append(d.ExpectedFailures, r)
			case failing(r, strict):
				d.NewFailures = append(d.NewFailures, r)
			}
		}
		ran[r.ID] = true
	}
	for id := range b.entries() {
		if !ran[id] {
			d.NotRun = append(d.NotRun, id)
		}
	}
	sort.Strings(d.NotRun)
	return d
}

// Apply returns a copy of the run with the baseline's verdicts: a failure it lists becomes
// expected-fail, a pass it lists unexpected-pass, both with the baseline's reason. Under the
// run's Strict, a listed SHOULD deviation also becomes expected-fail.
func (b *Baseline) Apply(run *Run) *Run {
	out := *run
	out.Results = slices.Clone(run.Results)
	for i := range out.Results {
		r := &out.Results[i]
		reason, listed := b.has(r.ID)
		if !listed {
			continue
		}
		switch {
		case r.Verdict == Fail || (r.Verdict == NonStrict && run.Strict):
			r.Verdict, r.Reason = ExpectedFail, reason
		case r.Verdict == Pass:
			r.Verdict, r.Reason = UnexpectedPass, reason
		}
	}
	return &out
}

// ExitCode is the exit status of a conformance run: 1 when
//
//   - an assertion failed that is not in the baseline — a MUST (or a MAY feature the SUT
//     implements wrongly), a SHOULD only under strict, an INFO never;
//   - under strict, a SHOULD deviation (non-strict) is not in the baseline;
//   - an assertion the baseline lists passed (the baseline is stale: remove the entry);
//
// and 0 otherwise (skips, info, non-strict deviations without strict, expected failures).
// The suite writes its reports before it exits with this status.
func ExitCode(run *Run, b *Baseline, strict bool) int {
	if b.diff(run, strict).Broken() {
		return 1
	}
	return 0
}
