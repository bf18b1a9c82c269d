package main

import (
	"strings"
	"testing"
)

func TestCheckImportsFlagsViolations(t *testing.T) {
	m := module + "/"
	cases := []struct {
		name string
		pkgs []pkg
		want string // substring of the single expected violation; "" = none
	}{
		{"down is fine", []pkg{{m + "internal/codec", []string{m + "internal/wire/wsrm", "fmt"}}}, ""},
		{"up is not", []pkg{{m + "internal/codec", []string{m + "internal/xmlsec/c14n"}}}, "must point down"},
		{"wire importing codec", []pkg{{m + "internal/wire/wsrm", []string{m + "internal/codec"}}}, "must point down"},
		{"rm importing wsse", []pkg{{m + "internal/rm", []string{m + "internal/wire/wsse"}}}, "rm imports only"},
		{"rm importing etree", []pkg{{m + "internal/rm", []string{"github.com/beevik/etree"}}}, "rm imports only"},
		{"ginkgo outside suite", []pkg{{m + "peer", []string{"github.com/onsi/ginkgo/v2"}}}, "Ginkgo only"},
		{"libxml2 outside schemas", []pkg{{m + "internal/codec", []string{"github.com/lestrrat-go/libxml2/xsd"}}}, "libxml2"},
		{"peer importing schemas", []pkg{{m + "peer", []string{m + "schemas"}}}, "only cmd/rspcheck"},
		{"cmd may import schemas", []pkg{{m + "cmd/rspcheck", []string{m + "schemas", m + "peer"}}}, ""},
		{"fixture generator independent", []pkg{{m + "fixtures/gen", []string{m + "internal/codec"}}}, "independent"},
	}
	for _, c := range cases {
		got := checkImports(c.pkgs)
		if c.want == "" {
			if len(got) != 0 {
				t.Errorf("%s: unexpected violations %v", c.name, got)
			}
			continue
		}
		if len(got) != 1 || !strings.Contains(got[0], c.want) {
			t.Errorf("%s: got %v, want one violation containing %q", c.name, got, c.want)
		}
	}
}

func TestCheckPeerDeps(t *testing.T) {
	if got := checkPeerDeps([]string{"fmt", module + "/schemas"}); len(got) != 1 {
		t.Fatalf("got %v", got)
	}
	if got := checkPeerDeps([]string{"fmt", module + "/peer"}); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}

func TestCheckCgo(t *testing.T) {
	if got := checkCgo([]string{module + "/schemas 2", module + "/internal/codec 0"}); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
	if got := checkCgo([]string{module + "/internal/codec 1"}); len(got) != 1 {
		t.Fatalf("got %v", got)
	}
}
