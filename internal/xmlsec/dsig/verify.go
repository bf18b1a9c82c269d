package dsig

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/subtle"
	"strings"

	"github.com/rspcheck/rspcheck/internal/xmltree"

	"github.com/beevik/etree"
)

// KeyResolver returns the verification key for a signature: a []byte for HMAC methods, an
// *rsa.PublicKey for RSA. keyInfo is the ds:KeyInfo element (nil when absent). Returning an
// error rejects the signature; this is where callers insist on the token they expect.
type KeyResolver func(keyInfo *etree.Element, signatureMethod string) (any, error)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	Algorithms    Algorithms // zero = DefaultAlgorithms
	Key           KeyResolver
	MaxReferences int // 0 = 64
	// Trace, when set, receives the canonical bytes of every reference and of SignedInfo
	// (uri "" for SignedInfo): the way to find a digest mismatch.
	Trace func(uri string, canonical []byte)
}

// VerifiedRef is one reference whose digest matched.
type VerifiedRef struct {
	URI          string
	Element      *etree.Element // the element the digest was computed over
	DigestMethod string
}

// Verified is the result of a successful verification. Use References[i].Element — the
// elements actually covered — never elements found again by name.
type Verified struct {
	Signature         *etree.Element
	SignatureMethod   string
	C14NMethod        string
	InclusivePrefixes []string
	References        []VerifiedRef
	KeyInfo           *etree.Element
	Key               any
}

// Covers reports whether el is one of the verified elements.
func (v *Verified) Covers(el *etree.Element) bool {
	for _, r := range v.References {
		if r.Element == el {
			return true
		}
	}
	return false
}

type reference struct {
	uri, digestMethod   string
	prefixes            []string
	comments            bool
	digestAt, digestEnd int // the DigestValue in the digests buffer of parseSignedInfo
}

// Verify checks the ds:Signature element sig, whose references resolve in sig's document.
func Verify(sig *etree.Element, opt VerifyOptions) (*Verified, error) {
	algs := opt.Algorithms
	if algs.SignatureMethods == nil {
		algs = DefaultAlgorithms
	}
	if opt.MaxReferences == 0 {
		opt.MaxReferences = 64
	}
	if sig == nil || sig.Tag != "Signature" || sig.NamespaceURI() != NS {
		return nil, fail(ErrMalformed, "", "not a ds:Signature element")
	}
	var a [4]*etree.Element
	kids := xmltree.Children(a[:0], sig)
	if len(kids) < 2 || !isDSChild(sig, kids[0], "SignedInfo") || !isDSChild(sig, kids[1], "SignatureValue") {
		return nil, fail(ErrMalformed, "", "ds:Signature must start with SignedInfo and SignatureValue")
	}
	si, sv := kids[0], kids[1]
	res := &Verified{Signature: sig}
	if len(kids) > 2 && isDSChild(sig, kids[2], "KeyInfo") {
		res.KeyInfo = kids[2]
	}
	// The references and their decoded DigestValues live in these arrays while Verify runs
	// (more or longer ones go to the heap): no allocation per reference.
	var (
		refArr    [16]reference
		digestArr [16 * 32]byte
	)
	refs, digestValues, err := parseSignedInfo(si, algs, opt.MaxReferences, res, refArr[:0], digestArr[:0])
	if err != nil {
		return nil, err
	}
	var idArr [maxIDList]idEntry
	idx, err := idIndex(documentRoot(sig), idArr[:0])
	if err != nil {
		return nil, err
	}
	var ds digests
	res.References = make([]VerifiedRef, 0, len(refs))
	sum := make([]byte, 0, 64) // each reference's digest, computed into one buffer
	for _, r := range refs {
		el, ok := idx.get(strings.TrimPrefix(r.uri, "#"))
		if !ok {
			return nil, fail(ErrReference, r.uri, "no element in the document has this ID (dangling reference)")
		}
		if el == sig || isAncestor(el, sig) {
			return nil, fail(ErrReference, r.uri, "reference covers the signature itself (enveloped signatures are not used in WS-Security)")
		}
		var trace func([]byte)
		if opt.Trace != nil {
			uri := r.uri
			trace = func(b []byte) { opt.Trace(uri, b) }
		}
		h, _ := ds.get(r.digestMethod)
		if err := canonicalize(h, el, r.prefixes, r.comments, trace); err != nil {
			return nil, fail(ErrReference, r.uri, "%v", err)
		}
		if subtle.ConstantTimeCompare(h.Sum(sum[:0]), digestValues[r.digestAt:r.digestEnd]) != 1 {
			return nil, fail(ErrDigestMismatch, r.uri, "the canonical form of %s does not hash to the DigestValue", el.FullTag())
		}
		res.References = append(res.References, VerifiedRef{URI: r.uri, Element: el, DigestMethod: r.digestMethod})
	}
	var valueArr [64]byte
	value, err := appendBase64(valueArr[:0], sv.Text())
	if err != nil || len(value) == 0 {
		return nil, fail(ErrMalformed, "", "SignatureValue is not base64")
	}
	if opt.Key == nil {
		return nil, fail(ErrKey, "", "no key resolver")
	}
	key, err := opt.Key(res.KeyInfo, res.SignatureMethod)
	if err != nil {
		return nil, &Error{Kind: ErrKey, Detail: err.Error(), Cause: err}
	}
	res.Key = key
	if err := checkValue(si, res, value, key, opt.Trace); err != nil {
		return nil, err
	}
	return res, nil
}

