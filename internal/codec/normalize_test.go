package codec

import (
	"testing"
)

func TestNormalizeInput(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<r a=\"x\ty\"/>", `<r a="x y"/>`},
		{"<r a='x\r\ny' b=\"\r\"/>", `<r a='x y' b=" "/>`},
		{"<r a=\"&#9;&#10;&#13;\"/>", "<r a=\"&#9;&#10;&#13;\"/>"},
		{"<r a=\"a>b\tc\" b='\"\t'>t\tu\r\nv</r>", "<r a=\"a>b c\" b='\" '>t\tu\nv</r>"},
		{"<r\n\ta=\"1\"\n/>", "<r\n\ta=\"1\"\n/>"}, // whitespace between attributes stays
		{"<!--a=\"\t\"--><r/>", "<!--a=\"\t\"--><r/>"},
		{"<?pi a=\"\t\"?><r/>", "<?pi a=\"\t\"?><r/>"},
		{"<r><![CDATA[<x a=\"\t\">]]></r>", "<r><![CDATA[<x a=\"\t\">]]></r>"},
		{"<!DOCTYPE r [\n<!-- \"'> -->\n<!ENTITY e \"a>\tb\">\n]>\n<r a=\"\t\"/>", "<!DOCTYPE r [\n<!-- \"'> -->\n<!ENTITY e \"a>\tb\">\n]>\n<r a=\" \"/>"},
		{"<r></r \t>", "<r></r \t>"},
		{"<!--\r\n--><?p \r?>\r", "<!--\n--><?p \n?>\n"},
		// Truncated input: rewritten as far as scanned, never panics.
		{"<r a=\"\t", "<r a=\" "},
		{"<!--", "<!--"},
		{"<!DOCTYPE r [", "<!DOCTYPE r ["},
		{"<r a='", "<r a='"},
	}
	for _, c := range cases {
		if got := string(NormalizeInput([]byte(c.in))); got != c.want {
			t.Errorf("NormalizeInput(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalizeInputNoopDoesNotAllocate(t *testing.T) {
	src := []byte(envOpen + `<s:Body><x/></s:Body></s:Envelope>`)
	if got := NormalizeInput(src); &got[0] != &src[0] {
		t.Fatal("no-op normalization copied the input")
	}
	if n := testing.AllocsPerRun(100, func() { NormalizeInput(src) }); n != 0 {
		t.Fatalf("no-op normalization allocates %.0f times", n)
	}
}
