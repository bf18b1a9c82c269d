package codec

import (
	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
)

// Message is a decoded SOAP envelope: the raw tree plus typed views of what it carries.
type Message struct {
	Doc      *etree.Document
	Envelope *etree.Element
	Header   *etree.Element // nil when the envelope has no Header
	Body     *etree.Element // nil only for a broken envelope (reported by Check)
	SOAP     soap.Version

	// Addressing holds the WS-Addressing headers; HasAddressing is false when the message
	// carries none.
	Addressing    wsa.Headers
	HasAddressing bool

	// Headers lists every header block in document order, typed where known.
	Headers []Header

	// BodyElem is the first element child of Body (nil for an empty body); Payload its typed
	// value when the vocabulary is known (*wsrm.CreateSequence, *soap.Fault, *wst.RequestSecurityToken, ...).
	BodyElem *etree.Element
	Payload  any
	// BodyCount is the number of element children of Body.
	BodyCount int

	problems   []Problem // found while decoding; located lazily
	problemEls []*etree.Element
	raw        []byte
	pos        *positions
}

// Header is one header block.
type Header struct {
	Name           wire.QName
	El             *etree.Element
	MustUnderstand bool
	// MustUnderstandRaw is the attribute as written ("" when absent), so that checks can
	// tell "1" from "true" and report illegal values.
	MustUnderstandRaw string
	Role              string
	ID                string // wsu:Id
	// Value is the typed header (*wsrm.Sequence, *wsse.Security, ...), or nil when the
	// header is unknown or could not be decoded.
	Value any
}

// Raw returns the bytes the message was decoded from (nil for built messages).
func (m *Message) Raw() []byte { return m.raw }

// DecodeProblems returns what was found wrong while decoding.
func (m *Message) DecodeProblems() []Problem {
	out := make([]Problem, len(m.problems))
	for i, p := range m.problems {
		if p.Line < 0 {
			p.Line, p.Column = m.Position(m.problemEls[i])
		}
		out[i] = p
	}
	return out
}

// Find returns the first header whose typed value has type T.
func Find[T any](m *Message) (T, *Header) {
	for i := range m.Headers {
		if v, ok := m.Headers[i].Value.(T); ok {
			return v, &m.Headers[i]
		}
	}
	var zero T
	return zero, nil
}

// FindAll returns every header whose typed value has type T.
func FindAll[T any](m *Message) []T {
	var out []T
	for i := range m.Headers {
		if v, ok := m.Headers[i].Value.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// HeaderNamed returns the header blocks with name q.
func (m *Message) HeaderNamed(q wire.QName) []*Header {
	var out []*Header
	for i := range m.Headers {
		if m.Headers[i].Name == q {
			out = append(out, &m.Headers[i])
		}
	}
	return out
}

// BodyName is the qualified name of the first body child (zero for an empty body).
func (m *Message) BodyName() wire.QName {
	if m.BodyElem == nil {
		return wire.QName{}
	}
	return qname(m.BodyElem)
}

// Fault returns the body's fault, if the message is one.
func (m *Message) Fault() *soap.Fault {
	f, _ := m.Payload.(*soap.Fault)
	return f
}
