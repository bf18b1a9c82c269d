package dsig

import (
	"encoding/base64"
	"strings"

	"github.com/rspcheck/rspcheck/internal/xmltree"

	"github.com/beevik/etree"
)

// parseSignedInfo reads SignedInfo strictly: CanonicalizationMethod, SignatureMethod, then
// References, each with an exclusive-c14n transform, an allowed DigestMethod and a
// DigestValue; nothing else. The references are appended to refs and their decoded
// DigestValues to digestValues (at reference.digestAt..digestEnd), which is returned: Verify
// passes arrays of its own stack, so that reading a SignedInfo does not allocate per
// reference. (Offsets, not slices, so that no field of a reference points into the array:
// escape analysis sees a struct as one place, and a reference's URI goes to the heap.)
func parseSignedInfo(si *etree.Element, algs Algorithms, max int, res *Verified, refs []reference, digestValues []byte) ([]reference, []byte, error) {
	var a [2 + 16]*etree.Element // the two methods and as many references as Verify expects
	kids := xmltree.Children(a[:0], si)
	if len(kids) < 3 || !isDSChild(si, kids[0], "CanonicalizationMethod") || !isDSChild(si, kids[1], "SignatureMethod") {
		return nil, nil, fail(ErrMalformed, "", "SignedInfo must hold CanonicalizationMethod, SignatureMethod and at least one Reference")
	}
	cm, sm := kids[0], kids[1]
	res.C14NMethod = cm.SelectAttrValue("Algorithm", "")
	if !allowed(algs.C14NMethods, res.C14NMethod) {
		return nil, nil, fail(ErrAlgorithm, "", "canonicalization %q is not allowed", res.C14NMethod)
	}
	prefixes, err := inclusivePrefixes(cm)
	if err != nil {
		return nil, nil, err
	}
	res.InclusivePrefixes = prefixes
	res.SignatureMethod = sm.SelectAttrValue("Algorithm", "")
	if _, _, _, known := signatureHash(res.SignatureMethod); !known || !allowed(algs.SignatureMethods, res.SignatureMethod) {
		return nil, nil, fail(ErrAlgorithm, "", "signature method %q is not allowed", res.SignatureMethod)
	}
	// CVE-2009-0217: a truncated HMAC (HMACOutputLength) lets an attacker forge signatures.
	// Refused whatever its value.
	for c := range sm.ChildElementsSeq() {
		if c.Tag == "HMACOutputLength" {
			return nil, nil, fail(ErrAlgorithm, "", "HMACOutputLength is refused (CVE-2009-0217)")
		}
		return nil, nil, fail(ErrMalformed, "", "unexpected %s in SignatureMethod", c.FullTag())
	}
	refEls := kids[2:]
	if len(refEls) > max {
		return nil, nil, fail(ErrMalformed, "", "%d references exceed the limit of %d", len(refEls), max)
	}
	if cap(refs)-len(refs) < len(refEls) {
		refs = append(make([]reference, 0, len(refs)+len(refEls)), refs...)
	}
	first := len(refs)
	// Duplicate URIs: a scan of the references read so far, up to the default limit (no
	// allocation); a set beyond it, where a caller raised MaxReferences.
	var seen map[string]bool
	if len(refEls) > 64 {
		seen = make(map[string]bool, len(refEls))
	}
	for _, r := range refEls {
		if !isDSChild(si, r, "Reference") {
			return nil, nil, fail(ErrMalformed, "", "unexpected %s in SignedInfo", r.FullTag())
		}
		var ref reference
		var err error
		ref, digestValues, err = parseReference(r, algs, digestValues)
		if err != nil {
			return nil, nil, err
		}
		if seen != nil && seen[ref.uri] || seen == nil && hasURI(refs[first:], ref.uri) {
			return nil, nil, fail(ErrMalformed, ref.uri, "the same element is referenced twice")
		}
		if seen != nil {
			seen[ref.uri] = true
		}
		refs = append(refs, ref)
	}
	return refs, digestValues, nil
}

func hasURI(refs []reference, uri string) bool {
	for i := range refs {
		if refs[i].uri == uri {
			return true
		}
	}
	return false
}

// parseReference reads one ds:Reference; it returns digestValues with its DigestValue
// appended.
func parseReference(r *etree.Element, algs Algorithms, digestValues []byte) (reference, []byte, error) {
	var ref reference
	uri, ok := attrValue(r, "URI")
	if !ok || len(uri) < 2 || uri[0] != '#' || strings.ContainsAny(uri[1:], "#( ") {
		return ref, digestValues, fail(ErrReference, uri, "only same-document references of the form #id are accepted")
	}
	ref.uri = uri
	var a, b [4]*etree.Element
	kids := xmltree.Children(a[:0], r)
	i := 0
	if i < len(kids) && isDSChild(r, kids[i], "Transforms") {
		ts := xmltree.Children(b[:0], kids[i])
		if len(ts) != 1 {
			return ref, digestValues, fail(ErrAlgorithm, uri, "exactly one transform (exclusive c14n) is accepted, found %d", len(ts))
		}
		alg := ts[0].SelectAttrValue("Algorithm", "")
		if !isDSChild(kids[i], ts[0], "Transform") || !allowed(algs.C14NMethods, alg) {
			return ref, digestValues, fail(ErrAlgorithm, uri, "transform %q is not allowed", alg)
		}
		ref.comments = alg == ExcC14NWithComments
		p, err := inclusivePrefixes(ts[0])
		if err != nil {
			return ref, digestValues, err
		}
		ref.prefixes = p
		i++
	} else {
		// Without a transform the referenced node-set would be serialized with inclusive
		// C14N 1.0 (XML-DSig §4.3.3.2), which WS-Security peers do not use.
		return ref, digestValues, fail(ErrAlgorithm, uri, "reference without an exclusive c14n transform")
	}
	if i >= len(kids) || !isDSChild(r, kids[i], "DigestMethod") {
		return ref, digestValues, fail(ErrMalformed, uri, "missing DigestMethod")
	}
	ref.digestMethod = kids[i].SelectAttrValue("Algorithm", "")
	if !knownDigest(ref.digestMethod) || !allowed(algs.DigestMethods, ref.digestMethod) {
		return ref, digestValues, fail(ErrAlgorithm, uri, "digest method %q is not allowed", ref.digestMethod)
	}
	i++
	if i >= len(kids) || !isDSChild(r, kids[i], "DigestValue") || i+1 != len(kids) {
		return ref, digestValues, fail(ErrMalformed, uri, "Reference must end with one DigestValue")
	}
	ref.digestAt = len(digestValues)
	digestValues, err := appendBase64(digestValues, kids[i].Text())
	ref.digestEnd = len(digestValues)
	if err != nil || ref.digestEnd == ref.digestAt {
		return ref, digestValues, fail(ErrMalformed, uri, "DigestValue is not base64")
	}
	return ref, digestValues, nil
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

// appendBase64 appends the value of s, decoded as DecodeBase64 decodes it, to dst: into
// dst's free capacity where it fits, without the allocation of DecodeBase64's result.
func appendBase64(dst []byte, s string) ([]byte, error) {
	if !plainBase64(s) {
		s = strings.Join(strings.Fields(s), "") // as DecodeBase64
	}
	var src [128]byte // the text as bytes, on the stack up to its size ([]byte(s) allocates)
	return base64.StdEncoding.AppendDecode(dst, append(src[:0], s...))
}

// plainBase64 reports whether s holds base64 alphabet characters only: the text
// DecodeBase64 decodes as it is.
func plainBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		if !b64Alphabet[s[i]] {
			return false
		}
	}
	return true
}
