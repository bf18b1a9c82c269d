package dsig

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/xmlsec/c14n"
	"github.com/rspcheck/rspcheck/internal/xmltree"
)

// SignOptions configure Sign. Zero values pick the interop defaults (HMAC-SHA1, SHA-1,
// exclusive c14n), as WCF and WSS4J do with derived keys.
type SignOptions struct {
	SignatureMethod string
	DigestMethod    string
	// InclusivePrefixes is the InclusiveNamespaces PrefixList of every Reference transform
	// and of SignedInfo (WSS4J always writes one); nil writes none.
	InclusivePrefixes []string
	// KeyInfo is copied into ds:KeyInfo (typically a wsse:SecurityTokenReference).
	KeyInfo *etree.Element
	// ID is the Id attribute of ds:Signature.
	ID string
	// Prefix for the ds namespace (default "ds").
	Prefix string
}

func (o *SignOptions) defaults() {
	if o.SignatureMethod == "" {
		o.SignatureMethod = HMACSHA1
	}
	if o.DigestMethod == "" {
		o.DigestMethod = SHA1
	}
	if o.Prefix == "" {
		o.Prefix = "ds"
	}
}

// Sign appends a ds:Signature to parent, with one Reference per element of refs (each must
// carry an ID, see IDOf), signed with key: a []byte for the HMAC methods, an
// *rsa.PrivateKey for RSA-SHA256. parent must already be in its document, so that
// canonicalization sees the namespaces in scope.
func Sign(parent *etree.Element, refs []*etree.Element, key any, opt SignOptions) (*etree.Element, error) {
	opt.defaults()
	newHash, cryptoHash, isHMAC, ok := signatureHash(opt.SignatureMethod)
	if !ok || opt.SignatureMethod == RSASHA1 {
		return nil, fail(ErrAlgorithm, "", "cannot sign with %s", opt.SignatureMethod)
	}
	if !knownDigest(opt.DigestMethod) {
		return nil, fail(ErrAlgorithm, "", "unknown digest method %s", opt.DigestMethod)
	}
	// The elements come from an xmltree.Builder: the trees etree's CreateElement, CreateAttr
	// and SetText make, in a few chunk allocations instead of several per element (a
	// signature over six parts has about 35 elements).
	var b xmltree.Builder
	b.Reserve(signatureSizes(len(refs), opt))
	p := opt.Prefix
	sig := b.Element(parent, p, "Signature")
	attrs := 1 // xmlns, and Id when set
	if opt.ID != "" {
		attrs++
	}
	b.Grow(sig, attrs, 3) // SignedInfo, SignatureValue, KeyInfo
	b.Attr(sig, "xmlns", p, NS)
	if opt.ID != "" {
		b.Attr(sig, "", "Id", opt.ID)
	}
	si := b.Element(sig, p, "SignedInfo")
	b.Grow(si, 0, 2+len(refs))
	cm := b.Element(si, p, "CanonicalizationMethod")
	b.Attr(cm, "", "Algorithm", ExcC14N)
	addInclusive(&b, cm, opt.InclusivePrefixes)
	b.Attr(b.Element(si, p, "SignatureMethod"), "", "Algorithm", opt.SignatureMethod)
	var ds digests
	for _, el := range refs {
		id, ok := IDOf(el)
		if !ok {
			parent.RemoveChild(sig)
			return nil, fail(ErrReference, "", "element %s has no ID to reference", el.FullTag())
		}
		digest, err := digestOf(&ds, el, opt.DigestMethod, opt.InclusivePrefixes, nil)
		if err != nil {
			parent.RemoveChild(sig)
			return nil, err
		}
		r := b.Element(si, p, "Reference")
		b.Grow(r, 1, 3) // URI; Transforms, DigestMethod, DigestValue
		b.Attr(r, "", "URI", "#"+id)
		tr := b.Element(b.Element(r, p, "Transforms"), p, "Transform")
		b.Attr(tr, "", "Algorithm", ExcC14N)
		addInclusive(&b, tr, opt.InclusivePrefixes)
		b.Attr(b.Element(r, p, "DigestMethod"), "", "Algorithm", opt.DigestMethod)
		b.TextElement(r, p, "DigestValue", base64.StdEncoding.EncodeToString(digest))
	}
	value, err := signedInfoValue(si, opt.InclusivePrefixes, newHash, cryptoHash, isHMAC, key)
	if err != nil {
		parent.RemoveChild(sig)
		return nil, err
	}
	b.TextElement(sig, p, "SignatureValue", base64.StdEncoding.EncodeToString(value))
	if opt.KeyInfo != nil {
		b.AddCopy(b.Element(sig, p, "KeyInfo"), opt.KeyInfo) // AddChild(KeyInfo.Copy())
	}
	return sig, nil
}

