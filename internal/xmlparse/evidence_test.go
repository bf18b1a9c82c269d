package xmlparse

import (
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Helpers for evidence: written from the XML 1.0 productions, sharing no code with the parser.

// xmlDeclRE is the text after "<?xml" S of a well-formed declaration (§2.8 [23]-[26], §2.9
// [32], §4.3.3 [80]-[81]), version 1.0.
var xmlDeclRE = regexp.MustCompile(`^version[ \t\r\n]*=[ \t\r\n]*(?:"1\.0"|'1\.0')` +
	`(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?` +
	`(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*$`)

// encodingRE is the start of a declaration up to its encoding name (group 1 or 2); what follows
// may be anything, since the input can break several rules at once.
var encodingRE = regexp.MustCompile(`^version[ \t\r\n]*=[ \t\r\n]*(?:"1\.0"|'1\.0')` +
	`[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)')`)

// charRefRE is a character reference (§4.1 [66]); group 1 is what follows "&#".
var charRefRE = regexp.MustCompile(`^&#(x[0-9a-fA-F]+|[0-9]+);`)

func parseRef(b []byte) (int64, error) {
	if b[0] == 'x' {
		return strconv.ParseInt(string(b[1:]), 16, 64)
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// allChars reports whether s is UTF-8 made of Chars (§2.2 [2]).
func allChars(s string) bool {
	for _, r := range s {
		ok := r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
			(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
		if !ok {
			return false
		}
	}
	return utf8.ValidString(s)
}

// anyToken reports whether f holds for any token of the tree (the document included).
func anyToken(doc *etree.Document, f func(etree.Token) bool) bool {
	stack := []*etree.Element{&doc.Element}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f(e) {
			return true
		}
		for _, t := range e.Child {
			if c, ok := t.(*etree.Element); ok {
				stack = append(stack, c)
			} else if f(t) {
				return true
			}
		}
	}
	return false
}

// atStart reports whether pi is the document's first token, or follows only a byte order mark.
func atStart(doc *etree.Document, pi *etree.ProcInst) bool {
	if len(doc.Child) > 0 && doc.Child[0] == pi {
		return true
	}
	if len(doc.Child) > 1 && doc.Child[1] == pi {
		c, ok := doc.Child[0].(*etree.CharData)
		return ok && c.Data == "\ufeff"
	}
	return false
}
