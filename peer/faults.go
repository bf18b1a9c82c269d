package peer

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/token/trust"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// faultEnvelope answers request req (nil when unknown) with a SOAP fault of version sv, addressed
// to req's FaultTo when present, else its ReplyTo, with that EPR's reference parameters as
// headers (WS-Addressing 1.0 Core §3.4, WSA-003), before headers.
func faultEnvelope(req *codec.Message, sv soap.Version, action string, f *soap.Fault, headers ...codec.Header) *codec.Envelope {
	var a *wsa.Headers
	if req != nil {
		a = replyAddressing(req, action)
		if t := replyTarget(req, true); t != nil && t.Address != "" {
			a.To = t.Address
		}
	} else {
		a = &wsa.Headers{Version: wsa.V10, Action: action, MessageID: newID(), To: wsa.V10.Anonymous()}
	}
	hs := append(replyHeaders(req, true), headers...)
	return &codec.Envelope{SOAP: sv, Addressing: a, Headers: hs, Body: []any{f}}
}

// rmFaultEnvelope maps an engine fault to its SOAP fault (rm.Fault, CONSTANTS §9.1/§9.2):
// SOAP 1.2 Code Sender (or Receiver) with the wsrm code as Subcode; SOAP 1.1 faultcode = the
// QName, with the wsrm:SequenceFault header for the faults about a sequence (WS-RM 1.1 §4,
// RM-FLT-002). The action is the WS-RM 1.1 fault action, or the WS-Addressing fault action for
// 2005/02 and for the non-RM rejection (wsse:FailedAuthentication, RM-STR-009).
func rmFaultEnvelope(req *codec.Message, sv soap.Version, f *rm.Fault) *codec.Envelope {
	q := f.QName()
	sf := &soap.Fault{Code: soap.Sender, Subcodes: []wire.QName{q}, Reason: f.Reason}
	if f.Receiver {
		sf.Code = soap.Receiver
	}
	if sf.Reason == "" {
		sf.Reason = q.Local
	}
	action := wsa.V10.SOAPFaultAction()
	if f.Code != "" {
		action = wsa.V10.FaultAction()
		if f.Version == wsrm.V200702 {
			action = wsrm.V200702.Action(wsrm.KindFault)
		}
	}
	detail := rmFaultDetail(f)
	var hs []codec.Header
	if sv == soap.V11 && f.Code != "" && f.Code.HeaderFault() {
		hs = append(hs, codec.Header{Value: &wsrm.SequenceFault{V: f.Version, FaultCode: q, Detail: detail}})
	} else if sv == soap.V12 {
		sf.Detail = detail
	}
	return faultEnvelope(req, sv, action, sf, hs...)
}

// rmFaultDetail is the detail of an RM fault (CONSTANTS §9.1): the offending
// SequenceAcknowledgement for InvalidAcknowledgement; the Identifier otherwise, with the
// MaxMessageNumber for MessageNumberRollover.
func rmFaultDetail(f *rm.Fault) []wire.Any {
	if f.Code == "" {
		return nil
	}
	ns := f.Version.Namespace()
	el := func(local, text string) wire.Any {
		return wire.Any{Name: wire.QName{Space: ns, Local: local}, Prefix: "wsrm", Text: text}
	}
	if f.Code == wsrm.InvalidAcknowledgement && f.Ack != nil {
		return []wire.Any{ackElement(f.Ack)}
	}
	if f.Identifier == "" {
		return nil
	}
	d := []wire.Any{el("Identifier", f.Identifier)}
	if f.Code == wsrm.MessageNumberRollover && f.MaxMessageNumber > 0 {
		d = append(d, el("MaxMessageNumber", strconv.FormatUint(f.MaxMessageNumber, 10)))
	}
	return d
}

// ackElement writes a SequenceAcknowledgement as a detail element.
func ackElement(a *wsrm.SequenceAcknowledgement) wire.Any {
	ns := a.V.Namespace()
	q := func(local string) wire.QName { return wire.QName{Space: ns, Local: local} }
	out := wire.Any{Name: q("SequenceAcknowledgement"), Prefix: "wsrm",
		Children: []wire.Any{{Name: q("Identifier"), Prefix: "wsrm", Text: a.Identifier}}}
	for _, r := range a.Ranges {
		out.Children = append(out.Children, wire.Any{Name: q("AcknowledgementRange"), Prefix: "wsrm", Attrs: []wire.Attr{
			{Name: wire.QName{Local: "Upper"}, Value: strconv.FormatUint(r.Upper, 10)},
			{Name: wire.QName{Local: "Lower"}, Value: strconv.FormatUint(r.Lower, 10)}}})
	}
	for _, n := range a.Nacks {
		out.Children = append(out.Children, wire.Any{Name: q("Nack"), Prefix: "wsrm", Text: strconv.FormatUint(n, 10)})
	}
	if a.None {
		out.Children = append(out.Children, wire.Any{Name: q("None"), Prefix: "wsrm"})
	}
	if a.Final {
		out.Children = append(out.Children, wire.Any{Name: q("Final"), Prefix: "wsrm"})
	}
	return out
}

