// Package xmltreetest holds test helpers for code that builds etree trees: a dump of what a
// tree's readers can observe, and golden digest files that pin trees to earlier output.
package xmltreetest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// Dump renders tok, the index-th child of parent, and its subtree as readers of the tree can
// observe them: names, attributes in order (marked "(foreign)" when an attribute does not
// point back to its element, as etree's Copy leaves them), tokens with their character-data
// flags. It fails t when a token's Parent or Index does not match its place.
func Dump(t testing.TB, sb *strings.Builder, tok etree.Token, parent *etree.Element, index int) {
	t.Helper()
	if tok.Parent() != parent || tok.Index() != index {
		t.Fatalf("token %T at %d: Parent %p Index %d, want %p %d", tok, index, tok.Parent(), tok.Index(), parent, index)
	}
	switch x := tok.(type) {
	case *etree.Element:
		fmt.Fprintf(sb, "<%q:%q", x.Space, x.Tag)
		for i := range x.Attr {
			a := &x.Attr[i]
			fmt.Fprintf(sb, " %q:%q=%q", a.Space, a.Key, a.Value)
			if a.Element() != x {
				sb.WriteString("(foreign)")
			}
		}
		sb.WriteString(">")
		for i, c := range x.Child {
			Dump(t, sb, c, x, i)
		}
		sb.WriteString("</>")
	case *etree.CharData:
		fmt.Fprintf(sb, "[%q ws=%v cdata=%v]", x.Data, x.IsWhitespace(), x.IsCData())
	case *etree.Comment:
		fmt.Fprintf(sb, "<!--%q-->", x.Data)
	case *etree.ProcInst:
		fmt.Fprintf(sb, "<?%q %q?>", x.Target, x.Inst)
	default:
		fmt.Fprintf(sb, "{%T}", x)
	}
}

// Golden compares the digests of named cases with the file at path (lines "DIGEST NAME"),
// or, with update set, rewrites the file from them. texts[name] is what the digest was
// computed over, printed on a mismatch. names gives the order of the file's lines.
func Golden(t testing.TB, path string, update bool, names []string, digests, texts map[string]string) {
	t.Helper()
	if update {
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s %s\n", digests[n], n)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sum, name, ok := strings.Cut(sc.Text(), " "); ok {
			want[name] = sum
		}
	}
	if len(want) != len(names) {
		t.Errorf("%d cases, %s has %d", len(names), path, len(want))
	}
	for _, n := range names {
		if want[n] != digests[n] {
			t.Errorf("%s: output differs from the recorded one (%s vs %s):\n%s", n, digests[n], want[n], texts[n])
		}
	}
}
