package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"
)

//go:embed index.html.tmpl
var indexTemplate string

var indexTmpl = template.Must(template.New("index").Parse(indexTemplate))

// maxShown caps the bytes of one message shown in index.html; the file has the rest.
const maxShown = 256 << 10

type htmlView struct {
	Run      *Run
	Started  string
	Duration string
	Overall  string
	Summary  Summary
	Baseline *htmlBaseline
	Phases   []htmlPhase
	Verdicts []Verdict
}

type htmlBaseline struct{ NewFailures, UnexpectedPasses, ExpectedFailures, NotRun []string }

type htmlPhase struct {
	Name    string
	Results []htmlResult
}

type htmlResult struct {
	Result
	Failing  bool
	Duration string
	Wire     []htmlWire
}

type htmlWire struct {
	WireMessage
	Shown string // pretty-printed content
}

// WriteHTML writes index.html: one self-contained page (inline CSS, no script, no external
// assets) with the SUT, the summary, the baseline diff and one section per assertion with its
// verdict badge, requirement / expected / actual and the wire log of its messages,
// pretty-printed. All text is escaped by html/template; message files are linked relative to
// the report directory. A CSS-only filter (radio buttons) narrows the list to failures,
// deviations, informational or skipped results.
func WriteHTML(w io.Writer, run *Run, b *Baseline) error {
	applied, s := Summarize(run, b)
	v := htmlView{Run: run, Started: run.Started.UTC().Format(time.RFC3339),
		Duration: run.Duration.Round(time.Millisecond).String(), Overall: overall(s), Summary: s, Verdicts: Verdicts}
	if b != nil {
		v.Baseline = &htmlBaseline{ids(s.Diff.NewFailures), ids(s.Diff.UnexpectedPasses), ids(s.Diff.ExpectedFailures), s.Diff.NotRun}
	}
	for _, g := range phaseGroups(applied.Results) {
		p := htmlPhase{Name: g.Name}
		for _, r := range g.Results {
			hr := htmlResult{Result: r, Failing: failing(r, run.Strict), Duration: seconds(r.Duration) + " s"}
			for _, m := range r.Wire {
				hr.Wire = append(hr.Wire, htmlWire{WireMessage: m, Shown: prettyXML(m.Content)})
			}
			p.Results = append(p.Results, hr)
		}
		v.Phases = append(v.Phases, p)
	}
	if err := indexTmpl.Execute(w, v); err != nil {
		return fmt.Errorf("index.html: %w", err)
	}
	return nil
}

// prettyXML indents an envelope for reading; content that does not parse is shown as is.
// The result is for display only: whitespace differs from the wire bytes (signatures over the
// original still verify against the message file, not this text).
func prettyXML(content string) string {
	truncated := ""
	if len(content) > maxShown {
		truncated = fmt.Sprintf("\n… %d more bytes in the message file", len(content)-maxShown)
		content = content[:maxShown]
	}
	if strings.TrimSpace(content) == "" {
		return ""
	}
	doc := etree.NewDocument()
	if truncated == "" && doc.ReadFromString(content) == nil && doc.Root() != nil {
		doc.Indent(2)
		if s, err := doc.WriteToString(); err == nil {
			return strings.TrimRight(s, "\n")
		}
	}
	return content + truncated
}
