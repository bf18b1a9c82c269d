package codec

import (
	"bytes"
	"fmt"
	"reflect"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmltree"
)

// Attrs are the SOAP attributes of a header block.
type Attrs struct {
	MustUnderstand bool
	Role           string
	ID             string // wsu:Id, needed when the header is signed
}

// Envelope is what Encode writes: typed headers and body content.
type Envelope struct {
	SOAP       soap.Version
	Addressing *wsa.Headers
	// AddressingAttrs gives per-header attributes of addressing headers, by local name
	// ("Action", "To", ...).
	AddressingAttrs map[string]Attrs
	// Headers are written after the addressing headers, in order. Value is a typed wire
	// value, a wire.Any or an *etree.Element.
	Headers []Header
	// Body holds the body children: typed values, wire.Any or *etree.Element.
	Body   []any
	BodyID string // wsu:Id of the Body
}

type validator interface{ Validate() error }

// Encode writes env as bytes.
func Encode(env *Envelope, opt Options) ([]byte, error) {
	doc, err := Build(env, opt)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return buf.Bytes(), nil
}

// Build constructs the envelope tree. Unless opt.AllowIllegal is set, every typed value must
// pass its Validate rules.
func Build(env *Envelope, opt Options) (*etree.Document, error) {
	if !opt.AllowIllegal {
		if err := validateEnvelope(env); err != nil {
			return nil, fmt.Errorf("encode: %w (set AllowIllegal to write it anyway)", err)
		}
	}
	doc := etree.NewDocument()
	w := &writer{soap: env.SOAP}
	w.b.Reserve(estimateSizes(env))
	ens := env.SOAP.Namespace()
	if env.Addressing != nil {
		w.wsa = env.Addressing.Version
	}
	w.root = w.b.Element(&doc.Element, "s", "Envelope")
	// Room for the declarations of a typical message, and for the ones wssec.Apply adds
	// later with CreateAttr; the Header and the Body.
	w.b.Grow(w.root, 8, 2)
	w.decls = w.declBuf[:0]
	w.declare("s", ens)
	var hdr *etree.Element
	if env.Addressing != nil || len(env.Headers) > 0 {
		hdr = w.elem(w.root, ens, "s", "Header")
		// Room for every header block, and for the Security header wssec.Apply appends.
		w.b.Grow(hdr, 0, addressingCount(env.Addressing)+len(env.Headers)+1)
	}
	placed := false
	for _, h := range env.Headers {
		if _, ok := h.Value.(AddressingHeader); ok {
			placed = true
		}
	}
	if env.Addressing != nil && !placed {
		w.writeAllAddressing(hdr, env.Addressing, env.AddressingAttrs)
	}
	for _, h := range env.Headers {
		if ah, ok := h.Value.(AddressingHeader); ok {
			if env.Addressing == nil {
				return nil, fmt.Errorf("encode: addressing header %s placed but Envelope.Addressing is nil", ah.Local)
			}
			if el := w.writeAddressingHeader(hdr, env.Addressing, ah.Local, ah.Index); el != nil {
				w.headerAttrs(el, Attrs{MustUnderstand: h.MustUnderstand, Role: h.Role, ID: h.ID})
			}
			continue
		}
		el, err := w.value(hdr, h.Value)
		if err != nil {
			return nil, err
		}
		w.headerAttrs(el, Attrs{MustUnderstand: h.MustUnderstand, Role: h.Role, ID: h.ID})
	}
	body := w.elem(w.root, ens, "s", "Body")
	w.b.Grow(body, 0, len(env.Body))
	if env.BodyID != "" {
		w.wsuID(body, env.BodyID)
	}
	for _, b := range env.Body {
		if _, err := w.value(body, b); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

func validateEnvelope(env *Envelope) error {
	check := func(v any) error {
		if val, ok := v.(validator); ok && !isNil(v) {
			return val.Validate()
		}
		return nil
	}
	for _, h := range env.Headers {
		if err := check(h.Value); err != nil {
			return fmt.Errorf("header %T: %w", h.Value, err)
		}
	}
	for _, b := range env.Body {
		if err := check(b); err != nil {
			return fmt.Errorf("body %T: %w", b, err)
		}
	}
	return nil
}

func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	return !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil())
}

func typeKey(v any) string { return reflect.TypeOf(v).String() }

