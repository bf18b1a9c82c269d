// Package seed turns spec/ASSERTIONS.md into catalogue.yaml: it parses the "### ID — title"
// entries (Src/Level/Role/Rule/Test/Fault/Note lines), the WS-I RSP table and the unnumbered
// RSP notes of section (k), and maps them onto the catalogue's vocabulary (rules.go). The
// output is deterministic, so that a test can check the committed catalogue against it.
package seed

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

// SourceName is how the catalogue names its source document.
const SourceName = "spec/ASSERTIONS.md"

// Generate parses ASSERTIONS.md, validates the result as a catalogue and renders it as
// catalogue.yaml.
func Generate(md []byte) ([]byte, error) {
	list, err := Parse(md)
	if err != nil {
		return nil, err
	}
	if _, err := assertions.New(list); err != nil {
		return nil, err
	}
	return Render(list)
}

// header is the comment at the top of catalogue.yaml.
const header = `# The rspcheck assertion catalogue: the single source of assertion IDs (internal/assertions).
# Seeded from spec/ASSERTIONS.md by internal/assertions/gen (go generate ./internal/assertions);
# a test fails when this file and the generator's output drift apart, so change ASSERTIONS.md or
# the mapping rules and overrides in internal/assertions/seed, then regenerate.
# Field meanings: internal/assertions/assertions.go (type Assertion).
`

// Render writes the catalogue.yaml form of a list of assertions.
func Render(list []assertions.Assertion) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(assertions.File{Format: 1, Source: SourceName, Assertions: list}); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return buf.Bytes(), nil
}

// entry is one "### ID — title" block before mapping.
type entry struct {
	id, title, group string
	line             int
	fields           map[string]string // Src (with Level and Role), Rule, Test, Fault, Note
}

var (
	groupRe  = regexp.MustCompile(`^## \(([a-z])\)`)
	headRe   = regexp.MustCompile(`^### ([A-Z][A-Z0-9-]+) — (.+)$`)
	fieldRe  = regexp.MustCompile(`^(Src|Level|Role|Rule|Test|Fault|Note):\s*(.*)$`)
	rspRowRe = regexp.MustCompile(`^\|\s*(RSP-R\d{4})\s*\|(.*)\|(.*)\|\s*$`)
	uncRe    = regexp.MustCompile(`^\* (RSP-UNC-\d+): (.*)$`)
)

// Parse reads ASSERTIONS.md and returns its entries in document order: the headed entries,
// then (in their place in section (k)) the RSP table rows and the unnumbered RSP notes.
func Parse(md []byte) ([]assertions.Assertion, error) {
	lines := strings.Split(strings.ReplaceAll(string(md), "\r\n", "\n"), "\n")
	var (
		out     []assertions.Assertion
		cur     *entry
		field   string
		group   string
		fence   bool
		unc     *assertions.Assertion
		errs    []string
		flushed = func() {
			if cur != nil {
				a, err := mapEntry(cur)
				if err != nil {
					errs = append(errs, err.Error())
				} else {
					out = append(out, a)
				}
			}
			if unc != nil {
				unc.SeeAlso = mentions(unc.ID, unc.Requirement)
				out = append(out, *unc)
			}
			cur, unc, field = nil, nil, ""
		}
	)
	for i, raw := range lines {
		line := strings.TrimRight(raw, " \t")
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		if fence {
			continue
		}
		switch {
		case strings.HasPrefix(line, "## "):
			flushed()
			group = ""
			if m := groupRe.FindStringSubmatch(line); m != nil {
				group = m[1]
			}
			continue
		case line == "---":
			flushed()
			continue
		case strings.HasPrefix(line, "### "):
			flushed()
			m := headRe.FindStringSubmatch(line)
			if m == nil {
				errs = append(errs, fmt.Sprintf("line %d: heading is not '### ID — title': %q", i+1, line))
				continue
			}
			if group == "" {
				errs = append(errs, fmt.Sprintf("line %d: %s outside a lettered section", i+1, m[1]))
			}
			cur = &entry{id: m[1], title: clean(m[2]), group: group, line: i + 1, fields: map[string]string{}}
			continue
		}
		if m := rspRowRe.FindStringSubmatch(line); m != nil && group == "k" {
			flushed()
			out = append(out, rspRow(m[1], clean(m[2]), clean(m[3])))
			continue
		}
		if m := uncRe.FindStringSubmatch(line); m != nil && group == "k" {
			flushed()
			a := rspNote(m[1], clean(m[2]))
			unc = &a
			continue
		}
		if unc != nil {
			if t := strings.TrimSpace(line); t != "" && strings.HasPrefix(raw, " ") {
				unc.Requirement = clean(unc.Requirement + " " + t)
				continue
			}
			flushed()
			continue
		}
		if cur == nil {
			continue
		}
		if strings.TrimSpace(line) == "" {
			field = ""
			continue
		}
		if m := fieldRe.FindStringSubmatch(line); m != nil {
			field = m[1]
			if field == "Level" || field == "Role" { // a wrapped Src header
				cur.fields["Src"] += " " + line
				field = "Src"
				continue
			}
			cur.fields[field] = strings.TrimSpace(cur.fields[field] + " " + m[2])
			continue
		}
		if field == "" {
			errs = append(errs, fmt.Sprintf("line %d: %s: text outside a field: %q", i+1, cur.id, line))
			continue
		}
		cur.fields[field] += " " + strings.TrimSpace(line)
	}
	flushed()
	resolveMentions(out)
	markUntested(out)
	if len(errs) > 0 {
		return nil, fmt.Errorf("seed: %s", strings.Join(errs, "\n"))
	}
	return out, nil
}

