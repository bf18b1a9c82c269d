package issuance

import (
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

var _ = Describe("issuance: a SUT initiator obtains its SCT", func() {
	// SC-ISS-001: the first message is an RST on the SCT binding of the profile: body
	// wst:RequestSecurityToken, RequestType Issue, TokenType the SCT type, action .../RST/SCT.
	Assert("SC-ISS-001", Initiator, func(ctx SpecContext, s *Spec) {
		run(ctx, s, Scenario{})
		v := s.Config().Profile.SC()
		tv := seckit.TrustVersion(v)
		msgs := s.Wire.FromSUT()
		Expect(msgs).NotTo(BeEmpty(), "the SUT sent something")
		first := msgs[0]
		Expect(first).To(HaveAction(v.RequestAction(wsc.BindingIssue)), "the first message asks for an SCT on the SCT binding (not .../RST/Issue)")
		rst, ok := first.Msg.Payload.(*wst.RequestSecurityToken)
		Expect(ok).To(BeTrue(), "the body is a wst:RequestSecurityToken (%s)", first.Msg.BodyName())
		Expect(rst.V).To(Equal(tv), "the RST is in the WS-Trust namespace of the profile")
		Expect(rst.RequestType).To(Equal(tv.RequestType(wst.Issue)), "wst:RequestType is the Issue URI")
		Expect(rst.TokenType).To(Equal(v.SCTTokenType()), "wst:TokenType is the SCT token type")
	})

	// SC-ISS-002: every WS-Trust request of the SUT uses one version throughout.
	Assert("SC-ISS-002", Initiator, func(ctx SpecContext, s *Spec) {
		run(ctx, s, Scenario{})
		v := s.Config().Profile.SC()
		tv := seckit.TrustVersion(v)
		xs := seckit.Exchanges(s.Wire, FromSUT)
		Expect(xs).NotTo(BeEmpty(), "the SUT sent WS-Trust requests")
		for _, x := range xs {
			what := describeMsg(x.Req)
			Expect(x.Version).To(Equal(v), "%s: the action is on the WS-SC %s tree", what, v)
			Expect(x.RST.V).To(Equal(tv), "%s: the RST is WS-Trust %s", what, tv)
			rv, _, ok := wst.RequestTypeOf(x.RST.RequestType)
			Expect(ok && rv == tv).To(BeTrue(), "%s: RequestType %q is of WS-Trust %s", what, x.RST.RequestType, tv)
			if x.RST.TokenType != "" {
				Expect(x.RST.TokenType).To(Equal(v.SCTTokenType()), "%s: TokenType", what)
			}
			for name, uri := range map[string]string{"KeyType": x.RST.KeyType, "ComputedKeyAlgorithm": x.RST.ComputedKeyAlgorithm} {
				if uri != "" {
					Expect(strings.HasPrefix(uri, tv.Namespace())).To(BeTrue(), "%s: %s %q is of WS-Trust %s", what, name, uri, tv)
				}
			}
			if e := x.RST.Entropy; e != nil && e.BinarySecret != nil && e.BinarySecret.Type != "" {
				Expect(strings.HasPrefix(e.BinarySecret.Type, tv.Namespace())).To(BeTrue(), "%s: BinarySecret Type", what)
			}
			for _, str := range targets(x.RST) {
				if str.Reference != nil && str.Reference.ValueType != "" {
					Expect(str.Reference.ValueType).To(Equal(v.SCTTokenType()), "%s: the target STR's ValueType", what)
				}
			}
		}
	})

	// SC-ISS-008 (SHOULD): requestor entropy is a Nonce BinarySecret of at least 128 bits (or
	// encrypted).
	Assert("SC-ISS-008", Initiator, func(ctx SpecContext, s *Spec) {
		run(ctx, s, Scenario{})
		tv := seckit.TrustVersion(s.Config().Profile.SC())
		n := 0
		for _, x := range seckit.Exchanges(s.Wire, FromSUT) {
			e := x.RST.Entropy
			if e == nil || x.Binding == wsc.BindingCancel {
				continue
			}
			n++
			if e.EncryptedKey != nil {
				continue
			}
			Expect(e.BinarySecret).NotTo(BeNil(), "%s: the entropy is a wst:BinarySecret or an xenc:EncryptedKey", describeMsg(x.Req))
			Expect(e.BinarySecret.Type).To(Equal(tv.NonceType()), "%s: the entropy's Type is Nonce", describeMsg(x.Req))
			Expect(len(e.BinarySecret.Value)).To(BeNumerically(">=", 16), "%s: requestor entropy has at least 128 bits", describeMsg(x.Req))
		}
		s.Observe("%d requests with requestor entropy", n)
	})

	// SC-ISS-009: KeySize is written in bits and the key the SUT uses has the RSTR's KeySize:
	// its signatures verify with the key recomputed at that length.
	Assert("SC-ISS-009", Initiator, func(ctx SpecContext, s *Spec) {
		run(ctx, s, Scenario{})
		for _, x := range sent(s, wsc.BindingIssue) {
			if x.RST.KeySize != 0 {
				Expect(x.RST.KeySize%8 == 0 && x.RST.KeySize >= 64).To(BeTrue(),
					"%s: wst:KeySize %d is a number of bits (a multiple of 8; below 64 it reads as octets)", describeMsg(x.Req), x.RST.KeySize)
			}
		}
		checkKeys(s, granted(s))
	})

	// SC-ISS-010: the SUT computes key = P_SHA1(requestor entropy, issuer entropy): every
	// message it secures verifies with the key the suite recomputes from the captured entropies
	// (a known-wrong derivation label is tolerated here: SC-DKT-002 judges the derivation).
	Assert("SC-ISS-010", Initiator, func(ctx SpecContext, s *Spec) {
		run(ctx, s, Scenario{})
		toks := granted(s)
		for _, x := range seckit.Exchanges(s.Wire, FromSUT) {
			if x.RSTR != nil && x.RSTR.RequestedProofToken != nil && x.RSTR.RequestedProofToken.ComputedKey != "" {
				Expect(x.RST.Entropy).NotTo(BeNil(), "%s: a computed key needs requestor entropy", describeMsg(x.Req))
			}
		}
		checkKeys(s, toks)
	})

	// SC-ISS-012 (SHOULD; MUST honour): the scripted responder issues short-lived SCTs; the SUT
	// never protects a message with an instance after its Expires (it renews first).
	Assert("SC-ISS-012", Initiator, func(ctx SpecContext, s *Spec) {
		renewRun(ctx, s)
		v := s.Config().Profile.SC()
		toks := granted(s)
		first := toks[0]
		outlasted := false
		for _, m := range secured(s) {
			if _, b, _, ok := wsc.BindingOfAction(m.Action()); ok && b == wsc.BindingRenew {
				continue // a renewal proves possession of the expiring (or expired) key
			}
			a, t, err := seckit.VerifyKeyed(m, v, wssec.PartNone, toks)
			Expect(err).NotTo(HaveOccurred(), "%s verifies with a token the SUT obtained", describeMsg(m))
			if !t.Expires.IsZero() {
				Expect(a.Created).NotTo(BeTemporally(">", t.Expires), "%s was protected at %s by SCT instance %q, which expired at %s",
					describeMsg(m), a.Created, t.Instance, t.Expires)
			}
			outlasted = outlasted || a.Created.After(first.Expires)
		}
		if !outlasted {
			Skip(NotApplicablePrefix + "the SUT's run ended before its first SCT expired")
		}
	})

	// SC-ISS-013 (SHOULD): the SUT uses the issuer's unattached reference (the Identifier with
	// the SCT ValueType) wherever it names the SCT outside the SCT's own message.
	Assert("SC-ISS-013", Initiator, func(ctx SpecContext, s *Spec) {
		run(ctx, s, Scenario{})
		refs := map[string]string{} // Identifier -> unattached URI
		vts := map[string]string{}  // Identifier -> unattached ValueType
		for _, x := range sent(s, wsc.BindingIssue) {
			if x.RSTR == nil || x.RSTR.RequestedSecurityToken == nil || x.RSTR.RequestedSecurityToken.SCT == nil {
				continue
			}
			if u := x.RSTR.RequestedUnattachedReference; u != nil && u.Reference != nil {
				id := x.RSTR.RequestedSecurityToken.SCT.Identifier
				refs[id], vts[id] = u.Reference.URI, u.Reference.ValueType
			}
		}
		if len(refs) == 0 {
			Skip(NotApplicablePrefix + "the scripted issuer gave no unattached reference")
		}
		n := 0
		for _, m := range s.Wire.FromSUT() {
			for _, r := range seckit.References(m.Msg) {
				uri := r.SelectAttrValue("URI", "")
				id := strings.TrimPrefix(uri, "#")
				if _, named := refs[id]; !named || seckit.LocalSCT(m.Msg, id) != "" {
					continue
				}
				n++
				Expect(uri).To(Equal(refs[id]), "%s names SCT %s by the issuer's unattached reference", describeMsg(m), id)
				Expect(r.SelectAttrValue("ValueType", "")).To(Equal(vts[id]), "%s: the reference's ValueType is the issuer's", describeMsg(m))
			}
		}
		Expect(n).To(BeNumerically(">", 0), "the SUT referenced its SCT")
	})

	// SC-ISS-015 (INFO): an IBM-like initiator reuses one SCT for the sequences of a session.
	Assert("SC-ISS-015", Initiator, func(ctx SpecContext, s *Spec) {
		run(ctx, s, Scenario{Messages: 2, Sequences: 2})
		Expect(sent(s, wsc.BindingIssue)).To(HaveLen(1), "two sequences to one endpoint were secured by one SCT issuance")
	})
})

// targets are the RenewTarget / CancelTarget STRs of an RST.
func targets(r *wst.RequestSecurityToken) []*wsse.SecurityTokenReference {
	var out []*wsse.SecurityTokenReference
	for _, t := range []*wsse.SecurityTokenReference{r.RenewTarget, r.CancelTarget} {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}

// checkKeys: every message the SUT secured verifies with a recomputed token, and there is one.
func checkKeys(s *Spec, toks []token.Token) {
	v := s.Config().Profile.SC()
	msgs := secured(s)
	Expect(msgs).NotTo(BeEmpty(), "the SUT secured messages with its SCT")
	for _, m := range msgs {
		_, _, err := seckit.VerifyKeyed(m, v, wssec.PartNone, toks)
		Expect(err).NotTo(HaveOccurred(), "%s verifies with the key recomputed from both entropies", describeMsg(m))
	}
}
