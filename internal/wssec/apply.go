package wssec

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
	"github.com/rspcheck/rspcheck/internal/xmlsec/xenc"
	"github.com/rspcheck/rspcheck/internal/xmltree"
)

// TimeFormat is how Timestamps are written: UTC with milliseconds, as WCF does.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Applied describes what Apply wrote, for traces and tests.
type Applied struct {
	Security  *etree.Element
	Signature *etree.Element
	Signed    []*etree.Element
	// SigningKey is the key the HMAC was computed with (derived or the SCT key). Never log it.
	SigningKey []byte
}

// Apply adds a wsse:Security header to the envelope in doc that protects it with tok
// under pol, at time now. rnd supplies nonces and IVs (crypto/rand when nil).
//
// Order of the header (WSS 1.1 §5: a receiver processes it in order, so every item precedes
// its use): Timestamp, SCT (if included), DerivedKeyToken for signing, DerivedKeyToken for
// encryption, ReferenceList (when encrypting), Signature. Sign-then-encrypt: the signature
// covers the plaintext Body and the receiver decrypts first.
func Apply(doc *etree.Document, tok Token, pol Policy, now time.Time, rnd io.Reader) (*Applied, error) {
	pol = pol.withDefaults()
	if rnd == nil {
		rnd = rand.Reader
	}
	if tok.Identifier == "" || len(tok.Secret) == 0 {
		return nil, fmt.Errorf("wssec: apply: the token needs an Identifier and a secret")
	}
	e, err := locate(doc)
	if err != nil {
		return nil, err
	}
	hdr := e.ensureHeader()
	// One wsu declaration on the Envelope serves every wsu:Id this message gets (headers,
	// Body, tokens) instead of one per signed element: ~500 octets less per message to
	// write, send, parse and canonicalize (exclusive c14n renders wsu on each referenced
	// element either way, so digests do not depend on where it is declared).
	wsuPrefix(e.root)
	b := &e.b
	b.Reserve(headerSizes(pol))
	sec := b.Element(hdr, "wsse", "Security")
	// xmlns:wsse, xmlns:wsu, mustUnderstand; Timestamp, SCT, two DerivedKeyTokens,
	// ReferenceList and the Signature dsig.Sign appends.
	b.Grow(sec, 3, 6)
	b.Attr(sec, "xmlns", "wsse", wsse.NS)
	b.Attr(sec, "xmlns", "wsu", wsse.NSWSU)
	e.mustUnderstand(sec)
	ns := pol.Version.Namespace()

	ts := b.Element(sec, "wsu", "Timestamp")
	b.Grow(ts, 1, 2)
	b.Attr(ts, "wsu", "Id", e.newID("TS"))
	b.TextElement(ts, "wsu", "Created", now.UTC().Format(TimeFormat))
	b.TextElement(ts, "wsu", "Expires", now.Add(pol.TTL).UTC().Format(TimeFormat))

	var tokens []*etree.Element
	if pol.IncludeToken {
		sct := b.Element(sec, "wsc", "SecurityContextToken")
		b.Attr(sct, "xmlns", "wsc", ns)
		b.Attr(sct, "wsu", "Id", e.newID("SCT"))
		b.TextElement(sct, "wsc", "Identifier", tok.Identifier)
		if tok.Instance != "" {
			b.TextElement(sct, "wsc", "Instance", tok.Instance)
		}
		tokens = append(tokens, sct)
	}
	signKey, signKeyInfo, dkt, err := e.key(sec, tok, pol, "DK", rnd)
	if err != nil {
		return nil, err
	}
	if dkt != nil {
		tokens = append(tokens, dkt)
	}
	refs := e.signedParts(pol.Sign, ts, tokens)
	pruneDeclarations(sec) // before the digests, so that what is signed is what is sent
	sig, err := dsig.Sign(sec, refs, signKey, dsig.SignOptions{
		SignatureMethod:   pol.SignatureMethod,
		DigestMethod:      pol.DigestMethod,
		InclusivePrefixes: pol.InclusivePrefixes,
		KeyInfo:           signKeyInfo,
	})
	if err != nil {
		return nil, fmt.Errorf("wssec: sign: %w", err)
	}
	pruneDeclarations(sig) // the STR copied into ds:KeyInfo
	out := &Applied{Security: sec, Signature: sig, Signed: refs, SigningKey: signKey}
	if pol.EncryptBody {
		if err := e.encrypt(sec, sig, tok, pol, rnd); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// key returns the signing (or encryption) key and the KeyInfo STR that names it: a fresh
// DerivedKeyToken appended to sec when the policy derives keys, else the SCT itself.
//
// WS-SC 1.3 §7: the derived key is P_SHA1(secret, label + nonce) at Offset for Length
// octets; the defaults (label "WS-SecureConversationWS-SecureConversation", length 32) are
// written out explicitly except the label, as WCF does.
func (e *env) key(sec *etree.Element, tok Token, pol Policy, idBase string, rnd io.Reader) ([]byte, *etree.Element, *etree.Element, error) {
	v := pol.Version
	sctRef := e.strRef(tok.Identifier, v.SCTTokenType(), tok.Instance, v.Namespace())
	if !pol.DerivedKeys {
		return append([]byte(nil), tok.Secret...), sctRef, nil, nil
	}
	nonce := make([]byte, wsc.DefaultNonceLength)
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return nil, nil, nil, fmt.Errorf("wssec: nonce: %w", err)
	}
	key, err := psha1.DeriveKey(tok.Secret, wsc.DefaultLabel, nonce, 0, wsc.DefaultLength)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("wssec: derive key: %w", err)
	}
	b := &e.b
	dkt := b.Element(sec, "wsc", "DerivedKeyToken")
	b.Grow(dkt, 2, 4) // xmlns:wsc, wsu:Id; STR, Offset, Length, Nonce
	if sec.SelectAttr("xmlns:wsc") == nil {
		b.Attr(dkt, "xmlns", "wsc", v.Namespace())
	}
	id := e.newID(idBase)
	b.Attr(dkt, "wsu", "Id", id)
	b.AddChild(dkt, sctRef)
	b.TextElement(dkt, "wsc", "Offset", "0")
	b.TextElement(dkt, "wsc", "Length", strconv.Itoa(wsc.DefaultLength))
	b.TextElement(dkt, "wsc", "Nonce", base64.StdEncoding.EncodeToString(nonce))
	return key, e.strRef("#"+id, v.DKTokenType(), "", ""), dkt, nil
}