// writer builds elements, declaring each namespace once on the Envelope. Its elements,
// attributes and texts come from an xmltree.Builder: the same trees as etree's CreateElement,
// CreateAttr and SetText make, a few chunk allocations instead of several per element; names
// go to the Builder as prefix and local part, so no "prefix:local" string is built only for
// etree to split it again.
type writer struct {
	b     xmltree.Builder
	soap  soap.Version
	root  *etree.Element
	decls []nsDecl // the declarations on root, in order; a message uses about ten namespaces
	wsa   wsa.Version

	declBuf [8]nsDecl // backs decls in the common case
}

// nsDecl is one namespace declaration of the Envelope. Each namespace has one prefix and each
// prefix one namespace (prefixFor picks a free prefix).
type nsDecl struct{ prefix, ns string }

func (w *writer) declare(prefix, ns string) {
	w.decls = append(w.decls, nsDecl{prefix, ns})
	w.b.Attr(w.root, "xmlns", prefix, ns)
}

// prefixFor returns the prefix bound to ns, binding the wanted one (or a free variant).
func (w *writer) prefixFor(ns, want string) string {
	for _, d := range w.decls {
		if d.ns == ns {
			return d.prefix
		}
	}
	p := want
	for i := 2; w.prefixTaken(p); i++ {
		p = fmt.Sprintf("%s%d", want, i)
	}
	w.declare(p, ns)
	return p
}

func (w *writer) prefixTaken(p string) bool {
	for _, d := range w.decls {
		if d.prefix == p {
			return true
		}
	}
	return false
}

func (w *writer) elem(parent *etree.Element, ns, prefix, local string) *etree.Element {
	return w.b.Element(parent, w.prefixFor(ns, prefix), local)
}

func (w *writer) textElem(parent *etree.Element, ns, prefix, local, value string) *etree.Element {
	return w.b.TextElement(parent, w.prefixFor(ns, prefix), local, value)
}

// plainElem appends an element in no namespace (SOAP 1.1 faultcode, faultstring ...).
func (w *writer) plainElem(parent *etree.Element, local string) *etree.Element {
	return w.b.Element(parent, "", local)
}

// text sets the text of el as el.SetText does.
func (w *writer) text(el *etree.Element, s string) { w.b.Text(el, s) }

func (w *writer) attrNS(el *etree.Element, ns, prefix, local, value string) {
	w.b.Attr(el, w.prefixFor(ns, prefix), local, value)
}

// attr sets an unqualified attribute, as el.CreateAttr(key, value) does.
func (w *writer) attr(el *etree.Element, key, value string) { w.b.Attr(el, "", key, value) }

// addressingCount is the number of addressing headers a has (0 for nil).
func addressingCount(a *wsa.Headers) int {
	if a == nil {
		return 0
	}
	n := len(a.RelatesTo)
	for _, s := range [...]string{a.Action, a.MessageID, a.To} {
		if s != "" {
			n++
		}
	}
	for _, e := range [...]*wsa.EPR{a.From, a.ReplyTo, a.FaultTo} {
		if e != nil {
			n++
		}
	}
	return n
}

// estimateSizes is a rough size of the tree Build makes for env, to size the Builder's first
// chunks: a typical application message or protocol message then takes one chunk of each.
// Large values (a whole Security header, trust messages) just take more chunks.
func estimateSizes(env *Envelope) xmltree.Sizes {
	a := addressingCount(env.Addressing)
	n := 3 + a + 3*len(env.Headers) + 2*len(env.Body) // Envelope, Header, Body; Sequence has three
	for _, h := range env.Headers {
		if s, ok := h.Value.(*wsse.Security); ok && s != nil {
			n += 6 * len(s.Items) // a Timestamp has three elements, a signature dozens
		}
	}
	return xmltree.Sizes{
		Elements: n,
		Texts:    n / 2,
		Attrs:    8 + len(env.Headers) + len(env.Body), // the declarations (see Build), a few more
		Children: 2 * n,
	}
}

func (w *writer) wsuID(el *etree.Element, id string) { w.attrNS(el, wsse.NSWSU, "wsu", "Id", id) }

func (w *writer) headerAttrs(el *etree.Element, a Attrs) {
	if el == nil {
		return
	}
	ens := w.soap.Namespace()
	if a.MustUnderstand {
		v := "true"
		if w.soap == soap.V11 {
			v = "1"
		}
		w.attrNS(el, ens, "s", soap.AttrMustUnderstand, v)
	}
	if a.Role != "" {
		name := soap.AttrRole12
		if w.soap == soap.V11 {
			name = soap.AttrActor11
		}
		w.attrNS(el, ens, "s", name, a.Role)
	}
	if a.ID != "" {
		w.wsuID(el, a.ID)
	}
}

