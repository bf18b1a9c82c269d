package xmlparse

import "strings"

// xmlDecl checks the text of the XML declaration, inst, found at offset at (§2.8 [23]):
//
//	XMLDecl      ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>'
//	VersionInfo  ::= S 'version' Eq ("'" VersionNum "'" | '"' VersionNum '"')   [24]
//	Eq           ::= S? '=' S?                                                 [25]
//	EncodingDecl ::= S 'encoding' Eq ('"' EncName '"' | "'" EncName "'" )      [80]
//	EncName      ::= [A-Za-z] ([A-Za-z0-9._] | '-')*                           [81]
//	SDDecl       ::= S 'standalone' Eq (("'" ('yes' | 'no') "'") | ('"' ('yes' | 'no') '"'))  [32]
//
// The procInst reader has consumed the S after "xml". VersionNum must be "1.0" (what
// encoding/xml accepts) and the encoding UTF-8, the only one read here (§4.3.3).
func (p *parser) xmlDecl(at int, inst string) error {
	names := [...]string{"version", "encoding", "standalone"}
	next := 0 // index in names of the first pseudo-attribute still allowed
	i := 0
	for {
		if i > 0 {
			j := i
			for j < len(inst) && isSpace(inst[j]) {
				j++
			}
			if j == len(inst) {
				break
			}
			if j == i {
				return p.fail(at+i, kindXMLDecl, "expected white space in the XML declaration (XML 1.0 §2.8 [23])")
			}
			i = j
		}
		k := i
		for k < len(inst) && inst[k] >= 'a' && inst[k] <= 'z' {
			k++
		}
		name := inst[i:k]
		n := next
		for n < len(names) && names[n] != name {
			n++
		}
		if n == len(names) || next == 0 && n != 0 {
			want := "version"
			if next > 0 {
				want = strings.Join(names[next:], " or ")
			}
			if i == len(inst) {
				return p.fail(at+i, kindXMLDecl, "the XML declaration has no version (XML 1.0 §2.8 [23])")
			}
			return p.fail(at+i, kindXMLDecl, "expected "+want+" in the XML declaration (XML 1.0 §2.8 [23])")
		}
		next = n + 1
		v, end, ok := pseudoValue(inst, k)
		if !ok {
			return p.fail(at+k, kindXMLDecl, "expected = and a quoted value after "+name+" in the XML declaration (XML 1.0 §2.8 [25])")
		}
		switch name {
		case "version":
			if v != "1.0" {
				return p.fail(at+i, kindXMLDecl, "unsupported XML version "+clip(v)+`: only "1.0" is accepted`)
			}
		case "encoding":
			if !encName(v) {
				return p.fail(at+i, kindXMLDecl, "invalid encoding name "+clip(v)+" (XML 1.0 §4.3.3 [81])")
			}
			if !strings.EqualFold(v, "UTF-8") {
				return p.fail(at+i, kindEncoding, "unsupported encoding "+v+": only UTF-8 is read (XML 1.0 §4.3.3)")
			}
		case "standalone":
			if v != "yes" && v != "no" {
				return p.fail(at+i, kindXMLDecl, `standalone must be "yes" or "no" (XML 1.0 §2.9 [32])`)
			}
		}
		i = end
	}
	return nil
}

// pseudoValue reads Eq and a quoted value at i; it returns the value and the offset after it.
func pseudoValue(s string, i int) (string, int, bool) {
	space := func(i int) int {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		return i
	}
	i = space(i)
	if i >= len(s) || s[i] != '=' {
		return "", 0, false
	}
	i = space(i + 1)
	if i >= len(s) || s[i] != '"' && s[i] != '\'' {
		return "", 0, false
	}
	j := strings.IndexByte(s[i+1:], s[i])
	if j < 0 {
		return "", 0, false
	}
	return s[i+1 : i+1+j], i + 2 + j, true
}

// encName reports whether s is an EncName (§4.3.3 [81]).
func encName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
			return false
		}
	}
	return s != ""
}
