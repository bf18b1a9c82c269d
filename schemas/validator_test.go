package schemas

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const (
	nsSOAP12  = "http://www.w3.org/2003/05/soap-envelope"
	nsWSRM    = "http://docs.oasis-open.org/ws-rx/wsrm/200702"
	nsWSRM05  = "http://schemas.xmlsoap.org/ws/2005/02/rm"
	nsWST     = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
	nsWST05   = "http://schemas.xmlsoap.org/ws/2005/02/trust"
	nsWSC     = "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512"
	nsWSC05   = "http://schemas.xmlsoap.org/ws/2005/02/sc"
	nsWSU     = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	nsUnknown = "http://www.w3.org/2001/12/soap-envelope"
)

// wantProblem describes an expected Problem; Reason is matched as a substring.
type wantProblem struct {
	line, column int
	element, ns  string
	reason       string
}

func (w wantProblem) matches(p Problem) bool {
	return p.Line == w.line && p.Column == w.column && p.Element == w.element &&
		p.Namespace == w.ns && strings.Contains(p.Reason, w.reason)
}

// validationCases are the testdata envelopes with their expected problems (nil: valid).
var validationCases = []struct {
	file string
	want []wantProblem
}{
	{"p11-app-message.xml", nil},
	{"p11-signed-app-message.xml", nil},
	{"p11-rst.xml", nil},
	{"p05-rm-header.xml", nil},
	{"p05-sct.xml", nil},
	{"p05-trust-lax.xml", nil}, // WS-Trust 2005/02: no official schema, lax (see README)
	{"p11-create-sequence.xml", nil},
	{"p11-create-sequence-bad.xml", []wantProblem{
		{8, 7, "R:Expires", nsWSRM, "This element is not expected. Expected is ( {" + nsWSRM + "}AcksTo )."},
	}},
	{"p11-sct-bad.xml", []wantProblem{
		{10, 7, "C:SecurityContextToken", nsWSC, "attribute '{" + nsWSU + "}Id': '#sct' is not a valid value of the atomic type 'xs:ID'."},
		{11, 9, "C:Identifier", nsWSC, "'urn:uuid:%zz' is not a valid value of the atomic type 'xs:anyURI'."},
	}},
	{"p11-message-number-zero.xml", []wantProblem{
		{8, 7, "wsrm:MessageNumber", nsWSRM, "[facet 'minInclusive'] The value '0' is less than the minimum value allowed ('1')."},
	}},
	{"p11-rst-bad-keysize.xml", []wantProblem{
		{18, 7, "t:KeySize", nsWST, "'large' is not a valid value of the atomic type 'xs:unsignedInt'"},
	}},
	{"p05-rm-header-bad.xml", []wantProblem{
		{8, 7, "wsrm:LastMessage", nsWSRM05, "This element is not expected. Expected is ( {" + nsWSRM05 + "}MessageNumber )."},
	}},
	{"p05-sct-bad-id.xml", []wantProblem{
		{10, 7, "c:SecurityContextToken", nsWSC05, "attribute '{" + nsWSU + "}Id': '5 is not an NCName' is not a valid value of the atomic type 'xs:ID'"},
	}},
	{"p11-timestamp-bad-order.xml", []wantProblem{
		{10, 9, "u:Created", nsWSU, "This element is not expected."},
	}},
	{"p11-missing-body.xml", []wantProblem{
		{3, 1, "s:Envelope", nsSOAP12, "Missing child element(s). Expected is ( {" + nsSOAP12 + "}Body )."},
	}},
	{"not-envelope.xml", []wantProblem{
		{4, 1, "rm:CreateSequence", nsWSRM, "the document element must be a SOAP 1.1 or SOAP 1.2 Envelope"},
	}},
	{"unknown-envelope.xml", []wantProblem{
		{3, 1, "env:Envelope", nsUnknown, "the document element must be a SOAP 1.1 or SOAP 1.2 Envelope"},
		{3, 1, "env:Envelope", nsUnknown, "No matching global declaration available for the validation root."},
	}},
}

