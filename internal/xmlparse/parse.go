package xmlparse

import (
	"bytes"
	"strings"
	"sync"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/xmltree"
)

// Options bounds the work Parse does.
type Options struct {
	// MaxDepth is the deepest element nesting accepted (the root is at depth 1); 0 means
	// 1024, the limit etree applies by default.
	MaxDepth int
}

const defaultMaxDepth = 1024

// Parse reads one XML document (XML 1.0 Fifth Edition, UTF-8, no DTD) and returns the tree
// etree would build from it with PreserveCData and PreserveDuplicateAttrs set. Input that is
// not well-formed gives a *SyntaxError; see the package doc for the rules beyond
// encoding/xml's.
func Parse(raw []byte, opt Options) (*etree.Document, error) {
	p := pool.Get().(*parser)
	defer p.release()
	p.s = string(raw)
	p.maxDepth = opt.MaxDepth
	if p.maxDepth <= 0 {
		p.maxDepth = defaultMaxDepth
	}
	p.size(raw)
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	doc.ReadSettings.PreserveDuplicateAttrs = true
	p.stack = append(p.stack, frame{el: &doc.Element, name: "-"})
	if err := p.run(); err != nil {
		return nil, err
	}
	return doc, nil
}

// frame is an open element, or the document at the bottom of the stack.
type frame struct {
	el   *etree.Element
	name string // qualified name as written
	kids int    // where its children start in parser.kids
}

type attr struct {
	name, space, local, value string
}

type parser struct {
	s        string
	maxDepth int
	declAt   int  // where an XML declaration may stand: 0, or 3 after a byte order mark
	rooted   bool // the root element has been opened
	stack    []frame
	kids     []etree.Token       // children of the open elements, not yet attached
	attrs    []attr              // the start tag being read
	seen     map[string]struct{} // names in attrs, once there are many
	buf      []byte              // scratch for decoded character data

	elems xmltree.Arena[etree.Element]
	texts xmltree.Arena[etree.CharData]
	ats   xmltree.Arena[etree.Attr]
	toks  xmltree.Arena[etree.Token]
}

var pool = sync.Pool{New: func() any { return new(parser) }}

// release drops every reference into the parsed document and the input, and returns the
// scratch space to the pool unless a large input grew it.
func (p *parser) release() {
	clear(p.kids[:cap(p.kids)])
	clear(p.stack[:cap(p.stack)])
	clear(p.attrs[:cap(p.attrs)])
	clear(p.seen)
	r := parser{stack: p.stack[:0], kids: p.kids[:0], attrs: p.attrs[:0], seen: p.seen, buf: p.buf[:0]}
	if cap(r.kids) > 4096 || cap(r.stack) > 1024 || cap(r.attrs) > 256 || cap(r.buf) > 64<<10 {
		r = parser{}
	}
	*p = r
	pool.Put(p)
}

// size picks the first chunk of each arena from counts over the input, so that a typical
// document needs one chunk of each. Chunks are at most xmltree.MaxChunk values, so counting stops once the
// input is known to need that many.
func (p *parser) size(raw []byte) {
	lt, ends, i := 0, 0, 0
	for lt < 2*xmltree.MaxChunk {
		k := bytes.IndexByte(raw[i:], '<')
		if k < 0 {
			i = len(raw)
			break
		}
		i += k + 1
		lt++
		if i < len(raw) && raw[i] == '/' {
			ends++
		}
	}
	opens := lt - ends
	p.elems.Reserve(opens)
	p.texts.Reserve(opens)
	p.toks.Reserve(lt)
	p.ats.Reserve(bytes.Count(raw[:i], []byte("=")))
}

// run is the main loop (§2.1 [1] document ::= prolog element Misc*): text up to the next
// '<', then one markup construct, with the open elements on an explicit stack.
func (p *parser) run() error {
	s := p.s
	if strings.HasPrefix(s, "\xEF\xBB\xBF") {
		p.declAt = 3 // §4.3.3: a UTF-8 byte order mark may precede the declaration
	}
	for i := 0; i < len(s); {
		var err error
		if s[i] != '<' {
			i, err = p.text(i)
		} else {
			i, err = p.markup(i)
		}
		if err != nil {
			return err
		}
	}
	if n := len(p.stack); n > 1 {
		return p.fail(len(s), kindWF, "unexpected end of input: <"+p.stack[n-1].name+"> is not closed")
	}
	if !p.rooted {
		return p.fail(len(s), kindRootCount, "no root element: a document has exactly one (XML 1.0 §2.1)")
	}
	p.attach(p.stack[0].el, p.kids)
	return nil
}

// text reads the character data up to the next '<'. Outside the root element only white
// space is allowed (§2.1 [27] Misc, §2.8 [22] prolog), after an optional byte order mark
// that encoding/xml, and so etree, keeps as the start of that text.
func (p *parser) text(i int) (int, error) {
	s := p.s
	end := strings.IndexByte(s[i:], '<')
	if end < 0 {
		end = len(s)
	} else {
		end += i
	}
	if len(p.stack) == 1 {
		j := i
		if i == 0 {
			j = p.declAt
		}
		for ; j < end; j++ {
			if c := s[j]; !isSpace(c) {
				where := "before"
				if p.rooted {
					where = "after"
				}
				return 0, p.fail(j, kindOutsideRoot, "text "+where+" the root element: only white space, comments and processing instructions may stand there (XML 1.0 §2.1, §2.8)")
			}
		}
	}
	data, err := p.chars(i, end, inText)
	if err != nil {
		return 0, err
	}
	c := p.texts.One()
	c.SetData(data) // sets the whitespace flag as etree's reader does
	p.kids = append(p.kids, c)
	return end, nil
}

// attach gives el its children in order, in a slice of exactly their number.
func (p *parser) attach(el *etree.Element, kids []etree.Token) {
	el.Child = p.toks.Slice(len(kids))
	for _, t := range kids {
		el.AddChild(t)
	}
}
