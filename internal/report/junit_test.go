package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// junitShape is what the common JUnit schemas (Jenkins junit-10.xsd, the Ant schema that
// GitLab and most tools follow) allow: for each element, its permitted attributes (true =
// required) and children.
var junitShape = map[string]struct {
	attrs    map[string]bool
	children []string
}{
	"testsuites": {map[string]bool{"name": false, "tests": false, "failures": false, "errors": false, "skipped": false, "time": false, "timestamp": false, "disabled": false}, []string{"testsuite"}},
	"testsuite": {map[string]bool{"name": true, "tests": true, "failures": true, "errors": true, "skipped": false, "time": true, "timestamp": true, "hostname": true, "id": false, "package": false, "disabled": false},
		[]string{"properties", "testcase", "system-out", "system-err"}},
	"properties": {map[string]bool{}, []string{"property"}},
	"property":   {map[string]bool{"name": true, "value": true}, nil},
	"testcase":   {map[string]bool{"name": true, "classname": true, "time": false, "assertions": false, "status": false}, []string{"skipped", "error", "failure", "system-out", "system-err"}},
	"failure":    {map[string]bool{"message": false, "type": false}, nil},
	"skipped":    {map[string]bool{"message": false}, nil},
	"system-out": {map[string]bool{}, nil},
	"system-err": {map[string]bool{}, nil},
}

