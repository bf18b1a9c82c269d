package schemas

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests run install.sh (bash, sed, sha256sum) with SCHEMAS_FROM always set, so they
// never touch the network.

// makeSource builds a SCHEMAS_FROM tree with the published files: the installed ones, with
// the WS-Trust 1.3 erratum undone.
func makeSource(t *testing.T) string {
	t.Helper()
	entries, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(testDir, filepath.FromSlash(e.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if e.Erratum != "" {
			b = unpatchWSTrust(t, b)
		}
		writeFile(t, filepath.Join(src, filepath.FromSlash(e.Path)), b)
	}
	return src
}

// runInstall runs the install script found in scriptDir (default: this package) and returns
// its combined output.
func runInstall(t *testing.T, scriptDir, from, dest string) (string, error) {
	t.Helper()
	if scriptDir == "" {
		scriptDir = "."
	}
	cmd := exec.Command("bash", filepath.Join(scriptDir, "install.sh"))
	cmd.Env = append(os.Environ(), "SCHEMAS_FROM="+from, "SCHEMAS_DIR="+dest)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestInstallScript(t *testing.T) {
	src := makeSource(t)
	dest := filepath.Join(t.TempDir(), "official")
	for run := 1; run <= 2; run++ { // the second run replaces the first installation
		out, err := runInstall(t, "", src, dest)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		if !strings.Contains(out, "24 files installed into "+dest) || !strings.Contains(out, "errata/ws-trust-1.3-namespace.sed") {
			t.Errorf("run %d: summary: %q", run, out)
		}
		assertNoLeftovers(t, filepath.Dir(dest))
	}
	entries, _ := Manifest()
	if _, err := checkInstalled(dest, entries); err != nil {
		t.Fatalf("installed tree does not match MANIFEST: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dest, wstPath))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := digest(b), wstEntry(t).InstalledSHA256; got != want {
		t.Errorf("erratum result: sha256 %s, want %s", got, want)
	}
	v, err := Load(dest)
	if err != nil {
		t.Fatalf("Load(fresh installation): %v", err)
	}
	if p := v.Validate(readTestdata(t, "p11-rst-bad-keysize.xml")); len(p) != 1 {
		t.Errorf("fresh installation: %v", p)
	}
}

func TestInstallStopsOnCorruptedFile(t *testing.T) {
	src := makeSource(t)
	dest := filepath.Join(t.TempDir(), "official")
	writeFile(t, filepath.Join(dest, "marker"), []byte("previous installation"))
	name := filepath.Join(src, "xmlenc", "xenc-schema.xsd")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	writeFile(t, name, b)

	out, err := runInstall(t, "", src, dest)
	if err == nil {
		t.Fatalf("install accepted a corrupted file:\n%s", out)
	}
	for _, want := range []string{"xmlenc/xenc-schema.xsd", "expected 5dd57f074870e1d91f7eb814aa92967cefcce9011a86adf5e12a769fcf2a237e", "got " + digest(b)} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q does not contain %q", out, want)
		}
	}
	assertUntouched(t, dest)
}

func TestInstallStopsOnMissingFile(t *testing.T) {
	src := makeSource(t)
	dest := filepath.Join(t.TempDir(), "official")
	writeFile(t, filepath.Join(dest, "marker"), []byte("previous installation"))
	if err := os.Remove(filepath.Join(src, "wsmc", "wsmc-1.1-schema-200702.xsd")); err != nil {
		t.Fatal(err)
	}
	out, err := runInstall(t, "", src, dest)
	if err == nil || !strings.Contains(out, "missing file wsmc/wsmc-1.1-schema-200702.xsd") {
		t.Fatalf("err = %v, output %q", err, out)
	}
	assertUntouched(t, dest)
}

// A pinned post-erratum digest that the patched file does not have stops the install. The
// script and its MANIFEST are copied so that the copy's MANIFEST can pin a wrong digest.
func TestInstallStopsWhenErratumResultDiffers(t *testing.T) {
	src := makeSource(t)
	scripts := filepath.Join(t.TempDir(), "schemas")
	for _, f := range []string{"install.sh", "MANIFEST", "errata/ws-trust-1.3-namespace.sed"} {
		b, err := os.ReadFile(filepath.FromSlash(f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "MANIFEST" {
			b = []byte(strings.Replace(string(b), wstEntry(t).InstalledSHA256, strings.Repeat("0", 64), 1))
		}
		writeFile(t, filepath.Join(scripts, filepath.FromSlash(f)), b)
	}
	dest := filepath.Join(t.TempDir(), "official")
	out, err := runInstall(t, scripts, src, dest)
	if err == nil || !strings.Contains(out, wstPath+" after erratum errata/ws-trust-1.3-namespace.sed") {
		t.Fatalf("err = %v, output %q", err, out)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("a failed install created %s", dest)
	}
	assertNoLeftovers(t, filepath.Dir(dest))
}

// assertUntouched checks that a failed install left the previous installation as it was.
func assertUntouched(t *testing.T, dest string) {
	t.Helper()
	entries, err := os.ReadDir(dest)
	if err != nil || len(entries) != 1 || entries[0].Name() != "marker" {
		t.Errorf("previous installation in %s was modified: %v %v", dest, entries, err)
	}
	assertNoLeftovers(t, filepath.Dir(dest))
}

// assertNoLeftovers checks that no staging or backup directory remains next to the install.
func assertNoLeftovers(t *testing.T, parent string) {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".schemas-install.") || strings.Contains(e.Name(), ".old.") {
			t.Errorf("leftover %s in %s", e.Name(), parent)
		}
	}
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
