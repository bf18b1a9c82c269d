package trust

import (
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

// timeFormat writes wsu:Created / wsu:Expires of a Lifetime: UTC with milliseconds, as WCF.
const timeFormat = "2006-01-02T15:04:05.000Z"

// newUUID returns a random (version 4) UUID URN read from r: SCT Identifiers and Instances
// (SC-ISS-006: globally unique values are recommended), message IDs and Contexts.
func newUUID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("trust: random: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "urn:uuid:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// trustVersion is the WS-Trust version that goes with a WS-SC version (SC-ISS-002).
func trustVersion(v wsc.Version) wst.Version {
	if v == wsc.V200502 {
		return wst.V200502
	}
	return wst.V13
}

// finalBody is the body of a final response: WS-Trust 1.3 wraps the RSTR in an RSTRC
// (WS-Trust 1.3 §4.3, SC-ISS-003; for cancel as CXF does, SC-CNL-002); 2005/02 sends it bare.
func finalBody(r *wst.RequestSecurityTokenResponse) any {
	if r.V == wst.V13 {
		return &wst.RequestSecurityTokenResponseCollection{V: r.V, Responses: []*wst.RequestSecurityTokenResponse{r}}
	}
	return r
}

// replyAddressing are the WS-Addressing headers of a reply to m (WS-Addressing 1.0 Core
// §3.4): the reply's Action, a new MessageID, RelatesTo the request's MessageID, To the
// request's ReplyTo unless that is anonymous (then the reply rides the HTTP response).
func replyAddressing(m *codec.Message, action string, rnd io.Reader) *wsa.Headers {
	v := wsa.V10
	if m != nil && m.HasAddressing {
		v = m.Addressing.Version
	}
	h := &wsa.Headers{Version: v, Action: action}
	if id, err := newUUID(rnd); err == nil {
		h.MessageID = id
	}
	if m == nil || !m.HasAddressing {
		return h
	}
	if m.Addressing.MessageID != "" {
		h.RelatesTo = []wsa.RelatesTo{{URI: m.Addressing.MessageID}}
	}
	if to := m.Addressing.ReplyTo; to != nil && !to.IsAnonymous() && to.Address != v.None() {
		h.To = to.Address
	}
	return h
}

// faultEnvelope answers m with f. The action is the WS-Addressing fault action for
// addressing faults and the SOAP fault action otherwise (CONSTANTS §2.8).
func faultEnvelope(m *codec.Message, f *Fault, rnd io.Reader) *codec.Envelope {
	sv := soap.V12
	if m != nil {
		sv = m.SOAP
	}
	v := wsa.V10
	if m != nil && m.HasAddressing {
		v = m.Addressing.Version
	}
	action := v.SOAPFaultAction()
	if family(f.Code.Space) == "wsa" {
		action = v.FaultAction()
	}
	return &codec.Envelope{SOAP: sv, Addressing: replyAddressing(m, action, rnd), Headers: replyHeaders(m, true), Body: []any{f.SOAP()}}
}

// replyHeaders are the reference parameters of the EPR a reply to m goes to — for a fault the
// FaultTo when present, otherwise the ReplyTo — as header blocks marked
// wsa:IsReferenceParameter="true" (WS-Addressing 1.0 Core §3.4, SOAP Binding §2.3; WSA-003).
func replyHeaders(m *codec.Message, fault bool) []codec.Header {
	if m == nil || !m.HasAddressing {
		return nil
	}
	e := m.Addressing.ReplyTo
	if fault && m.Addressing.FaultTo != nil {
		e = m.Addressing.FaultTo
	}
	return codec.ReferenceHeaders(m.Addressing.Version, e)
}

// addressingFault is a WS-Addressing fault of the message's version (WS-Addressing 1.0 SOAP
// Binding §6).
func addressingFault(m *codec.Message, local, rule, format string, args ...any) *Fault {
	v := wsa.V10
	if m != nil && m.HasAddressing {
		v = m.Addressing.Version
	}
	return &Fault{Code: wire.QName{Space: v.Namespace(), Local: local}, Reason: fmt.Sprintf(format, args...), Rule: rule}
}

// lifetime formats a wst:Lifetime.
func lifetime(created, expires time.Time) *wst.Lifetime {
	return &wst.Lifetime{Created: created.UTC().Format(timeFormat), Expires: expires.UTC().Format(timeFormat)}
}
