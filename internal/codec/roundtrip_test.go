package codec

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// goldenFiles lists the golden fixtures (fixtures/golden/**.xml).
func goldenFiles(t testing.TB) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir("../../fixtures/golden", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".xml") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	if len(out) == 0 {
		t.Fatal("no golden fixtures found under fixtures/golden")
	}
	sort.Strings(out)
	return out
}

// typedView is what a message means, independent of how it was written: the addressing
// properties, each header's name, attributes and typed value, and the body's typed value.
type typedView struct {
	Addressing any
	Headers    []headerView
	Payload    any
	BodyCount  int
}

type headerView struct {
	Name  string
	MU    bool
	Role  string
	ID    string
	Value any
	Raw   string // canonical-ish text of untyped headers
}

func viewOf(t *testing.T, m *Message) typedView {
	t.Helper()
	v := typedView{Payload: m.Payload, BodyCount: m.BodyCount}
	if m.HasAddressing {
		v.Addressing = m.Addressing
	}
	for _, h := range m.Headers {
		hv := headerView{Name: h.Name.String(), MU: h.MustUnderstand, Role: h.Role, ID: h.ID}
		if h.Value != nil {
			if _, isWSA := h.Value.(interface{ ReplyTarget() string }); !isWSA {
				hv.Value = h.Value
			}
		} else {
			hv.Raw = flatten(h.El)
		}
		v.Headers = append(v.Headers, hv)
	}
	return v
}

// flatten renders an element as namespace-resolved names, attributes and trimmed text.
func flatten(el *etree.Element) string {
	var b strings.Builder
	walk(el, func(e *etree.Element) {
		b.WriteString("<" + qname(e).String())
		var attrs []string
		for _, a := range e.Attr {
			if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
				continue
			}
			ns := ""
			if a.Space != "" {
				ns = a.NamespaceURI()
			}
			attrs = append(attrs, "{"+ns+"}"+a.Key+"="+a.Value)
		}
		sort.Strings(attrs)
		b.WriteString(strings.Join(attrs, " ") + ">" + strings.TrimSpace(e.Text()))
	})
	return b.String()
}

// TestGoldenRoundTrip: every golden fixture decodes without problems, passes the structural
// rules, and survives Decode → ToEnvelope → Encode → Decode with the same meaning.
func TestGoldenRoundTrip(t *testing.T) {
	for _, f := range goldenFiles(t) {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Decode(raw, Options{})
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if ps := m.Check(ProfileAuto); len(ps) > 0 {
				t.Fatalf("golden message has problems:\n%v", Problems(ps))
			}
			out, err := Encode(m.ToEnvelope(), Options{})
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			m2, err := Decode(out, Options{})
			if err != nil {
				t.Fatalf("decode of re-encoded message: %v\n%s", err, out)
			}
			if ps := m2.Check(ProfileAuto); len(ps) > 0 {
				t.Fatalf("re-encoded message has problems:\n%v\n%s", Problems(ps), out)
			}
			a, b := viewOf(t, m), viewOf(t, m2)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("typed round trip changed the message\nbefore: %+v\nafter:  %+v\n%s", a, b, out)
			}
			if got, want := flatten(m2.Body), flatten(m.Body); got != want {
				t.Fatalf("body changed:\nbefore %s\nafter  %s", want, got)
			}
		})
	}
}

// TestGoldenRawRoundTrip: the raw tree written back is the same document (names, attributes,
// text), so nothing a signature covers is lost by keeping the tree.
func TestGoldenRawRoundTrip(t *testing.T) {
	for _, f := range goldenFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(raw, Options{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var buf bytes.Buffer
		if _, err := m.Doc.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		m2, err := Decode(buf.Bytes(), Options{})
		if err != nil {
			t.Fatalf("%s: re-read: %v", f, err)
		}
		if flatten(m.Envelope) != flatten(m2.Envelope) {
			t.Fatalf("%s: raw round trip changed the document", f)
		}
	}
}
