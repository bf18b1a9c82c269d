//go:build rspcheck_pending

package transfer

import (
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// pending (build tag rspcheck_pending) adds the checks the reference peers fail today, each a
// requirement of the catalogue they do not implement yet:
//
//   - RM-ACK-001: an addressable AcksTo's reference parameters become headers of the acks
//     (peer: sendAway writes none);
//   - WSA-001: an unknown action at the RM endpoint is answered with wsa:ActionNotSupported
//     (peer: HTTP 202, silently ignored);
//   - WSA-003 (the whole spec): a reply carries the ReplyTo's reference parameters as headers
//     (peer: replyAddressing copies only the address);
//   - RM-ACK-005 in 2005/02: the empty acknowledgement (range 0-0) is answered (peer: HTTP 500,
//     the codec refuses to build Lower=0).
//
// go run -tags rspcheck_pending ./cmd/rspcheck run --label-filter 'phase:transfer'
const pending = true

var _ = Describe("transfer: a SUT responder follows the WS-Addressing rules of the flow (pending)", func() {
	// WSA-003: a reply goes to the request's ReplyTo and carries its reference parameters as
	// headers marked wsa:IsReferenceParameter.
	Assert("WSA-003", Responder, func(ctx SpecContext, s *Spec) {
		c := s.Client(s.Responder())
		tok, err := c.SCT(ctx)
		Expect(err).NotTo(HaveOccurred())
		anon := wsa.V10.Anonymous()
		r := kit.CreateRaw(ctx, c, tok, wsa.EPR{Address: anon}, &wsa.EPR{Address: anon, ReferenceParameters: kit.RefParams("reply")})
		Expect(r).To(HaveAction(c.RM().Action(wsrm.KindCreateSequenceResponse)), "the CreateSequence must be answered")
		to := r.Msg.Addressing.To
		Expect(to == "" || to == anon).To(BeTrue(), "expected: wsa:To the ReplyTo address (anonymous)\nactual:   %q", to)
		Expect(kit.RefParamHeader(r.Message, "reply")).To(kit.BeOK(), "the ReplyTo reference parameter echoed")
	})

})
