package xmlparse

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// FuzzParseMatchesEtree: for any input, Parse and etree (PreserveCData,
// PreserveDuplicateAttrs) agree: both accept with identical trees, or both refuse, or etree
// accepts and Parse refuses for one of the documented exception classes (package doc), each
// backed by evidence from etree's own tree or from the input at the error offset.
func FuzzParseMatchesEtree(f *testing.F) {
	for _, s := range seedInputs(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { matchEtree(t, raw) })
}

// TestParseMatchesEtree runs the same check over the seeds, every truncation of the test
// envelope, and seeded random byte edits of every seed.
func TestParseMatchesEtree(t *testing.T) {
	seeds := seedInputs(t)
	classes := map[string]int{}
	run := func(raw []byte) {
		if c := matchEtree(t, raw); c != "" {
			classes[c]++
		}
	}
	for _, s := range seeds {
		run(s)
	}
	env := readFile(t, "testdata/signed-envelope.xml")
	for i := range env {
		run(env[:i])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("<>/?!-[]&;#x='\" \n\r\tabc:\xef\xbb\xbf\xc3\xa9\x00\xff")
	for _, s := range seeds {
		for n := 0; n < 40 && len(s) > 0; n++ {
			m := bytes.Clone(s)
			for k := 0; k < 1+rng.IntN(3); k++ {
				m[rng.IntN(len(m))] = alphabet[rng.IntN(len(alphabet))]
			}
			run(m)
		}
	}
	t.Logf("%d seeds; exceptions used (etree accepts, Parse refuses): %v", len(seeds), classes)
}

// TestLargeDocumentsMatchEtree moves CDATA sections, comments and references across
// etree's 4096-byte read buffers, where its CDATA detection peeks back into the input.
func TestLargeDocumentsMatchEtree(t *testing.T) {
	for pad := 4070; pad < 4110; pad++ {
		for _, item := range []string{"<![CDATA[x]]>", "<![CDATA[]]>", "<!--c-->", "&amp;t", "<b a='&lt;'/>", "\r\n"} {
			raw := "<a>" + strings.Repeat(" ", pad) + item + "<![CDATA[y]]>z</a>"
			matchEtree(t, []byte(raw))
		}
	}
}

// matchEtree checks one input and returns the exception class used, if any.
func matchEtree(t testing.TB, raw []byte) string {
	t.Helper()
	got, err := Parse(raw, Options{})
	want, werr := reference(raw)
	var se *SyntaxError
	if err != nil {
		if !errors.As(err, &se) {
			t.Fatalf("%q: error %T is not a *SyntaxError: %v", raw, err, err)
		}
		if se.Line < 1 || se.Column < 1 || se.Element == "" || se.Msg == "" || got != nil {
			t.Fatalf("%q: malformed error %#v", raw, se)
		}
	}
	switch {
	case werr != nil && err == nil:
		t.Fatalf("%q: etree refuses (%v) but Parse accepts", raw, werr)
	case werr != nil:
		return ""
	case err == nil:
		if d := diffTrees(want, got); d != "" {
			t.Fatalf("%q: trees differ: %s", raw, d)
		}
		return ""
	case se.kind == kindWF:
		t.Fatalf("%q: etree accepts, Parse refuses by a rule encoding/xml enforces too: %v", raw, err)
	case !evidence(se.kind, raw, want, se.offset):
		t.Fatalf("%q: etree accepts, Parse refuses as %q, but nothing in the input or etree's tree shows it: %v", raw, se.kind, err)
	}
	return se.kind.String()
}

// seedInputs: the test envelope, the codec's test data, every fixture, and the snippets.
func seedInputs(tb testing.TB) [][]byte {
	var out [][]byte
	for _, pattern := range []string{
		"testdata/*.xml",
		"../codec/testdata/*.xml",
		"../../fixtures/*/*.xml",
		"../../fixtures/*/*/*.xml",
		"../../schemas/testdata/*.xml",
	} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			out = append(out, readFile(tb, p))
		}
	}
	for _, s := range snippets {
		out = append(out, []byte(s))
	}
	return out
}

