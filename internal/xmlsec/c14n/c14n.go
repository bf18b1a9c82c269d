package c14n

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/beevik/etree"
)

// Algorithm URIs (spec/CONSTANTS.md §8; exc-c14n §1).
const (
	AlgorithmExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	AlgorithmExcC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
)

// DefaultMaxNodes is the node budget used when Options.MaxNodes is 0. The
// densest well-formed markup costs about 0.4 nodes per octet ("<a/>x"
// repeated), so 2 Mi nodes cover a 4 MiB message of any shape.
const DefaultMaxNodes = 1 << 21

// DefaultPrefix is the InclusiveNamespaces PrefixList token for the default
// namespace (exc-c14n §4: "#default").
const DefaultPrefix = "#default"

// XMLNamespace is the namespace bound by definition to the prefix xml.
const XMLNamespace = "http://www.w3.org/XML/1998/namespace"

var (
	// ErrNodeBudget is returned (wrapped, with the budget) when a
	// canonicalization visits more than Options.MaxNodes nodes.
	ErrNodeBudget = errors.New("c14n: node budget exceeded")
	// ErrUndeclaredPrefix is returned (wrapped, naming the prefix and the
	// element) when an element or attribute uses a prefix with no
	// namespace declaration in scope.
	ErrUndeclaredPrefix = errors.New("c14n: undeclared namespace prefix")
	// ErrRelativeNamespace is returned for a relative namespace URI. C14N
	// §2.1 (Data Model): implementations MUST report an operation failure
	// on documents containing relative namespace URIs.
	ErrRelativeNamespace = errors.New("c14n: relative namespace URI")
	// ErrDuplicateAttr is returned for an element with two attributes of
	// the same expanded name (namespace URI, local name).
	ErrDuplicateAttr = errors.New("c14n: duplicate attribute")
)

// Options selects the variant of the algorithm.
type Options struct {
	// WithComments selects ...#WithComments: comment nodes are rendered.
	// Without it, C14N §1.1: "comments are omitted".
	WithComments bool
	// InclusivePrefixes is the InclusiveNamespaces PrefixList (exc-c14n
	// §4): prefixes whose namespace nodes are treated by the rules of
	// inclusive C14N. "#default" (DefaultPrefix) designates the default
	// namespace. Empty entries and "xml"/"xmlns" are ignored.
	InclusivePrefixes []string
	// MaxNodes bounds the number of nodes visited; 0 means
	// DefaultMaxNodes, a negative value is an error.
	MaxNodes int
}

// ParsePrefixList splits the PrefixList attribute of an
// ec:InclusiveNamespaces element (a whitespace-separated list of NMTOKENs)
// into Options.InclusivePrefixes.
func ParsePrefixList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// Canonicalize writes the exclusive canonical form of the subtree rooted at
// el to w. el is canonicalized in its document context: namespace
// declarations of its ancestors are in scope (compared by URI, never by
// prefix identity) and the visibly utilized ones are rendered on el, while
// xml:* attributes of ancestors are not inherited (exc-c14n §3). The tree is
// not modified.
func Canonicalize(w io.Writer, el *etree.Element, opt Options) error {
	if el == nil {
		return errors.New("c14n: nil element")
	}
	c, err := newCanon(w, opt)
	if err != nil {
		return err
	}
	defer c.release()
	if err := c.loadContext(el); err != nil {
		return err
	}
	if err := c.subtree(el); err != nil {
		return err
	}
	return c.flush()
}

