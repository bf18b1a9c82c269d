package schemas

import (
	"fmt"
	"regexp"
	"strings"
)

// Problem is one reason why a document is not valid: a well-formedness error, a refused
// construct (DOCTYPE) or a schema-validity error.
type Problem struct {
	// Line and Column locate the problem, both 1-based; 0 when unknown. For an element they
	// are the position of the '<' of its start tag; Column counts characters (Unicode code
	// points), not bytes. For a parse error they are where libxml2 stopped.
	Line, Column int
	// Element is the element concerned as written in the document ("wsrm:MessageNumber",
	// or the local name when it has no prefix); empty for parse errors.
	Element string
	// Namespace is the namespace URI of Element; empty when it has none.
	Namespace string
	// Reason is libxml2's message without the "Element '{ns}local': " prefix (the element is
	// in Element and Namespace), on one line.
	Reason string
}

// String formats p as "line:column: element: reason", leaving out what is unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", p.Line, p.Column)
	}
	if p.Element != "" {
		b.WriteString(p.Element)
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// elementPrefix matches the way libxml2 starts every schema-validity message:
// "Element '{ns}local': " or "Element '{ns}local', attribute '{ns}name': ".
var elementPrefix = regexp.MustCompile(`^Element '[^']*'(?:, (attribute '[^']*'))?: `)

// cleanReason turns a libxml2 message into a one-line Reason.
func cleanReason(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if m := elementPrefix.FindStringSubmatchIndex(msg); m != nil {
		rest := msg[m[1]:]
		if m[2] >= 0 {
			return msg[m[2]:m[3]] + ": " + rest
		}
		return rest
	}
	return msg
}
