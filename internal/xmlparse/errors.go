package xmlparse

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// SyntaxError reports input that is not well-formed XML.
type SyntaxError struct {
	Line, Column int    // 1-based; Column counts runes
	Element      string // qualified name of the innermost open element, or "-" outside the root
	Msg          string

	kind   kind // which rule, for the differential test's exception classes
	offset int  // byte offset of the error in the input
}

func (e *SyntaxError) Error() string {
	s := "XML syntax error on line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column)
	if e.Element != "" && e.Element != "-" {
		s += " (in " + e.Element + ")"
	}
	return s + ": " + e.Msg
}

// kind classifies an error. kindWF is a rule that encoding/xml enforces too; every other kind
// is one where encoding/xml (and so etree) accepts the input (see the package doc).
type kind uint8

const (
	kindWF kind = iota
	kindDeclaration
	kindRootCount
	kindOutsideRoot
	kindDuplicateAttr
	kindAttrSpace
	kindPISpace
	kindXMLDecl
	kindEncoding
	kindMarkupChars
	kindCharRef
)

var kindNames = [...]string{"well-formedness", "declaration", "root-count", "outside-root",
	"duplicate-attr", "attr-space", "pi-space", "xml-decl", "encoding", "markup-chars", "char-ref"}

func (k kind) String() string { return kindNames[k] }

// fail builds the error for byte offset off.
func (p *parser) fail(off int, k kind, msg string) error {
	if off > len(p.s) {
		off = len(p.s)
	}
	if off < 0 {
		off = 0
	}
	line, col := position(p.s, off)
	el := "-"
	if n := len(p.stack); n > 1 {
		el = p.stack[n-1].name
	}
	return &SyntaxError{Line: line, Column: col, Element: el, Msg: msg, kind: k, offset: off}
}

// position gives the 1-based line and rune column of byte offset off. Only an LF ends a
// line: the caller has normalized line ends (§2.11) and encoding/xml counts the same way.
func position(s string, off int) (line, col int) {
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if s[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCountInString(s[start:off]) + 1
}

// quoteRune shows a character in a message: printable ones as themselves, others as U+XXXX.
func quoteRune(r rune) string {
	if r > 0x20 && r < 0x7f {
		return strconv.QuoteRune(r)
	}
	return fmt.Sprintf("U+%04X", r)
}
