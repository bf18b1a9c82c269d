package schemas

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgreesWithXmllint cross-checks the verdicts of ValidateElement with an independent
// run of xmllint (libxml2-utils, installed by CI) over the same driver schema and catalog,
// with network access disabled. The Envelope requirement is Validate's own addition, so
// ValidateElement is the comparable verdict.
func TestAgreesWithXmllint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint not found: install libxml2-utils (CI installs it)")
	}
	entries, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	driver := filepath.Join(t.TempDir(), "driver.xsd")
	if err := os.WriteFile(driver, driverSchema(entries), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range validationCases {
		name := filepath.Join("testdata", tc.file)
		cmd := exec.Command(xmllint, "--nonet", "--noout", "--schema", driver, name)
		cmd.Env = append(os.Environ(), "XML_CATALOG_FILES="+filepath.Join(testDir, "catalog.xml"))
		out, err := cmd.CombinedOutput()
		lintValid := err == nil
		if !lintValid {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
				t.Fatalf("%s: xmllint: %v\n%s", tc.file, err, out)
			}
		}
		if strings.Contains(string(out), "network") {
			t.Errorf("%s: xmllint tried the network:\n%s", tc.file, out)
		}
		ours := testValidator.ValidateElement(readTestdata(t, tc.file))
		if (ours == nil) != lintValid {
			t.Errorf("%s: ValidateElement %v, xmllint valid=%v:\n%s", tc.file, ours, lintValid, out)
		}
	}
}
