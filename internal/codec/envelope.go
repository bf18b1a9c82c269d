package codec

import (
	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// ToEnvelope converts a decoded message back into an Envelope: typed values where the
// message had them, copies of the raw elements elsewhere, so that Encode(m.ToEnvelope())
// carries everything the message carried.
func (m *Message) ToEnvelope() *Envelope {
	env := &Envelope{SOAP: m.SOAP}
	if m.HasAddressing {
		a := m.Addressing
		env.Addressing = &a
		env.AddressingAttrs = map[string]Attrs{}
	}
	relates := 0
	for _, h := range m.Headers {
		if _, ok := h.Value.(*wsa.Headers); ok {
			ah := AddressingHeader{Local: h.Name.Local}
			if ah.Local == wsa.Relates {
				ah.Index = relates
				relates++
			}
			env.AddressingAttrs[h.Name.Local] = Attrs{MustUnderstand: h.MustUnderstand, Role: h.Role, ID: h.ID}
			env.Headers = append(env.Headers, Header{Name: h.Name, MustUnderstand: h.MustUnderstand, Role: h.Role, ID: h.ID, Value: ah})
			continue
		}
		out := Header{Name: h.Name, MustUnderstand: h.MustUnderstand, Role: h.Role, ID: h.ID, Value: h.Value}
		if h.Value == nil {
			out.Value = h.El
			out.MustUnderstand, out.Role, out.ID = false, "", "" // already on the raw element
		}
		env.Headers = append(env.Headers, out)
	}
	if m.Body != nil {
		env.BodyID, _ = attrNS(m.Body, wsse.NSWSU, "Id")
		for i, c := range m.Body.ChildElements() {
			if i == 0 && m.Payload != nil && !isNil(m.Payload) {
				env.Body = append(env.Body, m.Payload)
				continue
			}
			env.Body = append(env.Body, (*etree.Element)(c))
		}
	}
	return env
}