// checkShape walks the document and reports elements, attributes or nesting the schema
// does not allow, and missing required attributes.
func checkShape(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			name := el.Name.Local
			shape, ok := junitShape[name]
			if !ok {
				t.Errorf("element <%s> is not in the JUnit schema", name)
			}
			if len(stack) == 0 && name != "testsuites" {
				t.Errorf("root is <%s>", name)
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				allowed := false
				for _, c := range junitShape[parent].children {
					allowed = allowed || c == name
				}
				if !allowed {
					t.Errorf("<%s> inside <%s>", name, parent)
				}
			}
			seen := map[string]bool{}
			for _, a := range el.Attr {
				if _, ok := shape.attrs[a.Name.Local]; !ok {
					t.Errorf("<%s %s=...> is not in the schema", name, a.Name.Local)
				}
				seen[a.Name.Local] = true
			}
			for a, req := range shape.attrs {
				if req && !seen[a] {
					t.Errorf("<%s> lacks required attribute %s", name, a)
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

type parsedJUnit struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name     string  `xml:"name,attr"`
		Tests    int     `xml:"tests,attr"`
		Failures int     `xml:"failures,attr"`
		Errors   int     `xml:"errors,attr"`
		Skipped  int     `xml:"skipped,attr"`
		Time     float64 `xml:"time,attr"`
		Cases    []struct {
			Name      string  `xml:"name,attr"`
			Classname string  `xml:"classname,attr"`
			Time      float64 `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitShapeAndCounts(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, sampleRun(), sampleBaseline()); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Error("no XML declaration")
	}
	checkShape(t, data)
	var doc parsedJUnit
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	// counts: attributes agree with the children, per suite and in total
	tests, failures, skipped := 0, 0, 0
	for _, s := range doc.Suites {
		f, sk, sum := 0, 0, 0.0
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
			}
			if c.Skipped != nil {
				sk++
			}
			if c.Failure != nil && c.Skipped != nil {
				t.Errorf("%s is both failed and skipped", c.Name)
			}
			if c.Classname != s.Name || !strings.HasPrefix(c.Name, "[") {
				t.Errorf("case %q classname %q in suite %q", c.Name, c.Classname, s.Name)
			}
			sum += c.Time
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Skipped != sk || s.Errors != 0 {
			t.Errorf("suite %s: tests %d failures %d skipped %d errors %d; children %d %d %d",
				s.Name, s.Tests, s.Failures, s.Skipped, s.Errors, len(s.Cases), f, sk)
		}
		if d := s.Time - sum; d > 0.0015 || d < -0.0015 {
			t.Errorf("suite %s time %.3f, cases sum to %.3f", s.Name, s.Time, sum)
		}
		tests, failures, skipped = tests+s.Tests, failures+s.Failures, skipped+s.Skipped
	}
	if doc.Tests != tests || doc.Failures != failures || doc.Skipped != skipped || doc.Errors != 0 {
		t.Errorf("testsuites totals %d/%d/%d, suites sum to %d/%d/%d", doc.Tests, doc.Failures, doc.Skipped, tests, failures, skipped)
	}
	// the sample: 8 results, failures = RM-STR-005 (MUST) + RM-CL-004 (unexpected pass),
	// skipped = MC-001 (unsupported) + RM-CS-007 (expected) + X-NEW-001
	if doc.Tests != 8 || doc.Failures != 2 || doc.Skipped != 3 {
		t.Errorf("totals tests %d failures %d skipped %d, want 8 2 3", doc.Tests, doc.Failures, doc.Skipped)
	}
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "issuance,establish,transfer,security,closure,other" {
		t.Errorf("suites %v", names)
	}
	est := doc.Suites[1]
	c := est.Cases[0]
	if c.Name != "[RM-STR-005] CreateSequence proves possession" || c.Failure == nil || c.Failure.Type != "MUST" {
		t.Fatalf("RM-STR-005 case %+v", c)
	}
	for _, want := range []string{"requirement: signed with the SCT key", "expected: wsrm:CreateSequenceRefused", "actual: CreateSequenceResponse"} {
		if !strings.Contains(c.Failure.Message, want) {
			t.Errorf("failure message %q lacks %q", c.Failure.Message, want)
		}
		k, v, _ := strings.Cut(want, ": ")
		if !strings.Contains(c.Failure.Text, k+":") || !strings.Contains(c.Failure.Text, v) {
			t.Errorf("failure text %q lacks %q", c.Failure.Text, want)
		}
	}
	if !strings.Contains(c.SystemOut, "#2 in  CreateSequenceResponse") || !strings.Contains(c.SystemOut, "problem: accepted a foreign key") {
		t.Errorf("system-out %q", c.SystemOut)
	}
	if sk := est.Cases[2].Skipped; sk == nil || !strings.Contains(sk.Message, "expected failure (baseline): EPR check") {
		t.Errorf("expected failure %+v", est.Cases[2])
	}
	if f := doc.Suites[4].Cases[0].Failure; f == nil || f.Type != "baseline" || !strings.Contains(f.Message, "unexpected pass") {
		t.Errorf("unexpected pass %+v", doc.Suites[4].Cases[0])
	}
	if sk := doc.Suites[2].Cases[0].Skipped; sk == nil || sk.Message != "unsupported: MakeConnection" {
		t.Errorf("unsupported %+v", doc.Suites[2].Cases[0])
	}
	if out := doc.Suites[3].Cases[0].SystemOut; !strings.Contains(out, "verdict: non-strict") || doc.Suites[3].Cases[0].Failure != nil {
		t.Errorf("non-strict case %+v", doc.Suites[3].Cases[0])
	}
}

func TestJUnitStrictAndHostileText(t *testing.T) {
	run := sampleRun()
	run.Strict = true
	run.Results[2].Message = "bad \x00 control \x1b chars & <tags> \"quotes\""
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, run, nil); err != nil {
		t.Fatal(err)
	}
	checkShape(t, buf.Bytes())
	var doc parsedJUnit
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	// strict, no baseline: RM-STR-005, RM-CS-007 (MUST) and SC-DKT-005 (SHOULD) fail
	if doc.Failures != 3 || doc.Skipped != 2 {
		t.Errorf("strict: failures %d skipped %d, want 3 2", doc.Failures, doc.Skipped)
	}
	if f := doc.Suites[3].Cases[0].Failure; f == nil || f.Type != "SHOULD" || !strings.Contains(f.Text, "<tags>") {
		t.Errorf("strict SHOULD case %+v", doc.Suites[3].Cases[0])
	}
	if strconv.Itoa(doc.Tests) != "8" {
		t.Errorf("tests %d", doc.Tests)
	}
}
