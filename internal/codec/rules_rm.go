package codec

import (
	"github.com/beevik/etree"

	"fmt"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

func init() {
	messageRules = append(messageRules, ruleRMAction, ruleRMHeaders, ruleUsesSequenceSTR, ruleRMFault, ruleRMAddressing)
}

// rmBody returns the WS-RM kind and version of the body, if the body is a WS-RM element.
func (m *Message) rmBody() (wsrm.Version, wsrm.Kind, bool) {
	if m.BodyElem == nil {
		return 0, wsrm.KindNone, false
	}
	q := m.BodyName()
	v, ok := wsrm.VersionOf(q.Space)
	if !ok {
		return 0, wsrm.KindNone, false
	}
	for k := wsrm.KindCreateSequence; k <= wsrm.KindTerminateSequenceResponse; k++ {
		if k.BodyElement() == q.Local {
			return v, k, true
		}
	}
	return v, wsrm.KindNone, true
}

// ruleRMAction: the wsa:Action of a WS-RM message must be the action of its body element in
// the same WS-RM version (WS-RM 1.1 §3, Appendix on actions; CONSTANTS §2.1, §2.2), and the
// stand-alone action messages carry their header and an empty body.
func ruleRMAction(m *Message, _ Profile) []Problem {
	action := m.Addressing.Action
	actEl := m.addressingElement("Action")
	var out []Problem
	bv, bk, isRM := m.rmBody()
	av, ak, actIsRM := wsrm.KindOfAction(action)
	if isRM && bk != wsrm.KindNone {
		want := bv.Action(bk)
		if want == "" {
			out = append(out, m.problemAt(m.BodyElem, fmt.Sprintf("%s does not exist in WS-RM %s", bk, bv)))
		} else if action != "" && action != want {
			out = append(out, m.problemAt(actEl, fmt.Sprintf("wsa:Action %q does not match the body %s: expected %q", action, m.BodyElem.FullTag(), want)))
		}
	}
	if !actIsRM {
		return out
	}
	switch ak {
	case wsrm.KindSequenceAcknowledgement, wsrm.KindAckRequested:
		need := wire.QName{Space: av.Namespace(), Local: ak.String()}
		if len(m.HeaderNamed(need)) == 0 {
			out = append(out, m.problemAt(actEl, fmt.Sprintf("a stand-alone %s message must carry the wsrm:%s header", ak, ak)))
		}
		if m.BodyElem != nil {
			out = append(out, m.problemAt(m.BodyElem, fmt.Sprintf("a stand-alone %s message has an empty body", ak)))
		}
	case wsrm.KindLastMessage:
		seq, _ := Find[*wsrm.Sequence](m)
		if seq == nil || !seq.LastMessage {
			out = append(out, m.problemAt(actEl, "a LastMessage message must carry a wsrm:Sequence header with wsrm:LastMessage (WS-RM 2005/02)"))
		}
		if m.BodyElem != nil {
			out = append(out, m.problemAt(m.BodyElem, "a LastMessage message has an empty body"))
		}
	case wsrm.KindFault:
	default:
		if bk == wsrm.KindNone || !isRM {
			what := "an empty body"
			if m.BodyElem != nil {
				what = m.BodyElem.FullTag()
			}
			out = append(out, m.problemAt(actEl, fmt.Sprintf("wsa:Action %q announces %s but the body is %s", action, ak, what)))
		}
	}
	return out
}

// addressingElement returns the element of the named addressing header, or the Header.
func (m *Message) addressingElement(local string) *etree.Element {
	for i := range m.Headers {
		h := &m.Headers[i]
		if h.Name.Local == local && m.HasAddressing && h.Name.Space == m.Addressing.Version.Namespace() {
			return h.El
		}
	}
	if m.Header != nil {
		return m.Header
	}
	return m.Envelope
}

// ruleRMHeaders: WS-RM 1.1 §3.7: the Sequence header MUST carry mustUnderstand="true" and a
// message carries at most one Sequence header per sequence; acknowledgement and AckRequested
// headers must not repeat a sequence identifier.
func ruleRMHeaders(m *Message, _ Profile) []Problem {
	var out []Problem
	seen := map[string]bool{}
	for i := range m.Headers {
		h := &m.Headers[i]
		switch v := h.Value.(type) {
		case *wsrm.Sequence:
			if !h.MustUnderstand {
				out = append(out, m.problemAt(h.El, "the wsrm:Sequence header must carry mustUnderstand=\"true\" (WS-RM 1.1 §3.7)"))
			}
			if seen["seq"] {
				out = append(out, m.problemAt(h.El, "more than one wsrm:Sequence header in one message (WS-RM 1.1 §3.7)"))
			}
			seen["seq"] = true
		case *wsrm.SequenceAcknowledgement:
			key := "ack " + v.Identifier
			if seen[key] {
				out = append(out, m.problemAt(h.El, "two SequenceAcknowledgement headers for sequence "+v.Identifier))
			}
			seen[key] = true
		}
	}
	if _, h := Find[*wsrm.Sequence](m); h != nil {
		if _, k, ok := m.rmBody(); ok && k != wsrm.KindNone {
			out = append(out, m.problemAt(h.El, fmt.Sprintf("a wsrm:Sequence header on a %s message: protocol messages are not part of the sequence", k)))
		}
	}
	return out
}

// ruleUsesSequenceSTR: WS-RM 1.1 §5.2.1: UsesSequenceSTR is sent only with CreateSequence, with
// mustUnderstand="true", and only when the CreateSequence carries a wsse:SecurityTokenReference.
func ruleUsesSequenceSTR(m *Message, _ Profile) []Problem {
	var out []Problem
	for _, h := range m.HeaderNamed(wire.QName{Space: wsrm.NS200702, Local: "UsesSequenceSTR"}) {
		if !h.MustUnderstand {
			out = append(out, m.problemAt(h.El, "wsrm:UsesSequenceSTR must carry mustUnderstand=\"true\" (WS-RM 1.1 §5.2.1)"))
		}
		cs, ok := m.Payload.(*wsrm.CreateSequence)
		switch {
		case !ok:
			out = append(out, m.problemAt(h.El, "wsrm:UsesSequenceSTR belongs on a CreateSequence message only (WS-RM 1.1 §5.2.1)"))
		case cs.STR == nil:
			out = append(out, m.problemAt(h.El, "wsrm:UsesSequenceSTR without a wsse:SecurityTokenReference in CreateSequence (WS-RM 1.1 §5.2.1)"))
		}
	}
	return out
}

// ruleRMFault: WS-RM 1.1 §4: with SOAP 1.2 the fault code goes into env:Subcode and
// wsrm:SequenceFault MUST NOT be used. With SOAP 1.1 the faults about a sequence (header
// faults: SequenceTerminated, UnknownSequence, InvalidAcknowledgement, MessageNumberRollover,
// SequenceClosed, LastMessageNumberExceeded) carry their code and detail in a
// wsrm:SequenceFault header, the faultcode being soap:Client/Server (WCF WsrmHeaderFault) or
// the WS-RM QName itself (tolerated); CreateSequenceRefused and WSRMRequired concern no
// sequence and put the QName into faultcode without the header. This corrects CONSTANTS §9,
// which gives the QName-as-faultcode form for every fault [evidence: WCF WsrmFault.cs and
// WebLogic's fault classes, read by the fixtures work; WS-RM 1.1 §4.1 text unconfirmed].
func ruleRMFault(m *Message, _ Profile) []Problem {
	var out []Problem
	sf, sfh := Find[*wsrm.SequenceFault](m)
	f := m.Fault()
	if m.SOAP == soap.V12 && sfh != nil {
		out = append(out, m.problemAt(sfh.El, "wsrm:SequenceFault must not be used with SOAP 1.2; the code goes into env:Subcode (WS-RM 1.1 §4)"))
	}
	if f == nil {
		if sfh != nil && m.SOAP == soap.V11 {
			out = append(out, m.problemAt(sfh.El, "wsrm:SequenceFault header on a message whose body is not a SOAP fault"))
		}
		return out
	}
	code, v, isRM := wsrm.FaultCodeOf(f.Subcode())
	if !isRM && sf != nil {
		// SOAP 1.1 with faultcode soap:Client/Server (CXF's way): the code is in the header.
		code, v, isRM = wsrm.FaultCodeOf(sf.FaultCode)
	}
	rmAction := m.HasAddressing && m.Addressing.Action == wsrm.V200702.Action(wsrm.KindFault)
	if !isRM {
		if _, ok := wsrm.VersionOf(f.Subcode().Space); ok {
			out = append(out, m.problemAt(m.BodyElem, "unknown WS-RM fault code "+f.Subcode().String()))
		} else if rmAction && m.SOAP == soap.V11 {
			out = append(out, m.problemAt(m.BodyElem, "a SOAP 1.1 WS-RM fault must name its code: the wsrm:SequenceFault header carries wsrm:FaultCode (WS-RM 1.1 §4)"))
		}
		return out
	}
	if m.SOAP == soap.V12 && code.SenderFault() && f.Code != soap.Sender {
		out = append(out, m.problemAt(m.BodyElem, fmt.Sprintf("wsrm:%s is a Sender fault, not %s (WS-RM 1.1 §4)", code, f.Code)))
	}
	if m.SOAP == soap.V11 {
		switch {
		case sfh == nil && code.HeaderFault():
			out = append(out, m.problemAt(m.BodyElem, fmt.Sprintf("a SOAP 1.1 wsrm:%s fault must carry the wsrm:SequenceFault header with its FaultCode (WS-RM 1.1 §4)", code)))
		case sfh != nil && sf.FaultCode != code.QName(v):
			out = append(out, m.problemAt(sfh.El, fmt.Sprintf("SequenceFault FaultCode %s differs from the fault's code %s", sf.FaultCode, code.QName(v))))
		}
	}
	if m.HasAddressing && v == wsrm.V200702 && m.Addressing.Action != "" && m.Addressing.Action != v.Action(wsrm.KindFault) {
		out = append(out, m.problemAt(m.addressingElement("Action"), fmt.Sprintf("a WS-RM 1.1 fault has wsa:Action %q (WS-RM 1.1 §4)", v.Action(wsrm.KindFault))))
	}
	return out
}

// ruleRMAddressing: WS-RM relies on WS-Addressing (WS-RM 1.1 §2.1): every RM message carries
// wsa:Action; requests that expect a reply carry wsa:MessageID, and replies carry wsa:RelatesTo
// (WS-Addressing 1.0 Core §3.4; FLOW §5 "MessageAddressingHeaderRequired").
func ruleRMAddressing(m *Message, _ Profile) []Problem {
	v, k, isRM := m.rmBody()
	_, hasSeq := Find[*wsrm.Sequence](m)
	if !isRM && hasSeq == nil {
		return nil
	}
	if !m.HasAddressing || m.Addressing.Action == "" {
		return []Problem{m.problemAt(m.addressingElement("Action"), "a WS-RM message must carry wsa:Action (WS-RM 1.1 §2.1; WS-Addressing 1.0 Core §3.1)")}
	}
	var out []Problem
	switch k {
	case wsrm.KindCreateSequence, wsrm.KindCloseSequence:
		if m.Addressing.MessageID == "" {
			out = append(out, m.problemAt(m.addressingElement("Action"), fmt.Sprintf("%s expects a reply and must carry wsa:MessageID (WS-Addressing 1.0 Core §3.4)", k)))
		}
	case wsrm.KindTerminateSequence:
		if v == wsrm.V200702 && m.Addressing.MessageID == "" {
			out = append(out, m.problemAt(m.addressingElement("Action"), "a WS-RM 1.1 TerminateSequence expects a TerminateSequenceResponse and must carry wsa:MessageID"))
		}
	case wsrm.KindCreateSequenceResponse, wsrm.KindCloseSequenceResponse, wsrm.KindTerminateSequenceResponse:
		if _, ok := m.Addressing.RelatesToReply(); !ok {
			out = append(out, m.problemAt(m.addressingElement("Action"), fmt.Sprintf("%s is a reply and must carry wsa:RelatesTo (WS-Addressing 1.0 Core §3.4)", k)))
		}
	}
	return out
}
