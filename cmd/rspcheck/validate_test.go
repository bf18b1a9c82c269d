package main

import (
	"bytes"
	"github.com/rspcheck/rspcheck/internal/msgcheck"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/schemas"
)

func TestMain(m *testing.M) {
	if _, err := schemas.Dir(); err != nil {
		os.Stderr.WriteString("cmd/rspcheck tests need the official schemas: " + err.Error() + "\n")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func runCLI(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

var failLine = regexp.MustCompile(`^FAIL (.+):(\d+):(\d+): (\S+): (.+)$`)

func TestValidateGoldenAllPass(t *testing.T) {
	code, out, errs := runCLI(t, "", "validate", "../../fixtures/golden")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasSuffix(out, "114 passed, 0 failed\n") || len(lines) != 115 {
		t.Fatalf("unexpected output:\n%s", out)
	}
}

// brokenLabel reads the rspcheck-broken comment of a fixture.
var brokenLabel = regexp.MustCompile(`rspcheck-broken: element=(\S+) kind=(\w+)`)

// TestValidateBrokenEachFailsAtItsElement: every deliberately broken message fails, and a
// FAIL line names the element its comment says is at fault (the file, line, column,
// element and reason format included). A missing element is reported at its parent, with a
// reason that names it.
func TestValidateBrokenEachFailsAtItsElement(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/broken/*.xml")
	if len(files) < 25 {
		t.Fatalf("only %d broken fixtures", len(files))
	}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		label := brokenLabel.FindSubmatch(raw)
		wantEl := "-"
		if label != nil {
			wantEl = string(label[1])
		} else if len(bytes.TrimSpace(raw)) != 0 {
			t.Errorf("%s: no rspcheck-broken label", f)
			continue
		}
		code, out, errs := runCLI(t, "", "validate", f)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s%s", f, code, out, errs)
			continue
		}
		found := false
		for _, line := range strings.Split(out, "\n") {
			m := failLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			if m[1] != f {
				t.Errorf("%s: FAIL line names %s", f, m[1])
			}
			// The element itself, or — for a missing element, which has no position — its
			// parent with a reason that names it.
			local := wantEl[strings.IndexByte(wantEl, ':')+1:]
			if m[4] == wantEl || (wantEl != "-" && strings.Contains(m[5], local)) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no FAIL line at element %s:\n%s", f, wantEl, out)
		}
		if !strings.HasSuffix(out, "0 passed, 1 failed\n") {
			t.Errorf("%s: summary:\n%s", f, out)
		}
	}
}

func TestValidateUsageAndIO(t *testing.T) {
	if code, _, _ := runCLI(t, ""); code != 2 {
		t.Errorf("no command: exit %d", code)
	}
	if code, _, errs := runCLI(t, "", "validate"); code != 2 || !strings.Contains(errs, "FILE") {
		t.Errorf("no file: exit %d %s", code, errs)
	}
	if code, _, _ := runCLI(t, "", "validate", "--profile", "p99", "x.xml"); code != 2 {
		t.Errorf("bad profile: exit %d", code)
	}
	if code, _, errs := runCLI(t, "", "validate", "does-not-exist.xml"); code != 2 || !strings.Contains(errs, "does-not-exist.xml") {
		t.Errorf("missing file: exit %d %s", code, errs)
	}
	raw, _ := os.ReadFile("../../fixtures/golden/p11-soap12/app-message.xml")
	if code, out, _ := runCLI(t, string(raw), "validate", "-"); code != 0 || !strings.HasPrefix(out, "PASS -") {
		t.Errorf("stdin: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, "<not xml", "validate", "-"); code != 1 || !strings.Contains(out, "FAIL -:") {
		t.Errorf("garbage on stdin: exit %d\n%s", code, out)
	}
}

func TestValidateProfile(t *testing.T) {
	f := "../../fixtures/golden/p05/app-message.xml"
	if code, _, _ := runCLI(t, "", "validate", "--profile", "p05", f); code != 0 {
		t.Errorf("p05 message under p05: exit %d", code)
	}
	code, out, _ := runCLI(t, "", "validate", "--profile", "p11", f)
	if code != 1 || !strings.Contains(out, "belongs to profile p05") {
		t.Errorf("p05 message under p11: exit %d\n%s", code, out)
	}
}

// BenchmarkValidateSignedAppMessage: validations per second of a typical signed application
// message (official schemas + structural rules), the figure README quotes.
func BenchmarkValidateSignedAppMessage(b *testing.B) {
	raw, err := os.ReadFile("../../fixtures/golden/p11-soap12/app-message.xml")
	if err != nil {
		b.Fatal(err)
	}
	sv, err := schemas.Default()
	if err != nil {
		b.Fatal(err)
	}
	v := &msgcheck.Checker{Schema: sv, Profile: codec.ProfileAuto}
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ps := v.Check(raw); len(ps) != 0 {
			b.Fatal(ps)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "validations/s")
}
