package xmlparse

import "unicode/utf8"

// Classes of bytes. Non-ASCII bytes are cHigh (and may be part of a name); they go through
// utf8 and the tables in names_table.go.
const (
	cNameStart = 1 << iota // NameStartChar, ASCII part: [A-Za-z_:] (§2.3 [4])
	cNameChar              // NameChar, ASCII part: NameStartChar | [0-9.-] (§2.3 [4a]), or cHigh
	cSpace                 // S ::= (#x20 | #x9 | #xD | #xA)+ (§2.3 [3])
	cPlain                 // a Char (§2.2 [2]) with no meaning in content: not & < ] CR
	cColon                 // ':'
	cHigh                  // a byte of a multi-byte UTF-8 sequence
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 0x80:
			t[c] = cHigh | cNameChar
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
			t[c] = cNameStart | cNameChar
		case c == ':':
			t[c] = cNameStart | cNameChar | cColon
		case c >= '0' && c <= '9', c == '.', c == '-':
			t[c] = cNameChar
		case c == ' ', c == '\t', c == '\n', c == '\r':
			t[c] = cSpace
		}
		if c < 0x80 && (c >= 0x20 && c != '&' && c != '<' && c != ']' || c == '\t' || c == '\n') {
			t[c] |= cPlain
		}
	}
	return t
}()

// isChar reports whether r is a Char (§2.2 [2]): #x9 | #xA | #xD | [#x20-#xD7FF] |
// [#xE000-#xFFFD] | [#x10000-#x10FFFF].
func isChar(r rune) bool {
	switch {
	case r < 0x20:
		return r == 0x9 || r == 0xA || r == 0xD
	case r <= 0xD7FF:
		return true
	case r < 0xE000:
		return false
	case r <= 0xFFFD:
		return true
	default:
		return r >= 0x10000 && r <= 0x10FFFF
	}
}

// scanName reads a Name (§2.3 [5]) at i the way encoding/xml delimits one: ASCII name bytes
// plus every non-ASCII byte, then checks the whole. A following non-ASCII character that is
// not a NameChar is never allowed right after a name, so this refuses exactly what the
// grammar refuses. end == i means there is no name at all. colon is the offset of the only
// colon, -1 if there is none, -2 if there are several.
func (p *parser) scanName(i int) (end, colon int, ok bool) {
	s := p.s
	j, ascii := i, true
	colon = -1
	for ; j < len(s); j++ {
		k := class[s[j]]
		if k&cNameChar == 0 {
			break
		}
		if k&(cHigh|cColon) != 0 {
			if k&cHigh != 0 {
				ascii = false
			} else if colon == -1 {
				colon = j
			} else {
				colon = -2
			}
		}
	}
	if j == i {
		return i, -1, false
	}
	if ascii {
		return j, colon, class[s[i]]&cNameStart != 0
	}
	return j, colon, validName(s[i:j])
}

// validName checks NameStartChar (NameChar)* with encoding/xml's name characters.
func validName(name string) bool {
	for k, r := range name {
		want, table := uint8(cNameChar), nameCharTable[:]
		if k == 0 {
			want, table = cNameStart, nameStartTable[:]
		}
		if r < utf8.RuneSelf {
			if class[r]&want == 0 {
				return false
			}
		} else if r == utf8.RuneError || !inTable(table, r) {
			return false // invalid UTF-8 decodes as RuneError, which no table holds
		}
	}
	return true
}

// inTable searches a sorted list of inclusive lo, hi pairs.
func inTable(t []uint16, r rune) bool {
	if r > 0xFFFF {
		return false
	}
	lo, hi := 0, len(t)/2
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case rune(t[2*m+1]) < r:
			lo = m + 1
		case rune(t[2*m]) > r:
			hi = m
		default:
			return true
		}
	}
	return false
}

// qname splits the element or attribute name s[i:end] as encoding/xml does: "p:l" gives
// Space "p" and Local "l"; a name with an empty side (":l", "p:") stays whole; two colons
// (colon == -2) are refused by the caller.
func (p *parser) qname(i, end, colon int) (space, local string) {
	if colon <= i || colon >= end-1 {
		return "", p.s[i:end]
	}
	return p.s[i:colon], p.s[colon+1 : end]
}

// isSpace reports whether c is one of the S characters (§2.3 [3]).
func isSpace(c byte) bool { return class[c]&cSpace != 0 }

// skipSpace returns the offset of the first byte at or after i that is not S (§2.3 [3]).
func (p *parser) skipSpace(i int) int {
	for i < len(p.s) && isSpace(p.s[i]) {
		i++
	}
	return i
}

// checkChars refuses anything in s[i:end] that is not a Char (§2.2 [2]), as in a comment or a
// processing instruction, whose text encoding/xml does not check (kindMarkupChars).
func (p *parser) checkChars(i, end int, what string) error {
	s := p.s
	for i < end {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < 0x20 {
			if class[c]&cSpace == 0 {
				return p.fail(i, kindMarkupChars, "illegal character "+quoteRune(rune(c))+" in "+what+" (XML 1.0 §2.2)")
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:end])
		if r == utf8.RuneError && n == 1 {
			return p.fail(i, kindMarkupChars, "invalid UTF-8 in "+what)
		}
		if !isChar(r) {
			return p.fail(i, kindMarkupChars, "illegal character "+quoteRune(r)+" in "+what+" (XML 1.0 §2.2)")
		}
		i += n
	}
	return nil
}
