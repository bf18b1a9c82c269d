package codec

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlparse"
)

// Decode parses a SOAP envelope. It fails only when the input is not a usable envelope; every
// other problem is recorded on the message (see Check).
func Decode(raw []byte, opt Options) (*Message, error) {
	if len(raw) == 0 {
		return nil, &Error{Problem{Line: 1, Column: 1, Element: "-", Reason: "empty input: not an XML document"}}
	}
	if len(raw) > opt.maxSize() {
		return nil, &Error{Problem{Line: 1, Column: 1, Element: "-", Reason: fmt.Sprintf("message of %d bytes exceeds the limit of %d bytes", len(raw), opt.maxSize())}}
	}
	if p, bad := findDoctype(raw); bad {
		return nil, &Error{p}
	}
	// XML 1.0 §2.11 and §3.3.3 normalizations that etree (encoding/xml) leaves out; without
	// them a literal tab in an attribute would canonicalize differently from .NET and Java.
	raw = NormalizeInput(raw)
	doc, err := xmlparse.Parse(raw, xmlparse.Options{})
	if err != nil {
		return nil, &Error{syntaxProblem(raw, err)}
	}
	root := doc.Root()
	if root == nil {
		return nil, &Error{Problem{Line: 1, Column: 1, Element: "-", Reason: "no document element: not an XML document"}}
	}
	if err := checkTree(root, opt.maxDepth()); err != nil {
		return nil, &Error{Problem{Line: 0, Column: 0, Element: "-", Reason: err.Error()}}
	}
	m := &Message{Doc: doc, Envelope: root, raw: raw}
	v, ok := soap.VersionOf(root.NamespaceURI())
	if !ok || root.Tag != "Envelope" {
		m.raw = raw
		return nil, &Error{m.problemAt(root, fmt.Sprintf("document element {%s}%s is not a SOAP 1.1 or 1.2 Envelope", root.NamespaceURI(), root.Tag))}
	}
	m.SOAP = v
	d := &decoder{m: m}
	d.readEnvelope(root)
	return m, nil
}

func (d *decoder) readEnvelope(root *etree.Element) {
	ns := d.m.SOAP.Namespace()
	c := childrenOf(root)
	d.m.Header = c.take(ns, "Header")
	d.m.Body = c.take(ns, "Body")
	if d.m.Body == nil {
		d.problem(root, "the Envelope has no Body (SOAP "+d.m.SOAP.String()+")")
	}
	if rest := c.rest(); len(rest) > 0 && d.m.SOAP == soap.V12 {
		d.unexpected(root, rest)
	}
	if d.m.Header != nil {
		if _, n := firstChild(d.m.Header); n > 0 {
			d.m.Headers = make([]Header, 0, n)
		}
		for h := range d.m.Header.ChildElementsSeq() {
			d.readHeader(h)
		}
	}
	d.readBody()
}

// readBody reads the first child of the Body, the payload.
func (d *decoder) readBody() {
	if d.m.Body == nil {
		return
	}
	first, n := firstChild(d.m.Body)
	d.m.BodyCount = n
	if first != nil {
		d.m.BodyElem = first
		if f, ok := bodyReaders[qname(first)]; ok {
			d.m.Payload = untypedNil(f(d, first))
		}
	}
}

func (d *decoder) readHeader(el *etree.Element) {
	h := Header{Name: qname(el), El: el}
	env := d.m.SOAP.Namespace()
	if mu, ok := attrNS(el, env, soap.AttrMustUnderstand); ok {
		h.MustUnderstandRaw = mu
		switch mu {
		case "1", "true":
			h.MustUnderstand = true
		case "0", "false":
		default:
			d.problem(el, fmt.Sprintf("mustUnderstand=%q is not a boolean", mu))
		}
	}
	roleAttr := soap.AttrRole12
	if d.m.SOAP == soap.V11 {
		roleAttr = soap.AttrActor11
	}
	h.Role, _ = attrNS(el, env, roleAttr)
	h.ID, _ = attrNS(el, wsse.NSWSU, "Id")
	if v, ok := wsa.VersionOf(h.Name.Space); ok && wsa.IsHeader(h.Name.Local) {
		d.readAddressing(v, el, &h)
	} else if f, ok := headerReaders[h.Name]; ok {
		h.Value = untypedNil(f(d, el))
	}
	d.m.Headers = append(d.m.Headers, h)
}

// findDoctype refuses any DOCTYPE in the prolog: SOAP forbids a DTD (SOAP 1.2 Part 1 §5;
// SOAP 1.1 §3), and refusing it is what keeps entity-expansion attacks out.
func findDoctype(raw []byte) (Problem, bool) {
	i := 0
	if bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		i = 3
	}
	for i < len(raw) {
		switch {
		case raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\r' || raw[i] == '\n':
			i++
		case bytes.HasPrefix(raw[i:], []byte("<?")):
			j := bytes.Index(raw[i:], []byte("?>"))
			if j < 0 {
				return Problem{}, false
			}
			i += j + 2
		case bytes.HasPrefix(raw[i:], []byte("<!--")):
			j := bytes.Index(raw[i:], []byte("-->"))
			if j < 0 {
				return Problem{}, false
			}
			i += j + 3
		case bytes.HasPrefix(raw[i:], []byte("<!DOCTYPE")):
			line := bytes.Count(raw[:i], []byte("\n")) + 1
			col := i - bytes.LastIndexByte(raw[:i], '\n')
			return Problem{Line: line, Column: col, Element: "-", Reason: "a DOCTYPE is not allowed in a SOAP message (SOAP 1.2 Part 1 §5): refused, no entity is expanded"}, true
		default:
			return Problem{}, false
		}
	}
	return Problem{}, false
}

