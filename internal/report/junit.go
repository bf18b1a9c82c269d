package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// The JUnit XML shape that Jenkins (junit-10.xsd), GitLab and the Ant schema accept:
// testsuites > testsuite (one per phase) > testcase (one per assertion) with at most one
// failure or skipped child and a system-out; each testsuite carries properties and (empty)
// system-out and system-err, which the strict Ant schema requires.
type (
	junitSuites struct {
		XMLName   xml.Name     `xml:"testsuites"`
		Name      string       `xml:"name,attr"`
		Tests     int          `xml:"tests,attr"`
		Failures  int          `xml:"failures,attr"`
		Errors    int          `xml:"errors,attr"`
		Skipped   int          `xml:"skipped,attr"`
		Time      string       `xml:"time,attr"`
		Timestamp string       `xml:"timestamp,attr"`
		Suites    []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Package    string          `xml:"package,attr"`
		ID         int             `xml:"id,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr"`
		Hostname   string          `xml:"hostname,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
		SystemOut  string          `xml:"system-out"`
		SystemErr  string          `xml:"system-err"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		Skipped   *junitSkipped `xml:"skipped,omitempty"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// junitTimestamp is xs:dateTime without a zone, as the Ant schema wants it (UTC).
const junitTimestamp = "2006-01-02T15:04:05"

// WriteJUnit writes a run, with the baseline (nil: none) applied, as JUnit XML. A
// result is a <failure> when it makes the run fail (ExitCode's rules: a MUST failure, a
// SHOULD deviation under strict, an unexpected pass) and <skipped> when skipped, unsupported
// or an expected failure; everything else passes, with non-strict and info results noted in
// the test case's system-out.
func WriteJUnit(w io.Writer, run *Run, b *Baseline) error {
	run, _ = Summarize(run, b)
	ts := run.Started.UTC().Format(junitTimestamp)
	doc := junitSuites{Name: "rspcheck conformance", Timestamp: ts, Time: seconds(run.Duration)}
	for i, g := range phaseGroups(run.Results) {
		s := junitSuite{Name: g.Name, Package: "rspcheck." + g.Name, ID: i, Timestamp: ts,
			Hostname: hostOf(run.SUT.Endpoint), Properties: sutProperties(run)}
		var total time.Duration
		for _, r := range g.Results {
			c := junitCase{Name: caseName(r), Classname: g.Name, Time: seconds(r.Duration), SystemOut: caseOut(r)}
			switch {
			case failing(r, run.Strict):
				c.Failure = &junitFailure{Message: failureMessage(r), Type: failureType(r), Text: failureText(r)}
				s.Failures++
			case r.Verdict == Skipped || r.Verdict == SkippedUnsupported || r.Verdict == ExpectedFail:
				c.Skipped = &junitSkipped{Message: skipMessage(r)}
				s.Skipped++
			}
			s.Tests++
			total += r.Duration
			s.Cases = append(s.Cases, c)
		}
		s.Time = seconds(total)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// caseName is "[ID] title": the ID first, so that it survives truncation in CI views.
func caseName(r Result) string {
	if r.Title == "" {
		return "[" + r.ID + "]"
	}
	return "[" + r.ID + "] " + r.Title
}

// hostOf is the SUT's host for the testsuite's hostname attribute.
func hostOf(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

func sutProperties(run *Run) []junitProperty {
	p := []junitProperty{
		{"sut.product", run.SUT.Product}, {"sut.version", run.SUT.Version}, {"sut.role", run.SUT.Role},
		{"sut.endpoint", run.SUT.Endpoint}, {"sut.profile", run.SUT.Profile}, {"sut.soap", run.SUT.SOAP},
		{"strict", fmt.Sprint(run.Strict)},
	}
	if run.Tool != "" {
		p = append(p, junitProperty{"tool", run.Tool})
	}
	return p
}

func failureType(r Result) string {
	if r.Verdict == UnexpectedPass {
		return "baseline"
	}
	if r.Level == "" {
		return string(r.Verdict)
	}
	return r.Level
}

// failureMessage is the one line CI tools show: requirement, expected, actual.
func failureMessage(r Result) string {
	if r.Verdict == UnexpectedPass {
		return "unexpected pass: the baseline lists " + r.ID + " as failing (" + r.Reason + "); remove the entry"
	}
	var parts []string
	for _, kv := range [][2]string{{"requirement", r.Requirement}, {"expected", r.Expected}, {"actual", r.Actual}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+oneLine(kv[1]))
		}
	}
	if len(parts) == 0 {
		return oneLine(r.Message)
	}
	return strings.Join(parts, "; ")
}

func failureText(r Result) string {
	var b strings.Builder
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-13s%s\n", k+":", v)
		}
	}
	field("verdict", string(r.Verdict))
	field("level", r.Level)
	field("requirement", r.Requirement)
	field("expected", r.Expected)
	field("actual", r.Actual)
	field("message", r.Message)
	field("baseline", r.Reason)
	return b.String()
}

func skipMessage(r Result) string {
	switch r.Verdict {
	case SkippedUnsupported:
		return "unsupported: " + oneLine(r.Message)
	case ExpectedFail:
		return "expected failure (baseline): " + r.Reason
	}
	return oneLine(r.Message)
}

// caseOut is the test case's system-out: its verdict when not a plain pass, its message and
// the summary of its wire log.
func caseOut(r Result) string {
	var b strings.Builder
	if r.Verdict != Pass {
		fmt.Fprintf(&b, "verdict: %s\n", r.Verdict)
	}
	if r.Message != "" && r.Verdict != Skipped && r.Verdict != SkippedUnsupported {
		fmt.Fprintf(&b, "message: %s\n", r.Message)
	}
	b.WriteString(wireSummary(r.Wire))
	return b.String()
}

// wireSummary is one line per message: number, direction, action, file, problems.
func wireSummary(ws []WireMessage) string {
	if len(ws) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("wire log:\n")
	for _, m := range ws {
		fmt.Fprintf(&b, "  #%d %-3s %s", m.N, m.Dir, orDash(m.Action))
		if m.File != "" {
			fmt.Fprintf(&b, "  %s", m.File)
		}
		for _, p := range m.Problems {
			fmt.Fprintf(&b, "\n      problem: %s", oneLine(p))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