func TestValidateTestdata(t *testing.T) {
	for _, tc := range validationCases {
		t.Run(tc.file, func(t *testing.T) {
			got := testValidator.Validate(readTestdata(t, tc.file))
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tc.want), joinProblems(got))
			}
			for i, w := range tc.want {
				if !w.matches(got[i]) {
					t.Errorf("problem %d = %+v, want %+v", i, got[i], w)
				}
			}
		})
	}
}

// Every testdata file is covered by validationCases (so the fuzz seeds are all checked).
func TestEveryTestdataFileHasACase(t *testing.T) {
	files, err := filepath.Glob("testdata/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	known := map[string]bool{}
	for _, tc := range validationCases {
		known[tc.file] = true
	}
	for _, f := range files {
		if !known[filepath.Base(f)] {
			t.Errorf("%s has no entry in validationCases", f)
		}
	}
}

func TestMessageNumberZeroProblem(t *testing.T) {
	got := testValidator.Validate(readTestdata(t, "p11-message-number-zero.xml"))
	if len(got) != 1 {
		t.Fatalf("got %v", got)
	}
	want := "8:7: wsrm:MessageNumber: [facet 'minInclusive'] The value '0' is less than the minimum value allowed ('1')."
	if got[0].String() != want {
		t.Errorf("String() = %q, want %q", got[0].String(), want)
	}
}

// The RST is a child of the lax SOAP Body wildcard: that it is checked at all (KeySize) shows
// that the erratum gives WS-Trust 1.3 elements a declaration and that Body children are not
// skipped. A February 2005 RST, for which no schema exists, is skipped.
func TestBodyChildrenAreValidatedWhenDeclared(t *testing.T) {
	if p := testValidator.Validate(readTestdata(t, "p11-rst.xml")); p != nil {
		t.Fatalf("valid RST: %v", p)
	}
	if p := testValidator.Validate(readTestdata(t, "p11-rst-bad-keysize.xml")); len(p) == 0 {
		t.Fatal("invalid RST child was not reported: Body children are being skipped")
	}
	ns := testValidator.Namespaces()
	if !contains(ns, nsWST) || contains(ns, nsWST05) {
		t.Errorf("Namespaces() = %v: want WS-Trust 1.3 and not WS-Trust 2005/02", ns)
	}
}

func TestValidateElementAllowsAnyDeclaredRoot(t *testing.T) {
	if p := testValidator.ValidateElement(readTestdata(t, "not-envelope.xml")); p != nil {
		t.Errorf("ValidateElement(CreateSequence) = %v", p)
	}
	if p := testValidator.ValidateElement(readTestdata(t, "unknown-envelope.xml")); len(p) != 1 ||
		!strings.Contains(p[0].Reason, "No matching global declaration") {
		t.Errorf("ValidateElement(unknown root) = %v", p)
	}
}

func TestRefusesAndReportsBadInput(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"empty", "", "empty document"},
		{"blank", " \n\t ", "empty document"},
		{"not XML", "hello", "1:1: Start tag expected, '<' not found"},
		{"truncated", "<s:Envelope xmlns:s='" + nsSOAP12 + "'>", "Premature end of data"},
		{"binary", "\x00\x01\x02\xff\xfe", ""},
		{"undeclared prefix", "<s:Envelope xmlns:s='" + nsSOAP12 + "'><s:Body><p:x/></s:Body></s:Envelope>", "Namespace prefix p on x is not defined"},
		{"doctype", "<?xml version='1.0'?>\n<!DOCTYPE s:Envelope SYSTEM 'http://example.invalid/x.dtd'><s:Envelope/>", "2:1: DOCTYPE declarations are not allowed"},
		{"entities", "<!DOCTYPE a [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]><a>&b;</a>", "1:1: DOCTYPE declarations are not allowed"},
		{"external entity", "<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>", "DOCTYPE declarations are not allowed"},
		{"utf-16 doctype", string(utf16le("<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>")), "1:0: DOCTYPE declarations are not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := testValidator.Validate([]byte(tc.doc))
			if len(got) == 0 {
				t.Fatal("no problem reported")
			}
			if s := joinProblems(got); !strings.Contains(s, tc.want) {
				t.Errorf("got %s, want it to contain %q", s, tc.want)
			}
		})
	}
	big := append([]byte("<a>"), make([]byte, MaxDocumentSize)...)
	if got := testValidator.Validate(big); len(got) != 1 || !strings.Contains(got[0].Reason, "larger than the limit") {
		t.Errorf("oversized document: %v", got)
	}
}

