package codec

import (
	"strings"
	"testing"
)

// TestFamilyIgnoresQuotedProblemAction: a wsa:ActionNotSupported fault quotes the action it
// refuses; quoting another profile's action is not a mix of version families, but the same
// action in the fault's own headers is.
func TestFamilyIgnoresQuotedProblemAction(t *testing.T) {
	const tmpl = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">` +
		`<s:Header><a:Action>%s</a:Action><a:RelatesTo>urn:uuid:1</a:RelatesTo></s:Header>` +
		`<s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>a:ActionNotSupported</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en">no</s:Text></s:Reason><s:Detail><a:ProblemAction><a:Action>%s</a:Action></a:ProblemAction></s:Detail></s:Fault></s:Body></s:Envelope>`
	const foreign = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT" // WS-Trust 1.3: profile p11
	mixed := func(raw string) bool {
		m, err := Decode([]byte(raw), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m.Check(ProfileP05) {
			if strings.Contains(p.Reason, "version families must not be mixed") {
				return true
			}
		}
		return false
	}
	if mixed(strings.Replace(strings.Replace(tmpl, "%s", "http://www.w3.org/2005/08/addressing/fault", 1), "%s", foreign, 1)) {
		t.Error("a fault quoting another profile's action in wsa:ProblemAction is reported as a mixture")
	}
	if !mixed(strings.Replace(strings.Replace(tmpl, "%s", foreign, 1), "%s", foreign, 1)) {
		t.Error("another profile's action in the fault's own wsa:Action is not reported")
	}
}
