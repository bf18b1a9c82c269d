package framework

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// Failure messages of the matchers have the shape the reports read (h2spec's TestError):
//
//	expected: <what the requirement asks for>
//	actual:   <what the SUT did>
func mismatch(expected, actual string) string {
	return "expected: " + expected + "\nactual:   " + actual
}

// messageOf accepts the values matchers take: *Response, *Message, *codec.Message.
func messageOf(actual any) (*codec.Message, string, error) {
	switch v := actual.(type) {
	case *Response:
		if v == nil || v.Message == nil {
			return nil, describe(v), nil
		}
		return v.Msg, describe(v), nil
	case *Message:
		if v == nil {
			return nil, "no message", nil
		}
		return v.Msg, fmt.Sprintf("message %d %s", v.N, v.Action()), nil
	case *codec.Message:
		return v, "message", nil
	}
	return nil, "", fmt.Errorf("matcher: want *Response or *Message, got %T", actual)
}

// faultCode is the code of a SOAP fault: the first Subcode (SOAP 1.2) or the faultcode
// (SOAP 1.1).
func faultCode(f *soap.Fault) wire.QName {
	if q := f.Subcode(); q != (wire.QName{}) {
		return q
	}
	return f.CodeQName
}

// faultCodes are every code a fault message states: Subcodes, the faultcode and, for SOAP
// 1.1 header faults, the wsrm:SequenceFault/FaultCode.
func faultCodes(m *codec.Message) []wire.QName {
	f := m.Fault()
	if f == nil {
		return nil
	}
	out := append([]wire.QName{f.CodeQName}, f.Subcodes...)
	if sf, _ := codec.Find[*wsrm.SequenceFault](m); sf != nil {
		out = append(out, sf.FaultCode)
	}
	return out
}

func qnames(qs []wire.QName) string {
	s := make([]string, len(qs))
	for i, q := range qs {
		s[i] = q.String()
	}
	return strings.Join(s, " or ")
}

// matcher is a Gomega matcher whose failure message is expected versus actual.
type matcher struct {
	match    func(actual any) (ok bool, expected, got string, err error)
	exp, got string
}

func (m *matcher) Match(actual any) (bool, error) {
	ok, e, g, err := m.match(actual)
	m.exp, m.got = e, g
	return ok, err
}

func (m *matcher) FailureMessage(any) string { return mismatch(m.exp, m.got) }

func (m *matcher) NegatedFailureMessage(any) string { return mismatch("not "+m.exp, m.got) }

func newMatcher(f func(actual any) (bool, string, string, error)) types.GomegaMatcher {
	return &matcher{match: f}
}

// BeFault succeeds when the response (or message) is a SOAP fault stating one of codes — as
// its SOAP 1.2 Subcode, its SOAP 1.1 faultcode, or its SOAP 1.1 wsrm:SequenceFault header.
// Without codes, any SOAP fault.
func BeFault(codes ...wire.QName) types.GomegaMatcher {
	return newMatcher(func(actual any) (bool, string, string, error) {
		exp := "a SOAP fault " + qnames(codes)
		if len(codes) == 0 {
			exp = "a SOAP fault"
		}
		m, desc, err := messageOf(actual)
		if err != nil || m == nil {
			return false, exp, desc, err
		}
		if len(codes) == 0 {
			return m.Fault() != nil, exp, desc, nil
		}
		got := faultCodes(m)
		for _, c := range codes {
			if slices.Contains(got, c) {
				return true, exp, desc, nil
			}
		}
		return false, exp, desc, nil
	})
}

// BeAccepted succeeds when the response is not a fault: an HTTP 2xx with no envelope or
// with a non-fault envelope.
func BeAccepted() types.GomegaMatcher {
	return newMatcher(func(actual any) (bool, string, string, error) {
		r, ok := actual.(*Response)
		if !ok {
			return false, "", "", fmt.Errorf("BeAccepted: want *Response, got %T", actual)
		}
		exp := "the message accepted (HTTP 200/202, no fault)"
		if r == nil {
			return false, exp, "no response", nil
		}
		fault := r.Message != nil && r.Msg != nil && r.Msg.Fault() != nil
		return r.Status/100 == 2 && !fault, exp, describe(r), nil
	})
}

