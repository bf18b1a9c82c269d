package framework

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// Application describes the SUT responder's application messages, so that the suite's
// application messages are ones the SUT's application accepts (and its WS-Security layer
// can verify: a stack that digests only the elements its data binding knows fails the
// signature of an unknown Body, as gSOAP does). Body is an XML element in which {payload}
// is replaced by the message's text payload. Without it the suite sends the reference
// peers' application messages.
//
//	application:
//	  action: urn:example:Echo
//	  body: '<ns:echo xmlns:ns="urn:example"><text>{payload}</text></ns:echo>'
type Application struct {
	Action string `yaml:"action"`
	Body   string `yaml:"body"`

	tmpl *wire.Any
}

func (a *Application) check() error {
	if a.Action == "" {
		return fmt.Errorf("application.action: required")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(a.Body); err != nil {
		return fmt.Errorf("application.body: %v", err)
	}
	root := doc.Root()
	if root == nil {
		return fmt.Errorf("application.body: no element")
	}
	if !strings.Contains(a.Body, "{payload}") {
		return fmt.Errorf("application.body: no {payload} placeholder")
	}
	t := anyOf(root)
	a.tmpl = &t
	return nil
}

// anyOf converts an element (with resolved namespaces) to the wire model.
func anyOf(e *etree.Element) wire.Any {
	out := wire.Any{Name: wire.QName{Space: e.NamespaceURI(), Local: e.Tag}, Prefix: e.Space, Text: strings.TrimSpace(e.Text())}
	for _, a := range e.Attr {
		if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			continue // declarations are written by the codec
		}
		out.Attrs = append(out.Attrs, wire.Attr{Name: wire.QName{Space: a.NamespaceURI(), Local: a.Key}, Value: a.Value})
	}
	for _, c := range e.ChildElements() {
		out.Children = append(out.Children, anyOf(c))
	}
	return out
}

// body is the application Body carrying payload.
func (a *Application) body(payload []byte) wire.Any {
	return fill(*a.tmpl, string(payload))
}

func fill(t wire.Any, payload string) wire.Any {
	t.Text = strings.ReplaceAll(t.Text, "{payload}", payload)
	attrs := make([]wire.Attr, len(t.Attrs))
	for i, at := range t.Attrs {
		at.Value = strings.ReplaceAll(at.Value, "{payload}", payload)
		attrs[i] = at
	}
	t.Attrs = attrs
	kids := make([]wire.Any, len(t.Children))
	for i, c := range t.Children {
		kids[i] = fill(c, payload)
	}
	t.Children = kids
	return t
}
