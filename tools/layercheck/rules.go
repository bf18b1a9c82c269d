package main

import (
	"fmt"
	"strings"
)

// layer ranks of the module's packages (DESIGN.md "Dependency direction"). A package may
// import packages of its own rank or below.
var layers = []struct {
	prefix string
	rank   int
}{
	{"internal/wire", 0},
	{"internal/codec", 1},
	{"internal/xmlsec", 2},
	{"internal/token", 3},
	{"internal/wssec", 3},
	{"internal/rm", 4},
	{"internal/store", 5},
	{"internal/transport", 6},
	{"internal/trace", 6},
	{"internal/assertions", 7},
	{"internal/report", 7},
	{"internal/msgcheck", 7},
	{"peer", 8},
	{"suite", 9},
	{"cmd", 9},
	{"container", 9},
	{"fixtures", 9},
	{"tools", 10},
}

// rankOf returns the rank of a module-relative package path, or -1 when unranked.
func rankOf(rel string) int {
	for _, l := range layers {
		if rel == l.prefix || strings.HasPrefix(rel, l.prefix+"/") {
			return l.rank
		}
	}
	return -1
}

func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	if strings.HasPrefix(path, module+"/") {
		return strings.TrimPrefix(path, module+"/"), true
	}
	return "", false
}

// thirdParty lists libraries confined to one area.
var thirdParty = []struct {
	importPrefix string
	allowed      []string // module-relative prefixes
	why          string
}{
	{"github.com/lestrrat-go/libxml2", []string{"schemas"}, "libxml2 (cgo) only in the schema validator"},
	{"github.com/onsi/ginkgo", []string{"suite"}, "Ginkgo only under suite/"},
	{"github.com/onsi/gomega", []string{"suite"}, "Gomega only under suite/"},
	{"github.com/testcontainers/testcontainers-go", []string{"container"}, "testcontainers only under container/"},
}

func under(relPath string, prefixes []string) bool {
	for _, p := range prefixes {
		if relPath == p || strings.HasPrefix(relPath, p+"/") {
			return true
		}
	}
	return false
}

// checkImports applies the layer, confinement and rm rules to every package.
func checkImports(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		from, ok := rel(p.Path)
		if !ok {
			continue
		}
		fromRank := rankOf(from)
		for _, imp := range p.Imports {
			for _, tp := range thirdParty {
				if strings.HasPrefix(imp, tp.importPrefix) && !under(from, tp.allowed) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", from, imp, tp.why))
				}
			}
			to, mine := rel(imp)
			if !mine {
				if from == "internal/rm" && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
					out = append(out, fmt.Sprintf("internal/rm imports %s: rm imports only wire/wsrm, wire/wsa and the standard library", imp))
				}
				continue
			}
			if from == "internal/rm" && to != "internal/wire/wsrm" && to != "internal/wire/wsa" && to != "internal/wire" {
				out = append(out, fmt.Sprintf("internal/rm imports %s: rm imports only wire/wsrm, wire/wsa and the standard library", to))
			}
			if to == "schemas" && !under(from, []string{"cmd/rspcheck", "suite", "tools", "fixtures", "schemas", "internal/msgcheck"}) {
				out = append(out, fmt.Sprintf("%s imports schemas: only cmd/rspcheck, internal/msgcheck, suite/ and tests may link the libxml2 validator", from))
			}
			if strings.HasPrefix(from, "fixtures/gen") {
				out = append(out, fmt.Sprintf("%s imports %s: the fixture generator must stay independent of the code it tests", from, to))
			}
			toRank := rankOf(to)
			if fromRank >= 0 && toRank > fromRank {
				out = append(out, fmt.Sprintf("%s (layer %d) imports %s (layer %d): imports must point down the layers", from, fromRank, to, toRank))
			}
		}
	}
	return out
}

// checkPeerDeps keeps rsppeer pure Go (it must build with CGO_ENABLED=0 for a FROM scratch
// image): neither the schema validator nor libxml2 may be among its dependencies.
func checkPeerDeps(deps []string) []string {
	var out []string
	for _, d := range deps {
		if d == module+"/schemas" || strings.HasPrefix(d, "github.com/lestrrat-go/libxml2") {
			out = append(out, "cmd/rsppeer depends on "+d+": rsppeer must stay pure Go (CGO_ENABLED=0)")
		}
	}
	return out
}

// checkCgo keeps cgo (and with it libxml2) inside the schema validator: lines are
// "importpath number-of-cgo-files" from go list.
func checkCgo(lines []string) []string {
	var out []string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 2 || f[1] == "0" {
			continue
		}
		if r, ok := rel(f[0]); ok && r != "schemas" {
			out = append(out, fmt.Sprintf("%s uses cgo: only schemas/ may (rsppeer and the engine stay pure Go)", r))
		}
	}
	return out
}
