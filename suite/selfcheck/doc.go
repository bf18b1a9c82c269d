// Package selfcheck holds the suite's verdict-accuracy table: for every misbehaviour knob of
// the reference peers, the assertions (with the SUT role) that must fail when the knob is on.
package selfcheck

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed knobs.yaml
var knobsYAML []byte

// Expectation is one assertion a knob must fail.
type Expectation struct {
	ID   string
	Role string
}

// Table returns knob → the assertions it must fail.
func Table() (map[string][]Expectation, error) {
	var raw map[string][]string
	if err := yaml.Unmarshal(knobsYAML, &raw); err != nil {
		return nil, fmt.Errorf("knobs.yaml: %w", err)
	}
	out := map[string][]Expectation{}
	for k, list := range raw {
		for _, e := range list {
			f := strings.Fields(e)
			if len(f) != 2 || (f[1] != "responder" && f[1] != "initiator") {
				return nil, fmt.Errorf("knobs.yaml: %s: %q is not \"ID role\"", k, e)
			}
			out[k] = append(out[k], Expectation{ID: f[0], Role: f[1]})
		}
	}
	return out, nil
}

// Knobs returns the knobs of the table, sorted.
func Knobs(t map[string][]Expectation) []string {
	var ks []string
	for k := range t {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
