// Package msgcheck judges one captured SOAP message the way `rspcheck validate` and the
// conformance suite both do: the official schemas (with the documented waivers for schema
// errata) and the codec's structural rules of a profile.
package msgcheck

import (
	"sort"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/schemas"
)

// Checker combines the official-schema check with the codec's structural rules.
type Checker struct {
	Schema  *schemas.Validator
	Profile codec.Profile
}

// Check returns every problem of one message, schema problems first at each position.
// Input that is not a SOAP envelope at all stops at the first problem. Schema problems carry
// the prefix "schema: ", rule problems "rule: ".
func (v *Checker) Check(raw []byte) []codec.Problem {
	m, err := codec.Decode(raw, codec.Options{})
	if err != nil {
		if e, ok := err.(*codec.Error); ok {
			return []codec.Problem{e.Problem}
		}
		return []codec.Problem{{Element: "-", Reason: err.Error()}}
	}
	var out []codec.Problem
	for _, p := range v.Schema.Validate(raw) {
		if _, ok := Waived(m, p); ok {
			continue
		}
		out = append(out, codec.Problem{Line: p.Line, Column: p.Column, Element: p.Element, Reason: "schema: " + p.Reason})
	}
	for _, p := range m.Check(v.Profile) {
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
