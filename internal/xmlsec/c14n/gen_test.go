package c14n

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
)

// A seeded generator of well-formed, namespace-well-formed documents that
// exercise the corners of exclusive C14N: nested and redeclared prefixes,
// one URI under several prefixes, default-namespace changes and xmlns="",
// prefixed and xml:* attributes, comments and PIs inside and outside the
// document element, CDATA, character references, literal CR LF, tabs and
// newlines in attribute values, non-ASCII text.

// sigMark is where a test may splice an element into the document element
// (just before its end tag); it is removed from genDoc.text.
const sigMark = "\x00SIG\x00"

type genDoc struct {
	raw      string   // the document, containing sigMark once
	ids      []genID  // elements carrying an Id attribute
	prefixes []string // every prefix declared somewhere
}

type genID struct{ id, nsURI, local string }

func (d genDoc) text() string { return strings.Replace(d.raw, sigMark, "", 1) }

func (d genDoc) withSplice(s string) string { return strings.Replace(d.raw, sigMark, s, 1) }

var (
	genPrefixes = []string{"a", "b", "c", "ns1", "s", "wsu"}
	// No '&' in namespace URIs: libxml2 writes namespace values unescaped
	// (see TestNamespaceValueEscaping), so it cannot serve as the oracle.
	genURIs = []string{"urn:x:1", "urn:x:2", "http://example.com/a", "http://example.com/b?q=1;r=%22",
		"urn:oasis:names:tc:x", "http://www.w3.org/2003/05/soap-envelope"}
	genLocals   = []string{"e", "f", "item", "Body", "x-y", "_z", "n.1", "Header"}
	genAttrs    = []string{"a", "b", "k", "z", "mustUnderstand", "x.y"}
	genPITarget = []string{"pi", "x-y", "target", "xml-stylesheet"}
)

type gen struct {
	r     *rand.Rand
	b     strings.Builder
	ids   []genID
	pfx   map[string]bool
	nodes int
}

func generate(seed uint64) genDoc {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), pfx: map[string]bool{}}
	if g.chance(0.5) {
		g.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
		g.misc()
	}
	if g.chance(0.15) {
		g.b.WriteString("<!DOCTYPE root [\n<!-- \"quoted' > -->\n<!ELEMENT root ANY>\n]>")
		g.misc()
	}
	for range g.r.IntN(3) {
		g.outsideNode()
	}
	g.element(0, map[string]string{}, true)
	for range g.r.IntN(3) {
		g.outsideNode()
	}
	g.misc()
	return genDoc{raw: g.b.String(), ids: g.ids, prefixes: slices.Sorted(maps.Keys(g.pfx))}
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func pick[T any](g *gen, s []T) T { return s[g.r.IntN(len(s))] }

// misc writes whitespace allowed outside the document element.
func (g *gen) misc() { g.b.WriteString(pick(g, []string{"", "\n", "\r\n", "\n\n  ", "\t"})) }

func (g *gen) outsideNode() {
	g.misc()
	if g.chance(0.5) {
		g.comment()
	} else {
		g.pi()
	}
	g.misc()
}

func (g *gen) element(depth int, scope map[string]string, isRoot bool) {
	g.nodes++
	scope = maps.Clone(scope)
	var items []string // namespace declarations and attributes, shuffled
	if g.chance(0.3) {
		uri := ""
		if g.chance(0.7) {
			uri = pick(g, genURIs)
		}
		scope[""] = uri
		items = append(items, fmt.Sprintf(`xmlns="%s"`, uri))
	}
	for range g.r.IntN(3) {
		p := pick(g, genPrefixes)
		if slices.ContainsFunc(items, func(s string) bool { return strings.HasPrefix(s, "xmlns:"+p+"=") }) {
			continue
		}
		uri := pick(g, genURIs)
		scope[p] = uri
		g.pfx[p] = true
		items = append(items, fmt.Sprintf(`xmlns:%s="%s"`, p, uri))
	}
	var bound []string
	for p := range scope {
		if p != "" {
			bound = append(bound, p)
		}
	}
	slices.Sort(bound)
	prefix := ""
	if len(bound) > 0 && g.chance(0.5) {
		prefix = pick(g, bound)
	}
	local := pick(g, genLocals)
	qname := local
	if prefix != "" {
		qname = prefix + ":" + local
	}
	items = append(items, g.attributes(scope, bound)...)
	if !isRoot && g.chance(0.3) {
		id := fmt.Sprintf("id%d", len(g.ids)+1)
		g.ids = append(g.ids, genID{id: id, nsURI: scope[prefix], local: local})
		items = append(items, fmt.Sprintf(`Id="%s"`, id))
	}
	g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	g.b.WriteString("<" + qname)
	for _, it := range items {
		g.b.WriteString(pick(g, []string{" ", "  ", "\n\t", "\r\n "}))
		g.b.WriteString(it)
	}
	g.b.WriteString(pick(g, []string{"", " ", "\n"}))
	if !isRoot && (depth >= 5 || g.nodes > 60 || g.chance(0.25)) {
		g.b.WriteString(pick(g, []string{"/>", "></" + qname + ">"}))
		return
	}
	g.b.WriteString(">")
	for range g.r.IntN(5) {
		switch k := g.r.IntN(10); {
		case k < 4 && depth < 5 && g.nodes <= 60:
			g.element(depth+1, scope, false)
		case k < 7:
			g.b.WriteString(g.text())
		case k < 8:
			g.cdata()
		case k < 9:
			g.comment()
		default:
			g.pi()
		}
	}
	if isRoot {
		g.b.WriteString(sigMark)
	}
	g.b.WriteString("</" + qname + ">")
}

