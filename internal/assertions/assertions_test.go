package assertions

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestLoadEmbedded(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c2, _ := Load(); c2 != c {
		t.Error("Load is not cached")
	}
	// 126 headed assertions, 5 PEER notes, 7 WS-I RSP requirements, 5 RSP notes
	if c.Len() != 143 {
		t.Errorf("catalogue has %d entries, want 143", c.Len())
	}
	testable := c.Filter(func(a Assertion) bool { return a.Testable })
	// ASSERTIONS.md: 126 + 7 RSP, less the 10 the suite cannot exercise (MakeConnection, policy)
	if len(testable) != 123 {
		t.Errorf("%d testable entries, want 123 (ASSERTIONS.md: 126 + 7 RSP - 10 untested)", len(testable))
	}
	for _, a := range c.All() {
		if a.Untested != "" && a.Testable {
			t.Errorf("%s: untested (%s) but testable", a.ID, a.Untested)
		}
	}
	for _, id := range []string{"MC-001", "RSP-R2103", "RM-POL-001", "RM-STR-012"} {
		if a, _ := c.Get(id); a.Testable || a.Untested == "" {
			t.Errorf("%s: testable %v, untested %q; want an untested reason", id, a.Testable, a.Untested)
		}
	}
	total := 0
	for _, p := range Phases {
		n := len(c.ByPhase(p))
		if n == 0 {
			t.Errorf("phase %s is empty", p)
		}
		total += n
	}
	if total != c.Len() {
		t.Errorf("phases hold %d entries, catalogue %d", total, c.Len())
	}
	for _, a := range c.All() {
		if strings.HasPrefix(a.ID, "PEER-") || strings.HasPrefix(a.ID, "RSP-UNC-") {
			if a.Testable {
				t.Errorf("%s is a note but testable", a.ID)
			}
			if a.ID[0] == 'P' && (a.Level != INFO || a.Phase != Establish) {
				t.Errorf("%s: level %s phase %s, want INFO establish", a.ID, a.Level, a.Phase)
			}
		}
	}
}

func TestGetKnownEntries(t *testing.T) {
	c := MustLoad()
	for _, tc := range []struct {
		id       string
		level    Level
		phase    Phase
		roles    []Role
		spec     string
		profiles []string
		profile  bool
	}{
		{"SC-ISS-001", MUST, Issuance, []Role{Initiator}, "WS-SC 1.3", []string{P11, P05}, false},
		{"RM-STR-003", MUST, Establish, []Role{Initiator}, "WS-RM 1.1", []string{P11}, false},
		{"RM-STR-007", MUST, Establish, []Role{Responder}, "WCF", []string{P11, P05}, true},
		{"RM-SEQ-006", MUST, Transfer, []Role{Initiator, Responder}, "WS-RM 2005/02", []string{P05}, false},
		{"RM-CL-001", SHOULD, Closure, []Role{Initiator}, "WS-RM 1.1", []string{P11}, false},
		{"SC-DKT-006", MUST, Security, []Role{Responder}, "WS-SC 1.3", []string{P11, P05}, false},
		{"RM-PER-006", MUST, Recovery, []Role{Initiator, Responder, Issuer}, "WCF", []string{P11, P05}, true},
		{"WSA-001", MUST, Transfer, []Role{Initiator, Responder}, "WS-Addressing 1.0", []string{P11, P05}, false},
		{"RSP-R0540", MUST, Transfer, []Role{Initiator, Responder}, "WS-I RSP 1.0", []string{P11}, true},
		{"RSP-R0011", MAY, Establish, []Role{Responder}, "WS-I RSP 1.0", []string{P11}, true},
		{"PEER-WCF-001", INFO, Establish, []Role{Initiator, Responder}, "WCF", []string{P05}, false},
	} {
		a, ok := c.Get(tc.id)
		if !ok {
			t.Errorf("%s missing", tc.id)
			continue
		}
		if a.Level != tc.level || a.Phase != tc.phase || !slices.Equal(a.Roles, tc.roles) || a.Spec != tc.spec ||
			!slices.Equal(a.Profiles, tc.profiles) || a.Profile != tc.profile {
			t.Errorf("%s: level %s phase %s roles %v spec %q profiles %v profile %v; want %s %s %v %q %v %v",
				tc.id, a.Level, a.Phase, a.Roles, a.Spec, a.Profiles, a.Profile,
				tc.level, tc.phase, tc.roles, tc.spec, tc.profiles, tc.profile)
		}
	}
	if _, ok := c.Get("RM-STR-999"); ok {
		t.Error("Get found an unknown ID")
	}
	a, _ := c.Get("RM-STR-005")
	if !slices.Equal(a.FaultCodes[:1], []string{"wsrm:CreateSequenceRefused"}) || len(a.Negative) == 0 || len(a.Positive) == 0 {
		t.Errorf("RM-STR-005 test ideas or faults not parsed: %+v", a)
	}
}

func TestAllIsACopy(t *testing.T) {
	c := MustLoad()
	all := c.All()
	all[0].ID = "CHANGED"
	if c.All()[0].ID == "CHANGED" {
		t.Error("All exposes the catalogue's slice")
	}
}

const okEntry = `
  - id: RM-X-001
    title: a title
    spec: WS-RM 1.1
    source: WS-RM 1.1 §1 [R]
    evidence: [R]
    level: MUST
    roles: [responder]
    phase: transfer
    requirement: something holds
    profiles: [P11]
    testable: true
`