// value writes one typed value, generic element or raw element under parent.
func (w *writer) value(parent *etree.Element, v any) (*etree.Element, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("encode: nil value")
	case *etree.Element:
		return w.copyInScope(parent, x), nil
	case wire.Any:
		return w.any(parent, x), nil
	case *wire.Any:
		return w.any(parent, *x), nil
	}
	f, ok := writers[typeKey(v)]
	if !ok {
		return nil, fmt.Errorf("encode: no writer for %T", v)
	}
	return f(w, parent, v), nil
}

func (w *writer) anys(parent *etree.Element, as []wire.Any) {
	for _, a := range as {
		w.any(parent, a)
	}
}

func (w *writer) any(parent *etree.Element, a wire.Any) *etree.Element {
	var el *etree.Element
	if a.Name.Space == "" {
		el = w.b.Element(parent, "", a.Name.Local)
		if w.defaultNSInScope(parent) {
			w.attr(el, "xmlns", "")
		}
	} else {
		want := a.Prefix
		if want == "" {
			want = "ns"
		}
		el = w.elem(parent, a.Name.Space, want, a.Name.Local)
	}
	for _, at := range a.Attrs {
		if at.Name.Space == "" {
			w.attr(el, at.Name.Local, at.Value)
		} else if at.Name.Space == "http://www.w3.org/XML/1998/namespace" {
			w.b.Attr(el, "xml", at.Name.Local, at.Value)
		} else {
			w.attrNS(el, at.Name.Space, "ns", at.Name.Local, at.Value)
		}
	}
	if a.Text != "" {
		w.text(el, a.Text)
	}
	for _, c := range a.Children {
		w.any(el, c)
	}
	return el
}

func (w *writer) defaultNSInScope(el *etree.Element) bool {
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if a.Space == "" && a.Key == "xmlns" {
				return a.Value != ""
			}
		}
	}
	return false
}

// copyInScope appends a copy of el to parent and declares on the copy every namespace prefix
// the subtree uses but inherits from its original ancestors, so the copy means the same thing
// in a new document. The copy is the one etree's Copy makes (xmltree.Builder.AddCopy).
func (w *writer) copyInScope(parent, el *etree.Element) *etree.Element {
	c := w.b.AddCopy(parent, el)
	declared := map[string]bool{}
	for _, a := range c.Attr {
		if a.Space == "xmlns" {
			declared[a.Key] = true
		} else if a.Space == "" && a.Key == "xmlns" {
			declared[""] = true
		}
	}
	need := map[string]bool{}
	var walk func(e *etree.Element, local map[string]bool)
	walk = func(e *etree.Element, local map[string]bool) {
		here := local
		cloned := false
		for _, a := range e.Attr {
			isDecl := a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns")
			if !isDecl {
				continue
			}
			if !cloned {
				here = make(map[string]bool, len(local)+1)
				for k := range local {
					here[k] = true
				}
				cloned = true
			}
			if a.Space == "xmlns" {
				here[a.Key] = true
			} else {
				here[""] = true
			}
		}
		if !here[e.Space] {
			need[e.Space] = true
		}
		for _, a := range e.Attr {
			if a.Space != "" && a.Space != "xmlns" && a.Space != "xml" && !here[a.Space] {
				need[a.Space] = true
			}
		}
		for ch := range e.ChildElementsSeq() {
			walk(ch, here)
		}
	}
	walk(el, map[string]bool{})
	for p := range need {
		if declared[p] {
			continue
		}
		ns := lookupPrefix(el, p)
		if p == "" {
			if ns != "" {
				c.CreateAttr("xmlns", ns)
			}
			continue
		}
		if ns != "" {
			c.CreateAttr("xmlns:"+p, ns)
		}
	}
	return c
}

// lookupPrefix resolves prefix on el and its ancestors ("" = the default namespace).
func lookupPrefix(el *etree.Element, prefix string) string {
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if prefix == "" && a.Space == "" && a.Key == "xmlns" {
				return a.Value
			}
			if prefix != "" && a.Space == "xmlns" && a.Key == prefix {
				return a.Value
			}
		}
	}
	return ""
}