// securityFault maps a failed wssec.Check (refined by the token store) to its fault:
// wsc:RenewNeeded / wsc:BadContextToken for a refused context (SC-ISS-012, SC-CNL-003),
// otherwise the WSS fault code of the failure (CONSTANTS §9.6).
func securityFault(req *codec.Message, sv soap.Version, v wsc.Version, err error) *codec.Envelope {
	q := wire.QName{Space: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd", Local: "InvalidSecurity"}
	reason := "message security invalid"
	var le *token.LookupError
	var we *wssec.Error
	switch {
	case errors.As(err, &le):
		q, reason = le.Fault(v), le.Error()
	case errors.As(err, &we):
		if we.Fault != (wire.QName{}) {
			q = we.Fault
		}
		reason = we.Kind.Error()
	}
	f := &soap.Fault{Code: soap.Sender, Subcodes: []wire.QName{q}, Reason: reason}
	return faultEnvelope(req, sv, wsa.V10.SOAPFaultAction(), f)
}

// trustFault is the SOAP fault of a refused WS-Trust request.
func trustFault(req *codec.Message, sv soap.Version, f *trust.Fault) *codec.Envelope {
	return faultEnvelope(req, sv, wsa.V10.SOAPFaultAction(), f.SOAP())
}

// actionNotSupported answers a request whose wsa:Action this endpoint does not serve — an
// action of another profile's version family (a sequence never mixes versions; the responder
// serves one profile) or one it does not know at all (WSA-001): wsa:ActionNotSupported
// (WS-Addressing 1.0 SOAP Binding §6.4.4, CONSTANTS §9.7) with the action as wsa:ProblemAction,
// under the WS-Addressing fault action. SOAP 1.2: Code Sender, Subcode wsa:ActionNotSupported,
// the ProblemAction in env:Detail. SOAP 1.1 (SOAP Binding §6): faultcode = the subcode and,
// since the SOAP 1.1 detail element is reserved for errors of the Body, the ProblemAction in a
// wsa:FaultDetail header. A WS-Addressing 2004/08 request gets that version's fault code and
// action (2004/08 §4.1); it defines no detail element.
func actionNotSupported(req *codec.Message, action string) *codec.Envelope {
	v := wsa.V10
	if req.HasAddressing {
		v = req.Addressing.Version
	}
	ns := v.Namespace()
	f := &soap.Fault{Code: soap.Sender, Subcodes: []wire.QName{{Space: ns, Local: "ActionNotSupported"}},
		Reason: fmt.Sprintf("the endpoint does not support the action %q", action)}
	var hs []codec.Header
	if v == wsa.V10 {
		detail := wire.Any{Name: wire.QName{Space: ns, Local: "ProblemAction"}, Prefix: "wsa",
			Children: []wire.Any{{Name: wire.QName{Space: ns, Local: "Action"}, Prefix: "wsa", Text: action}}}
		if req.SOAP == soap.V11 {
			hs = append(hs, codec.Header{Value: wire.Any{Name: wire.QName{Space: ns, Local: "FaultDetail"}, Prefix: "wsa",
				Children: []wire.Any{detail}}})
		} else {
			f.Detail = []wire.Any{detail}
		}
	}
	return faultEnvelope(req, req.SOAP, v.FaultAction(), f, hs...)
}

// missingAddressing refuses an RM message without the WS-Addressing headers WS-RM relies on
// (WS-RM 1.1 §2.1; WS-Addressing 1.0 Core §3.4, SOAP Binding §6.4.1; WSA-002):
// wsa:Action on every RM message, wsa:MessageID on the requests that expect a reply
// (CreateSequence, CloseSequence, and the 1.1 TerminateSequence). The answer is
// wsa:MessageAddressingHeaderRequired naming the missing header (ProblemHeaderQName). Nil
// when nothing is missing.
func missingAddressing(m *codec.Message, v wsrm.Version) *codec.Envelope {
	var kind wsrm.Kind
	switch m.Payload.(type) {
	case *wsrm.CreateSequence:
		kind = wsrm.KindCreateSequence
	case *wsrm.CloseSequence:
		kind = wsrm.KindCloseSequence
	case *wsrm.TerminateSequence:
		kind = wsrm.KindTerminateSequence
	default:
		return nil
	}
	missing := ""
	switch {
	case !m.HasAddressing || m.Addressing.Action == "":
		missing = "Action"
	case m.Addressing.MessageID == "" && (kind != wsrm.KindTerminateSequence || v == wsrm.V200702):
		missing = "MessageID"
	default:
		return nil
	}
	av := wsa.V10
	if m.HasAddressing {
		av = m.Addressing.Version
	}
	ns := av.Namespace()
	f := &soap.Fault{Code: soap.Sender, Subcodes: []wire.QName{{Space: ns, Local: "MessageAddressingHeaderRequired"}},
		Reason: fmt.Sprintf("a %s must carry wsa:%s", kind, missing)}
	var hs []codec.Header
	if av == wsa.V10 {
		detail := wire.Any{Name: wire.QName{Space: ns, Local: "ProblemHeaderQName"}, Prefix: "wsa", Text: "wsa:" + missing}
		if m.SOAP == soap.V11 {
			hs = append(hs, codec.Header{Value: wire.Any{Name: wire.QName{Space: ns, Local: "FaultDetail"}, Prefix: "wsa",
				Children: []wire.Any{detail}}})
		} else {
			f.Detail = []wire.Any{detail}
		}
	}
	return faultEnvelope(m, m.SOAP, av.FaultAction(), f, hs...)
}
