package main

import (
	"sort"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/schemas"
)

// validator combines the official-schema check with the codec's structural rules.
type validator struct {
	schema  *schemas.Validator
	profile codec.Profile
}

// check returns every problem of one message, schema problems first at each position.
// Input that is not a SOAP envelope at all stops at the first problem.
func (v *validator) check(raw []byte) []codec.Problem {
	m, err := codec.Decode(raw, codec.Options{})
	if err != nil {
		if e, ok := err.(*codec.Error); ok {
			return []codec.Problem{e.Problem}
		}
		return []codec.Problem{{Element: "-", Reason: err.Error()}}
	}
	var out []codec.Problem
	for _, p := range v.schema.Validate(raw) {
		if _, ok := waived(m, p); ok {
			continue
		}
		out = append(out, codec.Problem{Line: p.Line, Column: p.Column, Element: p.Element, Reason: "schema: " + p.Reason})
	}
	for _, p := range m.Check(v.profile) {
		p.Reason = "rule: " + p.Reason
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}
