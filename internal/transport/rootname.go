package transport

import (
	"bytes"
	"encoding/xml"
	"io"
)

// rootName returns the namespace and local name of the document element of body, reading no
// further than its start tag. ok is false when body does not start like an XML document.
//
// The Handler asks this of every request (the SOAP version check, SOAP 1.2 Part 1 §5.4.7), so
// the usual envelope — no prolog, an ASCII start tag declaring its own namespace — is read by
// a scan of its start tag (rootNameFast); anything else (a prolog, references, non-ASCII
// names, an odd layout) goes to encoding/xml. FuzzRootName holds the two to the same answer.
// (Measured: encoding/xml's decoder cost ~2% of the CPU of a secured message exchange.)
func rootName(body []byte) (space, local string, ok bool) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	if space, local, decided := rootNameFast(body); decided {
		return space, local, true
	}
	return rootNameXML(body)
}

// rootNameXML is rootName through encoding/xml.
func rootNameXML(body []byte) (space, local string, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	// Only the first start tag matters; an encoding declaration other than UTF-8 is left to
	// the codec (the Content-Type check already insisted on UTF-8).
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for i := 0; i < 64; i++ { // prolog: XML declaration, comments, PIs, DOCTYPE, whitespace
		tok, err := d.Token()
		if err != nil {
			return "", "", false
		}
		if se, isStart := tok.(xml.StartElement); isStart {
			return se.Name.Space, se.Name.Local, true
		}
	}
	return "", "", false
}

// rootNameFast reads the start tag at the beginning of body (after whitespace) when it is
// plain: ASCII names with at most one colon, attribute values without references, control
// characters or non-ASCII octets, each namespace declared once on the tag. decided is false
// for anything else, which is then left to encoding/xml.
func rootNameFast(b []byte) (space, local string, decided bool) {
	i := skipXMLSpace(b, 0)
	if i+1 >= len(b) || b[i] != '<' || !asciiNameStart(b[i+1]) {
		return "", "", false
	}
	prefix, local, i, ok := scanQName(b, i+1)
	if !ok || prefix == "xml" || prefix == "xmlns" {
		return "", "", false
	}
	var def, bound string
	var haveDef, haveBound bool
	for {
		j := skipXMLSpace(b, i)
		if j >= len(b) {
			return "", "", false
		}
		switch b[j] {
		case '>':
			goto done
		case '/':
			if j+1 < len(b) && b[j+1] == '>' {
				goto done
			}
			return "", "", false
		}
		if j == i || !asciiNameStart(b[j]) { // attributes are separated by white space
			return "", "", false
		}
		ap, ak, k, ok := scanQName(b, j)
		if !ok {
			return "", "", false
		}
		k = skipXMLSpace(b, k)
		if k >= len(b) || b[k] != '=' {
			return "", "", false
		}
		k = skipXMLSpace(b, k+1)
		if k >= len(b) || (b[k] != '"' && b[k] != '\'') {
			return "", "", false
		}
		q, v := b[k], k+1
		end := v
		for end < len(b) && b[end] != q {
			if c := b[end]; c == '&' || c == '<' || c < 0x20 || c >= 0x80 {
				return "", "", false
			}
			end++
		}
		if end >= len(b) {
			return "", "", false
		}
		value := string(b[v:end])
		switch {
		case ap == "" && ak == "xmlns":
			if haveDef {
				return "", "", false
			}
			def, haveDef = value, true
		case ap == "xmlns":
			if ak == prefix {
				if haveBound || value == "" {
					return "", "", false
				}
				bound, haveBound = value, true
			}
		}
		i = end + 1
	}
done:
	if prefix == "" {
		return def, local, true
	}
	if !haveBound {
		return "", "", false
	}
	return bound, local, true
}

// scanQName reads an ASCII name with at most one colon, neither first nor last, starting at
// i; end is the index after it.
func scanQName(b []byte, i int) (prefix, local string, end int, ok bool) {
	start, colon := i, -1
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case asciiNameStart(c), '0' <= c && c <= '9', c == '-', c == '.':
		case c == ':':
			if colon >= 0 {
				return "", "", 0, false
			}
			colon = i
		case c >= 0x80:
			return "", "", 0, false
		default:
			goto out
		}
	}
out:
	if colon == start || colon == i-1 {
		return "", "", 0, false
	}
	if colon < 0 {
		return "", string(b[start:i]), i, true
	}
	if !asciiNameStart(b[colon+1]) {
		return "", "", 0, false
	}
	return string(b[start:colon]), string(b[colon+1 : i]), i, true
}

func asciiNameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func skipXMLSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
