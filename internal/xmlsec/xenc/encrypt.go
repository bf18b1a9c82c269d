package xenc

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/beevik/etree"
)

// EncryptOptions shape the xenc:EncryptedData that EncryptContent and EncryptElement write.
type EncryptOptions struct {
	// ID is the Id attribute of the EncryptedData, the target of a DataReference in the
	// wsse:Security header's xenc:ReferenceList (WSS 1.1 §9.1). Empty: no Id.
	ID string
	// KeyInfo is copied into the EncryptedData: a ds:KeyInfo element is copied as is, any
	// other element (typically a wsse:SecurityTokenReference to a wsc:DerivedKeyToken, a
	// ds:KeyName, or an xenc:EncryptedKey) is wrapped in a new ds:KeyInfo. Namespace
	// prefixes the element inherits from its own document are declared on the copy. Nil:
	// no KeyInfo (the key is implied by the context).
	KeyInfo *etree.Element
	// OnlyUsedNamespaces declares on each top-level element of the plaintext only the
	// in-scope namespaces its element and attribute names use. The default declares every
	// namespace in scope at the encrypted position, which also keeps QName-valued content
	// (a fault's wsrm:UnknownSequence subcode, an xsi:type) meaningful after decryption.
	OnlyUsedNamespaces bool
	// Rand is the source of IVs and padding; nil means crypto/rand.
	Rand io.Reader
}

// EncryptContent encrypts the child nodes of el (elements, text, comments, processing
// instructions) and replaces them by one xenc:EncryptedData with Type #Content, which it
// returns. This is how WSS 1.1 §9 (§9.4.1 encryption processing) protects a SOAP Body: the
// Body element and its attributes (wsu:Id) stay in clear, its content is encrypted.
//
// The content is serialized in its namespace context: every top-level element of the
// plaintext declares the namespaces in scope at el (see EncryptOptions.OnlyUsedNamespaces),
// so prefixes declared on soap:Envelope survive decryption elsewhere.
func EncryptContent(el *etree.Element, key []byte, alg string, opts EncryptOptions) (*etree.Element, error) {
	if el == nil {
		return nil, errors.New("xenc: EncryptContent of a nil element")
	}
	a, err := lookupBlock(alg, key)
	if err != nil {
		return nil, err
	}
	pt, err := serializeNodes(el.Child, inScope(el), opts.OnlyUsedNamespaces)
	if err != nil {
		return nil, err
	}
	ed, err := newEncryptedData(a, key, pt, TypeContent, opts)
	if err != nil {
		return nil, err
	}
	for i := len(el.Child) - 1; i >= 0; i-- {
		el.RemoveChildAt(i)
	}
	el.AddChild(ed)
	return ed, nil
}

// EncryptElement encrypts el as a whole (start tag, attributes, content) and replaces it in
// its parent by one xenc:EncryptedData with Type #Element, which it returns. WSS 1.1 uses it
// for encrypted headers (wsse11:EncryptedHeader wraps the result, §9.3) and encrypted signatures.
// The namespaces in scope at el's parent are declared on el in the plaintext. If el has no
// parent, the EncryptedData is returned and nothing is replaced.
func EncryptElement(el *etree.Element, key []byte, alg string, opts EncryptOptions) (*etree.Element, error) {
	if el == nil {
		return nil, errors.New("xenc: EncryptElement of a nil element")
	}
	a, err := lookupBlock(alg, key)
	if err != nil {
		return nil, err
	}
	parent := el.Parent()
	pt, err := serializeNodes([]etree.Token{el}, inScope(parent), opts.OnlyUsedNamespaces)
	if err != nil {
		return nil, err
	}
	ed, err := newEncryptedData(a, key, pt, TypeElement, opts)
	if err != nil {
		return nil, err
	}
	if parent != nil {
		if i := indexIn(parent, el); i >= 0 {
			parent.RemoveChildAt(i)
			parent.InsertChildAt(i, ed)
		}
	}
	return ed, nil
}

// newEncryptedData encrypts pt and builds
//
//	<xenc:EncryptedData Id Type><xenc:EncryptionMethod Algorithm/><ds:KeyInfo/>?
//	  <xenc:CipherData><xenc:CipherValue>base64</xenc:CipherValue></xenc:CipherData>
//	</xenc:EncryptedData>
//
// in the order of EncryptedType (XML-Enc 1.0 §3.1).
func newEncryptedData(a blockAlg, key, pt []byte, typ string, opts EncryptOptions) (*etree.Element, error) {
	ct, err := a.seal(key, pt, opts.Rand)
	if err != nil {
		return nil, err
	}
	ed := etree.NewElement("xenc:EncryptedData")
	ed.CreateAttr("xmlns:xenc", NS)
	if opts.ID != "" {
		ed.CreateAttr("Id", opts.ID)
	}
	ed.CreateAttr("Type", typ)
	ed.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", a.uri)
	if opts.KeyInfo != nil {
		ed.AddChild(keyInfoCopy(opts.KeyInfo))
	}
	ed.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(base64.StdEncoding.EncodeToString(ct))
	return ed, nil
}