func checkValue(si *etree.Element, res *Verified, value []byte, key any, trace func(string, []byte)) error {
	newHash, ch, isHMAC, _ := signatureHash(res.SignatureMethod)
	var tr func([]byte)
	if trace != nil {
		tr = func(b []byte) { trace("", b) }
	}
	comments := res.C14NMethod == ExcC14NWithComments
	if isHMAC {
		k, ok := key.([]byte)
		if !ok || len(k) == 0 {
			return fail(ErrKey, "", "HMAC verification needs a []byte key, resolver gave %T", key)
		}
		mac := hmac.New(newHash, k)
		if err := canonicalize(mac, si, res.InclusivePrefixes, comments, tr); err != nil {
			return fail(ErrMalformed, "", "%v", err)
		}
		// A truncated value never verifies: hmac.Equal compares full lengths.
		if !hmac.Equal(mac.Sum(nil), value) {
			return fail(ErrSignatureInvalid, "", "HMAC over SignedInfo differs (wrong key, or SignedInfo changed)")
		}
		return nil
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return fail(ErrKey, "", "RSA verification needs an *rsa.PublicKey, resolver gave %T", key)
	}
	h := newHash()
	if err := canonicalize(h, si, res.InclusivePrefixes, comments, tr); err != nil {
		return fail(ErrMalformed, "", "%v", err)
	}
	if err := rsa.VerifyPKCS1v15(pub, ch, h.Sum(nil), value); err != nil {
		return fail(ErrSignatureInvalid, "", "RSA signature over SignedInfo does not verify")
	}
	return nil
}

// isDSChild reports whether el, a child of parent, is ds:local; parent must be in the ds
// namespace (the caller checked it). A child with its parent's prefix that does not declare
// that prefix itself is in the parent's namespace: the answer without etree's walk up the
// ancestors (NamespaceURI), which is only needed for any other child.
func isDSChild(parent, el *etree.Element, local string) bool {
	if el.Tag != local {
		return false
	}
	if el.Space == parent.Space && el.Parent() == parent && !xmltree.DeclaresPrefix(el, el.Space) {
		return true
	}
	return el.NamespaceURI() == NS
}

func isAncestor(anc, el *etree.Element) bool {
	for p := el.Parent(); p != nil; p = p.Parent() {
		if p == anc {
			return true
		}
	}
	return false
}
