package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

const envelope = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">http://docs.oasis-open.org/ws-rx/wsrm/200702/CreateSequence</wsa:Action></s:Header><s:Body/></s:Envelope>`

// sampleRun has one result of every kind; with sampleBaseline, RM-CS-007 is an expected
// failure and RM-CL-004 an unexpected pass.
func sampleRun() *Run {
	return &Run{
		SUT:     SUT{Product: "Acme RM", Version: "2.3", Role: "responder", Endpoint: "http://127.0.0.1:8080/rm", Profile: "P11", SOAP: "1.2"},
		Tool:    "rspcheck test",
		Started: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), Duration: 3 * time.Second,
		Results: []Result{
			{ID: "SC-ISS-001", Phase: "issuance", Level: "MUST", Verdict: Pass, Duration: 10 * time.Millisecond,
				Wire: []WireMessage{{N: 1, Dir: Out, Action: "RST/SCT", File: "evidence/SC-ISS-001/01-out.xml", Content: envelope}}},
			{ID: "RM-STR-005", Title: "CreateSequence proves possession", Phase: "establish", Level: "MUST", Verdict: Fail,
				Requirement: "signed with the SCT key", Expected: "wsrm:CreateSequenceRefused", Actual: "CreateSequenceResponse",
				Duration: 20 * time.Millisecond,
				Wire:     []WireMessage{{N: 1, Dir: Out, Action: "CreateSequence"}, {N: 2, Dir: In, Action: "CreateSequenceResponse", Problems: []string{"accepted a foreign key"}}}},
			{ID: "SC-DKT-005", Phase: "security", Level: "SHOULD", Verdict: NonStrict, Message: "nonce reused", Duration: time.Millisecond},
			{ID: "RM-CSR-004", Phase: "establish", Level: "INFO", Verdict: Info, Message: "emits NoDiscard"},
			{ID: "MC-001", Phase: "transfer", Level: "MUST", Verdict: SkippedUnsupported, Message: "MakeConnection"},
			{ID: "RM-CS-007", Phase: "establish", Level: "MUST", Verdict: Fail, Expected: "same EPRs", Actual: "different"},
			{ID: "RM-CL-004", Phase: "closure", Level: "MUST", Verdict: Pass},
			{ID: "X-NEW-001", Verdict: Skipped, Message: "not in the catalogue yet"},
		},
	}
}

func sampleBaseline() *Baseline {
	return &Baseline{Entries: map[string]string{"RM-CS-007": "EPR check not implemented", "RM-CL-004": "old bug", "WSA-005": "never run"}}
}

func TestBaselineDiffAndApply(t *testing.T) {
	run, b := sampleRun(), sampleBaseline()
	d := b.Diff(run)
	if got := ids(d.NewFailures); !slices.Equal(got, []string{"RM-STR-005"}) {
		t.Errorf("new failures %v", got)
	}
	if got := ids(d.UnexpectedPasses); !slices.Equal(got, []string{"RM-CL-004"}) {
		t.Errorf("unexpected passes %v", got)
	}
	if got := ids(d.ExpectedFailures); !slices.Equal(got, []string{"RM-CS-007"}) {
		t.Errorf("expected failures %v", got)
	}
	if !slices.Equal(d.NotRun, []string{"WSA-005"}) || !d.Broken() {
		t.Errorf("not run %v broken %v", d.NotRun, d.Broken())
	}
	applied := b.Apply(run)
	if run.Results[5].Verdict != Fail {
		t.Error("Apply changed the original run")
	}
	verdicts := map[string]Verdict{}
	for _, r := range applied.Results {
		verdicts[r.ID] = r.Verdict
	}
	if verdicts["RM-CS-007"] != ExpectedFail || verdicts["RM-CL-004"] != UnexpectedPass || verdicts["RM-STR-005"] != Fail {
		t.Errorf("applied verdicts %v", verdicts)
	}
	// Diff on an applied run gives the same answer
	d2 := b.Diff(applied)
	if !slices.Equal(ids(d2.NewFailures), ids(d.NewFailures)) || !slices.Equal(ids(d2.UnexpectedPasses), ids(d.UnexpectedPasses)) ||
		!slices.Equal(ids(d2.ExpectedFailures), ids(d.ExpectedFailures)) {
		t.Errorf("diff of applied run %+v", d2)
	}
	var none *Baseline
	if got := ids(none.Diff(run).NewFailures); !slices.Equal(got, []string{"RM-STR-005", "RM-CS-007"}) {
		t.Errorf("without baseline: new failures %v", got)
	}
}