// signatureSizes counts what Sign builds: Signature, SignedInfo, its two methods, five
// elements per Reference, SignatureValue, KeyInfo and the copy of the KeyInfo content
// (typically an STR with its Reference), and the InclusiveNamespaces; room for the parent's
// child list to grow.
func signatureSizes(refs int, opt SignOptions) xmltree.Sizes {
	s := xmltree.Sizes{
		Elements: 8 + 5*refs,
		Texts:    1 + refs,
		Attrs:    7 + 3*refs,
		Children: 18 + 5*refs, // Signature 3, SignedInfo 2+refs, 4 per Reference, texts, parent
	}
	if opt.InclusivePrefixes != nil {
		s.Elements += 1 + refs
		s.Attrs += 2 * (1 + refs)
		s.Children += 1 + refs
	}
	return s
}

// inclusiveNS is the namespace of the InclusiveNamespaces element (exc-c14n §3).
const inclusiveNS = "http://www.w3.org/2001/10/xml-exc-c14n#"

func addInclusive(b *xmltree.Builder, parent *etree.Element, prefixes []string) {
	if prefixes == nil {
		return
	}
	in := b.Element(parent, "ec", "InclusiveNamespaces")
	b.Attr(in, "xmlns", "ec", inclusiveNS)
	b.Attr(in, "", "PrefixList", strings.Join(prefixes, " "))
}

// digestOf canonicalizes el (exclusive c14n) straight into the digest.
func digestOf(ds *digests, el *etree.Element, alg string, prefixes []string, trace func([]byte)) ([]byte, error) {
	h, ok := ds.get(alg)
	if !ok {
		return nil, fail(ErrAlgorithm, "", "digest method %s", alg)
	}
	if err := canonicalize(h, el, prefixes, false, trace); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func canonicalize(h hash.Hash, el *etree.Element, prefixes []string, comments bool, trace func([]byte)) error {
	var w interface{ Write([]byte) (int, error) } = h
	var tb *strings.Builder
	if trace != nil {
		tb = &strings.Builder{}
		w = teeWriter{h, tb}
	}
	if err := c14n.Canonicalize(w, el, c14n.Options{InclusivePrefixes: prefixes, WithComments: comments}); err != nil {
		return fmt.Errorf("canonicalize %s: %w", el.FullTag(), err)
	}
	if trace != nil {
		trace([]byte(tb.String()))
	}
	return nil
}

type teeWriter struct {
	a hash.Hash
	b *strings.Builder
}

func (t teeWriter) Write(p []byte) (int, error) {
	t.a.Write(p)
	return t.b.Write(p)
}

// signedInfoValue computes the SignatureValue over canonical SignedInfo.
func signedInfoValue(si *etree.Element, prefixes []string, newHash func() hash.Hash, ch crypto.Hash, isHMAC bool, key any) ([]byte, error) {
	if isHMAC {
		k, ok := key.([]byte)
		if !ok || len(k) == 0 {
			return nil, fail(ErrKey, "", "HMAC needs a non-empty []byte key, got %T", key)
		}
		mac := hmac.New(newHash, k)
		if err := canonicalize(mac, si, prefixes, false, nil); err != nil {
			return nil, err
		}
		return mac.Sum(nil), nil
	}
	priv, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fail(ErrKey, "", "RSA signing needs an *rsa.PrivateKey, got %T", key)
	}
	h := newHash()
	if err := canonicalize(h, si, prefixes, false, nil); err != nil {
		return nil, err
	}
	return rsa.SignPKCS1v15(rand.Reader, priv, ch, h.Sum(nil))
}
