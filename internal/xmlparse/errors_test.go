package xmlparse

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// TestRefusals: each well-formedness rule is refused at the offending place, inside the
// innermost open element.
func TestRefusals(t *testing.T) {
	cases := []struct {
		name, in  string
		line, col int
		element   string
		msg       string
	}{
		// §3 Element Type Match, nesting and the single root (§2.1)
		{"end mismatch", "<a>\n  <b>\n  </c>", 3, 3, "b", "unexpected end element </c>, expected </b>"},
		{"end without start", "</a>", 1, 1, "-", "unexpected end element </a>: no element is open"},
		{"unclosed", "<a><b>", 1, 7, "b", "<b> is not closed"},
		{"unclosed in text", "<a>text", 1, 8, "a", "<a> is not closed"},
		{"empty input", "", 1, 1, "-", "no root element"},
		{"only misc", "<!-- c -->\n<?pi x?>\n", 3, 1, "-", "no root element"},
		{"second root", "<a/>\n<b/>", 2, 1, "-", "a second root element <b>"},
		{"text before root", "hello<a/>", 1, 1, "-", "text before the root element"},
		{"text after root", "<a/>\n x", 2, 2, "-", "text after the root element"},
		{"reference after root", "<a/>&#32;", 1, 5, "-", "text after the root element"},
		{"cdata outside root", "<a/><![CDATA[x]]>", 1, 5, "-", "CDATA section outside the root element"},
		{"bom not at start", "<a/>\ufeff", 1, 5, "-", "text after the root element"},
		{"too deep", strings.Repeat("<a>", 1025), 1, 3073, "a", "nesting deeper"},
		// §3.1 start tags and attributes
		{"duplicate attribute", `<r><a x="1" x="2"/></r>`, 1, 13, "r", "attribute x appears twice in <a>"},
		{"duplicate prefixed", `<a p:x="1" p:x="2"/>`, 1, 12, "-", "attribute p:x appears twice"},
		{"no space between attributes", `<a x="1"y="2"/>`, 1, 9, "-", "white space is required before attribute y"},
		{"unquoted value", `<a x=1/>`, 1, 6, "-", "must be quoted"},
		{"no value", `<a x/>`, 1, 5, "-", `has no "="`},
		{"lt in value", `<r><a x="1<2"/></r>`, 1, 11, "r", `"<" is not allowed in an attribute value`},
		{"unterminated value", `<a x="1`, 1, 6, "-", "unterminated value"},
		{"bad empty tag", `<a/ >`, 1, 3, "-", `expected "/>"`},
		{"space after lt", `< a/>`, 1, 2, "-", "expected element name after <"},
		{"end tag junk", `<a></a b>`, 1, 8, "a", `expected ">" to end </a`},
		// §2.3 names
		{"digit first", `<1a/>`, 1, 2, "-", "invalid name 1a"},
		{"two colons", `<a:b:c/>`, 1, 2, "-", "more than one colon"},
		{"fifth-edition-only name char", "<a\u2070/>", 1, 2, "-", "invalid name"},
		{"invalid UTF-8 in name", "<a\xff/>", 1, 2, "-", "invalid name"},
		// §2.4 character data, §2.2 characters, §4.1 references
		{"cdata end in text", "<a>x]]>y</a>", 1, 5, "a", `"]]>" is not allowed in character data`},
		{"control char", "<a>\x01</a>", 1, 4, "a", "illegal character U+0001"},
		{"noncharacter", "<a>\uFFFE</a>", 1, 4, "a", "illegal character U+FFFE"},
		{"invalid UTF-8", "<a>é\xff</a>", 1, 5, "a", "invalid UTF-8"},
		{"encoded surrogate", "<a>\xed\xa0\x80</a>", 1, 4, "a", "invalid UTF-8"},
		{"undefined entity", "<a>&nbsp;</a>", 1, 4, "a", "undefined entity &nbsp;"},
		{"bare ampersand", "<a>fish & chips</a>", 1, 9, "a", `unescaped "&"`},
		{"no semicolon", "<a>&amp</a>", 1, 4, "a", `unescaped "&"`},
		{"char ref zero", "<a>&#0;</a>", 1, 4, "a", "&#0; does not denote a legal XML character"},
		{"char ref surrogate", "<a>&#xD800;</a>", 1, 4, "a", "does not denote a legal XML character"},
		{"char ref too big", "<a>&#x110000;</a>", 1, 4, "a", "does not denote a legal XML character"},
		{"char ref empty", "<a>&#x;</a>", 1, 4, "a", "malformed character reference"},
		{"char ref upper X", "<a>&#X41;</a>", 1, 4, "a", "malformed character reference"},
		{"ref in attribute", `<a x="&bogus;"/>`, 1, 7, "-", "undefined entity &bogus;"},
		// §2.5 comments, §2.6 PIs, §2.7 CDATA, §2.8 prolog and declarations
		{"double hyphen", "<a><!-- a -- b --></a>", 1, 11, "a", `"--" is not allowed inside a comment`},
		{"comment ends ---", "<a><!-- a ---></a>", 1, 11, "a", `"--" is not allowed inside a comment`},
		{"unterminated comment", "<a><!-- a", 1, 4, "a", "unterminated comment"},
		{"bad char in comment", "<!-- \x00 --><a/>", 1, 6, "-", "illegal character U+0000 in a comment"},
		{"bad bang", "<a><!x></a>", 1, 4, "a", "markup declaration <!x is not allowed"},
		{"doctype", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, 1, 1, "-", "a DOCTYPE is not allowed"},
		{"bad cdata open", "<a><![CDAT[x]]></a>", 1, 4, "a", `"<!" must start`},
		{"unterminated cdata", "<a><![CDATA[x", 1, 4, "a", "unterminated CDATA section"},
		{"pi no space", `<?pi"x"?><a/>`, 1, 5, "-", `expected white space or "?>"`},
		{"pi unterminated", `<a><?pi x</a>`, 1, 4, "a", "unterminated processing instruction"},
		{"pi bad char", "<a><?pi \x01?></a>", 1, 9, "a", "illegal character U+0001 in a processing instruction"},
		{"decl not at start", "<a/>\n<?xml version=\"1.0\"?>", 2, 1, "-", "only allowed at the very start"},
		{"decl after space", " <?xml version=\"1.0\"?><a/>", 1, 2, "-", "only allowed at the very start"},
		{"decl in element", "<a><?xml version=\"1.0\"?></a>", 1, 4, "a", "only allowed at the very start"},
		{"reserved target", "<?XmL version=\"1.0\"?><a/>", 1, 1, "-", "XmL is reserved"},
		{"decl without version", "<?xml?><a/>", 1, 6, "-", "has no version"},
		{"decl version 1.1", "<?xml version=\"1.1\"?><a/>", 1, 7, "-", `unsupported XML version 1.1`},
		{"decl order", "<?xml encoding=\"UTF-8\" version=\"1.0\"?><a/>", 1, 7, "-", "expected version"},
		{"decl encoding", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", 1, 21, "-", "unsupported encoding ISO-8859-1"},
		{"decl bad encoding name", "<?xml version=\"1.0\" encoding=\"8bit\"?><a/>", 1, 21, "-", "invalid encoding name"},
		{"decl standalone", "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>", 1, 21, "-", `standalone must be "yes" or "no"`},
		{"decl unknown", "<?xml version=\"1.0\" foo=\"1\"?><a/>", 1, 21, "-", "expected encoding or standalone"},
		{"decl no space", "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>", 1, 20, "-", "expected white space"},
		{"decl unquoted", "<?xml version=1.0?><a/>", 1, 14, "-", "expected = and a quoted value"},
		{"columns count runes", "<é><b>é</c></b></é>", 1, 8, "b", "unexpected end element </c>"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.in), Options{})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: got %v, want a *SyntaxError", c.name, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || se.Element != c.element || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%s: got %d:%d in %s: %q\n\twant %d:%d in %s: ...%q...", c.name, se.Line, se.Column, se.Element, se.Msg, c.line, c.col, c.element, c.msg)
		}
	}
}

