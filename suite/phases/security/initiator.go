package security

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wssec"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	"github.com/rspcheck/rspcheck/suite/phases/internal/seckit"
)

// observed is a SUT initiator's run as the security specs judge it: the messages it secured
// and the token instances the suite recomputed from the captured issuance exchanges.
type observed struct {
	v     wsc.Version
	toks  []token.Token
	ids   []string
	msgs  []*Message
	bound map[string]string // sequence -> SCT Identifier of its CreateSequence STR
}

// observe runs the SUT initiator (two messages) and recomputes its tokens.
func observe(ctx context.Context, s *Spec) *observed {
	sc := Scenario{Messages: 2}
	if s.Config().Embedded() {
		sc.Timeout = 3 * time.Second // a clean run takes well under a second
	}
	s.RunInitiator(ctx, sc)
	o := &observed{v: s.Config().Profile.SC(), msgs: seckit.SecuredFrom(s.Wire), bound: seckit.Bindings(s.Wire)}
	var errs []error
	o.toks, errs = seckit.Granted(s.Wire, FromSUT)
	Expect(errors.Join(errs...)).NotTo(HaveOccurred(), "the keys of the SUT's tokens can be recomputed from the captured entropies")
	if t, ok := s.Config().SUT.ProvisionedToken(); ok {
		o.toks = append(o.toks, t) // agreed out of band: no exchange to recompute it from
	}
	Expect(o.toks).NotTo(BeEmpty(), "the SUT obtained an SCT")
	for _, t := range o.toks {
		o.ids = append(o.ids, t.Identifier)
	}
	Expect(o.msgs).NotTo(BeEmpty(), "the SUT secured messages with its SCT")
	return o
}

// keyedBy are the token instances m must be keyed by: those of the SCT its sequence is bound
// to, of the SCT a CreateSequence names, or (other messages) any the SUT obtained.
func (o *observed) keyedBy(m *Message) ([]token.Token, string) {
	if id, ok := o.bound[SequenceOf(m.Msg)]; ok {
		return seckit.Instances(o.toks, id), "the SCT its sequence is bound to (" + id + ")"
	}
	return o.toks, "an SCT the SUT obtained"
}

// dkts are the DerivedKeyTokens of the secured messages, in log order.
func (o *observed) dkts() ([]msgDKT, int) {
	var out []msgDKT
	n := 0
	for _, m := range o.msgs {
		md := msgDKT{m: m}
		for _, el := range seckit.SecurityItems(m.Msg) {
			if el.Tag == "DerivedKeyToken" {
				md.ds = append(md.ds, dktEl{el})
				n++
			}
		}
		if len(md.ds) > 0 {
			out = append(out, md)
		}
	}
	return out, n
}

// msgDKT is a message with its DerivedKeyTokens.
type msgDKT struct {
	m  *Message
	ds []dktEl
}

