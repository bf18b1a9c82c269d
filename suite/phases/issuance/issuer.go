package issuance

import (
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

var _ = Describe("issuance: a SUT responder's STS answers the SCT binding", func() {
	// SC-ISS-001 (−): the catalogue's negative probe is aimed at the service: an RST/SCT
	// without wst:RequestType is refused with wst:InvalidRequest (a conforming one is answered).
	Assert("SC-ISS-001", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		_, tv := versions(c)
		answered(send(ctx, c, seckit.RST{}, Protection{}), "a conforming RST/SCT is answered")
		x := send(ctx, c, seckit.RST{NoRequestType: true}, Protection{})
		Expect(x.Resp).To(BeFault(wst.InvalidRequest.QName(tv)), "an RST/SCT without wst:RequestType is refused with wst:InvalidRequest")
	})

	// SC-ISS-002: the issuer answers in the version it was asked in, and refuses a request
	// that mixes the versions (200512 namespace, 2005/02 action and token type, or the mirror).
	Assert("SC-ISS-002", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		v, tv := versions(c)
		x := send(ctx, c, seckit.RST{}, Protection{})
		answered(x, "a conforming RST/SCT is answered")
		Expect(x.Resp).To(HaveAction(v.ResponseAction(wsc.BindingIssue)), "the response action is of the version asked in")
		Expect(x.RSTR.V).To(Equal(tv), "the RSTR is in the WS-Trust namespace of the request")
		Expect(x.RSTR.RequestedSecurityToken).NotTo(BeNil())
		Expect(x.RSTR.RequestedSecurityToken.SCT).NotTo(BeNil(), "the RSTR carries an SCT")
		Expect(x.RSTR.RequestedSecurityToken.SCT.V).To(Equal(v), "the SCT is of the WS-SC version asked for")
		if x.RSTR.TokenType != "" {
			Expect(x.RSTR.TokenType).To(Equal(v.SCTTokenType()), "the RSTR's TokenType is of the version asked for")
		}
		o := seckit.OtherSC(v)
		ot := seckit.TrustVersion(o)
		mixed := send(ctx, c, seckit.RST{Action: o.RequestAction(wsc.BindingIssue), TokenType: o.SCTTokenType()}, Protection{})
		codes := []wire.QName{{Space: wsa.NS10, Local: "ActionNotSupported"}, wst.InvalidRequest.QName(tv),
			wst.InvalidRequest.QName(ot), wst.BadRequest.QName(tv), wst.BadRequest.QName(ot)}
		Expect(mixed.Resp).To(BeFault(codes...), "an RST in the %s namespace with the %s action and token type is refused", tv, ot)
		s.Observe("mixed-version request refused with %s", seckit.FaultCode(mixed.Resp))
	})

	// SC-ISS-003: 1.3 answers with an RSTRC holding the RSTR, 2005/02 with a bare RSTR; the
	// action is .../RSTR/SCT of the version.
	Assert("SC-ISS-003", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		v, tv := versions(c)
		x := send(ctx, c, seckit.RST{}, Protection{})
		answered(x, "RST/SCT is answered")
		Expect(x.Resp).To(HaveAction(v.ResponseAction(wsc.BindingIssue)))
		if tv == wst.V13 {
			Expect(x.Collection).To(BeTrue(), "WS-Trust 1.3: the final issuance response is a wst:RequestSecurityTokenResponseCollection (body %s)", x.Resp.Msg.BodyName())
			coll := x.Resp.Msg.Payload.(*wst.RequestSecurityTokenResponseCollection)
			s.Observe("RSTRC with %d RSTR", len(coll.Responses))
		} else {
			Expect(x.Collection).To(BeFalse(), "WS-Trust 2005/02: the issuance response is a bare RSTR (body %s)", x.Resp.Msg.BodyName())
		}
	})

	// SC-ISS-004: every RSTR for a request with @Context echoes it.
	Assert("SC-ISS-004", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		want := NewID()
		x := send(ctx, c, seckit.RST{Context: want}, Protection{})
		answered(x, "RST/SCT is answered")
		rstrs := []*wst.RequestSecurityTokenResponse{x.RSTR}
		if coll, ok := x.Resp.Msg.Payload.(*wst.RequestSecurityTokenResponseCollection); ok {
			rstrs = coll.Responses
		}
		for _, r := range rstrs {
			Expect(r.Context).To(Equal(want), "each RSTR echoes the request's @Context")
		}
	})

	// SC-ISS-005: one SCT with an absolute-URI Identifier, no key inside the SCT element.
	Assert("SC-ISS-005", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		v, _ := versions(c)
		x := send(ctx, c, seckit.RST{}, Protection{})
		answered(x, "RST/SCT is answered")
		rst := seckit.Find(x.Resp.Msg.BodyElem, "RequestedSecurityToken")
		Expect(rst).NotTo(BeNil(), "the RSTR has a wst:RequestedSecurityToken")
		kids := rst.ChildElements()
		Expect(kids).To(HaveLen(1), "wst:RequestedSecurityToken holds exactly one token")
		Expect(kids[0].Tag).To(Equal("SecurityContextToken"), "the token is a wsc:SecurityContextToken")
		Expect(kids[0].NamespaceURI()).To(Equal(v.Namespace()), "the SCT is of the WS-SC version asked for")
		id := seckit.Find(kids[0], "Identifier")
		Expect(id).NotTo(BeNil(), "the SCT has a wsc:Identifier")
		Expect(absoluteURI(id.Text())).To(BeTrue(), "the Identifier %q is an absolute URI", id.Text())
		for _, key := range []string{"BinarySecret", "EncryptedKey", "Key"} {
			Expect(seckit.Find(kids[0], key)).To(BeNil(), "the SCT element carries no key (%s found)", key)
		}
	})

	// SC-ISS-006: each context has its own Identifier.
	Assert("SC-ISS-006", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		seen := map[string]bool{}
		for i := 0; i < 3; i++ {
			t, _ := issue(ctx, c)
			Expect(seen).NotTo(HaveKey(t.Identifier), "issuance %d returned an Identifier already issued", i+1)
			seen[t.Identifier] = true
		}
	})

	// SC-ISS-007: renewals of one Identifier carry an Instance unique per key.
	Assert("SC-ISS-007", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		s.Require(CapRenew)
		cur, _ := issue(ctx, c)
		seen := map[string]bool{cur.Instance: true}
		for i := 0; i < 2; i++ {
			x := send(ctx, c, seckit.RST{Binding: wsc.BindingRenew, Target: cur.Reference(false)}, proof(c, &cur))
			next, _ := grant(c, x, "the renewal is answered")
			Expect(next.Identifier).To(Equal(cur.Identifier), "the renewed SCT keeps its Identifier")
			Expect(next.Instance).NotTo(BeEmpty(), "a re-keyed instance carries wsc:Instance")
			Expect(seen).NotTo(HaveKey(next.Instance), "renewal %d: wsc:Instance %q was used before for this Identifier", i+1, next.Instance)
			seen[next.Instance] = true
			cur = next
		}
	})

	// SC-ISS-009: KeySize is in bits and the returned size governs the key: a key of
	// KeySize/8 octets computed from both entropies works.
	Assert("SC-ISS-009", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		x := send(ctx, c, seckit.RST{KeySize: 256}, Protection{})
		t, how := grant(c, x, "RST/SCT with KeySize 256 is answered")
		bits := x.RSTR.KeySize
		if bits == 0 {
			bits = 256
		}
		Expect(bits%8).To(BeZero(), "the RSTR's KeySize %d is a number of bits (a multiple of 8)", bits)
		if x.RSTR.RequestedProofToken != nil && x.RSTR.RequestedProofToken.ComputedKey != "" {
			Expect(len(t.Secret)*8).To(Equal(int(bits)), "the computed key has KeySize/8 octets")
		}
		s.Observe("KeySize %d bits, proof %s", bits, how)
		usable(ctx, c, t, "the key of KeySize bits")
	})

	// SC-ISS-010: with both entropies the RSTR says ComputedKey CK/PSHA1 and carries the issuer
	// entropy; key = P_SHA1(requestor, issuer) works, the swapped order does not.
	Assert("SC-ISS-010", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		_, tv := versions(c)
		x := send(ctx, c, seckit.RST{}, Protection{})
		answered(x, "RST/SCT with requestor entropy is answered")
		p := x.RSTR.RequestedProofToken
		if p == nil || p.ComputedKey == "" {
			Skip(NotApplicablePrefix + "the issuer did not use the computed-key mechanism (it may choose another proof form, SC-ISS-011)")
		}
		Expect(p.ComputedKey).To(Equal(tv.CKPSHA1()), "wst:ComputedKey is the CK/PSHA1 URI of the version")
		Expect(x.RSTR.Entropy).NotTo(BeNil(), "a computed key comes with the issuer's wst:Entropy")
		t, _ := grant(c, x, "the computed key")
		usable(ctx, c, t, "key = P_SHA1(requestor entropy, issuer entropy)")
		swapped, err := psha1.ComputedKey(x.RSTR.Entropy.BinarySecret.Value, x.Entropy, len(t.Secret)*8)
		Expect(err).NotTo(HaveOccurred())
		bad := t
		bad.Secret = swapped
		r, id, err := c.CreateSequence(ctx, Create{Token: bad})
		Expect(err).NotTo(HaveOccurred())
		Expect(r).To(BeFault(seckit.Refused(c.Profile.SC(), c.RM())...), "a CreateSequence keyed with P_SHA1(issuer, requestor) (arguments swapped) is refused")
		Expect(id).To(BeEmpty(), "no sequence is created with the swapped key")
		s.Observe("swapped key refused with %s", seckit.FaultCode(r))
	})

	// SC-ISS-011: without requestor entropy the issuer supplies the key as a proof token
	// (BinarySecret or EncryptedKey); a clear one is proven by use.
	Assert("SC-ISS-011", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		x := send(ctx, c, seckit.RST{NoEntropy: true}, Protection{})
		answered(x, "RST/SCT without entropy is answered")
		p := x.RSTR.RequestedProofToken
		Expect(p).NotTo(BeNil(), "with no requestor entropy the issuer returns the key in wst:RequestedProofToken")
		Expect(p.BinarySecret != nil || p.EncryptedKey != nil).To(BeTrue(), "the proof token is a wst:BinarySecret or an xenc:EncryptedKey")
		t, how := grant(c, x, "the issuer's key")
		s.Observe("proof token: %s", how)
		usable(ctx, c, t, "the issuer-supplied key")
	})

	// SC-ISS-012: the RSTR states a UTC Lifetime; a message protected by the SCT after its
	// Expires, when refused (a skew allowance may accept it), is refused with wsc:RenewNeeded
	// (probed when the issuer grants a short enough lifetime).
	Assert("SC-ISS-012", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		v, _ := versions(c)
		x := send(ctx, c, seckit.RST{Lifetime: seckit.Lifetime(time.Second)}, Protection{})
		t, _ := grant(c, x, "RST/SCT asking for a 1 s lifetime is answered")
		l := x.RSTR.Lifetime
		Expect(l).NotTo(BeNil(), "the RSTR states wst:Lifetime")
		Expect(l.Created).NotTo(BeEmpty(), "wst:Lifetime has wsu:Created")
		Expect(l.Expires).NotTo(BeEmpty(), "wst:Lifetime has wsu:Expires")
		Expect(wsse.IsUTC(l.Created) && wsse.IsUTC(l.Expires)).To(BeTrue(), "the Lifetime is in UTC (%s, %s)", l.Created, l.Expires)
		Expect(t.Expires.After(t.Created)).To(BeTrue(), "Expires follows Created")
		left := time.Until(t.Expires)
		if left > 2*time.Second {
			s.Observe("the issuer granted %s: the expiry probe would take too long", left.Round(time.Second))
			return
		}
		seq, err := c.OpenWith(ctx, t)
		Expect(err).NotTo(HaveOccurred(), "the fresh SCT opens a sequence")
		time.Sleep(time.Until(t.Expires) + 150*time.Millisecond)
		r, err := c.Message(ctx, seq, Msg{AckRequested: true})
		Expect(err).NotTo(HaveOccurred())
		if r.Fault() == nil {
			// A clock-skew allowance may keep the SCT usable a little past Expires.
			s.Observe("a message 150 ms after Expires was accepted (clock-skew allowance)")
			return
		}
		Expect(r).To(BeFault(wsc.RenewNeeded.QName(v)), "a message refused for the SCT's expiry names wsc:RenewNeeded, so the initiator knows to renew")
	})

	// SC-ISS-013: references the issuer returns (MAY) have the right shapes and can be used.
	Assert("SC-ISS-013", Responder, func(ctx SpecContext, s *Spec) {
		c := issuer(s)
		v, _ := versions(c)
		t, x := issue(ctx, c)
		sct := x.RSTR.RequestedSecurityToken.SCT
		if a := x.RSTR.RequestedAttachedReference; a != nil {
			Expect(a.Reference).NotTo(BeNil(), "the attached reference is a wsse:Reference")
			Expect(sct.ID).NotTo(BeEmpty(), "an attached reference needs the SCT's wsu:Id")
			Expect(a.Reference.URI).To(Equal("#"+sct.ID), "the attached reference names the SCT's wsu:Id")
			if a.Reference.ValueType != "" {
				Expect(a.Reference.ValueType).To(Equal(v.SCTTokenType()), "the attached reference's ValueType")
			}
		}
		u := x.RSTR.RequestedUnattachedReference
		if u == nil {
			s.Observe("no unattached reference returned (MAY)")
			return
		}
		Expect(u.Reference).NotTo(BeNil(), "the unattached reference is a wsse:Reference")
		Expect(u.Reference.URI).To(Equal(sct.Identifier), "the unattached reference is the SCT Identifier, without '#'")
		Expect(u.Reference.ValueType).To(Equal(v.SCTTokenType()), "the unattached reference's ValueType is the SCT token type")
		t.UnattachedURI = u.Reference.URI
		usable(ctx, c, t, "the unattached reference in the CreateSequence STR")
	})
})