// keyInfoCopy copies ki for use as (or inside) a ds:KeyInfo.
func keyInfoCopy(ki *etree.Element) *etree.Element {
	c := copyDeclared(ki)
	if ki.Tag == "KeyInfo" && ki.NamespaceURI() == NSDS {
		return c
	}
	w := etree.NewElement("ds:KeyInfo")
	w.CreateAttr("xmlns:ds", NSDS)
	w.AddChild(c)
	return w
}

// copyDeclared copies el and declares on the copy the namespaces that el's subtree uses but
// inherits from el's ancestors, so the copy means the same in another document.
func copyDeclared(el *etree.Element) *etree.Element {
	c := el.Copy()
	for _, a := range extraDecls(el, inScope(el.Parent()), true) {
		c.CreateAttr(a.FullKey(), a.Value)
	}
	return c
}

// indexIn finds t among parent's children (trusting t.Index() when it is consistent).
func indexIn(parent *etree.Element, t etree.Token) int {
	if i := t.Index(); i >= 0 && i < len(parent.Child) && parent.Child[i] == t {
		return i
	}
	for i, c := range parent.Child {
		if c == t {
			return i
		}
	}
	return -1
}

// attr returns the value of the unqualified attribute key of e ("" if absent). Unlike
// etree's SelectAttrValue it does not match prefixed attributes such as foo:Type. A nil e
// has no attributes.
func attr(e *etree.Element, key string) (string, bool) {
	if e == nil {
		return "", false
	}
	for _, a := range e.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// is reports whether e is the element {ns}local.
func is(e *etree.Element, ns, local string) bool {
	return e != nil && e.Tag == local && e.NamespaceURI() == ns
}

// child returns the first child element {ns}local of e, or nil.
func child(e *etree.Element, ns, local string) *etree.Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Child {
		if ce, ok := c.(*etree.Element); ok && is(ce, ns, local) {
			return ce
		}
	}
	return nil
}

// readCipher reads the algorithm and the decoded cipher value of an EncryptedType element
// (XML-Enc 1.0 §3.1-§3.3). maxLen bounds the decoded cipher value; it is checked on the
// base64 length before decoding.
func readCipher(el *etree.Element, maxLen int) (alg string, ct []byte, err error) {
	em := child(el, NS, "EncryptionMethod")
	if em == nil {
		return "", nil, fmt.Errorf("%w: %s has no EncryptionMethod (the algorithm is not implied here)", ErrMalformed, el.Tag)
	}
	alg, ok := attr(em, "Algorithm")
	if !ok || alg == "" {
		return "", nil, fmt.Errorf("%w: EncryptionMethod has no Algorithm", ErrMalformed)
	}
	cd := child(el, NS, "CipherData")
	if cd == nil {
		return "", nil, fmt.Errorf("%w: %s has no CipherData", ErrMalformed, el.Tag)
	}
	if child(cd, NS, "CipherReference") != nil {
		return "", nil, fmt.Errorf("%w: CipherReference (only CipherValue is supported)", ErrUnsupportedAlgorithm)
	}
	cv := child(cd, NS, "CipherValue")
	if cv == nil {
		return "", nil, fmt.Errorf("%w: CipherData has no CipherValue", ErrMalformed)
	}
	ct, err = decodeBase64(cv, maxLen)
	return alg, ct, err
}

// decodeBase64 decodes the base64Binary text of e; XML whitespace between the characters is
// allowed (xmlsec1 breaks lines every 64 characters).
func decodeBase64(e *etree.Element, maxLen int) ([]byte, error) {
	limit := base64.StdEncoding.EncodedLen(maxLen)
	buf := make([]byte, 0, 256)
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.CharData:
			for i := 0; i < len(t.Data); i++ {
				switch c := t.Data[i]; c {
				case ' ', '\t', '\r', '\n':
				default:
					if len(buf) >= limit {
						return nil, fmt.Errorf("%w: %s longer than %d bytes", ErrMalformed, e.Tag, maxLen)
					}
					buf = append(buf, c)
				}
			}
		case *etree.Element:
			return nil, fmt.Errorf("%w: %s contains an element", ErrMalformed, e.Tag)
		}
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(buf)))
	n, err := base64.StdEncoding.Decode(out, buf)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not valid base64: %v", ErrMalformed, e.Tag, err)
	}
	return out[:n], nil
}
