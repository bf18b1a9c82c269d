package schemas

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// position is a 1-based line and character column.
type position struct{ line, column int }

// docIndex holds the position of every element start tag of a document, in document order,
// as found by encoding/xml. libxml2 2.9 reports only the line of a node for validity errors;
// the bridge reports the node's document-order index instead, and this index turns it into
// a line and column. complete says whether the scan reached the end of the document: an
// incomplete scan (input encoding/xml cannot read) still gives correct positions for the
// elements it did reach, because both parsers see elements in the same order.
type docIndex struct {
	elems    []position
	complete bool
}

// lineCounter converts increasing byte offsets into lines and columns. Line ends are counted
// as XML counts them ("\r\n", "\r" and "\n" each end one line), like libxml2.
type lineCounter struct {
	src       []byte
	off       int // scanned up to here
	line      int
	lineStart int
}

func newLineCounter(src []byte) *lineCounter {
	lc := &lineCounter{src: src, line: 1}
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		lc.off, lc.lineStart = 3, 3 // the byte order mark is not a character of line 1
	}
	return lc
}

func (lc *lineCounter) at(off int) position {
	if off > len(lc.src) {
		off = len(lc.src)
	}
	for ; lc.off < off; lc.off++ {
		switch lc.src[lc.off] {
		case '\n':
			lc.line++
			lc.lineStart = lc.off + 1
		case '\r':
			if lc.off+1 >= len(lc.src) || lc.src[lc.off+1] != '\n' {
				lc.line++
				lc.lineStart = lc.off + 1
			}
		}
	}
	return position{lc.line, utf8.RuneCount(lc.src[lc.lineStart:off]) + 1}
}

// newDecoder returns a decoder over doc whose offsets are byte offsets into doc. Declared
// encodings other than UTF-8 are passed through undecoded: the scan then stops at the first
// byte that is not UTF-8 and the index is incomplete.
func newDecoder(doc []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d
}

// indexElements scans doc with encoding/xml and records where each start tag begins.
// UTF-16 and ISO-8859-1 documents are scanned as their UTF-8 transcoding: lines and
// character columns are the same in every encoding.
func indexElements(doc []byte) docIndex {
	doc = asUTF8(doc)
	d := newDecoder(doc)
	lc := newLineCounter(doc)
	var idx docIndex
	for {
		off := int(d.InputOffset())
		tok, err := d.RawToken()
		if err == io.EOF {
			idx.complete = true
			return idx
		}
		if err != nil {
			return idx
		}
		if _, ok := tok.(xml.StartElement); ok {
			idx.elems = append(idx.elems, lc.at(off))
		}
	}
}

// findDoctype reports the position of a document type declaration in doc, if any. Document
// type declarations (and with them every entity declaration) are refused before libxml2
// sees the document. The quick byte test keeps the common case cheap; the token scan then
// makes sure the match is a real declaration and not text inside a comment or CDATA
// section. Inputs encoding/xml cannot read (UTF-16) are caught by the bridge instead, which
// stops libxml2 at the DOCTYPE before its internal subset is parsed.
func findDoctype(doc []byte) (position, bool) {
	if !bytes.Contains(doc, []byte("<!DOCTYPE")) && !bytes.Contains(doc, []byte("<!ENTITY")) {
		return position{}, false
	}
	d := newDecoder(doc)
	lc := newLineCounter(doc)
	for {
		off := int(d.InputOffset())
		tok, err := d.RawToken()
		if err != nil {
			return position{}, false
		}
		switch tok.(type) {
		case xml.Directive:
			return lc.at(off), true
		case xml.StartElement:
			return position{}, false // a DOCTYPE can only come before the document element
		}
	}
}

var latin1Decl = regexp.MustCompile(`^<\?xml[^>]*encoding\s*=\s*["'](?i:iso-8859-1|latin1|iso_8859-1|l1)["']`)

// asUTF8 transcodes a UTF-16 document (recognised by its byte order mark) or a document
// declared as ISO-8859-1 to UTF-8; anything else is returned unchanged.
func asUTF8(doc []byte) []byte {
	switch {
	case len(doc) >= 2 && (doc[0] == 0xff && doc[1] == 0xfe || doc[0] == 0xfe && doc[1] == 0xff):
		le := doc[0] == 0xff
		u := make([]uint16, 0, len(doc)/2)
		for i := 2; i+1 < len(doc); i += 2 {
			if le {
				u = append(u, uint16(doc[i])|uint16(doc[i+1])<<8)
			} else {
				u = append(u, uint16(doc[i])<<8|uint16(doc[i+1]))
			}
		}
		return []byte(string(utf16.Decode(u)))
	case latin1Decl.Match(doc):
		var b strings.Builder
		b.Grow(len(doc) + len(doc)/8)
		for _, c := range doc {
			b.WriteRune(rune(c))
		}
		return []byte(b.String())
	}
	return doc
}