// CanonicalizeDocument writes the exclusive canonical form of a whole
// document to w.
//
// C14N §2.3 / §1.1: the XML declaration and the document type declaration
// are not part of the data model and are dropped; whitespace outside the
// document element is dropped; a comment or processing instruction before
// the document element is followed by #xA, and one after it is preceded by
// #xA ("Document Order" and "Processing Instruction Nodes" of §2.3).
func CanonicalizeDocument(w io.Writer, doc *etree.Document, opt Options) error {
	if doc == nil {
		return errors.New("c14n: nil document")
	}
	c, err := newCanon(w, opt)
	if err != nil {
		return err
	}
	defer c.release()
	seenRoot := false
	for _, t := range doc.Child {
		if err := c.count(1); err != nil {
			return err
		}
		switch t := t.(type) {
		case *etree.Element:
			if t == nil {
				return errors.New("c14n: nil element in document")
			}
			if seenRoot {
				return fmt.Errorf("c14n: document has more than one document element (<%s>)", t.FullTag())
			}
			seenRoot = true
			if err := c.subtree(t); err != nil {
				return err
			}
		case *etree.CharData:
			// Only whitespace may appear outside the document element; it
			// is not rendered.
			if t != nil && !isXMLSpace(t.Data) {
				return errors.New("c14n: character data outside the document element")
			}
		case *etree.Comment:
			if t != nil && c.comments {
				c.prologNode(seenRoot, func() { c.comment(t.Data) })
			}
		case *etree.ProcInst:
			if t == nil || t.Target == "xml" { // the XML declaration is not a PI
				continue
			}
			c.prologNode(seenRoot, func() { c.procInst(t) })
		case *etree.Directive:
			// DOCTYPE: not rendered.
		}
	}
	if !seenRoot {
		return errors.New("c14n: document has no document element")
	}
	return c.flush()
}

func (c *canon) prologNode(afterRoot bool, render func()) {
	if afterRoot {
		c.ws("\n")
		render()
	} else {
		render()
		c.ws("\n")
	}
}

func isXMLSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return false
		}
	}
	return true
}

// canon is the per-call state; it is pooled so that steady-state calls do
// not allocate.
type canon struct {
	w   io.Writer
	buf []byte
	err error
	// comments is Options.WithComments; the Options value itself is not
	// kept, so that the caller's PrefixList slice does not escape.
	comments bool
	max      int
	nodes    int

	incl     []string  // inclusive prefixes, "" = default namespace
	scope    []binding // in-scope declarations, innermost last
	rendered []binding // declarations rendered on output ancestors
	stack    []frame
	nsOut    []binding
	attrs    []attrItem
	anc      []*etree.Element
}

type binding struct{ prefix, uri string }

type attrItem struct {
	a   *etree.Attr
	uri string
}

const bufSize = 8 << 10

var pool = sync.Pool{New: func() any { return &canon{buf: make([]byte, 0, bufSize)} }}

func newCanon(w io.Writer, opt Options) (*canon, error) {
	if w == nil {
		return nil, errors.New("c14n: nil writer")
	}
	if opt.MaxNodes < 0 {
		return nil, fmt.Errorf("c14n: negative MaxNodes %d", opt.MaxNodes)
	}
	c := pool.Get().(*canon)
	c.w, c.comments, c.err, c.nodes = w, opt.WithComments, nil, 0
	c.max = opt.MaxNodes
	if c.max == 0 {
		c.max = DefaultMaxNodes
	}
	c.incl = c.incl[:0]
	for _, p := range opt.InclusivePrefixes {
		switch p {
		case DefaultPrefix:
			c.incl = append(c.incl, "")
		case "", "xml", "xmlns":
		default:
			c.incl = append(c.incl, p)
		}
	}
	return c, nil
}

func (c *canon) release() {
	c.w = nil
	c.buf = c.buf[:0]
	clear(c.scope[:cap(c.scope)])
	clear(c.rendered[:cap(c.rendered)])
	clear(c.stack[:cap(c.stack)])
	clear(c.nsOut[:cap(c.nsOut)])
	clear(c.attrs[:cap(c.attrs)])
	clear(c.anc[:cap(c.anc)])
	c.scope, c.rendered, c.stack = c.scope[:0], c.rendered[:0], c.stack[:0]
	c.nsOut, c.attrs, c.anc = c.nsOut[:0], c.attrs[:0], c.anc[:0]
	pool.Put(c)
}

// count charges n nodes against the budget.
func (c *canon) count(n int) error {
	c.nodes += n
	if c.nodes > c.max {
		return fmt.Errorf("%w: more than %d nodes visited", ErrNodeBudget, c.max)
	}
	return nil
}
