package xenc

import (
	"fmt"

	"github.com/beevik/etree"
)

// Decrypt decrypts an xenc:EncryptedData of Type #Content or #Element with key, parses the
// plaintext as an XML fragment in the namespace context of ed's parent, and replaces ed in its
// parent by the decrypted nodes, which it returns (XML-Enc 1.0 §4.2 and §4.3: decrypt, then
// replace the EncryptedData by the parsed octets). If ed has no parent the nodes are returned
// detached and parsed without any inherited namespace.
//
// The algorithm is read from EncryptionMethod/@Algorithm and the key length must match it.
// Namespace declarations that the encryptor added to top-level elements and that the new
// position already provides are removed.
//
// Errors: ErrMalformed, ErrUnsupportedAlgorithm or ErrKeySize (wrapped, with detail) for
// problems found before decryption; exactly ErrDecrypt for everything after it (CBC padding,
// GCM tag, a plaintext that is not well-formed, uses a prefix bound nowhere, contains a
// DOCTYPE or other directive or an XML declaration, nests deeper than MaxDepth, or for
// #Element is not exactly one element).
// On error the tree is unchanged.
func Decrypt(ed *etree.Element, key []byte) ([]etree.Token, error) {
	if !is(ed, NS, "EncryptedData") {
		return nil, fmt.Errorf("%w: not an xenc:EncryptedData element", ErrMalformed)
	}
	typ, _ := attr(ed, "Type")
	if typ != TypeContent && typ != TypeElement {
		return nil, fmt.Errorf("%w: EncryptedData Type %q (only #Content and #Element are supported)", ErrUnsupportedAlgorithm, typ)
	}
	em := child(ed, NS, "EncryptionMethod")
	if em == nil {
		return nil, fmt.Errorf("%w: EncryptedData has no EncryptionMethod (the algorithm is not implied here)", ErrMalformed)
	}
	uri, _ := attr(em, "Algorithm")
	a, err := lookupBlock(uri, key)
	if err != nil {
		return nil, err
	}
	_, ct, err := readCipher(ed, MaxPlaintextSize+a.overhead())
	if err != nil {
		return nil, err
	}

	pt, err := a.open(key, ct)
	if err != nil {
		return nil, ErrDecrypt
	}
	parent := ed.Parent()
	scope := inScope(parent)
	nodes, err := parseFragment(pt, scope)
	if err != nil {
		return nil, ErrDecrypt
	}
	if typ == TypeElement {
		if nodes, err = singleElement(nodes); err != nil {
			return nil, ErrDecrypt
		}
	}

	bound := make(map[string]string, len(scope))
	for _, d := range scope {
		bound[d.prefix] = d.uri
	}
	for _, n := range nodes {
		if e, ok := n.(*etree.Element); ok {
			dropRedundant(e, bound)
		}
	}
	if parent != nil {
		replace(parent, ed, nodes)
	}
	return nodes, nil
}

// singleElement checks the plaintext of a #Element EncryptedData: one element, surrounded
// by nothing but whitespace (which is dropped).
func singleElement(nodes []etree.Token) ([]etree.Token, error) {
	var el *etree.Element
	for _, n := range nodes {
		switch n := n.(type) {
		case *etree.Element:
			if el != nil {
				return nil, ErrDecrypt
			}
			el = n
		case *etree.CharData:
			if !n.IsWhitespace() || n.IsCData() {
				return nil, ErrDecrypt
			}
		default:
			return nil, ErrDecrypt
		}
	}
	if el == nil {
		return nil, ErrDecrypt
	}
	return []etree.Token{el}, nil
}

// replace puts nodes where old is among parent's children, in O(len(parent.Child)).
func replace(parent *etree.Element, old etree.Token, nodes []etree.Token) {
	i := indexIn(parent, old)
	if i < 0 {
		return // old.Parent() disagrees with parent.Child: leave the tree alone
	}
	var tail []etree.Token // reversed
	for len(parent.Child) > i+1 {
		tail = append(tail, parent.RemoveChildAt(len(parent.Child)-1))
	}
	parent.RemoveChildAt(i)
	for _, n := range nodes {
		parent.AddChild(n)
	}
	for j := len(tail) - 1; j >= 0; j-- {
		parent.AddChild(tail[j])
	}
}
