package xmlparse

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// markup reads the construct that starts with the '<' at i.
func (p *parser) markup(i int) (int, error) {
	s := p.s
	if i+1 >= len(s) {
		return 0, p.fail(i, kindWF, `unexpected end of input after "<"`)
	}
	switch s[i+1] {
	case '/':
		return p.endTag(i)
	case '?':
		return p.procInst(i)
	case '!':
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			return p.comment(i)
		case strings.HasPrefix(rest, "<![CDATA["):
			return p.cdata(i)
		case len(rest) < 3 || rest[2] == '-' || rest[2] == '[':
			return 0, p.fail(i, kindWF, `invalid markup: "<!" must start "<!--" or "<![CDATA[" (XML 1.0 §2.5, §2.7)`)
		case strings.HasPrefix(rest, "<!DOCTYPE"):
			return 0, p.fail(i, kindDeclaration, "a DOCTYPE is not allowed: the message may carry no DTD, so no entity is declared or expanded (SOAP 1.2 Part 1 §5, XML 1.0 §2.8)")
		}
		end, _, _ := p.scanName(i + 2)
		return 0, p.fail(i, kindDeclaration, "markup declaration "+clip(s[i:end])+" is not allowed: there is no DTD (XML 1.0 §2.8)")
	}
	return p.startTag(i)
}

// startTag reads STag or EmptyElemTag (§3.1 [40], [44]).
func (p *parser) startTag(i int) (int, error) {
	s := p.s
	nameEnd, colon, ok := p.scanName(i + 1)
	if !ok {
		return 0, p.badName(i+1, nameEnd, "element name after <")
	}
	name := s[i+1 : nameEnd]
	if colon == -2 {
		return 0, p.fail(i+1, kindWF, "element name "+clip(name)+" has more than one colon")
	}
	space, local := p.qname(i+1, nameEnd, colon)
	p.attrs = p.attrs[:0]
	clear(p.seen)
	j, empty := nameEnd, false
	for {
		k := p.skipSpace(j)
		if k >= len(s) {
			return 0, p.fail(k, kindWF, "unexpected end of input in the start tag <"+name+">")
		}
		if s[k] == '>' {
			j = k + 1
			break
		}
		if s[k] == '/' {
			if k+1 < len(s) && s[k+1] == '>' {
				j, empty = k+2, true
				break
			}
			return 0, p.fail(k, kindWF, `expected "/>" in the start tag <`+name+">")
		}
		var err error
		if j, err = p.attribute(name, j, k); err != nil {
			return 0, err
		}
	}
	depth := len(p.stack) // of the new element; the document is at 0
	if depth > p.maxDepth {
		return 0, p.fail(i, kindWF, "element nesting deeper than "+strconv.Itoa(p.maxDepth)+" levels")
	}
	if depth == 1 {
		if p.rooted {
			return 0, p.fail(i, kindRootCount, "a second root element <"+name+">: a document has exactly one (XML 1.0 §2.1)")
		}
		p.rooted = true
	}
	el := p.elems.One()
	el.Space, el.Tag = space, local
	el.Attr = p.ats.Slice(len(p.attrs))
	if len(p.attrs) > 0 {
		// The first attribute comes from CreateAttr, which binds it to el; the others are
		// copies of it (CreateAttr would rescan all earlier ones: quadratic). Names are split
		// the encoding/xml way, not CreateAttr's.
		at := *el.CreateAttr("", "")
		el.Attr = el.Attr[:0]
		for _, a := range p.attrs {
			at.Space, at.Key, at.Value = a.space, a.local, a.value
			el.Attr = append(el.Attr, at)
		}
	}
	if empty {
		el.Child = make([]etree.Token, 0)
		p.kids = append(p.kids, el)
	} else {
		p.stack = append(p.stack, frame{el: el, name: name, kids: len(p.kids)})
	}
	return j, nil
}

