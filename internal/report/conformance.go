package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// FormatJSON identifies the layout of conformance.json.
const FormatJSON = "rspcheck-conformance/1"

// jsonDoc is conformance.json: everything in the run plus the summary and the baseline diff.
type jsonDoc struct {
	Format    string       `json:"format"`
	Tool      string       `json:"tool,omitempty"`
	SUT       SUT          `json:"sut"`
	Started   string       `json:"started"`
	DurationS float64      `json:"duration_s"`
	Strict    bool         `json:"strict"`
	Verdict   string       `json:"verdict"` // "pass" or "fail" (exit code 0 or 1)
	Summary   Summary      `json:"summary"`
	Baseline  jsonDiff     `json:"baseline"`
	Failures  []jsonResult `json:"failures"` // the results that make the run fail
	Results   []jsonResult `json:"results"`
}

type jsonDiff struct {
	NewFailures      []string `json:"new_failures"`
	UnexpectedPasses []string `json:"unexpected_passes"`
	ExpectedFailures []string `json:"expected_failures"`
	NotRun           []string `json:"not_run"`
}

type jsonResult struct {
	ID          string     `json:"id"`
	Title       string     `json:"title,omitempty"`
	Phase       string     `json:"phase"`
	Level       string     `json:"level,omitempty"`
	Verdict     Verdict    `json:"verdict"`
	Requirement string     `json:"requirement,omitempty"`
	Expected    string     `json:"expected,omitempty"`
	Actual      string     `json:"actual,omitempty"`
	Message     string     `json:"message,omitempty"`
	Baseline    string     `json:"baseline_reason,omitempty"`
	DurationS   float64    `json:"duration_s"`
	Wire        []jsonWire `json:"wire,omitempty"`
}

type jsonWire struct {
	N        int      `json:"n"`
	Dir      Dir      `json:"dir"`
	Action   string   `json:"action,omitempty"`
	File     string   `json:"file,omitempty"`
	Content  string   `json:"content,omitempty"`
	Problems []string `json:"problems,omitempty"`
}

func toJSONResult(r Result) jsonResult {
	j := jsonResult{ID: r.ID, Title: r.Title, Phase: phaseOf(r), Level: r.Level, Verdict: r.Verdict,
		Requirement: r.Requirement, Expected: r.Expected, Actual: r.Actual, Message: r.Message,
		Baseline: r.Reason, DurationS: r.Duration.Seconds()}
	for _, w := range r.Wire {
		j.Wire = append(j.Wire, jsonWire(w))
	}
	return j
}

func ids(rs []Result) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func overall(s Summary) string {
	if s.ExitCode == 0 {
		return "pass"
	}
	return "fail"
}

