package seed

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

// specPath finds ASSERTIONS.md: $RSPCHECK_ASSERTIONS_MD, /work/shared/spec, or shared/spec
// next to the repository (a checkout at X has the spec at X/../shared/spec; this package is
// X/internal/assertions/seed).
func specPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("RSPCHECK_ASSERTIONS_MD"), "/work/shared/spec/ASSERTIONS.md",
		filepath.Join("..", "..", "..", "..", "shared", "spec", "ASSERTIONS.md")}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("ASSERTIONS.md not found (tried $RSPCHECK_ASSERTIONS_MD, %s): cannot check catalogue.yaml against the generator",
		strings.Join(candidates[1:], ", "))
	return ""
}

// TestCatalogueMatchesGenerator is the drift check: the committed catalogue.yaml is exactly
// what the generator makes of ASSERTIONS.md.
func TestCatalogueMatchesGenerator(t *testing.T) {
	md, err := os.ReadFile(specPath(t))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(md)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Generate(md)
	if !bytes.Equal(want, again) {
		t.Fatal("the generator is not deterministic")
	}
	got, err := os.ReadFile(filepath.Join("..", "catalogue.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			if i >= len(gl) || i >= len(wl) || gl[i] != wl[i] {
				g, w := "", ""
				if i < len(gl) {
					g = gl[i]
				}
				if i < len(wl) {
					w = wl[i]
				}
				t.Fatalf("catalogue.yaml differs from the generator output at line %d:\n committed: %s\n generated: %s\n"+
					"run go generate ./internal/assertions (hand edits belong in ASSERTIONS.md or the seed rules)", i+1, g, w)
			}
		}
	}
}

func TestEveryHeadingBecomesAnEntry(t *testing.T) {
	md, err := os.ReadFile(specPath(t))
	if err != nil {
		t.Fatal(err)
	}
	list, err := Parse(md)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, a := range list {
		ids[a.ID] = true
	}
	fence := false
	for _, line := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if m := headRe.FindStringSubmatch(line); m != nil && !fence && !ids[m[1]] {
			t.Errorf("heading %s has no entry", m[1])
		}
		if m := rspRowRe.FindStringSubmatch(line); m != nil && !ids[m[1]] {
			t.Errorf("RSP row %s has no entry", m[1])
		}
	}
}

const sample = "# T\n\n```\n### <ID> — <short title>\n```\n\n## (c) Create\n\n" +
	"### RM-STR-099 — A sample (1.1/1.2 only)\n" +
	"Src: WS-RM 1.1 §6.1 and §3.4 (see §9) [R]; XSD element [S]; WCF R2305 [C via doc]\n" +
	"Level: MAY (send) / MUST (accept, WCF)   Role: RMS (send), RMD (check)\n" +
	"Rule: The STR goes\nafter AcksTo (RM-STR-001..003).\n" +
	"Test: (+) check it. (−) none. (−) put it in the Offer. Fault: `wsrm:CreateSequenceRefused` [C].\n" +
	"Note: a note.\n\n---\n\n## (k) RSP\n\n| ID | Content | Evidence |\n|---|---|---|\n" +
	"| RSP-R0010 | An RMS must tolerate it. | [C] Metro; wording [U] |\n\n" +
	"* RSP-UNC-01: an RMS that scopes (RM-STR-099), referencing\n  an SCT.\n* RSP-UNC-02: all messages signed; more.\n\n" +
	"## (l) Peers\n\n### PEER-X-001 — X client in P05\nSrc: dotnet/wcf defaults [C]   Level: INFO\nRule: Expect things.\n"

