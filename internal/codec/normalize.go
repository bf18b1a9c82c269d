package codec

import "bytes"

// NormalizeInput returns raw XML with the two normalizations of XML 1.0
// that encoding/xml (and so etree) leaves undone, so that parsing the result
// with etree yields the values a conforming parser (libxml2, .NET, Xerces)
// reports. Use it on received octets before parsing a tree that will be
// canonicalized, signed or verified.
//
//   - XML 1.0 §2.11 (End-of-Line Handling): before parsing, every CR LF pair
//     and every CR not followed by LF is translated to a single LF.
//     encoding/xml does this in text and attribute values but not in
//     comments or processing instructions, whose CRs would otherwise reach
//     the canonical form.
//   - XML 1.0 §3.3.3 (Attribute-Value Normalization): "for a white space
//     character (#x20, #xD, #xA, #x9), append a space character (#x20) to
//     the normalized value"; a character reference is appended as the
//     character it references, so &#9; &#xA; &#xD; survive. encoding/xml
//     keeps literal tabs and line feeds, after which no tree-level code can
//     tell a literal tab from &#9;. Here every literal tab and LF inside a
//     quoted attribute value of a start tag becomes a space.
//
// Character references are never touched (they are not literal octets).
// Attribute types declared in a DTD (which further collapse spaces) are not
// considered. Comments, CDATA sections, processing instructions, the
// document type declaration, end tags and character data keep their
// content. Malformed input is rewritten as far as it can be scanned; the
// parser reports the error. When nothing needs rewriting, src itself is
// returned and nothing is allocated.
func NormalizeInput(src []byte) []byte {
	if bytes.IndexByte(src, '\r') >= 0 {
		src = normalizeLineEnds(src)
	}
	if bytes.IndexByte(src, '\n') < 0 && bytes.IndexByte(src, '\t') < 0 {
		// Only literal tabs and line feeds are rewritten; an envelope written on one
		// line (the peers', most stacks') has none, and the scan of its tags is skipped
		// (measured: 40% of the time of a decode before this check).
		return src
	}
	n := attrNormalizer{src: src}
	n.run()
	if n.out == nil {
		return src
	}
	return append(n.out, src[n.last:]...)
}

// normalizeLineEnds translates CR LF and lone CR to LF (XML 1.0 §2.11).
func normalizeLineEnds(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		if src[i] != '\r' {
			out = append(out, src[i])
			continue
		}
		out = append(out, '\n')
		if i+1 < len(src) && src[i+1] == '\n' {
			i++
		}
	}
	return out
}

type attrNormalizer struct {
	src  []byte
	out  []byte // nil until the first rewrite
	last int    // src[last:] has not been copied to out yet
}

func (n *attrNormalizer) run() {
	s := n.src
	i := 0
	for {
		lt := bytes.IndexByte(s[i:], '<')
		if lt < 0 {
			return
		}
		i += lt
		rest := s[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			i = skipPast(s, i+4, "-->")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i = skipPast(s, i+9, "]]>")
		case bytes.HasPrefix(rest, []byte("<?")):
			i = skipPast(s, i+2, "?>")
		case bytes.HasPrefix(rest, []byte("<!")):
			i = skipDecl(s, i+2)
		case bytes.HasPrefix(rest, []byte("</")):
			i = skipPast(s, i+2, ">")
		default:
			i = n.startTag(i + 1)
		}
		if i >= len(s) {
			return
		}
	}
}

// skipPast returns the index just after the first end at or after i, or
// len(s) when there is none.
func skipPast(s []byte, i int, end string) int {
	k := bytes.Index(s[i:], []byte(end))
	if k < 0 {
		return len(s)
	}
	return i + k + len(end)
}

// skipDecl skips a markup declaration such as <!DOCTYPE ...>, including an
// internal subset with quoted literals, comments and PIs.
func skipDecl(s []byte, i int) int {
	depth := 0
	for i < len(s) {
		switch ch := s[i]; {
		case ch == '"' || ch == '\'':
			k := bytes.IndexByte(s[i+1:], ch)
			if k < 0 {
				return len(s)
			}
			i += k + 2
			continue
		case bytes.HasPrefix(s[i:], []byte("<!--")):
			i = skipPast(s, i+4, "-->")
			continue
		case bytes.HasPrefix(s[i:], []byte("<?")):
			i = skipPast(s, i+2, "?>")
			continue
		case ch == '[':
			depth++
		case ch == ']':
			depth--
		case ch == '>' && depth <= 0:
			return i + 1
		}
		i++
	}
	return len(s)
}

// startTag scans a start tag from just after '<' and rewrites whitespace in
// its quoted attribute values; it returns the index after the closing '>'.
func (n *attrNormalizer) startTag(i int) int {
	s := n.src
	for i < len(s) {
		ch := s[i]
		if ch == '>' {
			return i + 1
		}
		if ch != '"' && ch != '\'' {
			i++
			continue
		}
		i++
		for i < len(s) && s[i] != ch {
			switch s[i] {
			case '\t', '\n': // CRs are gone already (§2.11)
				n.replace(i)
			}
			i++
		}
		i++ // closing quote
	}
	return len(s)
}

// replace substitutes a space for the octet src[i].
func (n *attrNormalizer) replace(i int) {
	if n.out == nil {
		n.out = make([]byte, 0, len(n.src))
	}
	n.out = append(n.out, n.src[n.last:i]...)
	n.out = append(n.out, ' ')
	n.last = i + 1
}
