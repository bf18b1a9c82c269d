// Package wire holds what every WS-* vocabulary package under internal/wire shares: qualified
// names, a generic element for extension content (xs:any slots and vendor extensions such as
// netrm:BufferRemaining), and the Violation type that Validate methods return.
//
// The wire packages describe the shape of messages only. Turning bytes into these values and
// back is internal/codec's job; none of these packages import an XML library.
package wire

import (
	"fmt"
	"strings"
)

// QName is a namespace-qualified XML name. Prefixes are presentation only; Space is the
// namespace URI.
type QName struct {
	Space string
	Local string
}

func (q QName) String() string {
	if q.Space == "" {
		return q.Local
	}
	return "{" + q.Space + "}" + q.Local
}

// IsZero reports whether q is the empty name.
func (q QName) IsZero() bool { return q.Space == "" && q.Local == "" }

// Attr is one attribute of a generic element.
type Attr struct {
	Name  QName
	Value string
}

// Any is an element the wire model does not interpret (xs:any extension points, vendor
// extensions, application payload). The codec keeps such elements so that nothing is lost
// when a message is decoded and encoded again.
type Any struct {
	Name     QName
	Prefix   string // prefix used on the wire, kept to preserve the look of vendor messages
	Attrs    []Attr
	Text     string
	Children []Any
}

// Violation is a rule a value breaks. Path names the offending element relative to the value
// that was validated (empty = the value's own element), as local names, so that the codec can
// point at a line and column.
type Violation struct {
	Path   []string
	Reason string
}

func (v *Violation) Error() string {
	if len(v.Path) == 0 {
		return v.Reason
	}
	return strings.Join(v.Path, "/") + ": " + v.Reason
}

// Violationf builds a Violation at path.
func Violationf(path []string, format string, args ...any) *Violation {
	return &Violation{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Violations collects several violations of one value.
type Violations []*Violation

func (vs Violations) Error() string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Error()
	}
	return strings.Join(parts, "; ")
}

// Err returns nil when there are no violations.
func (vs Violations) Err() error {
	if len(vs) == 0 {
		return nil
	}
	return vs
}

// Prefix returns a copy of vs with p prepended to every path.
func (vs Violations) Prefix(p ...string) Violations {
	out := make(Violations, len(vs))
	for i, v := range vs {
		out[i] = &Violation{Path: append(append([]string{}, p...), v.Path...), Reason: v.Reason}
	}
	return out
}