// clean collapses white space and drops Markdown bold markers.
func clean(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "**", "")), " ")
}

// mapEntry maps a headed entry onto an assertion.
func mapEntry(e *entry) (assertions.Assertion, error) {
	hdr := clean(e.fields["Src"])
	src, level, role, err := splitHeader(hdr)
	if err != nil {
		return assertions.Assertion{}, fmt.Errorf("line %d: %s: %v", e.line, e.id, err)
	}
	rule := clean(e.fields["Rule"])
	if rule == "" {
		return assertions.Assertion{}, fmt.Errorf("line %d: %s: no Rule", e.line, e.id)
	}
	test, fault := clean(e.fields["Test"]), clean(e.fields["Fault"])
	if i := strings.Index(test, " Fault: "); i >= 0 { // "Test: (−) ... Fault: `wsrm:...`"
		if fault == "" {
			fault = strings.TrimSpace(test[i+len(" Fault: "):])
		}
		test = strings.TrimSpace(test[:i])
	}
	a := assertions.Assertion{
		ID:          e.id,
		Title:       e.title,
		Source:      src,
		Evidence:    evidence(src + " " + level),
		Phase:       groupPhase[e.group],
		Requirement: rule,
		Fault:       fault,
		FaultCodes:  faultCodes(fault),
		Note:        clean(e.fields["Note"]),
		Testable:    !strings.HasPrefix(e.id, "PEER-"),
	}
	a.Level, a.Profile = mapLevel(level)
	if level != string(a.Level) {
		a.LevelText = level
	}
	a.Roles = mapRoles(role)
	if strings.Trim(roleWordRe.ReplaceAllString(role, ""), " ,/") != "" {
		a.RoleText = role // it says more than the roles ("RMS (send), RMD (check)")
	}
	a.Positive, a.Negative, a.TestNote = splitTest(test)
	a.Spec, a.Section = citation(e.id, src)
	a.Profiles = profilesOf(e.id, e.title, level, rule)
	a.Versions = versionsOf(a.Spec, a.Profiles)
	a.SeeAlso = mentions(e.id, strings.Join([]string{src, rule, test, fault, a.Note}, " "))
	return a, nil
}

// splitHeader splits "Src: ... Level: ... Role: ..." into its three parts.
func splitHeader(h string) (src, level, role string, err error) {
	h = strings.TrimPrefix(h, "Src:")
	il := strings.Index(h, "Level:")
	if il < 0 {
		return "", "", "", fmt.Errorf("no Level in %q", h)
	}
	src, rest := strings.TrimSpace(h[:il]), h[il+len("Level:"):]
	level = strings.TrimSpace(rest)
	if ir := strings.Index(rest, "Role:"); ir >= 0 {
		level, role = strings.TrimSpace(rest[:ir]), strings.TrimSpace(rest[ir+len("Role:"):])
	}
	if src == "" || level == "" {
		return "", "", "", fmt.Errorf("empty Src or Level in %q", h)
	}
	return src, level, role, nil
}

