package codec

import (
	"bytes"
	"encoding/xml"
	"io"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// positions maps elements of the decoded tree to their line and column in the input. It is
// built lazily, only when a problem has to be reported, by a second tokenizing pass over the
// same bytes: etree does not record positions, and paying for them on every decode would slow
// the hot path.
type positions struct {
	starts []int64 // byte offset of each start tag, in document order
	index  map[*etree.Element]int
	lines  []int // byte offset of each line start
}

func buildPositions(raw []byte, doc *etree.Document) *positions {
	p := &positions{index: map[*etree.Element]int{}}
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	for {
		off := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			if err != io.EOF {
				// Positions after a syntax error are unknown; keep what was found.
			}
			break
		}
		if _, ok := tok.(xml.StartElement); ok {
			p.starts = append(p.starts, off)
		}
	}
	p.lines = append(p.lines, 0)
	for i, b := range raw {
		if b == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	n := 0
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		p.index[e] = n
		n++
		for c := range e.ChildElementsSeq() {
			walk(c)
		}
	}
	if root := doc.Root(); root != nil {
		walk(root)
	}
	return p
}

// lineCol converts a byte offset into a 1-based line and a 1-based column counted in runes.
func (p *positions) lineCol(raw []byte, off int64) (int, int) {
	lo, hi := 0, len(p.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if int64(p.lines[mid]) <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	start := p.lines[lo]
	end := int(off)
	if end > len(raw) {
		end = len(raw)
	}
	return lo + 1, utf8.RuneCount(raw[start:end]) + 1
}

// Position returns the line and column of el's start tag, or 0, 0 when unknown (for example
// for elements that were added after decoding).
func (m *Message) Position(el *etree.Element) (int, int) {
	if el == nil || m.raw == nil {
		return 0, 0
	}
	if m.pos == nil {
		m.pos = buildPositions(m.raw, m.Doc)
	}
	i, ok := m.pos.index[el]
	if !ok || i >= len(m.pos.starts) {
		return 0, 0
	}
	return m.pos.lineCol(m.raw, m.pos.starts[i])
}

// problemAt builds a Problem located at el.
func (m *Message) problemAt(el *etree.Element, reason string) Problem {
	line, col := m.Position(el)
	name := "-"
	if el != nil {
		name = el.FullTag()
	}
	return Problem{Line: line, Column: col, Element: name, Reason: reason}
}