func readFile(tb testing.TB, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// snippets are small inputs, well-formed and not, for every rule and token kind.
var snippets = []string{
	"", " ", "\ufeff", "<", "<a", "<a>", "</a>", "<a/>", "<a/><b/>", "x<a/>", "<a/>x", "<a/>\n",
	"<a></b>", "<a><b></a></b>", "<a x='1' x='2'/>", `<a x="1"y="2"/>`, "<a x=1/>", "<a x/>",
	`<a x="<"/>`, `<a x="&lt;&gt;&amp;&apos;&quot;&#65;&#x42;"/>`, "<a>&foo;</a>", "<a>&#0;</a>",
	"<a>&#xD800;</a>", "<a>&#x10FFFF;</a>", "<a>&#x110000;</a>", "<a>&#xFFFE;</a>", "<a>&#9;&#xD;</a>",
	"<a>&#;</a>", "<a>&#x;</a>", "<a>&</a>", "<a>&amp</a>", "<a>]]></a>", "<a>]]&gt;</a>",
	"<a><![CDATA[ ]]> ]]></a>", "<a>t<![CDATA[c]]>t</a>", "<a><![CDATA[]]><![CDATA[x]]></a>",
	"<a><![CDATA[x</a>", "<![CDATA[x]]><a/>", "<a><!-- c --></a>", "<a><!-- - --></a>",
	"<a><!-- -- --></a>", "<a><!----></a>", "<a><!---></a>", "<a><!-- c ---></a>", "<!-- c --><a/><!-- d -->",
	"<?pi?><a/><?pi x?>", "<?pi x?><a/>", "<?pix?><a/>", `<?pi"x"?><a/>`, "<a><?pi ?></a>",
	`<?xml version="1.0"?><a/>`, `<?xml version='1.0' encoding='UTF-8' standalone='no'?><a/>`,
	`<?xml version="1.1"?><a/>`, `<?xml?><a/>`, `<?xml encoding="UTF-8" version="1.0"?><a/>`,
	`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, `<?xml version="1.0" standalone="maybe"?><a/>`,
	` <?xml version="1.0"?><a/>`, `<a/><?xml version="1.0"?>`, `<?XML version="1.0"?><a/>`, `<?xml-stylesheet href="x"?><a/>`,
	"\ufeff<?xml version=\"1.0\"?><a/>", "\ufeff\n<a/>", "<a/>\ufeff", "<!DOCTYPE a><a/>", "<a><!ELEMENT a></a>",
	"<!x><a/>", "<a:b:c/>", "<:a/>", "<a:/>", "<a :b='1'/>", "<a\u00e9/>", "<\u00e9/>", "<a\u0300/>",
	"<\u0300/>", "<a\u2070/>", "<a>\u00e9\U0001F600</a>", "<a>\xff</a>", "<a>\xed\xa0\x80</a>", "<a>\x01</a>",
	"<!-- \xff --><a/>", "<?pi \x01?><a/>", "<a>\r\n\r</a>", "<a x='\r\n'/>", "<!--\r\n--><a/>",
	"<a>&#32;</a>", "&#32;<a/>", "<a></a >", "<a></ a>", "<a/ >", "<a\n\tx\n=\n'1'\n/>", "<1a/>", "<-a/>",
	"<a>\ufffe</a>", "<a>\ufffd</a>", "<a>\u0085\u2028</a>", "<a b='\t'/>", "<a>&l\u00e9;</a>",
}

// evidence checks, independently of the parser, that the input belongs to exception class k.
func evidence(k kind, raw []byte, doc *etree.Document, off int) bool {
	switch k {
	case kindDeclaration:
		return anyToken(doc, func(t etree.Token) bool { _, ok := t.(*etree.Directive); return ok })
	case kindRootCount:
		return len(doc.ChildElements()) != 1
	case kindOutsideRoot:
		for i, t := range doc.Child {
			if c, ok := t.(*etree.CharData); ok {
				d := c.Data
				if i == 0 {
					d = strings.TrimPrefix(d, "\ufeff")
				}
				if c.IsCData() || strings.Trim(d, " \t\r\n") != "" {
					return true
				}
			}
		}
		// A reference to white space leaves no trace in the tree: look at the input.
		return off < len(raw) && raw[off] == '&'
	case kindDuplicateAttr:
		return anyToken(doc, func(t etree.Token) bool {
			e, ok := t.(*etree.Element)
			for i := 0; ok && i < len(e.Attr); i++ {
				for j := 0; j < i; j++ {
					if e.Attr[i].Space == e.Attr[j].Space && e.Attr[i].Key == e.Attr[j].Key {
						return true
					}
				}
			}
			return false
		})
	case kindAttrSpace:
		return off > 0 && (raw[off-1] == '"' || raw[off-1] == '\'')
	case kindPISpace:
		return anyToken(doc, func(t etree.Token) bool {
			pi, ok := t.(*etree.ProcInst)
			return ok && off < len(raw) && bytes.HasSuffix(raw[:off], []byte("<?"+pi.Target)) &&
				!strings.ContainsRune(" \t\r\n", rune(raw[off])) && !bytes.HasPrefix(raw[off:], []byte("?>"))
		})
	case kindXMLDecl:
		return anyToken(doc, func(t etree.Token) bool {
			pi, ok := t.(*etree.ProcInst)
			return ok && strings.EqualFold(pi.Target, "xml") && (pi.Target != "xml" || !atStart(doc, pi) || !xmlDeclRE.MatchString(pi.Inst))
		})
	case kindEncoding:
		return anyToken(doc, func(t etree.Token) bool {
			pi, ok := t.(*etree.ProcInst)
			if !ok || pi.Target != "xml" {
				return false
			}
			m := encodingRE.FindStringSubmatch(pi.Inst)
			return m != nil && !strings.EqualFold(m[1]+m[2], "utf-8")
		})
	case kindMarkupChars:
		return anyToken(doc, func(t etree.Token) bool {
			switch t := t.(type) {
			case *etree.Comment:
				return !allChars(t.Data)
			case *etree.ProcInst:
				return !allChars(t.Inst)
			}
			return false
		})
	case kindCharRef:
		m := charRefRE.FindSubmatch(raw[off:])
		if m == nil {
			return false
		}
		v, err := parseRef(m[1])
		return err == nil && v >= 0xD800 && v <= 0xDFFF
	}
	return false
}