// WriteJSON writes conformance.json for a run and its baseline (nil: none).
func WriteJSON(w io.Writer, run *Run, b *Baseline) error {
	applied, s := Summarize(run, b)
	doc := jsonDoc{Format: FormatJSON, Tool: run.Tool, SUT: run.SUT, Started: run.Started.UTC().Format(time.RFC3339),
		DurationS: run.Duration.Seconds(), Strict: run.Strict, Verdict: overall(s), Summary: s,
		Baseline: jsonDiff{NewFailures: ids(s.Diff.NewFailures), UnexpectedPasses: ids(s.Diff.UnexpectedPasses),
			ExpectedFailures: ids(s.Diff.ExpectedFailures), NotRun: append([]string{}, s.Diff.NotRun...)},
		Failures: []jsonResult{}, Results: []jsonResult{}}
	for _, r := range applied.Results {
		j := toJSONResult(r)
		if failing(r, run.Strict) {
			doc.Failures = append(doc.Failures, j)
		}
		doc.Results = append(doc.Results, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("conformance.json: %w", err)
	}
	return nil
}

// WriteMarkdown writes conformance.md: the SUT, the overall verdict, counts per phase and
// per level, the baseline diff, then every failure (requirement / expected / actual, wire
// log files) and every SHOULD deviation.
func WriteMarkdown(w io.Writer, run *Run, b *Baseline) error {
	applied, s := Summarize(run, b)
	var m strings.Builder
	m.WriteString("# rspcheck conformance report\n\n")
	sut := run.SUT
	fmt.Fprintf(&m, "| | |\n|---|---|\n")
	for _, kv := range [][2]string{
		{"Product", strings.TrimSpace(sut.Product + " " + sut.Version)}, {"Role", sut.Role}, {"Endpoint", sut.Endpoint},
		{"Profile", sut.Profile}, {"SOAP", sut.SOAP}, {"Started", run.Started.UTC().Format(time.RFC3339)},
		{"Duration", run.Duration.Round(time.Millisecond).String()}, {"Strict", fmt.Sprint(run.Strict)}, {"Tool", run.Tool},
		{"SUT log", sut.Log},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&m, "| %s | %s |\n", kv[0], mdCell(kv[1]))
		}
	}
	fmt.Fprintf(&m, "\n**Result: %s** — %d assertions: %s (exit status %d)\n\n",
		strings.ToUpper(overall(s)), s.Total, countLine(s.Counts), s.ExitCode)

	m.WriteString("## By phase\n\n")
	countTable(&m, "Phase", s.ByPhase)
	m.WriteString("\n## By level\n\n")
	countTable(&m, "Level", s.ByLevel)

	if b != nil {
		m.WriteString("\n## Baseline\n\n")
		for _, l := range []struct {
			what string
			ids  []string
		}{
			{"New failures (not in the baseline)", ids(s.Diff.NewFailures)},
			{"Unexpected passes (remove from the baseline)", ids(s.Diff.UnexpectedPasses)},
			{"Expected failures", ids(s.Diff.ExpectedFailures)},
			{"Listed but not run", s.Diff.NotRun},
		} {
			fmt.Fprintf(&m, "- %s: %s\n", l.what, idList(l.ids))
		}
	}

	var fails, dev []Result
	for _, r := range applied.Results {
		switch {
		case failing(r, run.Strict):
			fails = append(fails, r)
		case r.Verdict == NonStrict:
			dev = append(dev, r)
		}
	}
	fmt.Fprintf(&m, "\n## Failures (%d)\n", len(fails))
	for _, r := range fails {
		resultSection(&m, r)
	}
	if len(dev) > 0 {
		fmt.Fprintf(&m, "\n## SHOULD deviations (non-strict, %d)\n", len(dev))
		for _, r := range dev {
			resultSection(&m, r)
		}
	}
	_, err := io.WriteString(w, m.String())
	return err
}

func countLine(c Counts) string {
	var parts []string
	for _, v := range Verdicts {
		if c[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[v], v))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func countTable(m *strings.Builder, what string, groups []GroupCounts) {
	fmt.Fprintf(m, "| %s |", what)
	for _, v := range Verdicts {
		fmt.Fprintf(m, " %s |", v)
	}
	m.WriteString(" total |\n|---|")
	for range Verdicts {
		m.WriteString("---:|")
	}
	m.WriteString("---:|\n")
	for _, g := range groups {
		fmt.Fprintf(m, "| %s |", g.Name)
		for _, v := range Verdicts {
			fmt.Fprintf(m, " %d |", g.Counts[v])
		}
		fmt.Fprintf(m, " %d |\n", g.Total)
	}
}

func idList(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

func resultSection(m *strings.Builder, r Result) {
	if r.Title == "" {
		fmt.Fprintf(m, "\n### %s\n\n", r.ID)
	} else {
		fmt.Fprintf(m, "\n### %s — %s\n\n", r.ID, mdText(r.Title))
	}
	fmt.Fprintf(m, "%s · %s · %s\n\n", r.Verdict, orDash(r.Level), phaseOf(r))
	for _, kv := range [][2]string{{"Requirement", r.Requirement}, {"Expected", r.Expected}, {"Actual", r.Actual},
		{"Message", r.Message}, {"Baseline", r.Reason}} {
		if kv[1] != "" {
			fmt.Fprintf(m, "- **%s:** %s\n", kv[0], mdText(kv[1]))
		}
	}
	if len(r.Wire) > 0 {
		m.WriteString("\n```\n" + strings.ReplaceAll(wireSummary(r.Wire), "```", "'''") + "```\n")
	}
}

// mdText keeps a value on one line and stops it from opening HTML in renderers.
func mdText(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(oneLine(s))
}

// mdCell is mdText for table cells, where a pipe ends the cell.
func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }
