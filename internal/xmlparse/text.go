package xmlparse

import (
	"strings"
	"unicode/utf8"
)

// Where character data is read; each mode has its own delimiters and rules.
type mode uint8

const (
	inText  mode = iota // content: CharData with references (§2.4 [14], §4.1 [67])
	inAttr              // attribute value between quotes: no '<' (§3.1 [10], WFC: No < in Attribute Values)
	inCDATA             // CDATA section: no references (§2.7 [20])
)

// chars reads s[start:end] as character data of mode m and returns it decoded: references
// replaced, a literal CR LF or CR turned into LF (as encoding/xml does), every character
// checked to be a Char (§2.2). When nothing needs decoding the result is a substring of the
// input and costs no allocation.
func (p *parser) chars(start, end int, m mode) (string, error) {
	s := p.s
	var b []byte // nil until something must be rewritten
	mark := start
	for i := start; i < end; {
		c := s[i]
		if class[c]&cPlain != 0 {
			i++
			continue
		}
		switch {
		case c == '&' && m != inCDATA:
			if b == nil {
				b = p.buf[:0]
			}
			b = append(b, s[mark:i]...)
			r, n, err := p.reference(i, end)
			if err != nil {
				return "", err
			}
			b = utf8.AppendRune(b, r)
			i += n
			mark = i
		case c == '\r':
			if b == nil {
				b = p.buf[:0]
			}
			b = append(b, s[mark:i]...)
			b = append(b, '\n')
			i++
			if i < end && s[i] == '\n' {
				i++
			}
			mark = i
		case c == '&', c == ']' && m != inText:
			i++
		case c == ']':
			// §2.4: the literal "]]>" is not allowed in content.
			if end-i >= 3 && s[i+1] == ']' && s[i+2] == '>' {
				return "", p.fail(i, kindWF, `"]]>" is not allowed in character data; write "]]&gt;" (XML 1.0 §2.4)`)
			}
			i++
		case c == '<':
			if m == inAttr {
				return "", p.fail(i, kindWF, `"<" is not allowed in an attribute value; write "&lt;" (XML 1.0 §3.1)`)
			}
			i++ // only reached in CDATA: text ends at '<'
		case c < 0x20:
			return "", p.fail(i, kindWF, "illegal character "+quoteRune(rune(c))+" (XML 1.0 §2.2)")
		default:
			r, n := utf8.DecodeRuneInString(s[i:end])
			if r == utf8.RuneError && n == 1 {
				return "", p.fail(i, kindWF, "invalid UTF-8")
			}
			if !isChar(r) {
				return "", p.fail(i, kindWF, "illegal character "+quoteRune(r)+" (XML 1.0 §2.2)")
			}
			i += n
		}
	}
	if b == nil {
		return s[start:end], nil
	}
	b = append(b, s[mark:end]...)
	p.buf = b
	return string(b), nil
}

// reference decodes the reference at s[i] == '&' (§4.1 [66], [68]): one of the five predefined
// entities (§4.6) or a character reference, which must denote a Char (WFC: Legal Character).
// No other entity can exist, since no DTD is allowed. It returns the rune and the length.
func (p *parser) reference(i, end int) (rune, int, error) {
	s := p.s
	j := i + 1
	if j < end && s[j] == '#' {
		j++
		base := rune(10)
		if j < end && s[j] == 'x' {
			base = 16
			j++
		}
		digits := j
		var v rune
		for ; j < end; j++ {
			d := digit(s[j], base)
			if d < 0 {
				break
			}
			if v <= utf8.MaxRune {
				v = v*base + d
			}
		}
		if j == digits || j >= end || s[j] != ';' {
			return 0, 0, p.fail(i, kindWF, "malformed character reference "+clip(s[i:min(j+1, end)])+
				`: expected "&#" digits ";" or "&#x" hex digits ";" (XML 1.0 §4.1)`)
		}
		if !isChar(v) {
			k := kindWF
			if v >= 0xD800 && v <= 0xDFFF {
				k = kindCharRef // encoding/xml turns these into U+FFFD
			}
			return 0, 0, p.fail(i, k, "character reference "+s[i:j+1]+" does not denote a legal XML character (XML 1.0 §4.1, §2.2)")
		}
		return v, j + 1 - i, nil
	}
	for j < end && class[s[j]]&cNameChar != 0 {
		j++
	}
	if j >= end || s[j] != ';' {
		return 0, 0, p.fail(i, kindWF, `unescaped "&" or malformed entity reference `+clip(s[i:min(j+1, end)])+
			`: write "&amp;" for a literal ampersand (XML 1.0 §4.1)`)
	}
	var r rune
	switch s[i+1 : j] {
	case "lt":
		r = '<'
	case "gt":
		r = '>'
	case "amp":
		r = '&'
	case "apos":
		r = '\''
	case "quot":
		r = '"'
	default:
		return 0, 0, p.fail(i, kindWF, "undefined entity "+clip(s[i:j+1])+
			": only &lt; &gt; &amp; &apos; &quot; exist without a DTD (XML 1.0 §4.6, WFC: Entity Declared)")
	}
	return r, j + 1 - i, nil
}

func digit(c byte, base rune) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case base == 16 && c >= 'a' && c <= 'f':
		return rune(c-'a') + 10
	case base == 16 && c >= 'A' && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

// clip shortens a quoted piece of input for a message, keeping it valid UTF-8.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > 40 {
		s = s[:40]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return s
}
