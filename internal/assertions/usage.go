package assertions

import (
	"fmt"
	"slices"
	"strings"
)

// UsageError is what CheckUsage finds wrong with the IDs a suite uses.
type UsageError struct {
	Unknown   []string // used IDs the catalogue does not have
	Duplicate []string // IDs used by more than one spec (each listed once)
	// Uncovered are testable catalogue entries no spec uses: a coverage gap rather than a
	// mistake in the suite, kept apart so that a caller can report it without failing.
	Uncovered []string
}

// Invalid reports whether the suite itself is wrong (unknown or duplicate IDs), as opposed to
// merely incomplete.
func (e *UsageError) Invalid() bool { return len(e.Unknown) > 0 || len(e.Duplicate) > 0 }

func (e *UsageError) Error() string {
	var parts []string
	add := func(what string, ids []string) {
		if len(ids) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s: %s", len(ids), what, strings.Join(ids, ", ")))
		}
	}
	add("unknown assertion ID(s)", e.Unknown)
	add("assertion ID(s) used by more than one spec", e.Duplicate)
	add("testable assertion(s) without a spec", e.Uncovered)
	return "assertions: " + strings.Join(parts, "; ")
}

// CheckUsage compares the assertion IDs used by the suite's specs (one element per spec, so
// an ID appearing twice is a duplicate) with the catalogue. It returns nil when every used ID
// is known and used once and every testable entry is used; otherwise a *UsageError whose
// lists are sorted. Use (*UsageError).Invalid to tell a broken suite from an incomplete one.
func (c *Catalogue) CheckUsage(used []string) error {
	e := &UsageError{}
	seen := map[string]int{}
	for _, id := range used {
		seen[id]++
		if seen[id] == 2 {
			e.Duplicate = append(e.Duplicate, id)
		}
		if _, ok := c.index[id]; !ok && seen[id] == 1 {
			e.Unknown = append(e.Unknown, id)
		}
	}
	for _, a := range c.list {
		if a.Testable && seen[a.ID] == 0 {
			e.Uncovered = append(e.Uncovered, a.ID)
		}
	}
	if len(e.Unknown)+len(e.Duplicate)+len(e.Uncovered) == 0 {
		return nil
	}
	slices.Sort(e.Unknown)
	slices.Sort(e.Duplicate)
	slices.Sort(e.Uncovered)
	return e
}
