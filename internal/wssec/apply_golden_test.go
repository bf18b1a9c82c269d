package wssec

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
)

var updateApply = flag.Bool("update-apply", false, "rewrite testdata/apply.sha256 from the current Apply")

// applyGolden holds a digest of the tree Apply makes for each case of TestApplyGolden. It was
// written while Apply, dsig.Sign and codec.Build still built with etree's CreateElement,
// CreateAttr and SetText, and pins the arena-built trees (xmltree.Builder) to those.
const applyGolden = "testdata/apply.sha256"

// countingReader is a deterministic stand-in for crypto/rand: nonces and IVs are 0, 1, 2, ...
type countingReader struct{ n byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

// dumpTree renders what readers of the tree can observe: names, attributes in order (and
// whether each points back to its element), tokens with Index, character-data flags. It
// fails when a token's Parent or Index does not match its place.
func dumpTree(t *testing.T, sb *strings.Builder, tok etree.Token, parent *etree.Element, index int) {
	if tok.Parent() != parent || tok.Index() != index {
		t.Fatalf("token %T at %d: Parent %p Index %d, want %p %d", tok, index, tok.Parent(), tok.Index(), parent, index)
	}
	switch x := tok.(type) {
	case *etree.Element:
		fmt.Fprintf(sb, "<%q:%q", x.Space, x.Tag)
		for i := range x.Attr {
			a := &x.Attr[i]
			fmt.Fprintf(sb, " %q:%q=%q own=%v", a.Space, a.Key, a.Value, a.Element() == x)
		}
		sb.WriteString(">")
		for i, c := range x.Child {
			dumpTree(t, sb, c, x, i)
		}
		sb.WriteString("</>")
	case *etree.CharData:
		fmt.Fprintf(sb, "[%q ws=%v cdata=%v]", x.Data, x.IsWhitespace(), x.IsCData())
	default:
		fmt.Fprintf(sb, "{%T}", x)
	}
}

// TestApplyGolden: Apply (and the dsig.Sign and codec.Build under it) writes, for a set of
// policies, the same trees as the etree-only implementation did: same bytes, same
// structure, same digests and signature values.
func TestApplyGolden(t *testing.T) {
	type applyCase struct {
		name string
		sv   soap.Version
		rv   wsrm.Version
		pol  Policy
	}
	p05 := Policy{Version: wsc.V200502, DerivedKeys: true, IncludeToken: true, Sign: DefaultParts | PartTokens}
	cases := []applyCase{
		{"p11", soap.V12, wsrm.V200702, p11()},
		{"p11-soap11", soap.V11, wsrm.V200702, p11()},
		{"p05-tokens", soap.V12, wsrm.V200502, p05},
		{"sct-key", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512}},
		{"inclusive-sha256", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true,
			SignatureMethod: dsig.HMACSHA256, DigestMethod: dsig.SHA256, InclusivePrefixes: []string{"s", "wsu"}}},
		{"encrypt", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true, EncryptBody: true, EncryptSignature: true}},
		{"encrypt-sct-key", soap.V11, wsrm.V200502, Policy{Version: wsc.V200502, IncludeToken: true, EncryptBody: true}},
	}
	got := map[string]string{}
	texts := map[string]string{}
	for _, c := range cases {
		doc := appMessage(t, c.sv, c.rv)
		tok := testToken
		if c.name == "p05-tokens" {
			tok.Instance = "inst-1"
		}
		// Twice on one tree, as a retransmission re-protects a stored message: the second
		// round reuses the IDs and finds attributes and children added after building.
		for round := 0; round < 2; round++ {
			applied, err := Apply(doc, tok, c.pol, testNow, &countingReader{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if round == 0 {
				applied.Security.Parent().RemoveChild(applied.Security)
			}
		}
		var sb strings.Builder
		for i, tk := range doc.Child {
			dumpTree(t, &sb, tk, &doc.Element, i)
		}
		s, err := doc.WriteToString()
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString("\n" + s)
		sum := sha256.Sum256([]byte(sb.String()))
		got[c.name], texts[c.name] = hex.EncodeToString(sum[:]), sb.String()
	}
	if *updateApply {
		var b strings.Builder
		for _, c := range cases {
			fmt.Fprintf(&b, "%s %s\n", got[c.name], c.name)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(applyGolden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(applyGolden)
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
	if len(want) != len(cases) {
		t.Errorf("%d cases, %s has %d", len(cases), applyGolden, len(want))
	}
	for _, c := range cases {
		if want[c.name] != got[c.name] {
			t.Errorf("%s: Apply output differs from the recorded one:\n%s", c.name, texts[c.name])
		}
	}
}
