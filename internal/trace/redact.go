package trace

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"io"
	"regexp"
	"slices"
)

// Redacted replaces the content of a secret element.
const Redacted = "REDACTED"

// secretElements are the local names whose content is key material:
//   - BinarySecret (WS-Trust 1.3 §3.2.3 / 2005/02): requester and issuer entropy and a proof
//     token given in the clear — the inputs of the computed key (WS-Trust 1.3 §4.4.2, P_SHA1
//     of both entropies), so redacting them redacts the computed key material;
//   - CipherValue (XML Encryption §3.3.1): an encrypted key or encrypted content;
//   - Password (WSS UsernameToken Profile §4): a password.
//
// Nonces (wsc:Nonce, wsse:Nonce), labels, identifiers and signature values are public and stay.
// Names are matched in any namespace: over-redaction in a report is harmless, a leak is not.
var secretElements = map[string]bool{"BinarySecret": true, "CipherValue": true, "Password": true}

// Redact returns a copy of doc in which the content of every secret element is replaced by
// Redacted; every other byte is kept as it was. Two readings are combined and everything
// either of them finds is redacted: an XML tokenizer (so that CDATA, comments and nesting
// cannot hide a secret; up to the point where the input stops being well-formed, with an
// unclosed secret element redacted to the end), and a lexical scan of the tags alone (reports
// also show deliberately broken messages, which a tokenizer may misread: a stray "<!" makes
// the next tag part of a directive).
func Redact(doc []byte) []byte {
	return applyCuts(doc, append(tokenCuts(doc), lexicalCuts(doc, 0)...))
}

// tokenCuts finds the content of secret elements with encoding/xml.
func tokenCuts(doc []byte) [][2]int {
	var cuts [][2]int // [start, end) of secret content
	off := 0
	if bytes.HasPrefix(doc, []byte("\xef\xbb\xbf")) {
		off = 3
	}
	d := xml.NewDecoder(bytes.NewReader(doc[off:]))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	depth, start := 0, 0
	for {
		before := off + int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			if depth > 0 { // cannot happen for well-formed input; be safe
				cuts = append(cuts, [2]int{start, len(doc)})
			}
			break
		}
		if err != nil {
			if depth > 0 {
				cuts = append(cuts, [2]int{start, len(doc)})
			}
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth > 0 {
				depth++
			} else if secretElements[t.Name.Local] {
				depth, start = 1, off+int(d.InputOffset())
			}
		case xml.EndElement:
			if depth > 0 {
				if depth--; depth == 0 {
					cuts = append(cuts, [2]int{start, before})
				}
			}
		}
	}
	return cuts
}

var (
	secretStart = regexp.MustCompile(`<(?:[A-Za-z_][\w.\-]*:)?(BinarySecret|CipherValue|Password)(?:\s[^>]*)?>`)
	secretEnds  = map[string]*regexp.Regexp{}
)

func init() {
	for name := range secretElements {
		secretEnds[name] = regexp.MustCompile(`</(?:[A-Za-z_][\w.\-]*:)?` + name + `\s*>`)
	}
}

// lexicalCuts finds secret elements in doc[from:] by their tags alone.
func lexicalCuts(doc []byte, from int) [][2]int {
	var cuts [][2]int
	for from < len(doc) {
		m := secretStart.FindSubmatchIndex(doc[from:])
		if m == nil {
			break
		}
		tagEnd := from + m[1]
		if doc[tagEnd-2] == '/' { // <BinarySecret/>: no content
			from = tagEnd
			continue
		}
		name := string(doc[from+m[2] : from+m[3]])
		end := secretEnds[name].FindIndex(doc[tagEnd:])
		if end == nil {
			cuts = append(cuts, [2]int{tagEnd, len(doc)})
			break
		}
		cuts = append(cuts, [2]int{tagEnd, tagEnd + end[0]})
		from = tagEnd + end[1]
	}
	return cuts
}

// applyCuts replaces the union of the cuts by Redacted, once per run of overlapping cuts.
func applyCuts(doc []byte, cuts [][2]int) []byte {
	slices.SortFunc(cuts, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	var merged [][2]int
	for _, c := range cuts {
		if c[1] <= c[0] {
			continue
		}
		if n := len(merged); n > 0 && c[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], c[1])
			continue
		}
		merged = append(merged, c)
	}
	out := make([]byte, 0, len(doc))
	pos := 0
	for _, c := range merged {
		out = append(out, doc[pos:c[0]]...)
		out = append(out, Redacted...)
		pos = c[1]
	}
	return append(out, doc[pos:]...)
}