func TestParseValidates(t *testing.T) {
	if _, err := Parse([]byte("format: 1\nassertions:" + okEntry)); err != nil {
		t.Fatalf("valid catalogue refused: %v", err)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"duplicate", okEntry + okEntry, "duplicate ID"},
		{"level", strings.Replace(okEntry, "level: MUST", "level: MUSTN'T", 1), "unknown level"},
		{"role", strings.Replace(okEntry, "[responder]", "[RMD]", 1), "unknown role"},
		{"no role", strings.Replace(okEntry, "[responder]", "[]", 1), "no roles"},
		{"phase", strings.Replace(okEntry, "phase: transfer", "phase: teardown", 1), "unknown phase"},
		{"requirement", strings.Replace(okEntry, "requirement: something holds", "requirement: ' '", 1), "empty requirement"},
		{"profile", strings.Replace(okEntry, "[P11]", "[P12]", 1), "unknown profile"},
		{"evidence", strings.Replace(okEntry, "evidence: [R]", "evidence: [X]", 1), "unknown evidence"},
		{"id", strings.Replace(okEntry, "RM-X-001", "rm x 1", 1), "ID is not"},
		{"label", strings.Replace(okEntry, "spec: WS-RM 1.1", "spec: '/'", 1), "label"},
		{"unknown field", okEntry + "    colour: red\n", "colour"},
		{"empty", "", "no assertions"},
	} {
		_, err := Parse([]byte("format: 1\nassertions:" + tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestLabels(t *testing.T) {
	c := MustLoad()
	got := c.Labels("RM-STR-005")
	want := []string{"id:RM-STR-005", "spec:WS-RM-1.1", "phase:establish", "level:MUST",
		"role:initiator", "role:responder", "profile:P11", "profile:P05"}
	if !slices.Equal(got, want) {
		t.Errorf("Labels(RM-STR-005) = %v, want %v", got, want)
	}
	if l := c.Labels("RM-SEQ-006"); !slices.Contains(l, "spec:WS-RM-2005-02") {
		t.Errorf("2005/02 not sanitised: %v", l)
	}
	if l := c.Labels("RM-STR-007"); !slices.Contains(l, "profile-level") {
		t.Errorf("profile-level label missing: %v", l)
	}
	if c.Labels("NOPE-001") != nil {
		t.Error("labels for an unknown ID")
	}
	for _, a := range c.All() {
		for _, l := range c.Labels(a.ID) {
			if err := ValidateLabel(l); err != nil {
				t.Errorf("%s: %v", a.ID, err)
			}
		}
	}
}

func TestValidateLabel(t *testing.T) {
	for _, l := range []string{"id:RM-STR-001", "fast", "spec:WS-RM-1.1", "a:b:c"} {
		if err := ValidateLabel(l); err != nil {
			t.Errorf("%q refused: %v", l, err)
		}
	}
	for _, l := range []string{"", " ", "a&b", "a|b", "!a", "a,b", "(a)", "a/b", ":a", "a:", " a"} {
		if ValidateLabel(l) == nil {
			t.Errorf("%q accepted", l)
		}
	}
	for in, want := range map[string]string{
		"WS-RM 2005/02": "WS-RM-2005-02", "IBM WebSphere": "IBM-WebSphere", " a (b) ": "a-b", "x": "x",
	} {
		if got := LabelValue(in); got != want {
			t.Errorf("LabelValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckUsage(t *testing.T) {
	c, err := Parse([]byte("format: 1\nassertions:" + okEntry +
		strings.ReplaceAll(okEntry, "RM-X-001", "RM-X-002") +
		strings.ReplaceAll(strings.ReplaceAll(okEntry, "RM-X-001", "RM-X-003"), "testable: true", "testable: false")))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckUsage([]string{"RM-X-001", "RM-X-002"}); err != nil {
		t.Errorf("complete usage: %v", err)
	}
	if err := c.CheckUsage([]string{"RM-X-001", "RM-X-002", "RM-X-003"}); err != nil {
		t.Errorf("using a non-testable entry is allowed: %v", err)
	}
	err = c.CheckUsage([]string{"RM-X-001", "RM-Y-001", "RM-X-001", "RM-X-001", "RM-Y-001"})
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want a *UsageError", err)
	}
	if !slices.Equal(ue.Unknown, []string{"RM-Y-001"}) || !slices.Equal(ue.Duplicate, []string{"RM-X-001", "RM-Y-001"}) ||
		!slices.Equal(ue.Uncovered, []string{"RM-X-002"}) || !ue.Invalid() {
		t.Errorf("usage error %+v", ue)
	}
	for _, s := range []string{"unknown", "RM-Y-001", "more than one", "without a spec", "RM-X-002"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	err = c.CheckUsage([]string{"RM-X-001"})
	if !errors.As(err, &ue) || ue.Invalid() || !slices.Equal(ue.Uncovered, []string{"RM-X-002"}) {
		t.Errorf("incomplete usage: %v", err)
	}
}

func TestParsePhaseLevel(t *testing.T) {
	if p, err := ParsePhase("Establish"); err != nil || p != Establish {
		t.Errorf("ParsePhase: %v %v", p, err)
	}
	if _, err := ParsePhase("teardown"); err == nil {
		t.Error("unknown phase accepted")
	}
	if l, err := ParseLevel("should"); err != nil || l != SHOULD {
		t.Errorf("ParseLevel: %v %v", l, err)
	}
	if _, err := ParseLevel("PROFILE"); err == nil {
		t.Error("PROFILE is not a catalogue level")
	}
}
