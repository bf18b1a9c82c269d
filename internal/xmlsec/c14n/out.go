package c14n

import "github.com/beevik/etree"

// ws appends s to the output buffer. The fast path is small enough to be
// inlined into the escaping loops.
func (c *canon) ws(s string) {
	if len(c.buf)+len(s) <= cap(c.buf) {
		c.buf = append(c.buf, s...)
		return
	}
	c.wsSlow(s)
}

// wsSlow copies s into the buffer in chunks, flushing whenever it is full.
// The buffer never grows beyond bufSize, so a 256 KiB text node streams
// through it instead of being copied whole. After a write error output is
// discarded and the error is reported at the end of the call.
func (c *canon) wsSlow(s string) {
	for len(s) > 0 {
		if len(c.buf) == cap(c.buf) {
			c.flushBuf()
		}
		n := copy(c.buf[len(c.buf):cap(c.buf)], s)
		c.buf = c.buf[:len(c.buf)+n]
		s = s[n:]
	}
}

func (c *canon) flushBuf() {
	if c.err == nil && len(c.buf) > 0 {
		_, c.err = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
}

// flush writes out what is buffered and returns the first write error.
func (c *canon) flush() error {
	c.flushBuf()
	return c.err
}

// text renders a text node. C14N §2.3 (Text Nodes): "the string value,
// except all ampersands are replaced by &amp;, all open angle brackets (<)
// are replaced by &lt;, all closing angle brackets (>) are replaced by &gt;,
// and all #xD characters are replaced by &#xD;".
func (c *canon) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		if !textEscaped[s[i]] { // one table load per octet: most text has nothing to escape
			continue
		}
		c.ws(s[last:i])
		c.ws(escapes[s[i]])
		last = i + 1
	}
	c.ws(s[last:])
}

// attrValue renders an attribute or namespace node value. C14N §2.3
// (Attribute Nodes): "the string value ... is modified by replacing all
// ampersands (&) with &amp;, all open angle brackets (<) with &lt;, all
// quotation mark characters with &quot;, and the whitespace characters #x9,
// #xA, and #xD, with character references ... &#x9;, &#xA;, and &#xD;".
// '>' is not escaped in attribute values.
func (c *canon) attrValue(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		if !attrEscaped[s[i]] {
			continue
		}
		c.ws(s[last:i])
		c.ws(escapes[s[i]])
		last = i + 1
	}
	c.ws(s[last:])
}

// textEscaped and attrEscaped mark the octets text and attrValue replace; escapes holds the
// replacements (C14N §2.3, quoted above). Non-ASCII octets are never escaped: UTF-8 is
// copied as is.
var (
	textEscaped = [256]bool{'&': true, '<': true, '>': true, '\r': true}
	attrEscaped = [256]bool{'&': true, '<': true, '"': true, '\t': true, '\n': true, '\r': true}
	escapes     = [256]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;",
		'\t': "&#x9;", '\n': "&#xA;", '\r': "&#xD;"}
)

// comment renders a comment node (only called in the WithComments
// variant). C14N §2.3 (Comment Nodes): the opening "<!--", the string
// value of the node, and the closing "-->".
func (c *canon) comment(s string) {
	c.ws("<!--")
	c.ws(s)
	c.ws("-->")
}

// procInst renders a processing instruction. C14N §2.3 (Processing
// Instruction Nodes): the opening "<?", the PI target name, then, if the
// string value is not empty, a space and the string value, then the closing
// "?>". encoding/xml already strips the whitespace between target and value,
// which is what the XPath string value of a PI excludes.
func (c *canon) procInst(p *etree.ProcInst) {
	c.ws("<?")
	c.ws(p.Target)
	if p.Inst != "" {
		c.ws(" ")
		c.ws(p.Inst)
	}
	c.ws("?>")
}
