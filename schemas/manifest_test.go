package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestManifestListsTheOfficialFiles(t *testing.T) {
	entries, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		paths = append(paths, e.Path)
		b, err := os.ReadFile(filepath.Join(testDir, filepath.FromSlash(e.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != e.InstalledSHA256 {
			t.Errorf("%s: installed digest differs from MANIFEST", e.Path)
		}
		if e.Namespace == "" || e.Spec == "" || e.Version == "" || !strings.HasPrefix(e.URL, "http://") {
			t.Errorf("%s: incomplete entry %+v", e.Path, e)
		}
	}
	sort.Strings(paths)
	want := []string{
		"soap11/soap-envelope.xsd", "soap12/soap-envelope.xsd",
		"ws-addr-200408/addressing.xsd", "ws-addr/ws-addr.xsd",
		"ws-policy-200409/ws-policy.xsd", "ws-policy/ws-policy.xsd",
		"ws-sc-200502/ws-secureconversation-200502.xsd", "ws-sc/ws-secureconversation-1.3.xsd",
		"ws-securitypolicy-13/ws-securitypolicy-1.3.xsd",
		"ws-securitypolicy/ws-securitypolicy-1.2-errata-cd-01.xsd", "ws-securitypolicy/ws-securitypolicy-1.2.xsd",
		"ws-trust-14/ws-trust-1.4.xsd", "ws-trust/ws-trust-1.3.xsd",
		"wsmc/wsmc-1.1-schema-200702.xsd", "wsrm-200502/wsrm.xsd", "wsrm/wsrm-1.1-schema-200702.xsd",
		"wsrmp-200502/wsrm-policy.xsd", "wsrmp/wsrmp-1.1-schema-200702.xsd",
		"wss/oasis-200401-wss-wssecurity-secext-1.0.xsd", "wss/oasis-200401-wss-wssecurity-utility-1.0.xsd",
		"wss/oasis-wss-wssecurity-secext-1.1.xsd", "xml/xml.xsd",
		"xmldsig/xmldsig-core-schema.xsd", "xmlenc/xenc-schema.xsd",
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("MANIFEST paths:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
}

// The driver imports exactly the namespaces of the composite scenario.
func TestDriverNamespaces(t *testing.T) {
	want := []string{
		"http://docs.oasis-open.org/ws-rx/wsmc/200702",
		"http://docs.oasis-open.org/ws-rx/wsrm/200702",
		"http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512",
		"http://docs.oasis-open.org/ws-sx/ws-trust/200512",
		"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
		"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
		"http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd",
		"http://schemas.xmlsoap.org/soap/envelope/",
		"http://schemas.xmlsoap.org/ws/2004/08/addressing",
		"http://schemas.xmlsoap.org/ws/2005/02/rm",
		"http://schemas.xmlsoap.org/ws/2005/02/sc",
		"http://www.w3.org/2000/09/xmldsig#",
		"http://www.w3.org/2001/04/xmlenc#",
		"http://www.w3.org/2003/05/soap-envelope",
		"http://www.w3.org/2005/08/addressing",
	}
	if got := testValidator.Namespaces(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Namespaces():\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	entries, _ := Manifest()
	driver := string(driverSchema(entries))
	for _, e := range entries {
		imp := `<xs:import namespace="` + e.Namespace + `" schemaLocation="` + e.URL + `"/>`
		if strings.Contains(driver, imp) != e.Driver {
			t.Errorf("driver schema and MANIFEST disagree about %s:\n%s", e.Path, driver)
		}
	}
}

func TestParseManifestErrors(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	good := "xsd | a/b.xsd | " + sha + " | urn:ns | Spec | 1 | http://x/b.xsd | - | driver"
	if _, err := parseManifest("# comment\n\n" + good + "\r\n"); err != nil {
		t.Fatalf("good manifest: %v", err)
	}
	cases := map[string]string{
		"":                                 "lists no files",
		"xsd | a/b.xsd | " + sha:           "needs 9 fields",
		strings.Replace(good, sha, "x", 1): "bad sha256",
		strings.Replace(good, "a/b.xsd", "../b.xsd", 1):  "must be relative",
		strings.Replace(good, "a/b.xsd", "/b.xsd", 1):    "must be relative",
		strings.Replace(good, "driver", "both", 1):       "use must be",
		good + "\n" + good:                               "duplicate path",
		good + "\nerratum | c.xsd | " + sha + " | e.sed": "not listed before it",
		good + "\nerratum | a/b.xsd | x | e.sed":         "bad sha256",
		"pdf | x":                                        "unknown record kind",
	}
	for text, want := range cases {
		if _, err := parseManifest(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseManifest(%q): err = %v, want %q", text, err, want)
		}
	}
}

func TestProblemString(t *testing.T) {
	cases := map[string]Problem{
		"12:7: wsrm:MessageNumber: bad": {Line: 12, Column: 7, Element: "wsrm:MessageNumber", Reason: "bad"},
		"3:0: Body: bad":                {Line: 3, Element: "Body", Reason: "bad"},
		"1:4: bad":                      {Line: 1, Column: 4, Reason: "bad"},
		"empty document":                {Reason: "empty document"},
	}
	for want, p := range cases {
		if got := p.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestCleanReason(t *testing.T) {
	cases := map[string]string{
		"Element '{urn:a}b': This element is not expected.\n":       "This element is not expected.",
		"Element 'b', attribute 'c': 'x' is not a valid value.\n":   "attribute 'c': 'x' is not a valid value.",
		"Start tag expected, '<' not found\n":                       "Start tag expected, '<' not found",
		"Element '{urn:a}b': Missing child element(s).\n Expected.": "Missing child element(s). Expected.",
	}
	for in, want := range cases {
		if got := cleanReason(in); got != want {
			t.Errorf("cleanReason(%q) = %q, want %q", in, got, want)
		}
	}
}
