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
	p := opt.Prefix + ":"
	sig := parent.CreateElement(p + "Signature")
	sig.CreateAttr("xmlns:"+opt.Prefix, NS)
	if opt.ID != "" {
		sig.CreateAttr("Id", opt.ID)
	}
	si := sig.CreateElement(p + "SignedInfo")
	cm := si.CreateElement(p + "CanonicalizationMethod")
	cm.CreateAttr("Algorithm", ExcC14N)
	addInclusive(cm, opt.InclusivePrefixes)
	si.CreateElement(p+"SignatureMethod").CreateAttr("Algorithm", opt.SignatureMethod)
	var ds digests
	n := refNames(p)
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
		r := si.CreateElement(n.reference)
		r.CreateAttr("URI", "#"+id)
		tr := r.CreateElement(n.transforms).CreateElement(n.transform)
		tr.CreateAttr("Algorithm", ExcC14N)
		addInclusive(tr, opt.InclusivePrefixes)
		r.CreateElement(n.digestMethod).CreateAttr("Algorithm", opt.DigestMethod)
		r.CreateElement(n.digestValue).SetText(base64.StdEncoding.EncodeToString(digest))
	}
	value, err := signedInfoValue(si, opt.InclusivePrefixes, newHash, cryptoHash, isHMAC, key)
	if err != nil {
		parent.RemoveChild(sig)
		return nil, err
	}
	sig.CreateElement(p + "SignatureValue").SetText(base64.StdEncoding.EncodeToString(value))
	if opt.KeyInfo != nil {
		sig.CreateElement(p + "KeyInfo").AddChild(opt.KeyInfo.Copy())
	}
	return sig, nil
}

// inclusiveNS is the namespace of the InclusiveNamespaces element (exc-c14n §3).
const inclusiveNS = "http://www.w3.org/2001/10/xml-exc-c14n#"

func addInclusive(parent *etree.Element, prefixes []string) {
	if prefixes == nil {
		return
	}
	in := parent.CreateElement("ec:InclusiveNamespaces")
	in.CreateAttr("xmlns:ec", inclusiveNS)
	in.CreateAttr("PrefixList", strings.Join(prefixes, " "))
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

// qualified names of a Reference's elements, built once per signature rather than once per
// Reference (a secured message has seven or more References).
type referenceNames struct{ reference, transforms, transform, digestMethod, digestValue string }

// dsRefNames are the names for the default prefix, the common case: no concatenation at all.
var dsRefNames = referenceNames{"ds:Reference", "ds:Transforms", "ds:Transform", "ds:DigestMethod", "ds:DigestValue"}

func refNames(p string) referenceNames {
	if p == "ds:" {
		return dsRefNames
	}
	return referenceNames{p + "Reference", p + "Transforms", p + "Transform", p + "DigestMethod", p + "DigestValue"}
}