// attributes returns 0-3 attributes with distinct expanded names.
func (g *gen) attributes(scope map[string]string, bound []string) []string {
	var out []string
	seen := map[string]bool{}
	for range g.r.IntN(4) {
		p := ""
		if len(bound) > 0 && g.chance(0.4) {
			p = pick(g, bound)
		}
		local := pick(g, genAttrs)
		key := scope[p] + "|" + local
		if p == "" {
			key = "|" + local
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		name := local
		if p != "" {
			name = p + ":" + local
		}
		out = append(out, g.attr(name))
	}
	switch g.r.IntN(8) {
	case 0:
		out = append(out, g.attr("xml:lang"))
	case 1:
		out = append(out, "xml:space="+pick(g, []string{`"preserve"`, `'default'`}))
	}
	return out
}

func (g *gen) attr(name string) string {
	q := pick(g, []string{`"`, `'`})
	var v strings.Builder
	for range g.r.IntN(6) {
		v.WriteString(pick(g, []string{"v", "Hello", " ", "&amp;", "&lt;", ">", "&#9;", "&#10;", "&#13;", "&#x20;",
			"\t", "\n", "\r\n", "\u00e9", "\u4e2d", "\U0001F600", "&quot;", "&apos;", "&#169;"}))
	}
	if q == `'` {
		v.WriteString(`"`)
	} else {
		v.WriteString(`'`)
	}
	return name + "=" + q + v.String() + q
}

func (g *gen) text() string {
	var t strings.Builder
	for range 1 + g.r.IntN(5) {
		t.WriteString(pick(g, []string{"text", " ", "\n", "\r\n", "\t", "&amp;", "&lt;", "&gt;", ">", `"`, "'",
			"&#13;", "&#xD;", "&#x9;", "\u00e9", "\u4e2d", "\U0001F600", "&#169;", "]]&gt;", "a]b"}))
	}
	return t.String()
}

func (g *gen) cdata() {
	var t strings.Builder
	for range g.r.IntN(4) {
		t.WriteString(pick(g, []string{"<x>", "&amp;", "&", "\r\n", "]", " ", ">", "\u00e9"}))
	}
	s := t.String()
	for strings.Contains(s, "]]>") {
		s = strings.ReplaceAll(s, "]]>", "]] >")
	}
	g.b.WriteString("<![CDATA[" + s + "]]>")
}

func (g *gen) comment() {
	var t strings.Builder
	t.WriteString(pick(g, []string{"", " ", "c"}))
	for range g.r.IntN(4) {
		t.WriteString(pick(g, []string{"note", " ", "a-b", "<x>", "&amp;", "\r\n", "\t", "\u00e9"}))
	}
	g.b.WriteString("<!--" + t.String() + "-->")
}

func (g *gen) pi() {
	var t strings.Builder
	if g.chance(0.7) {
		t.WriteString(pick(g, []string{" ", "   ", "\n", "\t"}))
		for range g.r.IntN(4) {
			t.WriteString(pick(g, []string{"data", " ", "a=\"1\"", "?", ">", "\r\n", "&amp;"}))
		}
	}
	g.b.WriteString("<?" + pick(g, genPITarget) + strings.ReplaceAll(t.String(), "?>", "? >") + "?>")
}
