package report

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

// Counts is the number of results per verdict.
type Counts map[Verdict]int

// Total is the number of results counted.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// MarshalJSON writes every verdict, zeros included, in report order (then any others).
func (c Counts) MarshalJSON() ([]byte, error) {
	keys := append([]Verdict{}, Verdicts...)
	var extra []string
	for v := range c {
		if !isKnown(v) {
			extra = append(extra, string(v))
		}
	}
	sort.Strings(extra)
	for _, v := range extra {
		keys = append(keys, Verdict(v))
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(string(v))
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(c[v]))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func isKnown(v Verdict) bool {
	for _, k := range Verdicts {
		if k == v {
			return true
		}
	}
	return false
}

// GroupCounts is the tally of one phase or level.
type GroupCounts struct {
	Name   string `json:"name"`
	Total  int    `json:"total"`
	Counts Counts `json:"counts"`
}

// Summary is the tally of a run, after its baseline has been applied.
type Summary struct {
	Total    int           `json:"total"`
	Counts   Counts        `json:"counts"`
	ByPhase  []GroupCounts `json:"by_phase"`
	ByLevel  []GroupCounts `json:"by_level"`
	Diff     Diff          `json:"-"`
	ExitCode int           `json:"exit_code"`
}

// Summarize applies the baseline (nil: none) to the run and tallies the verdicts per phase
// (catalogue order, then "other") and per level (MUST, SHOULD, MAY, INFO, then "other").
// It returns the applied run, which the writers show.
func Summarize(run *Run, b *Baseline) (*Run, Summary) {
	applied := b.Apply(run)
	s := Summary{Counts: Counts{}, Diff: b.Diff(run), ExitCode: ExitCode(run, b, run.Strict)}
	phases, levels := map[string]Counts{}, map[string]Counts{}
	for _, r := range applied.Results {
		s.Total++
		s.Counts[r.Verdict]++
		p := phaseOf(r)
		if phases[p] == nil {
			phases[p] = Counts{}
		}
		phases[p][r.Verdict]++
		l := levelOf(r)
		if levels[l] == nil {
			levels[l] = Counts{}
		}
		levels[l][r.Verdict]++
	}
	for _, p := range append(phaseNames(), otherPhase) {
		if c := phases[p]; c != nil {
			s.ByPhase = append(s.ByPhase, GroupCounts{Name: p, Total: c.Total(), Counts: c})
		}
	}
	for _, l := range append(levelNames(), otherPhase) {
		if c := levels[l]; c != nil {
			s.ByLevel = append(s.ByLevel, GroupCounts{Name: l, Total: c.Total(), Counts: c})
		}
	}
	return applied, s
}

func levelNames() []string {
	var out []string
	for _, l := range assertions.Levels {
		out = append(out, string(l))
	}
	return out
}

func levelOf(r Result) string {
	for _, l := range assertions.Levels {
		if r.Level == string(l) {
			return r.Level
		}
	}
	return otherPhase
}