// strRef builds wsse:SecurityTokenReference/wsse:Reference (WSS 1.1 §7.2). An SCT is named
// by its Identifier, without '#' (SC-REF-001), optionally pinned to a key Instance.
// The STR is detached (Index -1), as etree.NewElement makes it, until its caller attaches it.
func (e *env) strRef(uri, valueType, instance, wscNS string) *etree.Element {
	b := &e.b
	str := b.Element(nil, "wsse", "SecurityTokenReference")
	// Declared here so the STR stays well-formed wherever it is copied (an EncryptedData in
	// the Body is outside the Security header's declarations).
	b.Attr(str, "xmlns", "wsse", wsse.NS)
	r := b.Element(str, "wsse", "Reference")
	b.Attr(r, "", "URI", uri)
	b.Attr(r, "", "ValueType", valueType)
	if instance != "" {
		b.Attr(r, "xmlns", "wsc", wscNS)
		b.Attr(r, "wsc", "Instance", instance)
	}
	return str
}

// headerSizes counts what Apply builds itself (dsig.Sign has its own Builder): Security,
// Timestamp (3), a DerivedKeyToken (6) and the KeyInfo STR (2); the SCT when included; the
// second key and the ReferenceList when encrypting.
func headerSizes(pol Policy) xmltree.Sizes {
	s := xmltree.Sizes{Elements: 12, Texts: 5, Attrs: 14, Children: 22}
	if pol.IncludeToken {
		s.Elements += 3
		s.Texts += 2
		s.Attrs += 2
		s.Children += 4
	}
	if pol.EncryptBody {
		s.Elements += 12
		s.Texts += 3
		s.Attrs += 12
		s.Children += 14
	}
	return s
}

// signedParts gives an ID to every part the policy signs and returns them in document order
// of the customary reference list: headers, Timestamp, tokens, Body.
func (e *env) signedParts(parts Part, ts *etree.Element, tokens []*etree.Element) []*etree.Element {
	var refs []*etree.Element
	if e.header != nil {
		for h := range e.header.ChildElementsSeq() {
			_, isWSA := wsa.VersionOf(h.NamespaceURI())
			_, isRM := wsrm.VersionOf(h.NamespaceURI())
			if (isWSA && parts&PartAddressing != 0 && wsa.IsHeader(h.Tag)) || (isRM && parts&PartRM != 0) {
				e.ensureID(h, idBase(h))
				refs = append(refs, h)
			}
		}
	}
	if parts&PartTimestamp != 0 {
		refs = append(refs, ts)
	}
	if parts&PartTokens != 0 {
		refs = append(refs, tokens...)
	}
	if parts&PartBody != 0 {
		e.ensureID(e.body, "Body")
		refs = append(refs, e.body)
	}
	return refs
}

func idBase(h *etree.Element) string {
	if _, ok := wsrm.VersionOf(h.NamespaceURI()); ok {
		return "RM-" + h.Tag
	}
	return "WSA-" + h.Tag
}

// encrypt encrypts the Body content (and the signature when asked) with a second derived key
// and lists the EncryptedData in a ReferenceList placed before the Signature (WSS 1.1 §9.1).
func (e *env) encrypt(sec, sig *etree.Element, tok Token, pol Policy, rnd io.Reader) error {
	key, keyInfo, _, err := e.key(sec, tok, pol, "DK-ENC", rnd)
	if err != nil {
		return err
	}
	// The DKT for encryption was appended after the Signature; move it before.
	if last := sec.ChildElements(); pol.DerivedKeys && len(last) > 0 {
		dk := last[len(last)-1]
		sec.RemoveChild(dk)
		sec.InsertChildAt(sig.Index(), dk)
	}
	b := &e.b
	rl := b.Element(nil, "xenc", "ReferenceList")
	b.Attr(rl, "xmlns", "xenc", xenc.NS)
	sec.InsertChildAt(sig.Index(), rl)
	opts := xenc.EncryptOptions{ID: e.newID("ED-Body"), KeyInfo: keyInfo, Rand: rnd}
	if _, err := xenc.EncryptContent(e.body, key, pol.Encryption, opts); err != nil {
		return fmt.Errorf("wssec: encrypt body: %w", err)
	}
	b.Attr(b.Element(rl, "xenc", "DataReference"), "", "URI", "#"+opts.ID)
	if pol.EncryptSignature {
		opts.ID = e.newID("ED-Signature")
		if _, err := xenc.EncryptElement(sig, key, pol.Encryption, opts); err != nil {
			return fmt.Errorf("wssec: encrypt signature: %w", err)
		}
		b.Attr(b.Element(rl, "xenc", "DataReference"), "", "URI", "#"+opts.ID)
	}
	return nil
}
