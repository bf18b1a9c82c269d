package security

import (
	"errors"
	"time"

	"github.com/beevik/etree"
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

var _ = Describe("security: a SUT responder references the SCT and checks message security", func() {
	// SC-REF-001: the SUT names the SCT by its exact Identifier with the SCT ValueType; an STR
	// "#"+Identifier does not resolve.
	Assert("SC-REF-001", Responder, func(ctx SpecContext, s *Spec) {
		p := open(ctx, s)
		n := 0
		for _, m := range s.Wire.FromSUT() {
			if !seckit.Signed(m.Msg) {
				continue
			}
			for _, r := range seckit.References(m.Msg) {
				uri, vt := r.SelectAttrValue("URI", ""), r.SelectAttrValue("ValueType", "")
				Expect(uri).NotTo(Equal("#"+p.tok.Identifier), "%s: the SCT is referenced by its Identifier without '#'", what(m))
				if uri == p.tok.Identifier {
					n++
					Expect(vt).To(Equal(p.v.SCTTokenType()), "%s: a reference by Identifier has the SCT ValueType of the version", what(m))
				}
			}
		}
		if n == 0 {
			Skip(NotApplicablePrefix + "the SUT's responses name the SCT by no message-independent reference")
		}
		hash := retarget(p.tok.Identifier, func(*etree.Document) string { return "#" + p.tok.Identifier })
		p.refused(p.send(ctx, 2, p.mutate(nil, hash)), "message 2 naming the SCT as \"#\"+Identifier")
		p.unacknowledged(ctx, 1, "message 2 (\"#\"+Identifier)")
	})

	// SC-REF-002: a local reference is valid only to the SCT element in the same message.
	Assert("SC-REF-002", Responder, func(ctx SpecContext, s *Spec) {
		p := open(ctx, s)
		local := retarget(p.tok.Identifier, func(doc *etree.Document) string { return "#" + sctID(doc) })
		Expect(p.send(ctx, 2, p.mutate(p.withToken, local))).To(BeAccepted(), "message 2 carrying the SCT and referencing it by its wsu:Id is accepted")
		dangling := retarget(p.tok.Identifier, func(*etree.Document) string { return "#sct-1" })
		p.refused(p.send(ctx, 3, p.mutate(nil, dangling)), "message 3 referencing \"#sct-1\" without the SCT element")
		p.unacknowledged(ctx, 2, "message 3 (dangling local reference)")
	})

	// SC-REF-003: in the Security header both forms are accepted: by Identifier (SCT present
	// or not) and by the wsu:Id of the SCT element carried in the message.
	Assert("SC-REF-003", Responder, func(ctx SpecContext, s *Spec) {
		p := open(ctx, s)
		Expect(p.send(ctx, 2, p.mutate(p.withToken, nil))).To(BeAccepted(), "message 2: SCT present, referenced by Identifier")
		local := retarget(p.tok.Identifier, func(doc *etree.Document) string { return "#" + sctID(doc) })
		Expect(p.send(ctx, 3, p.mutate(p.withToken, local))).To(BeAccepted(), "message 3: SCT present, referenced by its wsu:Id")
		Expect(p.send(ctx, 4, nil)).To(BeAccepted(), "message 4: SCT absent, referenced by Identifier")
		p.unacknowledged(ctx, 4, "nothing beyond 1-4")
	})

	// WSS-001: one Security header for the ultimate receiver, mustUnderstand; two are refused.
	Assert("WSS-001", Responder, func(ctx SpecContext, s *Spec) {
		p := open(ctx, s)
		for _, m := range s.Wire.FromSUT() {
			hs := seckit.SecurityHeaders(m.Msg)
			if len(hs) == 0 {
				continue
			}
			hs = ultimate(hs, m.Msg.SOAP)
			Expect(hs).To(HaveLen(1), "%s carries one wsse:Security header for the ultimate receiver", what(m))
			mu, ok := mustUnderstood(hs[0], m.Msg.SOAP)
			Expect(ok).To(BeTrue(), "%s: wsse:Security carries mustUnderstand (got %q)", what(m), mu)
		}
		p.refused(p.send(ctx, 2, p.mutate(nil, secondSecurity)), "message 2 with two wsse:Security headers for the same role")
		p.unacknowledged(ctx, 1, "message 2 (two Security headers)")
	})

	// WSS-002: the SUT's secured answers carry one fresh Timestamp with Created and Expires,
	// covered by the signature; a message whose Timestamp expired is refused
	// (wsse:MessageExpired or wsse:InvalidSecurity).
	Assert("WSS-002", Responder, func(ctx SpecContext, s *Spec) {
		p := open(ctx, s)
		for _, r := range p.signed() {
			Expect(seckit.Fresh(r.Msg, time.Now(), wssec.DefaultSkew)).To(Succeed(), "the SUT's answer has a fresh wsu:Timestamp with Created and Expires")
			Expect(seckit.Coverage(r.Msg)).NotTo(ContainElement("wsu:Timestamp"), "the SUT's answer signs its Timestamp")
		}
		r := p.send(ctx, 2, &Protection{Token: &p.tok, At: expired()})
		Expect(r).To(BeFault(wsse.MessageExpired.QName(), wsse.InvalidSecurity.QName()), "message 2 whose Timestamp expired an hour ago is refused")
		s.Observe("expired Timestamp refused with %s", seckit.FaultCode(r))
		p.unacknowledged(ctx, 1, "message 2 (expired)")
	})

	// WSS-003: the SUT signs with keys from the SCT (its responses verify with them), and a
	// message naming the SCT but signed with another key is refused.
	Assert("WSS-003", Responder, func(ctx SpecContext, s *Spec) {
		p := open(ctx, s)
		for _, r := range p.signed() {
			Expect(r).To(BeSignedBy(wssec.PartTimestamp, p.tok), "the SUT's response is signed with a key from the SCT")
		}
		wrong := randomToken(p.v, p.tok.Identifier)
		wrong.Instance = p.tok.Instance
		p.refused(p.send(ctx, 2, &Protection{Token: &wrong}), "message 2 naming the SCT but signed with another key")
		p.unacknowledged(ctx, 1, "message 2 (wrong key)")
	})

	// WSS-004: the SUT's signatures cover Body, Timestamp, the WS-Addressing and WS-RM
	// headers; a message whose wsrm:Sequence is unsigned, or whose signed Sequence header was
	// moved aside for an unsigned one (signature wrapping), is refused.
	Assert("WSS-004", Responder, func(ctx SpecContext, s *Spec) {
		p := open(ctx, s)
		for _, r := range p.ok {
			Expect(seckit.Coverage(r.Msg)).To(BeEmpty(), "the SUT's answer (%s) signs its Body, Timestamp, every wsa and wsrm header", r.Action())
		}
		pol := p.c.Policy
		pol.Sign = wssec.PartBody | wssec.PartTimestamp | wssec.PartAddressing
		p.refused(p.send(ctx, 2, &Protection{Token: &p.tok, Policy: &pol}), "message 2 whose wsrm:Sequence header is not signed")
		p.refused(p.send(ctx, 2, p.mutate(nil, wrapSequence("5"))), "message 2 whose signed Sequence header was wrapped away for one claiming number 5")
		p.unacknowledged(ctx, 1, "messages 2 and 5")
	})
})

// secondSecurity adds a second wsse:Security header for the ultimate receiver (a copy of the
// first one's attributes with a Timestamp and no IDs).
func secondSecurity(doc *etree.Document) error {
	sec := seckit.Find(doc.Root(), "Security")
	ts := seckit.Find(sec, "Timestamp")
	if sec == nil || ts == nil {
		return errors.New("no Security header with a Timestamp")
	}
	dup := etree.NewElement(sec.FullTag())
	dup.Attr = append(dup.Attr, sec.Attr...)
	t := ts.Copy()
	for _, a := range t.Attr {
		if a.Key == "Id" {
			t.RemoveAttr(a.FullKey())
		}
	}
	dup.AddChild(t)
	sec.Parent().InsertChildAt(sec.Index()+1, dup)
	return nil
}

// wrapSequence moves the signed wsrm:Sequence header into an unknown wrapper header and puts
// an unsigned copy claiming message number n in its place (signature wrapping).
func wrapSequence(n string) func(*etree.Document) error {
	return func(doc *etree.Document) error {
		seq := seckit.Find(doc.Root(), "Sequence")
		if seq == nil || seq.Parent() == nil {
			return errors.New("no wsrm:Sequence header")
		}
		hdr := seq.Parent()
		fake := seq.Copy()
		for _, a := range fake.Attr {
			if a.Key == "Id" {
				fake.RemoveAttr(a.FullKey())
			}
		}
		if num := seckit.Find(fake, "MessageNumber"); num != nil {
			num.SetText(n)
		}
		at := seq.Index()
		hdr.RemoveChild(seq)
		hdr.InsertChildAt(at, fake)
		wrapper := hdr.CreateElement("xsw:Wrapper")
		wrapper.CreateAttr("xmlns:xsw", "urn:rspcheck:xsw")
		wrapper.AddChild(seq)
		return nil
	}
}
