package codec

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// Profile selects the version family a message must belong to.
type Profile int

const (
	ProfileAuto Profile = iota // infer from the message; flag mixtures
	ProfileP11                 // WS-RM 1.1/1.2 + WS-SC 1.3 + WS-Trust 1.3 + WS-Addressing 1.0
	ProfileP05                 // WS-RM 2005/02 + WS-SC/WS-Trust 2005/02 + WS-Addressing 1.0 or 2004/08
)

func (p Profile) String() string {
	switch p {
	case ProfileP11:
		return "p11"
	case ProfileP05:
		return "p05"
	}
	return "auto"
}

// ParseProfile reads "p11", "p05" or "auto".
func ParseProfile(s string) (Profile, error) {
	switch strings.ToLower(s) {
	case "p11":
		return ProfileP11, nil
	case "p05":
		return ProfileP05, nil
	case "auto", "":
		return ProfileAuto, nil
	}
	return 0, errors.New("unknown profile " + strconv.Quote(s) + " (want p11, p05 or auto)")
}

// Check returns every problem of the message: what decoding found, the rules of each typed
// value (Validate), and the rules that span several headers and the body (rules*.go). The
// result is sorted by position.
func (m *Message) Check(p Profile) []Problem {
	out := m.DecodeProblems()
	for i := range m.Headers {
		h := &m.Headers[i]
		out = append(out, m.validateValue(h.El, h.Value)...)
	}
	if m.BodyElem != nil {
		out = append(out, m.validateValue(m.BodyElem, m.Payload)...)
	}
	for _, rule := range messageRules {
		out = append(out, rule(m, p)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return dedupe(out)
}

// messageRules are the cross-header rules; each rules*.go file appends its own in init.
var messageRules []func(m *Message, p Profile) []Problem

func dedupe(ps []Problem) []Problem {
	seen := map[Problem]bool{}
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// validateValue runs v.Validate and locates each violation.
func (m *Message) validateValue(el *etree.Element, v any) []Problem {
	val, ok := v.(validator)
	if !ok || isNil(v) {
		return nil
	}
	err := val.Validate()
	if err == nil {
		return nil
	}
	var vs wire.Violations
	var one *wire.Violation
	switch {
	case errors.As(err, &vs):
	case errors.As(err, &one):
		vs = wire.Violations{one}
	default:
		return []Problem{m.problemAt(el, err.Error())}
	}
	out := make([]Problem, 0, len(vs))
	for _, x := range vs {
		out = append(out, m.problemAt(resolvePath(el, x.Path), x.Reason))
	}
	return out
}

// resolvePath descends from el by local names; "Name[i]" picks the i-th child of that name.
// It stops at the deepest element found, so a missing child is reported at its parent.
func resolvePath(el *etree.Element, path []string) *etree.Element {
	cur := el
	for _, seg := range path {
		name, idx := seg, 0
		if i := strings.IndexByte(seg, '['); i > 0 && strings.HasSuffix(seg, "]") {
			name = seg[:i]
			idx, _ = strconv.Atoi(seg[i+1 : len(seg)-1])
		}
		var next *etree.Element
		n := 0
		for c := range cur.ChildElementsSeq() {
			if c.Tag == name {
				if n == idx {
					next = c
					break
				}
				n++
			}
		}
		if next == nil {
			return cur
		}
		cur = next
	}
	return cur
}