var _ = Describe("security: a SUT initiator protects its messages with the SCT", func() {
	// WSS-001: every secured message has one Security header for the ultimate receiver with
	// mustUnderstand ("1" in SOAP 1.1, "true"/"1" in SOAP 1.2).
	Assert("WSS-001", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		for _, m := range o.msgs {
			hs := ultimate(seckit.SecurityHeaders(m.Msg), m.Msg.SOAP)
			Expect(hs).To(HaveLen(1), "%s carries one wsse:Security header for the ultimate receiver", what(m))
			mu, ok := mustUnderstood(hs[0], m.Msg.SOAP)
			Expect(ok).To(BeTrue(), "%s: wsse:Security carries mustUnderstand (got %q)", what(m), mu)
		}
	})

	// WSS-002: every secured message has one fresh Timestamp with Created and Expires, covered
	// by its signature.
	Assert("WSS-002", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		for _, m := range o.msgs {
			Expect(seckit.Fresh(m.Msg, time.Now(), wssec.DefaultSkew)).To(Succeed(), "%s has a fresh wsu:Timestamp with Created and Expires", what(m))
			Expect(seckit.Coverage(m.Msg)).NotTo(ContainElement("wsu:Timestamp"), "%s signs its Timestamp", what(m))
		}
	})

	// WSS-003: every secured message is signed (HMAC) with a key from the SCT it belongs to:
	// its sequence's SCT, or an SCT the SUT obtained for other messages.
	Assert("WSS-003", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		for _, m := range o.msgs {
			toks, which := o.keyedBy(m)
			a, _, err := seckit.Verify(m, o.v, wssec.PartNone, toks)
			Expect(err).NotTo(HaveOccurred(), "%s is signed with a key from %s", what(m), which)
			Expect(strings.HasPrefix(a.SignatureMethod, "http://www.w3.org/2000/09/xmldsig#hmac") ||
				strings.HasPrefix(a.SignatureMethod, "http://www.w3.org/2001/04/xmldsig-more#hmac")).To(BeTrue(),
				"%s: the signature is an HMAC (%s)", what(m), a.SignatureMethod)
		}
	})

	// WSS-004: every message the SUT sends after the issuance (unsigned ones included) signs
	// its Body, Timestamp, WS-Addressing and WS-RM headers.
	Assert("WSS-004", Initiator, func(ctx SpecContext, s *Spec) {
		observe(ctx, s)
		for _, m := range s.Wire.FromSUT() {
			if _, b, _, ok := wsc.BindingOfAction(m.Action()); ok && b == wsc.BindingIssue {
				continue
			}
			Expect(seckit.Coverage(m.Msg)).To(BeEmpty(), "%s signs its Body, Timestamp, every wsa and wsrm header", what(m))
		}
	})

	// SC-DKT-001: each DerivedKeyToken names the SCT as its source and precedes its use.
	Assert("SC-DKT-001", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		n := 0
		for _, m := range o.msgs {
			n += dktLayout(m, o.ids)
		}
		if n == 0 {
			Skip(UnsupportedPrefix + "the SUT's messages carry no DerivedKeyToken")
		}
	})

	// SC-DKT-002: the SUT's derived keys are P_SHA1(SCT key, label ‖ nonce) (default label the
	// 42-octet string): its signatures verify with the keys the suite derives so.
	Assert("SC-DKT-002", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		derived := 0
		for _, m := range o.msgs {
			a, _, err := seckit.Verify(m, o.v, wssec.PartNone, o.toks)
			Expect(err).NotTo(HaveOccurred(), "%s verifies with the keys the suite derives from the SCT", what(m))
			if a.KeyKind == wssec.KeyDerived {
				derived++
			}
		}
		if derived == 0 {
			Skip(UnsupportedPrefix + "the SUT signs with no derived key")
		}
	})

	// SC-DKT-003: Offset and Generation are never both given; Length is 1..64 octets; the keys
	// taken at those positions verify (checked with SC-DKT-002's derivation).
	Assert("SC-DKT-003", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		byMsg, n := o.dkts()
		if n == 0 {
			Skip(UnsupportedPrefix + "the SUT's messages carry no DerivedKeyToken")
		}
		for _, md := range byMsg {
			m, ds := md.m, md.ds
			for _, d := range ds {
				Expect(d.has("Offset") && d.has("Generation")).To(BeFalse(), "%s: a DerivedKeyToken gives Offset or Generation, not both", what(m))
			}
			_, _, err := seckit.VerifyKeyed(m, o.v, wssec.PartNone, o.toks)
			Expect(err).NotTo(HaveOccurred(), "%s verifies with keys taken at the DKT's offset and length", what(m))
		}
	})

	// SC-DKT-004: the DKT's Algorithm is absent (P_SHA1) or the P_SHA1 URI of the version.
	Assert("SC-DKT-004", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		byMsg, n := o.dkts()
		if n == 0 {
			Skip(UnsupportedPrefix + "the SUT's messages carry no DerivedKeyToken")
		}
		for _, md := range byMsg {
			m, ds := md.m, md.ds
			for _, d := range ds {
				if alg := d.el.SelectAttrValue("Algorithm", ""); alg != "" {
					Expect(alg).To(Equal(o.v.PSHA1()), "%s: the DerivedKeyToken's Algorithm is P_SHA1 of WS-SC %s", what(m), o.v)
				}
			}
		}
	})

	// SC-DKT-005 (SHOULD): every DKT the SUT writes has a fresh nonce.
	Assert("SC-DKT-005", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		byMsg, n := o.dkts()
		if n < 2 {
			Skip(NotApplicablePrefix + "the SUT's messages carry fewer than two DerivedKeyTokens")
		}
		seen := map[string]string{}
		for _, md := range byMsg {
			m, ds := md.m, md.ds
			for _, d := range ds {
				nonce := strings.TrimSpace(childText(d.el, "Nonce"))
				Expect(nonce).NotTo(BeEmpty(), "%s: the DerivedKeyToken carries a nonce", what(m))
				Expect(seen).NotTo(HaveKey(nonce), "%s reuses the nonce of %s", what(m), seen[nonce])
				seen[nonce] = what(m)
			}
		}
	})

	// SC-REF-001: outside the SCT's own message the SUT names it by its exact Identifier (no
	// '#') with the SCT ValueType of the version.
	Assert("SC-REF-001", Initiator, func(ctx SpecContext, s *Spec) {
		o := observe(ctx, s)
		n := 0
		for _, m := range s.Wire.FromSUT() {
			for _, r := range seckit.References(m.Msg) {
				uri, vt := r.SelectAttrValue("URI", ""), r.SelectAttrValue("ValueType", "")
				local, isLocal := strings.CutPrefix(uri, "#")
				switch {
				case isLocal && slices.Contains(o.ids, local) && seckit.LocalSCT(m.Msg, local) == "":
					Expect(uri).NotTo(HavePrefix("#"), "%s names SCT %s as %q: an Identifier is used without '#'", what(m), local, uri)
				case !isLocal && (slices.Contains(o.ids, uri) || seckit.IsSCTType(vt)):
					n++
					Expect(o.ids).To(ContainElement(uri), "%s names an SCT by its exact Identifier", what(m))
					Expect(vt).To(Equal(o.v.SCTTokenType()), "%s: the reference to %s has the SCT ValueType of the version", what(m), uri)
				}
			}
		}
		if n == 0 {
			Skip(NotApplicablePrefix + "the SUT never referenced its SCT from outside the SCT's own message (it always attached the SCT)")
		}
	})

	// SC-REF-002: a local reference ("#id") names an element of the same message; one with the
	// SCT ValueType names the SCT element carried there.
	Assert("SC-REF-002", Initiator, func(ctx SpecContext, s *Spec) {
		observe(ctx, s)
		n := 0
		for _, m := range s.Wire.FromSUT() {
			for _, r := range seckit.References(m.Msg) {
				id, ok := strings.CutPrefix(r.SelectAttrValue("URI", ""), "#")
				if !ok {
					continue
				}
				n++
				el := seckit.ByID(m.Msg, id)
				Expect(el).NotTo(BeNil(), "%s: the local reference #%s names an element of the same message", what(m), id)
				if seckit.IsSCTType(r.SelectAttrValue("ValueType", "")) {
					Expect(el.Tag).To(Equal("SecurityContextToken"), "%s: #%s with the SCT ValueType names the SCT element", what(m), id)
				}
			}
		}
		if n == 0 {
			Skip(NotApplicablePrefix + "the SUT wrote no local reference")
		}
	})
})

// dktEl is a DerivedKeyToken element.
type dktEl struct{ el *etree.Element }

// has reports whether the DKT has a child named local.
func (d dktEl) has(local string) bool {
	for _, c := range d.el.ChildElements() {
		if c.Tag == local {
			return true
		}
	}
	return false
}
