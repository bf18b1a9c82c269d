package seckit

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/suite/framework"
)

// Captured is one WS-Trust exchange of a Wire log: a request on an SCT binding and the answer
// that relates to it (nil when none came back).
type Captured struct {
	Req, Resp *framework.Message
	RST       *wst.RequestSecurityToken
	RSTR      *wst.RequestSecurityTokenResponse
	Binding   wsc.Binding
	Version   wsc.Version
}

// Exchanges pairs every request on an SCT binding sent in direction dir with its response
// (by wsa:RelatesTo), in the order of the log.
func Exchanges(w *framework.Wire, dir framework.Dir) []Captured {
	var out []Captured
	all := w.Messages(func(m *framework.Message) bool { return m.Msg != nil })
	for i, m := range all {
		rst, ok := m.Msg.Payload.(*wst.RequestSecurityToken)
		if m.Dir != dir || !ok {
			continue
		}
		x := Captured{Req: m, RST: rst}
		if m.Msg.HasAddressing {
			x.Version, x.Binding, _, _ = wsc.BindingOfAction(m.Msg.Addressing.Action)
		}
		for _, r := range all[i+1:] {
			if r.Dir == dir || !r.Msg.HasAddressing || !m.Msg.HasAddressing {
				continue
			}
			if rel, ok := r.Msg.Addressing.RelatesToReply(); ok && rel == m.Msg.Addressing.MessageID {
				x.Resp = r
				x.RSTR, _ = RSTROf(r.Msg)
				break
			}
		}
		out = append(out, x)
	}
	return out
}

// Grant recomputes the token an issue or renew exchange granted, from the requestor entropy
// of the RST and the RSTR (see Key).
func (x Captured) Grant() (token.Token, string, error) {
	if x.RSTR == nil {
		return token.Token{}, "", errors.New("no RSTR answered the request")
	}
	var ent []byte
	if e := x.RST.Entropy; e != nil {
		switch {
		case e.BinarySecret != nil:
			ent = e.BinarySecret.Value
		case e.EncryptedKey != nil:
			return token.Token{}, "", fmt.Errorf("%w: the requestor entropy is encrypted", ErrNoKey)
		}
	}
	key, how, err := Key(x.RSTR, ent, x.RST.KeySize)
	if err != nil {
		return token.Token{}, how, err
	}
	t, err := Token(x.RSTR, key, x.Version)
	return t, how, err
}

// Granted recomputes every token instance the issue and renew exchanges of w granted
// (requests in direction dir); errs says which exchanges could not be recomputed.
func Granted(w *framework.Wire, dir framework.Dir) (toks []token.Token, errs []error) {
	for _, x := range Exchanges(w, dir) {
		if x.Binding != wsc.BindingIssue && x.Binding != wsc.BindingRenew || x.RSTR == nil {
			continue
		}
		t, _, err := x.Grant()
		if err != nil {
			errs = append(errs, fmt.Errorf("message %d: %w", x.Req.N, err))
			continue
		}
		toks = append(toks, t)
	}
	return toks, errs
}

// Verify checks the security of captured message m with each candidate token in turn (each
// time on a fresh decode of its bytes, its Security header taken as mustUnderstand) under a
// policy requiring parts (wssec.PartNone: only the signature) and returns what verified first. The error, when none verifies, is the one
// of a candidate the message names, else the last.
func Verify(m *framework.Message, v wsc.Version, parts wssec.Part, toks []token.Token) (*wssec.Auth, token.Token, error) {
	if len(toks) == 0 {
		return nil, token.Token{}, errors.New("no token to verify with")
	}
	var named, last error
	for _, t := range toks {
		msg, err := codec.Decode(m.Raw, codec.Options{})
		if err != nil {
			return nil, token.Token{}, err
		}
		understand(msg)
		a, err := wssec.Check(msg, wssec.CheckOptions{Policy: wssec.Policy{Version: v, Sign: parts},
			Tokens: wssec.TokenMap{t.Identifier: t.Security()}, Now: time.Now()})
		if err == nil {
			return a, t, nil
		}
		last = fmt.Errorf("with %s (instance %q): %w", t.Identifier, t.Instance, err)
		if bytes.Contains(m.Raw, []byte(t.Identifier)) && named == nil {
			named = last
		}
	}
	if named != nil {
		return nil, token.Token{}, named
	}
	return nil, token.Token{}, last
}

// understand marks the Security headers of msg mustUnderstand when they are not: Verify judges
// the key and the signature; the header's attributes are WSS-001's business.
func understand(msg *codec.Message) {
	for _, h := range SecurityHeaders(msg) {
		has := false
		for _, a := range h.Attr {
			has = has || (a.Key == "mustUnderstand" && a.NamespaceURI() == msg.SOAP.Namespace())
		}
		if !has && msg.Envelope.Space != "" {
			h.CreateAttr(msg.Envelope.Space+":mustUnderstand", "1")
		}
	}
}

// Instances are the token instances of one context.
func Instances(toks []token.Token, identifier string) []token.Token {
	var out []token.Token
	for _, t := range toks {
		if t.Identifier == identifier {
			out = append(out, t)
		}
	}
	return out
}

