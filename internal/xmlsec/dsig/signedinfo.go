package dsig

import (
	"strings"

	"github.com/rspcheck/rspcheck/internal/xmltree"

	"github.com/beevik/etree"
)

// parseSignedInfo reads SignedInfo strictly: CanonicalizationMethod, SignatureMethod, then
// References, each with an exclusive-c14n transform, an allowed DigestMethod and a
// DigestValue; nothing else.
func parseSignedInfo(si *etree.Element, algs Algorithms, max int, res *Verified) ([]reference, error) {
	var a [8]*etree.Element
	kids := xmltree.Children(a[:0], si)
	if len(kids) < 3 || !isDS(kids[0], "CanonicalizationMethod") || !isDS(kids[1], "SignatureMethod") {
		return nil, fail(ErrMalformed, "", "SignedInfo must hold CanonicalizationMethod, SignatureMethod and at least one Reference")
	}
	cm, sm := kids[0], kids[1]
	res.C14NMethod = cm.SelectAttrValue("Algorithm", "")
	if !allowed(algs.C14NMethods, res.C14NMethod) {
		return nil, fail(ErrAlgorithm, "", "canonicalization %q is not allowed", res.C14NMethod)
	}
	prefixes, err := inclusivePrefixes(cm)
	if err != nil {
		return nil, err
	}
	res.InclusivePrefixes = prefixes
	res.SignatureMethod = sm.SelectAttrValue("Algorithm", "")
	if _, _, _, known := signatureHash(res.SignatureMethod); !known || !allowed(algs.SignatureMethods, res.SignatureMethod) {
		return nil, fail(ErrAlgorithm, "", "signature method %q is not allowed", res.SignatureMethod)
	}
	// CVE-2009-0217: a truncated HMAC (HMACOutputLength) lets an attacker forge signatures.
	// Refused whatever its value.
	for c := range sm.ChildElementsSeq() {
		if c.Tag == "HMACOutputLength" {
			return nil, fail(ErrAlgorithm, "", "HMACOutputLength is refused (CVE-2009-0217)")
		}
		return nil, fail(ErrMalformed, "", "unexpected %s in SignatureMethod", c.FullTag())
	}
	refEls := kids[2:]
	if len(refEls) > max {
		return nil, fail(ErrMalformed, "", "%d references exceed the limit of %d", len(refEls), max)
	}
	refs := make([]reference, 0, len(refEls))
	seen := map[string]bool{}
	for _, r := range refEls {
		if !isDS(r, "Reference") {
			return nil, fail(ErrMalformed, "", "unexpected %s in SignedInfo", r.FullTag())
		}
		ref, err := parseReference(r, algs)
		if err != nil {
			return nil, err
		}
		if seen[ref.uri] {
			return nil, fail(ErrMalformed, ref.uri, "the same element is referenced twice")
		}
		seen[ref.uri] = true
		refs = append(refs, ref)
	}
	return refs, nil
}

func parseReference(r *etree.Element, algs Algorithms) (reference, error) {
	var ref reference
	uri, ok := attrValue(r, "URI")
	if !ok || len(uri) < 2 || uri[0] != '#' || strings.ContainsAny(uri[1:], "#( ") {
		return ref, fail(ErrReference, uri, "only same-document references of the form #id are accepted")
	}
	ref.uri = uri
	var a, b [4]*etree.Element
	kids := xmltree.Children(a[:0], r)
	i := 0
	if i < len(kids) && isDS(kids[i], "Transforms") {
		ts := xmltree.Children(b[:0], kids[i])
		if len(ts) != 1 {
			return ref, fail(ErrAlgorithm, uri, "exactly one transform (exclusive c14n) is accepted, found %d", len(ts))
		}
		alg := ts[0].SelectAttrValue("Algorithm", "")
		if !isDS(ts[0], "Transform") || !allowed(algs.C14NMethods, alg) {
			return ref, fail(ErrAlgorithm, uri, "transform %q is not allowed", alg)
		}
		ref.comments = alg == ExcC14NWithComments
		p, err := inclusivePrefixes(ts[0])
		if err != nil {
			return ref, err
		}
		ref.prefixes = p
		i++
	} else {
		// Without a transform the referenced node-set would be serialized with inclusive
		// C14N 1.0 (XML-DSig §4.3.3.2), which WS-Security peers do not use.
		return ref, fail(ErrAlgorithm, uri, "reference without an exclusive c14n transform")
	}
	if i >= len(kids) || !isDS(kids[i], "DigestMethod") {
		return ref, fail(ErrMalformed, uri, "missing DigestMethod")
	}
	ref.digestMethod = kids[i].SelectAttrValue("Algorithm", "")
	if !knownDigest(ref.digestMethod) || !allowed(algs.DigestMethods, ref.digestMethod) {
		return ref, fail(ErrAlgorithm, uri, "digest method %q is not allowed", ref.digestMethod)
	}
	i++
	if i >= len(kids) || !isDS(kids[i], "DigestValue") || i+1 != len(kids) {
		return ref, fail(ErrMalformed, uri, "Reference must end with one DigestValue")
	}
	d, err := DecodeBase64(kids[i].Text())
	if err != nil || len(d) == 0 {
		return ref, fail(ErrMalformed, uri, "DigestValue is not base64")
	}
	ref.digest = d
	return ref, nil
}

// inclusivePrefixes reads an optional ec:InclusiveNamespaces child.
func inclusivePrefixes(el *etree.Element) ([]string, error) {
	for c := range el.ChildElementsSeq() {
		if c.Tag == "InclusiveNamespaces" && c.NamespaceURI() == inclusiveNS {
			return strings.Fields(c.SelectAttrValue("PrefixList", "")), nil
		}
		return nil, fail(ErrMalformed, "", "unexpected %s in %s", c.FullTag(), el.FullTag())
	}
	return nil, nil
}

func attrValue(el *etree.Element, key string) (string, bool) {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}
