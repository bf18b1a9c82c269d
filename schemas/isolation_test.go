package schemas

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// helperEnv makes the test binary run runHelper instead of the tests (see TestNoStderr).
const helperEnv = "RSPCHECK_SCHEMAS_TEST_HELPER"

// runHelper exercises every error path of the package in a fresh process, from several
// goroutines (so on several OS threads, each with its own libxml2 error handlers). The
// parent test checks that the process wrote nothing to stderr.
func runHelper() int {
	v, err := Default()
	if err != nil {
		fmt.Println("load:", err)
		return 2
	}
	inputs := []string{
		"", "hello", "<a>", "<a></b>", "\x00\xff", "<a xmlns:p='urn:p'><q:b/></a>",
		"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", string(utf16le("<!DOCTYPE a [<!ENTITY x 'y'>]><a/>")),
		"<a>&undefined;</a>", "<?xml version='1.0' encoding='bogus'?><a/>",
	}
	for _, name := range []string{"p11-missing-body.xml", "unknown-envelope.xml", "p11-message-number-zero.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			fmt.Println(err)
			return 2
		}
		inputs = append(inputs, string(b))
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for _, in := range inputs {
				ok = ok && len(v.Validate([]byte(in))) > 0
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			fmt.Println("an invalid input was accepted")
			return 2
		}
	}
	entries, _ := Manifest()
	table, _ := checkInstalled(v.Dir(), entries)
	if _, err := compile(v.Dir(), []byte("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:bogus/>"), table); err == nil {
		fmt.Println("a broken driver compiled")
		return 2
	}
	fmt.Println("ok")
	return 0
}

// TestNoStderr checks that parse errors, validity errors, refused DOCTYPEs and schema
// compilation errors never reach stderr, whatever thread libxml2 runs on.
func TestNoStderr(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", EnvDir+"="+testDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if strings.TrimSpace(stdout.String()) != "ok" {
		t.Errorf("helper stdout: %q", stdout.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("libxml2 wrote to stderr:\n%s", stderr.String())
	}
}

// A schemaLocation that is not in the installed catalog fails the compilation instead of
// being fetched, whether it is an http URL, a file URL or a path next to the schemas.
func TestUnknownSchemaLocationIsRefused(t *testing.T) {
	entries, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	table, err := checkInstalled(testDir, entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{
		"http://example.invalid/not-in-catalog.xsd",
		"https://docs.oasis-open.org/ws-rx/wsrm/200702/wsrm-1.1-schema-200702.xsd",
		"file://" + filepath.Join(testDir, "wsrm", "wsrm-1.1-schema-200702.xsd"),
		filepath.Join(testDir, "wsrm", "wsrm-1.1-schema-200702.xsd"),
	} {
		driver := `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">` +
			`<xs:import namespace="urn:rspcheck:test" schemaLocation="` + loc + `"/></xs:schema>`
		_, err := compile(testDir, []byte(driver), table)
		if err == nil || !strings.Contains(err.Error(), "refused to load '"+loc+"'") {
			t.Errorf("schemaLocation %s: err = %v, want a refused load", loc, err)
		}
	}
}

// xsi:schemaLocation hints in a validated document are never followed.
func TestInstanceSchemaLocationIsIgnored(t *testing.T) {
	doc := `<s:Envelope xmlns:s="` + nsSOAP12 + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
		` xsi:schemaLocation="urn:x http://example.invalid/x.xsd"><s:Body>` +
		`<x:a xmlns:x="urn:x" xsi:schemaLocation="urn:x /etc/passwd"/></s:Body></s:Envelope>`
	if p := testValidator.Validate([]byte(doc)); p != nil {
		t.Errorf("got %v", p)
	}
}

// Load refuses an installation whose files or catalog differ from MANIFEST.
func TestLoadRejectsModifiedInstallation(t *testing.T) {
	dir := copyTree(t, testDir)
	name := filepath.Join(dir, "wsrm", "wsrm-1.1-schema-200702.xsd")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, bytes.Replace(b, []byte(`minOccurs="0"`), []byte(`minOccurs="1"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "wsrm-1.1-schema-200702.xsd: sha256") ||
		!strings.Contains(err.Error(), "make schemas") {
		t.Errorf("modified file: err = %v", err)
	}

	dir = copyTree(t, testDir)
	cat := filepath.Join(dir, "catalog.xml")
	b, err = os.ReadFile(cat)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(`uri="xml/xml.xsd"`), []byte(`uri="xmldsig/xmldsig-core-schema.xsd"`), 1)
	if err := os.WriteFile(cat, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "catalog.xml") {
		t.Errorf("modified catalog: err = %v", err)
	}
}

func utf16le(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// copyTree copies the regular files under src into a new temporary directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
