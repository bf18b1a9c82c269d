package codec

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a message, located at an element.
type Problem struct {
	Line, Column int    // 1-based; 0 when unknown
	Element      string // the element as written (prefix:local), or "-" for the document
	Reason       string
}

func (p Problem) String() string {
	return fmt.Sprintf("%d:%d: %s: %s", p.Line, p.Column, p.Element, p.Reason)
}

// Error is a message that could not be decoded at all (not XML, not a SOAP envelope, a
// DOCTYPE, too large or too deep).
type Error struct {
	Problem
}

func (e *Error) Error() string { return "decode: " + e.Problem.String() }

// Problems is a list of problems that is also an error.
type Problems []Problem

func (ps Problems) Error() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}
