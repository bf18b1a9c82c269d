package closure

import (
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// rmdCloseWait is how long the suite waits for an RMD-initiated CloseSequence (RM-CL-005).
const rmdCloseWait = time.Second

var _ = Describe("closure: who closes a sequence (interop notes)", func() {
	// RM-CL-005 (INFO, WCF): an RMD never sends CloseSequence (a WCF RMS faults the sequence
	// if it gets one). With an addressable AcksTo, where an RMD could send it, record whether
	// the SUT does while its sequence has a gap and an AckRequested.
	Assert("RM-CL-005", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapAddressableAT)
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		sink, acksTo := kit.Listen(s)
		sq := kit.CreateTo(ctx, c, tok, wsa.EPR{Address: acksTo}, nil)
		kit.Send(ctx, c, sq, Msg{Number: 1})
		kit.Send(ctx, c, sq, Msg{Number: 3, AckRequested: true})
		s.Precondition(sink.Await(sq.ID, 5*time.Second) != nil, "no acknowledgement reached the addressable AcksTo (judged by RM-ACK-001)")
		time.Sleep(rmdCloseWait)
		var closes []int
		for _, m := range s.Wire.FromSUT() {
			if cs, ok := m.Msg.Payload.(*wsrm.CloseSequence); ok && cs.Identifier == sq.ID {
				closes = append(closes, m.N)
			}
		}
		s.Observe("%d CloseSequence from the RMD for %s", len(closes), sq.ID)
		Expect(closes).To(BeEmpty(), "expected: no RMD-initiated CloseSequence (WCF's RMS would fault the sequence)\nactual:   CloseSequence in messages %v", closes)
	})
})
