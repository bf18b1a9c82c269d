package xmlparse

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/beevik/etree"
)

// reference parses raw the way the codec did before this package: the behaviour to match.
func reference(raw []byte) (*etree.Document, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	doc.ReadSettings.PreserveDuplicateAttrs = true
	err := doc.ReadFromBytes(raw)
	return doc, err
}

// diffTrees walks both trees without recursion and describes the first difference: token
// types, Space/Tag, attributes in order, CharData data and flags, comments, PIs, directives,
// then parent and index links. "" means identical. A final reflect.DeepEqual catches any
// field the walk does not name.
func diffTrees(want, got *etree.Document) string {
	type pair struct {
		w, g *etree.Element
		path string
	}
	stack := []pair{{&want.Element, &got.Element, "/"}}
	for len(stack) > 0 {
		pr := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		w, g := pr.w, pr.g
		if w.Space != g.Space || w.Tag != g.Tag {
			return fmt.Sprintf("%s: element %q:%q, want %q:%q", pr.path, g.Space, g.Tag, w.Space, w.Tag)
		}
		if len(w.Attr) != len(g.Attr) {
			return fmt.Sprintf("%s: %d attributes, want %d", pr.path, len(g.Attr), len(w.Attr))
		}
		for i := range w.Attr {
			wa, ga := w.Attr[i], g.Attr[i]
			if wa.Space != ga.Space || wa.Key != ga.Key || wa.Value != ga.Value {
				return fmt.Sprintf("%s: attribute %d is %q:%q=%q, want %q:%q=%q", pr.path, i, ga.Space, ga.Key, ga.Value, wa.Space, wa.Key, wa.Value)
			}
			if ga.Element() != g {
				return fmt.Sprintf("%s: attribute %d does not point to its element", pr.path, i)
			}
		}
		if len(w.Child) != len(g.Child) {
			return fmt.Sprintf("%s: %d children %s, want %d %s", pr.path, len(g.Child), kinds(g.Child), len(w.Child), kinds(w.Child))
		}
		for i := range w.Child {
			at := fmt.Sprintf("%s[%d]", pr.path, i)
			if g.Child[i].Parent() != g || g.Child[i].Index() != i {
				return at + ": wrong parent or index"
			}
			switch wt := w.Child[i].(type) {
			case *etree.Element:
				gt, ok := g.Child[i].(*etree.Element)
				if !ok {
					return fmt.Sprintf("%s: %T, want element", at, g.Child[i])
				}
				stack = append(stack, pair{wt, gt, at + wt.FullTag() + "/"})
			case *etree.CharData:
				gt, ok := g.Child[i].(*etree.CharData)
				if !ok {
					return fmt.Sprintf("%s: %T, want CharData", at, g.Child[i])
				}
				if wt.Data != gt.Data || wt.IsCData() != gt.IsCData() || wt.IsWhitespace() != gt.IsWhitespace() {
					return fmt.Sprintf("%s: CharData %q cdata=%v ws=%v, want %q cdata=%v ws=%v", at,
						gt.Data, gt.IsCData(), gt.IsWhitespace(), wt.Data, wt.IsCData(), wt.IsWhitespace())
				}
			case *etree.Comment:
				gt, ok := g.Child[i].(*etree.Comment)
				if !ok || gt.Data != wt.Data {
					return fmt.Sprintf("%s: %#v, want comment %q", at, g.Child[i], wt.Data)
				}
			case *etree.ProcInst:
				gt, ok := g.Child[i].(*etree.ProcInst)
				if !ok || gt.Target != wt.Target || gt.Inst != wt.Inst {
					return fmt.Sprintf("%s: %#v, want PI %q %q", at, g.Child[i], wt.Target, wt.Inst)
				}
			case *etree.Directive:
				gt, ok := g.Child[i].(*etree.Directive)
				if !ok || gt.Data != wt.Data {
					return fmt.Sprintf("%s: %#v, want directive %q", at, g.Child[i], wt.Data)
				}
			default:
				return fmt.Sprintf("%s: unknown token %T", at, wt)
			}
		}
	}
	if !reflect.DeepEqual(want, got) {
		return "trees differ in a field the walk does not compare"
	}
	return ""
}

func kinds(ts []etree.Token) string {
	var b strings.Builder
	for _, t := range ts {
		switch t := t.(type) {
		case *etree.Element:
			b.WriteString("<" + t.FullTag() + ">")
		case *etree.CharData:
			fmt.Fprintf(&b, "%q", t.Data)
		default:
			fmt.Fprintf(&b, "%T", t)
		}
		b.WriteByte(' ')
	}
	return b.String()
}