// attribute reads Attribute ::= Name Eq AttValue (§3.1 [41]) at k; j is where the previous
// name or value ended. It returns the offset after the closing quote.
func (p *parser) attribute(tag string, j, k int) (int, error) {
	s := p.s
	end, colon, ok := p.scanName(k)
	if !ok {
		return 0, p.badName(k, end, `attribute name, "/>" or ">" in the start tag <`+tag+">")
	}
	if k == j {
		return 0, p.fail(k, kindAttrSpace, "white space is required before attribute "+s[k:end]+" in <"+tag+"> (XML 1.0 §3.1 [40])")
	}
	name := s[k:end]
	if colon == -2 {
		return 0, p.fail(k, kindWF, "attribute name "+clip(name)+" has more than one colon")
	}
	if p.seenAttr(name) {
		return 0, p.fail(k, kindDuplicateAttr, "attribute "+name+" appears twice in <"+tag+"> (XML 1.0 §3.1, WFC: Unique Att Spec)")
	}
	v := p.skipSpace(end)
	if v >= len(s) || s[v] != '=' {
		return 0, p.fail(v, kindWF, "attribute "+name+` in <`+tag+`> has no "=" and value (XML 1.0 §3.1 [41])`)
	}
	v = p.skipSpace(v + 1)
	if v >= len(s) || s[v] != '"' && s[v] != '\'' {
		return 0, p.fail(v, kindWF, "the value of attribute "+name+" in <"+tag+"> must be quoted (XML 1.0 §2.3 [10])")
	}
	close := strings.IndexByte(s[v+1:], s[v])
	if close < 0 {
		close = len(s)
	} else {
		close += v + 1
	}
	value, err := p.chars(v+1, close, inAttr)
	if err != nil {
		return 0, err
	}
	if close == len(s) {
		return 0, p.fail(v, kindWF, "unterminated value of attribute "+name+" in <"+tag+">")
	}
	space, local := p.qname(k, end, colon)
	p.attrs = append(p.attrs, attr{name: name, space: space, local: local, value: value})
	return close + 1, nil
}

// seenAttr reports whether the start tag being read already has an attribute called name:
// a scan for the usual few, a set beyond that so that hostile input stays linear.
func (p *parser) seenAttr(name string) bool {
	const scan = 16
	if len(p.attrs) <= scan {
		for _, a := range p.attrs {
			if a.name == name {
				return true
			}
		}
		return false
	}
	if len(p.seen) == 0 {
		if p.seen == nil {
			p.seen = make(map[string]struct{})
		}
		for _, a := range p.attrs {
			p.seen[a.name] = struct{}{}
		}
	} else {
		p.seen[p.attrs[len(p.attrs)-1].name] = struct{}{}
	}
	_, dup := p.seen[name]
	return dup
}

// endTag reads ETag ::= '</' Name S? '>' (§3.1 [42]), which must match the open element
// (§3 WFC: Element Type Match).
func (p *parser) endTag(i int) (int, error) {
	s := p.s
	// Fast path: the open element's name, then '>' (or S, which cannot continue a name).
	if n := len(p.stack); n > 1 {
		top := p.stack[n-1]
		if e := i + 2 + len(top.name); e < len(s) && s[i+2:e] == top.name && (s[e] == '>' || isSpace(s[e])) {
			if k := p.skipSpace(e); k < len(s) && s[k] == '>' {
				p.close()
				return k + 1, nil
			}
		}
	}
	nameEnd, colon, ok := p.scanName(i + 2)
	if !ok {
		return 0, p.badName(i+2, nameEnd, "element name after </")
	}
	name := s[i+2 : nameEnd]
	if colon == -2 {
		return 0, p.fail(i+2, kindWF, "element name "+clip(name)+" has more than one colon")
	}
	k := p.skipSpace(nameEnd)
	if k >= len(s) || s[k] != '>' {
		return 0, p.fail(k, kindWF, `expected ">" to end </`+name)
	}
	n := len(p.stack)
	if n == 1 {
		return 0, p.fail(i, kindWF, "unexpected end element </"+name+">: no element is open")
	}
	top := p.stack[n-1]
	if top.name != name {
		return 0, p.fail(i, kindWF, "unexpected end element </"+name+">, expected </"+top.name+"> (XML 1.0 §3, WFC: Element Type Match)")
	}
	p.close()
	return k + 1, nil
}

// close ends the innermost open element: its children are attached and it becomes a pending
// child of its parent.
func (p *parser) close() {
	n := len(p.stack)
	top := p.stack[n-1]
	p.attach(top.el, p.kids[top.kids:])
	clear(p.kids[top.kids:])
	p.kids = append(p.kids[:top.kids], top.el)
	p.stack[n-1] = frame{}
	p.stack = p.stack[:n-1]
}

// badName explains a missing or invalid name at i (end is where its scan stopped).
func (p *parser) badName(i, end int, what string) error {
	if end == i {
		found := "end of input"
		if i < len(p.s) {
			found = quoteRune(firstRune(p.s[i:]))
		}
		return p.fail(i, kindWF, "expected "+what+", found "+found)
	}
	return p.fail(i, kindWF, "invalid name "+clip(p.s[i:end])+" (XML 1.0 §2.3 [5])")
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
