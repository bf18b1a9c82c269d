package issuance

import (
	"bytes"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec/bootstrap"
	"github.com/rspcheck/rspcheck/peer"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

// bootstrapPKI is the run's PKI for the X.509-protected issuance; the embedded peers only:
// an external SUT would need certificates the descriptor cannot give.
func bootstrapPKI(s *Spec) *PKI {
	s.Require(CapX509Bootstrap)
	if !s.Config().Embedded() {
		Skip(UnsupportedPrefix + "the X.509 bootstrap of an external SUT needs certificate material the descriptor cannot give")
	}
	p, err := TestPKI()
	Expect(err).NotTo(HaveOccurred(), "the suite's test PKI")
	return p
}

// bootstrapSigned verifies the X.509 signature of m (Body, Timestamp, addressing) against the
// PKI and returns the signer's Common Name.
func bootstrapSigned(p *PKI, m *Message) (string, error) {
	msg, err := codec.Decode(m.Raw, codec.Options{})
	if err != nil {
		return "", err
	}
	res, err := bootstrap.Verify(msg.Doc, bootstrap.VerifyOptions{Roots: p.CA.Pool(), Now: msgCreated(msg)})
	if err != nil {
		return "", err
	}
	return res.Cert.Subject.CommonName, nil
}

// msgCreated is the Timestamp's Created instant (a captured message is judged at its time).
func msgCreated(m *codec.Message) time.Time {
	if sec, _ := codec.Find[*wsse.Security](m); sec != nil {
		if ts := sec.Timestamp(); ts != nil {
			if c, _, err := ts.Times(); err == nil {
				return c.Add(time.Second)
			}
		}
	}
	return time.Now()
}

// clearKeyMaterial reports whether m carries key material in the clear (a wst:BinarySecret).
func clearKeyMaterial(m *Message) bool { return bytes.Contains(m.Raw, []byte("BinarySecret")) }

var _ = Describe("issuance: the issuance exchange is protected (X.509 bootstrap) and amended", func() {
	// SC-ISS-014: an issuer that requires the X.509 bootstrap refuses an unsigned RST, and
	// answers a signed one with an RSTR signed by its certificate over Body and Timestamp,
	// with no key material in the clear (the transport, HTTP, is not confidential).
	Assert("SC-ISS-014", Responder, func(ctx SpecContext, s *Spec) {
		p := bootstrapPKI(s)
		c := s.Client(s.Responder(func(rc *peer.ResponderConfig) { rc.Bootstrap = p.IssuerBootstrap() }))
		_, err := c.Issue(ctx)
		Expect(err).To(HaveOccurred(), "expected: an unsigned RST/SCT refused by an issuer requiring the bootstrap\nactual:   an SCT issued")
		reqs := s.Wire.Messages(func(m *Message) bool { return m.Dir == FromSUT })
		Expect(reqs).NotTo(BeEmpty(), "the issuer answers the unsigned RST")
		v := c.Profile.SC()
		Expect(reqs[len(reqs)-1]).To(BeFault(append(seckit.SecurityFaults(v), wst.FailedAuthentication.QName(seckit.TrustVersion(v)),
			wst.InvalidRequest.QName(seckit.TrustVersion(v)))...), "the unsigned RST/SCT")
		Expect(c.UseBootstrap(p)).To(Succeed())
		tok, err := c.Issue(ctx)
		Expect(err).NotTo(HaveOccurred(), "expected: an RST/SCT signed with the initiator's certificate answered with a verifiable RSTR")
		var rstr *Message
		for _, x := range seckit.Exchanges(s.Wire, ToSUT) {
			if x.Binding == wsc.BindingIssue && x.Resp != nil && x.Resp.Msg.Fault() == nil {
				rstr = x.Resp
			}
		}
		Expect(rstr).NotTo(BeNil(), "the RSTR of the signed request is captured")
		cn, err := bootstrapSigned(p, rstr)
		Expect(err).NotTo(HaveOccurred(), "expected: the RSTR signed (Body, Timestamp, wsa headers) by the issuer's certificate\nactual:   message %d", rstr.N)
		Expect(cn).To(Equal(PKIIssuerName), "expected: the RSTR signed by the issuer %s\nactual:   signed by %s", PKIIssuerName, cn)
		Expect(clearKeyMaterial(rstr)).To(BeFalse(), "expected: no key material in the clear in the RSTR (message %d)\nactual:   a wst:BinarySecret", rstr.N)
		usable(ctx, c, tok, "the SCT issued under the bootstrap")
	})

	// SC-ISS-014 (initiator): the SUT initiator signs its RST with its certificate (Body,
	// Timestamp, wsa headers), sends no entropy in the clear, and goes on only with an RSTR
	// the issuer signed.
	Assert("SC-ISS-014", Initiator, func(ctx SpecContext, s *Spec) {
		p := bootstrapPKI(s)
		s.RequireWSTrust()
		run := s.RunInitiator(ctx, Scenario{Messages: 2, Responder: peer.ResponderConfig{Bootstrap: p.IssuerBootstrap()},
			Bootstrap: p.InitiatorBootstrap()})
		xs := sent(s, wsc.BindingIssue)
		s.Precondition(len(xs) > 0, "the SUT sent no RST/SCT (judged by SC-ISS-001)")
		for _, x := range xs {
			cn, err := bootstrapSigned(p, x.Req)
			Expect(err).NotTo(HaveOccurred(), "expected: the RST signed (Body, Timestamp, wsa headers) with the initiator's certificate\nactual:   message %d", x.Req.N)
			s.Observe("message %d: RST signed by %s", x.Req.N, cn)
			Expect(clearKeyMaterial(x.Req)).To(BeFalse(), "expected: no requestor entropy in the clear (message %d)\nactual:   a wst:BinarySecret", x.Req.N)
		}
		Expect(run.Delivered()).NotTo(BeEmpty(), "expected: the run goes on with the SCT issued under the bootstrap\nactual:   nothing delivered (%v)", run.Err)
	})

	// SC-AMD-001: Amend (.../RST/SCT/Amend) proves possession of the SCT key and is answered
	// with .../RSTR/SCT/Amend; the context key does not change; an Amend not signed with the
	// SCT key is refused. The reference issuer does not implement Amend (capability "amend").
	Assert("SC-AMD-001", Responder, func(ctx SpecContext, s *Spec) {
		s.Require(CapAmend)
		c := issuer(s)
		tok, err := c.SCT(ctx)
		s.Precondition(err == nil, "no SCT could be obtained (judged by the issuance phase): %v", err)
		v, tv := versions(c)
		x := send(ctx, c, seckit.RST{Binding: wsc.BindingAmend}, proof(c, &tok))
		Expect(x.Resp).To(BeAccepted(), "an Amend signed with a key derived from the SCT")
		Expect(x.Resp).To(HaveAction(v.ResponseAction(wsc.BindingAmend)))
		usable(ctx, c, tok, "the SCT after Amend (the context key does not change)")
		x = send(ctx, c, seckit.RST{Binding: wsc.BindingAmend}, Protection{})
		codes := []wire.QName{wsse.FailedAuthentication.QName(), wst.InvalidRequest.QName(tv), wst.FailedAuthentication.QName(tv)}
		Expect(x.Resp).To(BeFault(codes...), "an Amend not signed with the SCT key")
	})
})