func TestParseSample(t *testing.T) {
	list, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 {
		t.Fatalf("%d entries, want 5: %+v", len(list), list)
	}
	a := list[0]
	check := func(what string, got, want any) {
		t.Helper()
		if !slices.Equal([]any{got}, []any{want}) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	check("title", a.Title, "A sample (1.1/1.2 only)")
	check("spec", a.Spec, "WS-RM 1.1")
	check("section", a.Section, "6.1, 3.4")
	check("level", a.Level, assertions.MUST)
	check("profile", a.Profile, true)
	check("level_text", a.LevelText, "MAY (send) / MUST (accept, WCF)")
	check("roles", strings.Join([]string{string(a.Roles[0]), string(a.Roles[1])}, ","), "initiator,responder")
	check("phase", a.Phase, assertions.Establish)
	check("evidence", strings.Join(a.Evidence, ""), "SCR")
	check("requirement", a.Requirement, "The STR goes after AcksTo (RM-STR-001..003).")
	check("positive", strings.Join(a.Positive, "|"), "check it.")
	check("negative", strings.Join(a.Negative, "|"), "put it in the Offer.")
	check("fault", a.Fault, "`wsrm:CreateSequenceRefused` [C].")
	check("fault codes", strings.Join(a.FaultCodes, ","), "wsrm:CreateSequenceRefused")
	check("note", a.Note, "a note.")
	check("profiles", strings.Join(a.Profiles, ","), "P11")
	check("versions", strings.Join(a.Versions, ","), "1.1,1.2")
	check("see also (only known IDs)", len(a.SeeAlso), 0)

	r := list[1]
	check("rsp id", r.ID, "RSP-R0010")
	check("rsp level", r.Level, assertions.MUST)
	check("rsp evidence", strings.Join(r.Evidence, ""), "CU")
	check("rsp profile", r.Profile, true)
	u := list[2]
	check("unc requirement", u.Requirement, "an RMS that scopes (RM-STR-099), referencing an SCT.")
	check("unc title", u.Title, "An RMS that scopes")
	check("unc see also", strings.Join(u.SeeAlso, ","), "RM-STR-099")
	check("unc testable", u.Testable, false)
	check("unc roles", len(u.Roles), 1)
	check("unc2 title", list[3].Title, "All messages signed")
	p := list[4]
	check("peer level", p.Level, assertions.INFO)
	check("peer phase", p.Phase, assertions.Establish)
	check("peer testable", p.Testable, false)
	check("peer spec", p.Spec, "WCF")
	check("peer profiles", strings.Join(p.Profiles, ","), "P05")
	check("peer roles", len(p.Roles), 2)
}

func TestParseErrors(t *testing.T) {
	for name, md := range map[string]string{
		"no level":   "## (a) A\n### SC-X-001 — t\nSrc: WS-SC 1.3 §1 [R]\nRule: r\n",
		"no rule":    "## (a) A\n### SC-X-001 — t\nSrc: WS-SC 1.3 §1 [R]   Level: MUST   Role: STS\n",
		"stray text": "## (a) A\n### SC-X-001 — t\nSrc: x Level: MUST\nRule: r\n\nstray\n",
		"no group":   "### SC-X-001 — t\nSrc: x Level: MUST\nRule: r\n",
		"bad head":   "## (a) A\n### SC-X-001 - t\n",
	} {
		if _, err := Parse([]byte(md)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLevelMapping(t *testing.T) {
	for in, want := range map[string]struct {
		l assertions.Level
		p bool
	}{
		"MUST":    {assertions.MUST, false},
		"PROFILE": {assertions.MUST, true},
		"SHOULD (spec) / MUST (Microsoft profile)":    {assertions.MUST, true},
		"MUST (profile) / SHOULD (WS-RM)":             {assertions.MUST, true},
		"MAY (issuer) / SHOULD (use them when given)": {assertions.SHOULD, false},
		"SHOULD/MUST per assurance":                   {assertions.MUST, false},
		"MUST (1.1 None) / INFO (WCF P05)":            {assertions.MUST, false},
		"MUST (P05)":                                  {assertions.MUST, false},
		"INFO (IBM behaviour)":                        {assertions.INFO, false},
		"MUST (reject) / [U] (fault code)":            {assertions.MUST, false},
		"SHOULD (profile)":                            {assertions.SHOULD, true},
	} {
		l, p := mapLevel(in)
		if l != want.l || p != want.p {
			t.Errorf("mapLevel(%q) = %s %v, want %s %v", in, l, p, want.l, want.p)
		}
	}
}

func TestCitation(t *testing.T) {
	for _, tc := range []struct{ id, src, spec, section string }{
		{"SC-ISS-002", "WS-Trust/WS-SC namespace rules [R]; WCF pairs [C]", "WS-Trust", ""},
		{"SC-CNL-001", "WS-SC 1.3 §6 [C — quoted in MS-LWSSP §2.2.2.1.4]; WS-Trust 1.3 §6 [R]", "WS-SC 1.3", "6"},
		{"SC-ISS-010", "WS-Trust 1.3 §4.4.3–§4.4.4 [R][C]", "WS-Trust 1.3", "4.4.3–4.4.4"},
		{"RM-CS-006", "XSD enumeration [S]; WCF CSRefused [C]", "WS-RM 1.1", "XSD"},
		{"RM-CS-005", "Metro (WSRM1137 → CreateSequenceRefused) [C]; spec [U]", "Metro", ""},
		{"RM-SEQ-007", "WCF R1113 (1.1 doc), R1109 (1.0 doc) [C]", "WCF", "R1113, R1109"},
		{"RM-SEQ-008", "derived from WSS-002 and RM-STR-008 [R/U]", "WS-RM 1.1", ""},
		{"SC-RNW-003", "derived from WS-RM 1.1 §6.1 (x) + WS-SC Identifier semantics [R/U]", "WS-RM 1.1", "6.1"},
		{"MC-001", "WS-MakeConnection 1.1 [R]; WS-I RSP 1.0 R2100 [C]", "WS-MC 1.1", ""},
		{"RM-CSR-003", "WS-I RSP 1.0 **R0010, R0011** (numbers) [C/U]", "WS-I RSP 1.0", "R0010, R0011"},
	} {
		spec, section := citation(tc.id, clean(tc.src))
		if spec != tc.spec || section != tc.section {
			t.Errorf("citation(%s) = %q %q, want %q %q", tc.src, spec, section, tc.spec, tc.section)
		}
	}
}
