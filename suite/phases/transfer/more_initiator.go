package transfer

import (
	"fmt"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

// overAckBy is how far past the highest number sent the misbehaving responder acknowledges.
const overAckBy = 5

var _ = Describe("transfer: a SUT initiator judges the acknowledgements it receives", func() {
	// RM-ACK-004: an acknowledgement covering numbers the RMS never sent is a protocol
	// violation: wsrm:InvalidAcknowledgement (WS-RM 1.1 §4.4; CONSTANTS §9.1). The scripted
	// responder answers message 2 with an acknowledgement of 1..2+overAckBy, secured by the
	// sequence's SCT so that only the range is wrong.
	Assert("RM-ACK-004", Initiator, func(ctx SpecContext, s *Spec) {
		v := s.Config().Profile.RM()
		var (
			mu       sync.Mutex
			bogus    *wsrm.SequenceAcknowledgement
			resecure error
		)
		rewrite := func(a Answer) []byte {
			seq, _ := codec.Find[*wsrm.Sequence](a.Request)
			if seq == nil || seq.MessageNumber != 2 || seq.LastMessage || a.Response == nil || a.Response.Fault() != nil {
				return nil
			}
			mu.Lock()
			defer mu.Unlock()
			if bogus != nil {
				return nil // once: retransmissions of message 2 get the real answer
			}
			tok, ok := a.SecuredBy(a.Request)
			if !ok {
				return nil // the sequence's SCT is unknown: RM-STR-008 judges that
			}
			ack := &wsrm.SequenceAcknowledgement{V: v, Identifier: seq.Identifier,
				Ranges: []wsrm.AckRange{{Lower: 1, Upper: seq.MessageNumber + overAckBy}}}
			h := wsa.Headers{Version: wsa.V10, Action: v.Action(wsrm.KindSequenceAcknowledgement), MessageID: NewID(),
				To: wsa.V10.Anonymous()}
			if a.Response.HasAddressing {
				h.Version, h.To = a.Response.Addressing.Version, a.Response.Addressing.To
			}
			env := &codec.Envelope{SOAP: a.Request.SOAP, Addressing: &h, Headers: []codec.Header{{Value: ack}}}
			raw, err := Secure(env, &tok, s.Config().Profile)
			if err != nil {
				resecure = err
				return nil
			}
			bogus = ack
			return raw
		}
		s.RunInitiator(ctx, Scenario{Messages: 4, Rewrite: rewrite})
		mu.Lock()
		defer mu.Unlock()
		Expect(resecure).NotTo(HaveOccurred(), "the suite secures its acknowledgement")
		s.Precondition(bogus != nil, "the SUT sent no message 2 answered with an acknowledgement (a sequence of 4 messages: judged by the transfer phase)")
		s.Observe("message 2 answered with an acknowledgement of %s: [1,%d]", bogus.Identifier, bogus.Ranges[0].Upper)
		var faults []string
		for _, m := range s.Wire.FromSUT() {
			if f := m.Msg.Fault(); f != nil {
				faults = append(faults, m.Action())
				if ok, _ := BeFault(wsrm.InvalidAcknowledgement.QName(v)).Match(m); ok {
					s.Observe("message %d: wsrm:InvalidAcknowledgement (%s)", m.N, f.Reason)
					return
				}
			}
		}
		Fail(fmt.Sprintf("expected: a wsrm:InvalidAcknowledgement fault from the SUT for the acknowledgement of unsent numbers [1,%d]\nactual:   %s",
			bogus.Ranges[0].Upper, faultList(faults)))
	})
})

func faultList(faults []string) string {
	if len(faults) == 0 {
		return "no fault from the SUT (the acknowledgement was taken or ignored)"
	}
	return "other faults only: " + strings.Join(faults, ", ")
}