var testMarkRe = regexp.MustCompile(`\((\+|−|-|−/INFO)\)`)

// splitTest splits "(+) a (−) b (−) c" into positive and negative ideas; text before the
// first marker is a note. "(−) none." is dropped.
func splitTest(t string) (pos, neg []string, note string) {
	marks := testMarkRe.FindAllStringSubmatchIndex(t, -1)
	if len(marks) == 0 {
		return nil, nil, t
	}
	note = strings.TrimSpace(t[:marks[0][0]])
	for i, m := range marks {
		end := len(t)
		if i+1 < len(marks) {
			end = marks[i+1][0]
		}
		text := strings.TrimSpace(t[m[1]:end])
		if text == "" || strings.EqualFold(strings.TrimSuffix(text, "."), "none") {
			continue
		}
		if t[m[2]:m[3]] == "+" {
			pos = append(pos, text)
		} else {
			neg = append(neg, text)
		}
	}
	return pos, neg, note
}

var tagRe = regexp.MustCompile(`\[([^\]]*)\]`)

// evidence collects the evidence tags ([S], [C], [R], [U], also "[R/U]", "[C via ...]") of a
// citation, in the order S, C, R, U.
func evidence(s string) []string {
	have := map[string]bool{}
	for _, m := range tagRe.FindAllStringSubmatch(s, -1) {
		lead, _, _ := strings.Cut(strings.TrimSpace(m[1]), " ")
		for _, t := range strings.Split(lead, "/") {
			if len(t) == 1 && strings.Contains("SCRU", t) {
				have[t] = true
			}
		}
	}
	var out []string
	for _, t := range []string{"S", "C", "R", "U"} {
		if have[t] {
			out = append(out, t)
		}
	}
	return out
}

var (
	faultRe = regexp.MustCompile(`\b(wsrm|wsa|wst|wsc|wsse|wsse11|wsmc|env|soap|netrm):([A-Z][A-Za-z]*)`)
	// detail and header elements that appear in fault texts without being fault codes
	notFault = map[string]bool{"Identifier": true, "MaxMessageNumber": true, "SequenceAcknowledgement": true,
		"ProblemHeaderQName": true, "ProblemAction": true, "NotUnderstood": true, "UsesSequenceSTR": true,
		"SequenceFault": true, "FaultCode": true, "Detail": true}
)

// faultCodes lists the fault QNames a fault text names, in order of appearance.
func faultCodes(f string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range faultRe.FindAllStringSubmatch(f, -1) {
		if q := m[0]; !notFault[m[2]] && !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	return out
}

var (
	idRe = regexp.MustCompile(`\b(?:SC|RM|WSS|WSA|MC|RSP|PEER)(?:-[A-Z]+)*-(\d{3}|R\d{4}|\*)(?:\.\.(\d{3}))?`)
)

// mentions lists the entry IDs a text refers to ("see RM-STR-009", "RM-STR-001..003",
// "SC-DKT-*"), in order of appearance, without self. Only IDs of the form used by headed
// entries are kept; the seed drops those that the catalogue lacks.
func mentions(self, text string) []string {
	var out []string
	seen := map[string]bool{self: true}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, m := range idRe.FindAllStringSubmatch(text, -1) {
		id, num, upto := m[0], m[1], m[2]
		switch {
		case num == "*":
			add(id) // expanded against the catalogue by expandMentions
		case upto != "":
			prefix := strings.TrimSuffix(id[:strings.Index(id, "..")], num)
			var lo, hi int
			fmt.Sscanf(num, "%d", &lo)
			fmt.Sscanf(upto, "%d", &hi)
			for n := lo; n <= hi && n-lo < 50; n++ {
				add(fmt.Sprintf("%s%03d", prefix, n))
			}
		default:
			add(id)
		}
	}
	return out
}
