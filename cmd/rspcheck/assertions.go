package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

// runAssertions implements `rspcheck assertions [--format md|json] [--phase P] [--level L]`:
// the catalogue, filtered, as Markdown tables grouped by phase or as a JSON array.
func runAssertions(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("assertions", flag.ContinueOnError)
	fl.SetOutput(stderr)
	format := fl.String("format", "md", "output format: md (tables grouped by phase) or json (an array of entries)")
	phaseArg := fl.String("phase", "", "only these phases, comma-separated: issuance, establish, transfer, security, closure, recovery")
	levelArg := fl.String("level", "", "only these levels, comma-separated: MUST, SHOULD, MAY, INFO")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	usageErr := func(err error) int {
		fmt.Fprintln(stderr, "rspcheck assertions:", err)
		fmt.Fprintln(stderr, "usage: rspcheck assertions [--format md|json] [--phase P[,P]] [--level L[,L]]")
		return 2
	}
	if fl.NArg() != 0 {
		return usageErr(fmt.Errorf("unexpected argument %q", fl.Arg(0)))
	}
	if *format != "md" && *format != "json" {
		return usageErr(fmt.Errorf("unknown format %q", *format))
	}
	phases, err := parseList(*phaseArg, assertions.ParsePhase)
	if err != nil {
		return usageErr(err)
	}
	levels, err := parseList(*levelArg, assertions.ParseLevel)
	if err != nil {
		return usageErr(err)
	}
	cat, err := assertions.Load()
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck assertions:", err)
		return 1
	}
	list := cat.Filter(func(a assertions.Assertion) bool {
		return (len(phases) == 0 || slices.Contains(phases, a.Phase)) && (len(levels) == 0 || slices.Contains(levels, a.Level))
	})
	if *format == "json" {
		if list == nil {
			list = []assertions.Assertion{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(list); err != nil {
			fmt.Fprintln(stderr, "rspcheck assertions:", err)
			return 1
		}
		return 0
	}
	writeCatalogueMarkdown(stdout, list, cat.Len(), *phaseArg, *levelArg)
	return 0
}

// parseList parses a comma-separated list with parse; empty means no filter.
func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := parse(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// writeCatalogueMarkdown prints one table per phase, in the phases' order.
func writeCatalogueMarkdown(w io.Writer, list []assertions.Assertion, total int, phaseArg, levelArg string) {
	testable := 0
	for _, a := range list {
		if a.Testable {
			testable++
		}
	}
	fmt.Fprintf(w, "# rspcheck assertion catalogue\n\n%d of %d assertions (%d testable)", len(list), total, testable)
	if phaseArg != "" {
		fmt.Fprintf(w, " · phase %s", phaseArg)
	}
	if levelArg != "" {
		fmt.Fprintf(w, " · level %s", levelArg)
	}
	fmt.Fprintln(w)
	notes := false
	var untested []assertions.Assertion
	for _, p := range assertions.Phases {
		var rows []assertions.Assertion
		for _, a := range list {
			if a.Phase == p {
				rows = append(rows, a)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n## %s (%d)\n\n| ID | Level | Roles | Spec | Profiles | Title |\n|---|---|---|---|---|---|\n", p, len(rows))
		for _, a := range rows {
			id, level := a.ID, string(a.Level)
			switch {
			case a.Untested != "":
				id += " †"
				untested = append(untested, a)
			case !a.Testable:
				id += " *"
				notes = true
			}
			if a.Profile {
				level += " (profile)"
			}
			spec := a.Spec
			if a.Section != "" {
				if strings.HasPrefix(a.Section, "R") || strings.HasPrefix(a.Section, "B") || a.Section == "XSD" {
					spec += " " + a.Section
				} else {
					spec += " §" + a.Section
				}
			}
			roles := make([]string, len(a.Roles))
			for i, r := range a.Roles {
				roles[i] = string(r)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", id, level, strings.Join(roles, ", "),
				cell(spec), strings.Join(a.Profiles, " "), cell(a.Title))
		}
	}
	if len(list) == 0 {
		fmt.Fprintln(w, "\nNo assertion matches.")
	}
	if notes {
		fmt.Fprintln(w, "\n\\* a note, not testable as a requirement (peer profiles, unnumbered WS-I RSP notes).")
	}
	if len(untested) > 0 {
		fmt.Fprintln(w, "\n† not exercised by the suite:")
		for _, a := range untested {
			fmt.Fprintf(w, "\n- %s: %s", a.ID, a.Untested)
		}
		fmt.Fprintln(w)
	}
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