// Bindings maps each sequence a SUT initiator created to the SCT Identifier its
// CreateSequence STR named (a local "#id" STR resolved through the SCT element it names).
func Bindings(w *framework.Wire) map[string]string {
	named := map[string]string{} // CreateSequence MessageID -> SCT Identifier
	out := map[string]string{}
	for _, m := range w.Messages(func(m *framework.Message) bool { return m.Msg != nil && m.Msg.HasAddressing }) {
		switch b := m.Msg.Payload.(type) {
		case *wsrm.CreateSequence:
			if m.Dir == framework.FromSUT && b.STR != nil && b.STR.Reference != nil {
				uri := b.STR.Reference.URI
				if id, ok := strings.CutPrefix(uri, "#"); ok {
					uri = LocalSCT(m.Msg, id)
				}
				named[m.Msg.Addressing.MessageID] = uri
			}
		case *wsrm.CreateSequenceResponse:
			if rel, ok := m.Msg.Addressing.RelatesToReply(); ok && m.Dir == framework.ToSUT && named[rel] != "" {
				out[b.Identifier] = named[rel]
			}
		}
	}
	return out
}

// LocalSCT is the Identifier of the wsc:SecurityContextToken with wsu:Id id in m's Security
// header ("" when there is none).
func LocalSCT(m *codec.Message, id string) string {
	for _, el := range SecurityItems(m) {
		if el.Tag == "SecurityContextToken" && isWSC(el.NamespaceURI()) {
			if got, ok := wsuID(el); ok && got == id {
				if i := childNamed(el, "Identifier"); i != nil {
					return strings.TrimSpace(i.Text())
				}
			}
		}
	}
	return ""
}

// SecurityHeaders are the wsse:Security header blocks of m.
func SecurityHeaders(m *codec.Message) []*etree.Element {
	var out []*etree.Element
	if m.Header == nil {
		return nil
	}
	for _, h := range m.Header.ChildElements() {
		if h.Tag == "Security" && h.NamespaceURI() == wsse.NS {
			out = append(out, h)
		}
	}
	return out
}

// SecurityItems are the children of m's first Security header, in order.
func SecurityItems(m *codec.Message) []*etree.Element {
	hs := SecurityHeaders(m)
	if len(hs) == 0 {
		return nil
	}
	return hs[0].ChildElements()
}

// Signed reports whether m carries a ds:Signature in its Security header.
func Signed(m *codec.Message) bool {
	for _, el := range SecurityItems(m) {
		if el.Tag == "Signature" {
			return true
		}
	}
	return false
}

// References are every wsse:Reference inside a wsse:SecurityTokenReference of m.
func References(m *codec.Message) []*etree.Element {
	var out []*etree.Element
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		for _, c := range el.ChildElements() {
			if c.Tag == "Reference" && c.NamespaceURI() == wsse.NS && el.Tag == "SecurityTokenReference" {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(m.Envelope)
	return out
}

// ByID finds the element of m with wsu:Id (or Id) id.
func ByID(m *codec.Message, id string) *etree.Element {
	var found *etree.Element
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		if got, ok := wsuID(el); ok && got == id && found == nil {
			found = el
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	walk(m.Envelope)
	return found
}

func wsuID(el *etree.Element) (string, bool) {
	for _, a := range el.Attr {
		if a.Key == "Id" && (a.Space == "" || a.NamespaceURI() == wsse.NSWSU) {
			return a.Value, true
		}
	}
	return "", false
}

func childNamed(el *etree.Element, local string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == local {
			return c
		}
	}
	return nil
}

func isWSC(ns string) bool { _, ok := wsc.VersionOf(ns); return ok }

// IsSCTType reports whether uri is an SCT token type of any WS-SC version.
func IsSCTType(uri string) bool {
	_, kind, ok := wsc.VersionOfTokenType(uri)
	return ok && kind == wsc.TokenSCT
}

// SecuredFrom are the messages the SUT sent with a signature in their Security header, except
// its Issue requests (secured, if at all, by a bootstrap token, not by an SCT).
func SecuredFrom(w *framework.Wire) []*framework.Message {
	var out []*framework.Message
	for _, m := range w.FromSUT() {
		if _, b, _, ok := wsc.BindingOfAction(m.Action()); ok && b == wsc.BindingIssue {
			continue
		}
		if Signed(m.Msg) {
			out = append(out, m)
		}
	}
	return out
}

// wrongLabels are derivation labels implementations are known to get wrong (CONSTANTS §6:
// the single "WS-SecureConversation").
var wrongLabels = []string{"WS-SecureConversation"}

// VerifyKeyed is Verify that also accepts derived keys made under a known-wrong label: it
// judges which token keyed the message, leaving the derivation to SC-DKT-002. Each
// DerivedKeyToken without wsc:Label is given the wrong label explicitly in a copy of the
// message, which is then verified as it stands.
func VerifyKeyed(m *framework.Message, v wsc.Version, parts wssec.Part, toks []token.Token) (*wssec.Auth, token.Token, error) {
	a, t, err := Verify(m, v, parts, toks)
	if err == nil {
		return a, t, nil
	}
	for _, label := range wrongLabels {
		raw, ok := withLabel(m.Raw, label)
		if !ok {
			break
		}
		if a, t, e := Verify(&framework.Message{N: m.N, Raw: raw}, v, parts, toks); e == nil {
			return a, t, nil
		}
	}
	return nil, token.Token{}, err
}

// withLabel writes label into every DerivedKeyToken of raw that has no wsc:Label.
func withLabel(raw []byte, label string) ([]byte, bool) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, false
	}
	n := 0
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		for _, c := range el.ChildElements() {
			if c.Tag == "DerivedKeyToken" && isWSC(c.NamespaceURI()) && childNamed(c, "Label") == nil {
				SetChild(c, "Label", label, "Nonce")
				n++
			}
			walk(c)
		}
	}
	walk(doc.Root())
	if n == 0 {
		return nil, false
	}
	out, err := doc.WriteToBytes()
	return out, err == nil
}