func syntaxProblem(raw []byte, err error) Problem {
	if se, ok := errors.AsType[*xmlparse.SyntaxError](err); ok {
		return Problem{Line: se.Line, Column: se.Column, Element: se.Element, Reason: "not well-formed XML: " + se.Msg}
	}
	p := Problem{Line: 1, Column: 1, Element: "-", Reason: "not well-formed XML: " + err.Error()}
	var line int
	if _, e := fmt.Sscanf(err.Error(), "XML syntax error on line %d", &line); e == nil {
		p.Line = line
	}
	return p
}

// untypedNil turns a typed nil pointer (a reader that gave up) into a nil interface, so that
// callers can test Value == nil.
func untypedNil(v any) any {
	if isNil(v) {
		return nil
	}
	return v
}

// checkTree bounds element nesting and refuses names that are not namespace-well-formed
// (an undeclared prefix, an empty prefix or local part), without recursion. It walks the tree
// once, depth first, keeping the prefixes in scope (nsScope) instead of resolving each name
// by walking up its ancestors. Elements are visited in the order of the explicit-stack walk
// it replaces (each element, then its children last to first), so that of several faults the
// same one is reported.
func checkTree(root *etree.Element, max int) error {
	type frame struct {
		e    *etree.Element
		next int // index in e.Child of the next child to visit, counting down
		mark int // length of the nsScope outside e
	}
	var (
		fa    [32]frame
		ba    [16]nsBinding
		stack = fa[:0]
		scope = nsScope(ba[:0])
	)
	for e := root; e != nil; {
		if len(stack) >= max {
			return fmt.Errorf("element nesting deeper than %d levels", max)
		}
		mark := len(scope)
		scope = scope.enter(e)
		if err := checkNames(e, scope); err != nil {
			return err
		}
		stack = append(stack, frame{e: e, next: len(e.Child) - 1, mark: mark})
		// The next element: the next child (last to first) of the innermost element that has
		// one left, leaving the elements that have none.
		for e = nil; e == nil && len(stack) > 0; {
			f := &stack[len(stack)-1]
			for ; f.next >= 0 && e == nil; f.next-- {
				e, _ = f.e.Child[f.next].(*etree.Element)
			}
			if e == nil {
				scope = scope[:f.mark]
				stack = stack[:len(stack)-1]
			}
		}
	}
	return nil
}

// checkNames applies Namespaces in XML 1.0 §3 (QName = (Prefix ':')? LocalPart, prefixes
// declared) to an element and its attributes; scope holds the declarations in scope at e
// (its own included). A prefix resolves as etree's NamespaceURI resolves it; the xmlns
// prefix of an element, and the xml and xmlns prefixes of attributes, need no declaration.
func checkNames(e *etree.Element, scope nsScope) error {
	bad := func(name string) bool { return name == "" || strings.Contains(name, ":") }
	if bad(e.Tag) || (e.Space != "" && e.Space != "xmlns" && scope.lookup(e.Space) == "") {
		return fmt.Errorf("element <%s> is not namespace-well-formed (undeclared or empty prefix, or empty local name)", e.FullTag())
	}
	for i := range e.Attr {
		a := &e.Attr[i]
		if bad(a.Key) {
			return fmt.Errorf("attribute %q of <%s> is not namespace-well-formed", a.FullKey(), e.FullTag())
		}
		if a.Space != "" && a.Space != "xmlns" && a.Space != "xml" && scope.lookup(a.Space) == "" {
			return fmt.Errorf("attribute %q of <%s> uses an undeclared prefix", a.FullKey(), e.FullTag())
		}
	}
	return nil
}

// Wrap decodes a message from a tree built in memory (codec.Build, or a tree that was
// changed), without serializing it. Positions are unknown for such messages.
func Wrap(doc *etree.Document) (*Message, error) {
	root := doc.Root()
	if root == nil {
		return nil, &Error{Problem{Element: "-", Reason: "empty document"}}
	}
	v, ok := soap.VersionOf(root.NamespaceURI())
	if !ok || root.Tag != "Envelope" {
		return nil, &Error{Problem{Element: root.FullTag(), Reason: "document element is not a SOAP 1.1 or 1.2 Envelope"}}
	}
	m := &Message{Doc: doc, Envelope: root, SOAP: v}
	(&decoder{m: m}).readEnvelope(root)
	return m, nil
}

// ReadBody decodes the Body again, after its content changed in the tree (decryption).
func (m *Message) ReadBody() {
	m.BodyElem, m.Payload, m.BodyCount = nil, nil, 0
	(&decoder{m: m}).readBody()
}
