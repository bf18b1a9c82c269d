package xmlparse

import (
	"strings"

	"github.com/beevik/etree"
)

// comment reads Comment ::= '<!--' ((Char - '-') | ('-' (Char - '-')))* '-->' (§2.5 [15]):
// "--" may only end it.
func (p *parser) comment(i int) (int, error) {
	s := p.s
	start := i + 4
	k := strings.Index(s[start:], "--")
	if k < 0 || start+k+2 >= len(s) {
		return 0, p.fail(i, kindWF, `unterminated comment: no "-->" (XML 1.0 §2.5)`)
	}
	end := start + k
	if s[end+2] != '>' {
		return 0, p.fail(end, kindWF, `"--" is not allowed inside a comment (XML 1.0 §2.5)`)
	}
	if err := p.checkChars(start, end, "a comment"); err != nil {
		return 0, err
	}
	p.kids = append(p.kids, etree.NewComment(s[start:end]))
	return end + 3, nil
}

// cdata reads CDSect ::= '<![CDATA[' CData ']]>' (§2.7 [18]-[21]); only content may hold one
// (§3.1 [43]). etree keeps it as its own CharData, flagged CDATA.
func (p *parser) cdata(i int) (int, error) {
	if len(p.stack) == 1 {
		return 0, p.fail(i, kindOutsideRoot, "a CDATA section outside the root element (XML 1.0 §2.1, §2.7)")
	}
	s := p.s
	start := i + len("<![CDATA[")
	k := strings.Index(s[start:], "]]>")
	if k < 0 {
		return 0, p.fail(i, kindWF, `unterminated CDATA section: no "]]>" (XML 1.0 §2.7)`)
	}
	data, err := p.chars(start, start+k, inCDATA)
	if err != nil {
		return 0, err
	}
	p.kids = append(p.kids, etree.NewCData(data))
	return start + k + 3, nil
}

// procInst reads PI ::= '<?' PITarget (S (Char* - (Char* '?>' Char*)))? '?>' (§2.6 [16]).
// A target "xml" in any case is reserved ([17]); lower case it is the XML declaration, and
// only at the very start (§2.8 [22], [23]).
func (p *parser) procInst(i int) (int, error) {
	s := p.s
	end, _, ok := p.scanName(i + 2)
	if !ok {
		return 0, p.badName(i+2, end, "processing-instruction target after <?")
	}
	target := s[i+2 : end]
	var inst string
	next := end + 2
	if !strings.HasPrefix(s[end:], "?>") {
		if end >= len(s) {
			return 0, p.fail(i, kindWF, "unterminated processing instruction <?"+target)
		}
		if c := s[end]; !isSpace(c) {
			return 0, p.fail(end, kindPISpace, `expected white space or "?>" after the processing-instruction target `+target+" (XML 1.0 §2.6 [16])")
		}
		start := p.skipSpace(end)
		k := strings.Index(s[start:], "?>")
		if k < 0 {
			return 0, p.fail(i, kindWF, "unterminated processing instruction <?"+target+`: no "?>" (XML 1.0 §2.6)`)
		}
		inst, next = s[start:start+k], start+k+2
		if err := p.checkChars(start, start+k, "a processing instruction"); err != nil {
			return 0, err
		}
	}
	if strings.EqualFold(target, "xml") {
		switch {
		case target != "xml":
			return 0, p.fail(i, kindXMLDecl, "processing-instruction target "+target+" is reserved (XML 1.0 §2.6 [17])")
		case i != p.declAt:
			return 0, p.fail(i, kindXMLDecl, "the XML declaration <?xml ...?> is only allowed at the very start of the document (XML 1.0 §2.8 [22])")
		}
		if err := p.xmlDecl(next-2-len(inst), inst); err != nil {
			return 0, err
		}
	}
	p.kids = append(p.kids, etree.NewProcInst(target, inst))
	return next, nil
}