// "<!DOCTYPE" inside a comment or CDATA section is text, not a declaration.
func TestDoctypeTextIsNotRefused(t *testing.T) {
	doc := "<!-- <!DOCTYPE x> -->\n<s:Envelope xmlns:s='" + nsSOAP12 + "'><s:Body>" +
		"<x:a xmlns:x='urn:x'><![CDATA[<!DOCTYPE y [<!ENTITY z 'z'>]>]]></x:a></s:Body></s:Envelope>"
	if p := testValidator.Validate([]byte(doc)); p != nil {
		t.Errorf("got %v", p)
	}
}

// Columns count characters, lines count CRLF as one line end, and UTF-16 or ISO-8859-1
// documents get the same positions as their UTF-8 form.
func TestPositions(t *testing.T) {
	body := "<s:Envelope xmlns:s='" + nsSOAP12 + "' xmlns:wsrm='" + nsWSRM + "'>\r\n" +
		"<s:Header>\r\n<wsrm:Sequence><!--ééé--><wsrm:Identifier>urn:x</wsrm:Identifier>" +
		"<wsrm:MessageNumber>0</wsrm:MessageNumber></wsrm:Sequence></s:Header><s:Body/></s:Envelope>"
	col := len("<wsrm:Sequence><!--ééé--><wsrm:Identifier>urn:x</wsrm:Identifier>") - 3 + 1
	latin1 := strings.ReplaceAll(body, "é", "\xe9")
	docs := map[string][]byte{
		"utf-8":      []byte(body),
		"utf-8 bom":  []byte("\xef\xbb\xbf" + body),
		"utf-16le":   utf16le(body),
		"iso-8859-1": []byte("<?xml version='1.0' encoding='ISO-8859-1'?>" + latin1),
	}
	for name, doc := range docs {
		got := testValidator.Validate(doc)
		if len(got) != 1 || got[0].Line != 3 || got[0].Column != col || got[0].Element != "wsrm:MessageNumber" {
			t.Errorf("%s: got %v, want one problem at 3:%d on wsrm:MessageNumber", name, got, col)
		}
	}
}

func TestConcurrentValidation(t *testing.T) {
	type result struct {
		file string
		want []Problem
	}
	var results []result
	for _, tc := range validationCases {
		doc := readTestdata(t, tc.file)
		results = append(results, result{tc.file, testValidator.Validate(doc)})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				r := results[(g+i)%len(results)]
				if got := testValidator.Validate(readTestdata(t, r.file)); !reflect.DeepEqual(got, r.want) {
					errs <- fmt.Sprintf("goroutine %d, %s: got %v, want %v", g, r.file, got, r.want)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestLoadIsCachedPerDirectory(t *testing.T) {
	rel, err := filepath.Rel(mustGetwd(t), testDir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Load(rel)
	if err != nil {
		t.Fatal(err)
	}
	if v != testValidator || v.Dir() != testDir {
		t.Errorf("Load(%q) compiled again or returned another directory: %s", rel, v.Dir())
	}
}

func TestDirHonoursEnvironment(t *testing.T) {
	t.Setenv(EnvDir, testDir)
	if d, err := Dir(); err != nil || d != testDir {
		t.Errorf("Dir() = %q, %v", d, err)
	}
	t.Setenv(EnvDir, t.TempDir())
	if _, err := Dir(); err == nil || !strings.Contains(err.Error(), "make schemas") {
		t.Errorf("Dir() with an empty %s: err = %v, want a hint to run make schemas", EnvDir, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinProblems(ps []Problem) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return "[" + strings.Join(s, " | ") + "]"
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
