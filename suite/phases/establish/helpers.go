package establish

import (
	"slices"

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

// creates returns the CreateSequence messages the SUT sent.
func creates(s *Spec) []*Message {
	return s.Wire.Messages(func(m *Message) bool {
		if m.Dir != FromSUT || m.Msg == nil {
			return false
		}
		_, ok := m.Msg.Payload.(*wsrm.CreateSequence)
		return ok
	})
}

// createOf is the CreateSequence body of m.
func createOf(m *Message) *wsrm.CreateSequence { return m.Msg.Payload.(*wsrm.CreateSequence) }

// tokenNamed returns the issued token with identifier id.
func tokenNamed(toks []token.Token, id string) (token.Token, bool) {
	i := slices.IndexFunc(toks, func(t token.Token) bool { return t.Identifier == id })
	if i < 0 {
		return token.Token{}, false
	}
	return toks[i], true
}

// strURI is the URI the CreateSequence's STR references ("" when none).
func strURI(cs *wsrm.CreateSequence) string {
	if cs.STR == nil || cs.STR.Reference == nil {
		return ""
	}
	return cs.STR.Reference.URI
}

// granted maps each sequence identifier the scripted responder granted to the token its
// CreateSequence referenced, from the CreateSequenceResponses sent to the SUT.
func granted(s *Spec) map[string]string {
	refs := map[string]string{} // CreateSequence MessageID -> STR URI
	out := map[string]string{}
	for _, m := range s.Wire.Messages(func(m *Message) bool { return m.Msg != nil }) {
		switch b := m.Msg.Payload.(type) {
		case *wsrm.CreateSequence:
			if m.Dir == FromSUT && m.Msg.HasAddressing {
				refs[m.Msg.Addressing.MessageID] = strURI(b)
			}
		case *wsrm.CreateSequenceResponse:
			if m.Dir == ToSUT && m.Msg.HasAddressing && len(m.Msg.Addressing.RelatesTo) > 0 {
				out[b.Identifier] = refs[m.Msg.Addressing.RelatesTo[0].URI]
			}
		}
	}
	return out
}
