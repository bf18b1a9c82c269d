package codec

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

func init() {
	messageRules = append(messageRules, ruleSecurityHeader, ruleSignatureCoverage, ruleLocalReferences, ruleAckHeadersNotMU)
}

// ruleSecurityHeader: the wsse:Security header is processed or the message refused, so it is
// sent with mustUnderstand="true" (WSS 1.1 §5; ASSERTIONS WSS-001). One Security header per
// role.
func ruleSecurityHeader(m *Message, _ Profile) []Problem {
	var out []Problem
	roles := map[string]bool{}
	for i := range m.Headers {
		h := &m.Headers[i]
		if _, ok := h.Value.(*wsse.Security); !ok {
			continue
		}
		if !h.MustUnderstand {
			out = append(out, m.problemAt(h.El, "wsse:Security must carry mustUnderstand=\"true\" (WSS 1.1 §5, WSS-001)"))
		}
		if roles[h.Role] {
			out = append(out, m.problemAt(h.El, "two wsse:Security headers for the same role (WSS 1.1 §5)"))
		}
		roles[h.Role] = true
	}
	return out
}

// ruleSignatureCoverage: when a message is signed, the signature covers the Body, the
// Timestamp, every WS-Addressing header and every WS-RM header (ASSERTIONS WSS-004,
// RM-STR-008; WCF signs all headers and the body). This is the structural part of the check:
// it compares Reference URIs with wsu:Id values and does not verify digests (`rspcheck
// verify` does).
func ruleSignatureCoverage(m *Message, _ Profile) []Problem {
	sec, sh := Find[*wsse.Security](m)
	if sec == nil {
		return nil
	}
	sigs := wsse.ItemsOf[*wsse.Signature](sec)
	if len(sigs) == 0 {
		return nil
	}
	covered := map[string]bool{}
	for _, s := range sigs {
		for _, r := range s.SignedInfo.References {
			if strings.HasPrefix(r.URI, "#") {
				covered[r.URI[1:]] = true
			}
		}
	}
	var out []Problem
	need := func(el *etree.Element, what string) {
		id, _ := attrNS(el, wsse.NSWSU, "Id")
		if id == "" || !covered[id] {
			out = append(out, m.problemAt(el, what+" is not covered by the message signature (WSS-004, RM-STR-008)"))
		}
	}
	if m.Body != nil {
		need(m.Body, "the Body")
	}
	if ts := wsse.ItemsOf[*wsse.Timestamp](sec); len(ts) > 0 {
		for i, it := range sec.Items {
			if _, ok := it.(*wsse.Timestamp); ok {
				need(SecurityItemElement(sh, i), "the Timestamp")
			}
		}
	}
	for i := range m.Headers {
		h := &m.Headers[i]
		_, isWSA := wsa.VersionOf(h.Name.Space)
		_, isRM := wsrm.VersionOf(h.Name.Space)
		if isRM || (isWSA && wsa.IsHeader(h.Name.Local)) {
			need(h.El, "header "+h.El.FullTag())
		}
	}
	return out
}

// ruleLocalReferences: a message-specific reference "#id" must name an element of this
// message (SC-REF-002: a local reference is valid only when the token travels in the same
// message); an SCT referenced by its Identifier is written without '#' (SC-REF-001).
func ruleLocalReferences(m *Message, _ Profile) []Problem {
	ids := map[string]bool{}
	walk(m.Envelope, func(e *etree.Element) {
		if id, ok := attrNS(e, wsse.NSWSU, "Id"); ok {
			ids[id] = true
		}
		for _, a := range e.Attr {
			if a.Space == "" && (a.Key == "Id" || a.Key == "ID") {
				ids[a.Value] = true
			}
		}
	})
	var out []Problem
	walk(m.Envelope, func(e *etree.Element) {
		if !is(e, wsse.NS, "Reference") {
			return
		}
		uri, _ := attr(e, "URI")
		if !strings.HasPrefix(uri, "#") || ids[uri[1:]] {
			return
		}
		vt, _ := attr(e, "ValueType")
		why := "no element of this message has wsu:Id " + uri[1:]
		if _, kind, ok := wsc.VersionOfTokenType(vt); ok && kind == wsc.TokenSCT && strings.Contains(uri, ":") {
			why += fmt.Sprintf("; to reference an SCT by its Identifier write URI=%q without '#' (SC-REF-001)", uri[1:])
		}
		out = append(out, m.problemAt(e, "dangling local reference "+uri+": "+why+" (SC-REF-002)"))
	})
	return out
}

// ruleAckHeadersNotMU: AckRequested and SequenceAcknowledgement are not sent with
// mustUnderstand="true", so that they can be piggy-backed on any message (WS-I RSP 1.0 R0540;
// ASSERTIONS RM-AR-002).
func ruleAckHeadersNotMU(m *Message, _ Profile) []Problem {
	var out []Problem
	for i := range m.Headers {
		h := &m.Headers[i]
		switch h.Value.(type) {
		case *wsrm.AckRequested, *wsrm.SequenceAcknowledgement:
			if h.MustUnderstand {
				out = append(out, m.problemAt(h.El, h.El.FullTag()+" is sent without mustUnderstand=\"true\" so it can be piggy-backed (WS-I RSP 1.0 R0540, RM-AR-002)"))
			}
		}
	}
	return out
}