func TestExitCode(t *testing.T) {
	one := func(level string, v Verdict) *Run {
		return &Run{Results: []Result{{ID: "A-B-001", Level: level, Verdict: v}}}
	}
	listed := &Baseline{Entries: map[string]string{"A-B-001": "known"}}
	for _, tc := range []struct {
		name   string
		run    *Run
		b      *Baseline
		strict bool
		want   int
	}{
		{"MUST fails", one("MUST", Fail), nil, false, 1},
		{"MUST passes", one("MUST", Pass), nil, false, 0},
		{"MAY feature wrong", one("MAY", Fail), nil, false, 1},
		{"level unknown fails", one("", Fail), nil, false, 1},
		{"SHOULD deviation", one("SHOULD", NonStrict), nil, false, 0},
		{"SHOULD deviation strict", one("SHOULD", NonStrict), nil, true, 1},
		{"SHOULD marked fail", one("SHOULD", Fail), nil, false, 0},
		{"SHOULD marked fail strict", one("SHOULD", Fail), nil, true, 1},
		{"INFO", one("INFO", Info), nil, true, 0},
		{"INFO marked fail", one("INFO", Fail), nil, true, 0},
		{"unsupported", one("MUST", SkippedUnsupported), nil, true, 0},
		{"skipped", one("MUST", Skipped), nil, true, 0},
		{"expected failure", one("MUST", Fail), listed, false, 0},
		{"expected deviation strict", one("SHOULD", NonStrict), listed, true, 0},
		{"unexpected pass", one("MUST", Pass), listed, false, 1},
		{"unexpected-pass verdict", one("MUST", UnexpectedPass), nil, false, 1},
		{"expected-fail verdict, no baseline", one("MUST", ExpectedFail), nil, false, 0},
		{"listed but skipped", one("MUST", Skipped), listed, false, 0},
		{"empty run", &Run{}, nil, true, 0},
		{"sample", sampleRun(), sampleBaseline(), false, 1},
	} {
		if got := ExitCode(tc.run, tc.b, tc.strict); got != tc.want {
			t.Errorf("%s: ExitCode = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestParseBaseline(t *testing.T) {
	b, err := ParseBaseline([]byte("RM-CS-007: \"EPRs differ\"\nSC-ISS-008: short entropy\n"))
	if err != nil || len(b.Entries) != 2 || b.Entries["RM-CS-007"] != "EPRs differ" {
		t.Fatalf("%+v %v", b, err)
	}
	if b, err := ParseBaseline([]byte(`{"RM-CS-007": "json works too"}`)); err != nil || b.Entries["RM-CS-007"] != "json works too" {
		t.Errorf("json baseline: %+v %v", b, err)
	}
	if b, err := ParseBaseline(nil); err != nil || b.Entries == nil {
		t.Errorf("empty baseline: %+v %v", b, err)
	}
	if _, err := ParseBaseline([]byte("- a list\n")); err == nil {
		t.Error("a list accepted as baseline")
	}
	c := assertions.MustLoad()
	if err := b.Check(c); err != nil {
		t.Error(err)
	}
	b.Entries["NOPE-001"] = "x"
	if err := b.Check(c); err == nil || !strings.Contains(err.Error(), "NOPE-001") {
		t.Errorf("Check: %v", err)
	}
}

func TestAnnotate(t *testing.T) {
	run := &Run{Results: []Result{{ID: "RM-STR-005", Verdict: Pass}, {ID: "SC-ISS-001", Title: "mine", Verdict: Pass}, {ID: "ZZ-001"}}}
	run.Annotate(assertions.MustLoad())
	r := run.Results[0]
	if r.Phase != "establish" || r.Level != "MUST" || r.Title == "" || r.Requirement == "" {
		t.Errorf("annotated %+v", r)
	}
	if run.Results[1].Title != "mine" || run.Results[1].Phase != "issuance" {
		t.Errorf("annotate overwrote or missed: %+v", run.Results[1])
	}
	if run.Results[2].Phase != "" {
		t.Error("unknown ID annotated")
	}
}

func TestSummarize(t *testing.T) {
	_, s := Summarize(sampleRun(), sampleBaseline())
	if s.Total != 8 || s.Counts[Fail] != 1 || s.Counts[ExpectedFail] != 1 || s.Counts[UnexpectedPass] != 1 || s.ExitCode != 1 {
		t.Errorf("summary %+v", s)
	}
	var names []string
	for _, g := range s.ByPhase {
		names = append(names, g.Name)
	}
	if !slices.Equal(names, []string{"issuance", "establish", "transfer", "security", "closure", "other"}) {
		t.Errorf("phase order %v", names)
	}
	names = nil
	for _, g := range s.ByLevel {
		names = append(names, g.Name)
	}
	if !slices.Equal(names, []string{"MUST", "SHOULD", "INFO", "other"}) {
		t.Errorf("level order %v", names)
	}
	if est := s.ByPhase[1]; est.Total != 3 || est.Counts[Fail] != 1 || est.Counts[Info] != 1 || est.Counts[ExpectedFail] != 1 {
		t.Errorf("establish %+v", est)
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleRun(), sampleBaseline()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format  string
		Verdict string
		SUT     SUT
		Summary struct {
			Total    int
			Counts   map[string]int
			ByPhase  []GroupCounts `json:"by_phase"`
			ExitCode int           `json:"exit_code"`
		}
		Baseline struct {
			NewFailures      []string `json:"new_failures"`
			UnexpectedPasses []string `json:"unexpected_passes"`
			ExpectedFailures []string `json:"expected_failures"`
			NotRun           []string `json:"not_run"`
		}
		Failures []jsonResult
		Results  []jsonResult
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if doc.Format != FormatJSON || doc.Verdict != "fail" || doc.SUT.Product != "Acme RM" || doc.Summary.Total != 8 ||
		doc.Summary.ExitCode != 1 || len(doc.Summary.Counts) != len(Verdicts) || doc.Summary.Counts["pass"] != 1 {
		t.Errorf("doc %+v", doc)
	}
	if !slices.Equal(doc.Baseline.NewFailures, []string{"RM-STR-005"}) || !slices.Equal(doc.Baseline.UnexpectedPasses, []string{"RM-CL-004"}) ||
		!slices.Equal(doc.Baseline.ExpectedFailures, []string{"RM-CS-007"}) || !slices.Equal(doc.Baseline.NotRun, []string{"WSA-005"}) {
		t.Errorf("baseline %+v", doc.Baseline)
	}
	if len(doc.Failures) != 2 || doc.Failures[0].ID != "RM-STR-005" || doc.Failures[0].Actual != "CreateSequenceResponse" ||
		doc.Failures[1].Verdict != UnexpectedPass {
		t.Errorf("failures %+v", doc.Failures)
	}
	if len(doc.Results) != 8 || doc.Results[0].Wire[0].Content != envelope || doc.Results[7].Phase != "other" {
		t.Errorf("results %+v", doc.Results)
	}
}

func TestWriteMarkdown(t *testing.T) {
	run := sampleRun()
	run.SUT.Product = "Acme | RM <b>"
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, run, sampleBaseline()); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"**Result: FAIL**", "| Product | Acme \\| RM &lt;b&gt; 2.3 |", "## By phase", "| establish | 0 | 1 | 0 | 1 | 0 | 0 | 1 | 0 | 3 |",
		"## By level", "- New failures (not in the baseline): RM-STR-005", "- Unexpected passes (remove from the baseline): RM-CL-004",
		"## Failures (2)", "### RM-STR-005 — CreateSequence proves possession", "- **Expected:** wsrm:CreateSequenceRefused",
		"- **Actual:** CreateSequenceResponse", "problem: accepted a foreign key", "## SHOULD deviations (non-strict, 1)", "### SC-DKT-005",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("conformance.md lacks %q:\n%s", want, md)
		}
	}
	buf.Reset()
	if err := WriteMarkdown(&buf, &Run{}, nil); err != nil || strings.Contains(buf.String(), "## Baseline") ||
		!strings.Contains(buf.String(), "**Result: PASS** — 0 assertions: none") {
		t.Errorf("empty run: %v\n%s", err, buf.String())
	}
}

func TestWriteHTMLEscapesHostileContent(t *testing.T) {
	run := sampleRun()
	r := &run.Results[1]
	r.Actual = `<script>alert("actual")</script>`
	r.Title = `<img src=x onerror=alert(1)>`
	r.Wire[1].Content = `<s:Envelope xmlns:s="urn:s"><s:Body><x>&lt;script&gt;alert(2)&lt;/script&gt;</x></s:Body></s:Envelope>`
	r.Wire[1].File = `javascript:alert(3)`
	r.Wire[1].Problems = []string{`</pre><script>alert(4)</script>`}
	run.SUT.Product = `"><script>alert(5)</script>`
	var buf bytes.Buffer
	if err := WriteHTML(&buf, run, sampleBaseline()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(strings.ToLower(page), "<script") || strings.Contains(page, "<img") || strings.Contains(page, `href="javascript:`) {
		t.Errorf("hostile content not escaped:\n%s", page)
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;actual&#34;)&lt;/script&gt;", "&lt;img src=x", "#ZgotmplZ",
		`id="RM-STR-005"`, `class="a v-fail failing"`, `class="a v-expected-fail"`, "<details open>", "unexpected-pass",
		`href="evidence/SC-ISS-001/01-out.xml"`, "&lt;s:Envelope", "</style>"} {
		if !strings.Contains(page, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if strings.Contains(page, "<link") || strings.Contains(page, "src=\"http") || strings.Contains(page, "@import") {
		t.Error("index.html refers to external assets")
	}
}

func TestPrettyXML(t *testing.T) {
	got := prettyXML(envelope)
	if !strings.Contains(got, "\n  <s:Header>") || !strings.Contains(got, "<wsa:Action xmlns:wsa=") {
		t.Errorf("not indented with prefixes kept:\n%s", got)
	}
	if got := prettyXML("not <xml"); got != "not <xml" {
		t.Errorf("unparsable content changed: %q", got)
	}
	if prettyXML("  ") != "" {
		t.Error("blank content shown")
	}
	big := strings.Repeat("a", maxShown+10)
	if got := prettyXML(big); len(got) > maxShown+100 || !strings.Contains(got, "10 more bytes") {
		t.Errorf("big content not truncated: %d bytes", len(got))
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	paths, err := WriteAll(dir, sampleRun(), sampleBaseline())
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("paths %v", paths)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if st, _ := e.Info(); st.Mode().Perm() != 0o644 || st.Size() == 0 {
			t.Errorf("%s: mode %v size %d", e.Name(), st.Mode().Perm(), st.Size())
		}
	}
	if !slices.Equal(names, []string{JSONFile, MarkdownFile, HTMLFile, JUnitFile}) {
		t.Errorf("report dir holds %v", names)
	}
}

func TestWriteFileAtomicKeepsOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "junit.xml")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFileAtomic(p, func(w io.Writer) error {
		io.WriteString(w, "half")
		return errors.New("boom")
	})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("old file changed to %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
	if err := WriteFileAtomic(p, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("file is %q", b)
	}
}

// TestSUTLogLinked: a container SUT's log file is named in conformance.md and linked from
// index.html; a hostile name cannot become a script URL.
func TestSUTLogLinked(t *testing.T) {
	run := sampleRun()
	run.SUT.Log = "sut-container.log"
	var md, page bytes.Buffer
	if err := WriteMarkdown(&md, run, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&page, run, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| SUT log | sut-container.log |") {
		t.Errorf("conformance.md lacks the SUT log row:\n%s", md.String())
	}
	if !strings.Contains(page.String(), `<a href="sut-container.log">sut-container.log</a>`) {
		t.Error("index.html does not link the SUT log")
	}
	run.SUT.Log = "javascript:alert(1)"
	page.Reset()
	if err := WriteHTML(&page, run, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page.String(), `href="javascript:`) {
		t.Error("a script URL as SUT log")
	}
}