func TestErrorText(t *testing.T) {
	_, err := Parse([]byte("<s:E>\n<wsse:Security>\n  <wsu:Timestamp>\n  </wsu:Timestamp></wsu:Timestamp>"), Options{})
	want := "XML syntax error on line 4, column 19 (in wsse:Security): unexpected end element </wsu:Timestamp>, expected </wsse:Security> (XML 1.0 §3, WFC: Element Type Match)"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	_, err = Parse([]byte("<a/><b/>"), Options{})
	if want := "XML syntax error on line 1, column 5: a second root element <b>"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got  %v\nwant %s...", err, want)
	}
}

// TestDepth: the limit is etree's by default, settable, and nesting far deeper than any
// recursion could survive is handled when allowed.
func TestDepth(t *testing.T) {
	nest := func(n int) []byte { return []byte(strings.Repeat("<a>", n) + strings.Repeat("</a>", n)) }
	if _, err := Parse(nest(1024), Options{}); err != nil {
		t.Errorf("depth 1024: %v", err)
	}
	if _, err := Parse(nest(1025), Options{}); err == nil {
		t.Error("depth 1025 accepted")
	}
	if _, err := Parse(nest(4), Options{MaxDepth: 3}); err == nil {
		t.Error("MaxDepth 3: depth 4 accepted")
	}
	doc, err := Parse(nest(200000), Options{MaxDepth: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	e, n := doc.Root(), 1
	for len(e.Child) == 1 {
		e, n = e.Child[0].(*etree.Element), n+1
	}
	if n != 200000 || e.Parent() == nil {
		t.Errorf("depth %d, want 200000", n)
	}
}

// TestHostileShapes: inputs shaped to make a naive parser quadratic finish quickly and agree
// with etree where it accepts them.
func TestHostileShapes(t *testing.T) {
	var many strings.Builder
	many.WriteString("<a")
	for i := range 100000 {
		many.WriteString(" a" + strconv.Itoa(i) + "='v'")
	}
	many.WriteString("/>")
	doc, err := Parse([]byte(many.String()), Options{})
	if err != nil || len(doc.Root().Attr) != 100000 || doc.Root().Attr[99999].Element() != doc.Root() {
		t.Fatalf("100000 attributes: %v", err)
	}
	dup := strings.Replace(many.String(), "a99999=", "a5=", 1)
	if _, err := Parse([]byte(dup), Options{}); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("duplicate among 100000 attributes: %v", err)
	}
	for _, in := range []string{
		"<a>" + strings.Repeat("<!--c-->", 100000) + "</a>",
		"<a>" + strings.Repeat("<?p?>", 100000) + "</a>",
		"<a>" + strings.Repeat("<b/>", 100000) + "</a>",
		"<a>" + strings.Repeat("&amp;", 100000) + "</a>",
		strings.Repeat("<", 100000),
	} {
		matchEtree(t, []byte(in))
	}
}
