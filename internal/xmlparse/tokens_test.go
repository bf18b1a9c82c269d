package xmlparse

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// dump renders a tree one token per line, with the details the contract cares about.
func dump(doc *etree.Document) string {
	var b strings.Builder
	var walk func(e *etree.Element, depth int)
	walk = func(e *etree.Element, depth int) {
		for _, t := range e.Child {
			b.WriteString(strings.Repeat(".", depth))
			switch t := t.(type) {
			case *etree.Element:
				fmt.Fprintf(&b, "E %q %q", t.Space, t.Tag)
				for _, a := range t.Attr {
					fmt.Fprintf(&b, " %q:%q=%q", a.Space, a.Key, a.Value)
				}
				b.WriteByte('\n')
				walk(t, depth+1)
				continue
			case *etree.CharData:
				fmt.Fprintf(&b, "T %q", t.Data)
				if t.IsCData() {
					b.WriteString(" cdata")
				}
				if t.IsWhitespace() {
					b.WriteString(" ws")
				}
			case *etree.Comment:
				fmt.Fprintf(&b, "C %q", t.Data)
			case *etree.ProcInst:
				fmt.Fprintf(&b, "P %q %q", t.Target, t.Inst)
			}
			b.WriteByte('\n')
		}
	}
	walk(&doc.Element, 0)
	return b.String()
}

// TestTokens: every token kind comes out as etree makes it, and as written here.
func TestTokens(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"element and attributes", `<p:a x='1' q:y="2" :z="3" w:="4"><b/></p:a>`,
			`E "p" "a" "":"x"="1" "q":"y"="2" "":":z"="3" "":"w:"="4"` + "\n" + `.E "" "b"` + "\n"},
		{"references", `<a x="&lt;&#65;&#x42;&quot;">&amp;&apos;&gt;&#x1F600;&#9;</a>`,
			`E "" "a" "":"x"="<AB\""` + "\n" + `.T "&'>😀\t"` + "\n"},
		{"whitespace flags", "<a> \n\t<b/>&#32;x</a>",
			`E "" "a"` + "\n" + `.T " \n\t" ws` + "\n" + `.E "" "b"` + "\n" + `.T " x"` + "\n"},
		{"reference to white space", "<a>&#32;&#xD;</a>", `E "" "a"` + "\n" + `.T " \r" ws` + "\n"},
		{"cdata next to text", "<a>t<![CDATA[<c>&amp;]]><![CDATA[]]>u<![CDATA[ ]]></a>",
			`E "" "a"` + "\n" + `.T "t"` + "\n" + `.T "<c>&amp;" cdata` + "\n" + `.T "" cdata` + "\n" + `.T "u"` + "\n" + `.T " " cdata` + "\n"},
		{"line ends", "<a x='1\r\n2\r3'>\r\n<![CDATA[\r\n]]><!--\r\n--></a>",
			`E "" "a" "":"x"="1\n2\n3"` + "\n" + `.T "\n" ws` + "\n" + `.T "\n" cdata` + "\n" + `.C "\r\n"` + "\n"},
		{"misc around the root", "<?xml version=\"1.0\"?>\n<!--a-->\n<?pi  x y ?>\n<r/>\n<!---->\n<?q?>",
			`P "xml" "version=\"1.0\""` + "\n" + `T "\n" ws` + "\n" + `C "a"` + "\n" + `T "\n" ws` + "\n" +
				`P "pi" "x y "` + "\n" + `T "\n" ws` + "\n" + `E "" "r"` + "\n" + `T "\n" ws` + "\n" + `C ""` + "\n" + `T "\n" ws` + "\n" + `P "q" ""` + "\n"},
		{"bom", "\ufeff<r/>", `T "\ufeff"` + "\n" + `E "" "r"` + "\n"},
		{"bom and space", "\ufeff\n<r/>", `T "\ufeff\n"` + "\n" + `E "" "r"` + "\n"},
		{"bom and declaration", "\ufeff<?xml version='1.0' encoding='utf-8'?><r/>",
			`T "\ufeff"` + "\n" + `P "xml" "version='1.0' encoding='utf-8'"` + "\n" + `E "" "r"` + "\n"},
		{"comments and PIs in content", "<a><!-- x - y --><?t d?></a>",
			`E "" "a"` + "\n" + `.C " x - y "` + "\n" + `.P "t" "d"` + "\n"},
		{"non-ASCII", "<é:ñ ü='ö'>日本</é:ñ>", `E "é" "ñ" "":"ü"="ö"` + "\n" + `.T "日本"` + "\n"},
		{"text with ]]", "<a>]]&gt;]] ]</a>", `E "" "a"` + "\n" + `.T "]]>]] ]"` + "\n"},
	}
	for _, c := range cases {
		doc, err := Parse([]byte(c.in), Options{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := dump(doc); got != c.want {
			t.Errorf("%s:\ngot\n%swant\n%s", c.name, got, c.want)
		}
		if want, err := reference([]byte(c.in)); err != nil {
			t.Errorf("%s: etree: %v", c.name, err)
		} else if d := diffTrees(want, doc); d != "" {
			t.Errorf("%s: differs from etree: %s", c.name, d)
		}
	}
}

// TestXMLDeclarations: the declaration variants XML 1.0 §2.8 allows.
func TestXMLDeclarations(t *testing.T) {
	for _, d := range []string{
		`<?xml version="1.0"?>`, `<?xml version='1.0'?>`, `<?xml version = "1.0" ?>`,
		`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0" encoding='utf-8'?>`,
		`<?xml version="1.0" standalone="yes"?>`, `<?xml version="1.0" encoding="Utf-8" standalone='no' ?>`,
		"<?xml\tversion=\"1.0\"\n\tencoding=\"UTF-8\"\n?>",
	} {
		if _, err := Parse([]byte(d+"<r/>"), Options{}); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}

// TestNameTables: the name characters are exactly encoding/xml's, rune by rune.
func TestNameTables(t *testing.T) {
	if testing.Short() {
		t.Skip("checks all 1.1M runes")
	}
	for r := rune(0x80); r <= 0x10FFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		for _, name := range []string{string(r), "a" + string(r)} {
			in := []byte("<" + name + "/>")
			_, err := Parse(in, Options{})
			_, werr := xml.NewDecoder(bytes.NewReader(in)).RawToken() // what etree reads with
			if (err == nil) != (werr == nil) {
				t.Fatalf("name %q (U+%04X): Parse %v, etree %v", name, r, err, werr)
			}
		}
	}
}
