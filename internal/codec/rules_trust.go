package codec

import (
	"fmt"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
)

func init() { messageRules = append(messageRules, ruleSCTBinding) }

// bindingRequest maps an SCT binding to the RequestType kind its RST must carry.
var bindingRequest = map[wsc.Binding]wst.RequestKind{
	wsc.BindingIssue:  wst.Issue,
	wsc.BindingRenew:  wst.Renew,
	wsc.BindingCancel: wst.Cancel,
}

// ruleSCTBinding checks messages on the SCT bindings of WS-Trust (WS-SC 1.3 §3–§6, CONSTANTS
// §2.5/§2.6):
//   - the action's WS-Trust tree matches the body's WS-Trust namespace (SC-ISS-002);
//   - a request is a wst:RequestSecurityToken whose RequestType matches the binding, and an
//     issue request asks for the SCT token type of the same WS-SC version (SC-ISS-001);
//   - a WS-Trust 1.3 issuance response is an RSTR wrapped in an RSTRC (WS-Trust 1.3 §4.3,
//     SC-ISS-003); in 2005/02 it is a bare RSTR.
func ruleSCTBinding(m *Message, _ Profile) []Problem {
	if !m.HasAddressing {
		return nil
	}
	v, b, response, ok := wsc.BindingOfAction(m.Addressing.Action)
	if !ok {
		return nil
	}
	act := m.addressingElement("Action")
	trustV := wst.V13
	if v == wsc.V200502 {
		trustV = wst.V200502
	}
	at := func(format string, args ...any) []Problem {
		el := m.BodyElem
		if el == nil {
			el = act
		}
		return []Problem{m.problemAt(el, fmt.Sprintf(format, args...))}
	}
	if m.BodyElem == nil {
		return at("wsa:Action %q announces an SCT %s message but the body is empty", m.Addressing.Action, b)
	}
	if !response {
		rst, ok := m.Payload.(*wst.RequestSecurityToken)
		if !ok {
			return at("the SCT %s request must be a wst:RequestSecurityToken (WS-SC 1.3 §3)", b)
		}
		if rst.V != trustV {
			return at("the RST is WS-Trust %s but the action is on the WS-Trust %s tree: versions must not be mixed (SC-ISS-002)", rst.V, trustV)
		}
		return m.checkSCTRequest(rst, b, v)
	}
	switch p := m.Payload.(type) {
	case *wst.RequestSecurityTokenResponseCollection:
		if p.V != trustV {
			return at("the RSTRC is WS-Trust %s but the action is on the WS-Trust %s tree (SC-ISS-002)", p.V, trustV)
		}
	case *wst.RequestSecurityTokenResponse:
		if p.V != trustV {
			return at("the RSTR is WS-Trust %s but the action is on the WS-Trust %s tree (SC-ISS-002)", p.V, trustV)
		}
		if trustV == wst.V13 && b == wsc.BindingIssue {
			return at("a WS-Trust 1.3 issuance response wraps the RSTR in a wst:RequestSecurityTokenResponseCollection (WS-Trust 1.3 §4.3, SC-ISS-003)")
		}
	default:
		return at("the SCT %s response must be a wst:RequestSecurityTokenResponse or a collection of them", b)
	}
	return nil
}

func (m *Message) checkSCTRequest(rst *wst.RequestSecurityToken, b wsc.Binding, v wsc.Version) []Problem {
	var out []Problem
	if want, ok := bindingRequest[b]; ok {
		if k, ok := rst.Kind(); ok && k != want {
			out = append(out, m.problemAt(childNS(m.BodyElem, rst.V.Namespace(), "RequestType"),
				fmt.Sprintf("RequestType %s on the SCT %s action: expected %s", k, b, rst.V.RequestType(want))))
		}
	}
	if b != wsc.BindingIssue {
		return out
	}
	tt := childNS(m.BodyElem, rst.V.Namespace(), "TokenType")
	switch {
	case rst.TokenType == "":
		out = append(out, m.problemAt(m.BodyElem, "an SCT issue request must name the SCT token type in wst:TokenType (SC-ISS-001; WS-SC 1.3 §3)"))
	case rst.TokenType != v.SCTTokenType():
		out = append(out, m.problemAt(tt, fmt.Sprintf("wst:TokenType %q on the SCT binding: expected %q (SC-ISS-001)", rst.TokenType, v.SCTTokenType())))
	}
	return out
}