// HaveAction succeeds when the message's wsa:Action is uri.
func HaveAction(uri string) types.GomegaMatcher {
	return newMatcher(func(actual any) (bool, string, string, error) {
		m, desc, err := messageOf(actual)
		exp := "wsa:Action " + uri
		if err != nil || m == nil {
			return false, exp, desc, err
		}
		got := ""
		if m.HasAddressing {
			got = m.Addressing.Action
		}
		act := "wsa:Action " + got
		if got == "" || m.Fault() != nil {
			act += " (" + desc + ")" // say what came instead
		}
		return got == uri, exp, act, nil
	})
}

// HaveAckRanges succeeds when the message carries a SequenceAcknowledgement for sequence id
// whose ranges are exactly ranges (none: wsrm:None or no range).
func HaveAckRanges(id string, ranges ...wsrm.AckRange) types.GomegaMatcher {
	return newMatcher(func(actual any) (bool, string, string, error) {
		exp := fmt.Sprintf("an acknowledgement of %s with ranges %s", id, rangesText(ranges))
		m, desc, err := messageOf(actual)
		if err != nil || m == nil {
			return false, exp, desc, err
		}
		for _, a := range codec.FindAll[*wsrm.SequenceAcknowledgement](m) {
			if a.Identifier == id {
				return slices.Equal(a.Ranges, ranges), exp, "ranges " + rangesText(a.Ranges), nil
			}
		}
		return false, exp, desc + " without an acknowledgement of " + id, nil
	})
}

func rangesText(rs []wsrm.AckRange) string {
	if len(rs) == 0 {
		return "(none)"
	}
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "[%d,%d]", r.Lower, r.Upper)
	}
	return b.String()
}

// BeSignedBy succeeds when the message's security verifies with tok (any instance the caller
// passes) and covers at least parts.
func BeSignedBy(parts wssec.Part, toks ...token.Token) types.GomegaMatcher {
	return newMatcher(func(actual any) (bool, string, string, error) {
		ids := make([]string, len(toks))
		for i, t := range toks {
			ids[i] = t.Identifier
		}
		exp := fmt.Sprintf("secured by SCT %s, signature covering %s", strings.Join(ids, " or "), partsText(parts))
		m, desc, err := messageOf(actual)
		if err != nil || m == nil {
			return false, exp, desc, err
		}
		// Each instance separately: a renewed SCT keeps its Identifier with a new key.
		var firstErr error
		for _, t := range toks {
			a, err := wssec.Check(m, wssec.CheckOptions{Policy: wssec.Policy{Version: Current().Profile.SC(), Sign: parts},
				Tokens: wssec.TokenMap{t.Identifier: t.Security()}, Now: time.Now()})
			if err == nil {
				return a.Parts&parts == parts, exp, fmt.Sprintf("secured by %s covering %s", a.Token.Identifier, partsText(a.Parts)), nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		if firstErr == nil {
			return false, exp, desc + ": no token to verify with", nil
		}
		return false, exp, desc + ": " + firstErr.Error(), nil
	})
}

// BeSchemaValid succeeds when the captured message has no schema or profile-rule problem.
func BeSchemaValid() types.GomegaMatcher {
	return newMatcher(func(actual any) (bool, string, string, error) {
		m, ok := actual.(*Message)
		if !ok {
			if r, isResp := actual.(*Response); isResp && r != nil {
				m = r.Message
			}
		}
		exp := "valid against the official schemas and the profile's rules"
		if m == nil {
			return false, exp, "no message", nil
		}
		if len(m.Problems) == 0 {
			return true, exp, "valid", nil
		}
		return false, exp, fmt.Sprintf("message %d (%s): %s", m.N, m.Action(), strings.Join(m.Problems, "; ")), nil
	})
}

// partsText names signed part groups.
func partsText(p wssec.Part) string {
	var names []string
	for _, x := range []struct {
		p    wssec.Part
		name string
	}{{wssec.PartBody, "Body"}, {wssec.PartTimestamp, "Timestamp"}, {wssec.PartAddressing, "wsa headers"},
		{wssec.PartRM, "wsrm headers"}, {wssec.PartTokens, "tokens"}} {
		if p&x.p != 0 {
			names = append(names, x.name)
		}
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

// IsMustUnderstandFault reports whether m is a SOAP MustUnderstand fault: raised by the SOAP
// processor before any header (WS-Addressing included) is processed, so the addressing rules
// of replies do not apply to it.
func IsMustUnderstandFault(m *codec.Message) bool {
	if m == nil {
		return false
	}
	f := m.Fault()
	if f == nil {
		return false
	}
	return slices.Contains(faultCodes(m), soap.MustUnderstand.QName(soap.V11)) || slices.Contains(faultCodes(m), soap.MustUnderstand.QName(soap.V12))
}
