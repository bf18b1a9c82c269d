package transport

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// Media types of the two SOAP versions and the header of SOAP 1.1.
const (
	MediaType11      = "text/xml"             // SOAP 1.1 §6.1.1
	MediaType12      = "application/soap+xml" // SOAP 1.2 Part 2 §7.1.4, RFC 3902
	HeaderSOAPAction = "SOAPAction"           // SOAP 1.1 §6.1.1
)

// Errors of ParseContentType; both lead to 415 Unsupported Media Type.
var (
	ErrNoContentType        = errors.New("no Content-Type")
	ErrUnsupportedMediaType = errors.New("unsupported media type")
)

// ContentType is a parsed Content-Type header of a SOAP message.
type ContentType struct {
	MediaType string       // lower-cased, e.g. "application/soap+xml"
	Version   soap.Version // the SOAP version the media type selects
	Charset   string       // lower-cased; "" when absent
	Action    string       // the SOAP 1.2 action parameter, unquoted; "" when absent
	// Params holds every parameter by lower-cased name (the first occurrence wins).
	Params map[string]string
}

// FormatContentType is the Content-Type of a SOAP message of version v.
//
// SOAP 1.2 Part 2 §7.1.4 / RFC 3902 §3: application/soap+xml with an optional "action"
// parameter naming the intent; SOAP 1.1 §6.1.1: text/xml, the intent going in SOAPAction. The
// action is always written as a quoted-string (URIs contain tspecials such as ':' and '/').
func FormatContentType(v soap.Version, action string) string {
	ct := v.ContentType() + "; charset=utf-8"
	if v == soap.V12 && action != "" {
		ct += "; action=" + quote(action)
	}
	return ct
}

// FormatSOAPAction is the SOAPAction header value for action: always a quoted string.
//
// SOAP 1.1 §6.1.1: soapaction = "SOAPAction" ":" [ <"> URI-reference <"> ]; an empty quoted
// string means the intent is the request URI. WS-I Basic Profile 1.1 R2744 requires the quotes.
func FormatSOAPAction(action string) string { return quote(action) }

// ParseSOAPAction returns the action of a SOAPAction header value, without its quotes. An
// unquoted value (seen from lenient stacks) is taken as it is, trimmed.
func ParseSOAPAction(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 1 && s[0] == '"' {
		v, _, _ := unquote(s)
		return v
	}
	return s
}

// ParseContentType parses the Content-Type of an incoming SOAP message. It is lenient about
// syntax (case, spaces, unquoted parameter values containing tspecials, a trailing ';') but
// strict about meaning: the media type must be one of the two SOAP media types and the charset,
// when given, UTF-8 (or its subset US-ASCII) — WS-I Basic Profile 1.1 R1012 allows UTF-16 too,
// which this implementation does not read. The returned ContentType is filled as far as it
// could be parsed even when an error is returned.
func ParseContentType(s string) (ContentType, error) {
	var ct ContentType
	s = strings.TrimSpace(s)
	if s == "" {
		return ct, ErrNoContentType
	}
	mt, rest, _ := strings.Cut(s, ";")
	ct.MediaType = strings.ToLower(strings.TrimSpace(mt))
	ct.Params = parseParams(rest)
	ct.Charset = strings.ToLower(strings.TrimSpace(ct.Params["charset"]))
	ct.Action = ct.Params["action"]
	switch ct.MediaType {
	case MediaType11:
		ct.Version = soap.V11
	case MediaType12:
		ct.Version = soap.V12
	default:
		return ct, fmt.Errorf("%w %q: SOAP 1.1 uses %s, SOAP 1.2 %s", ErrUnsupportedMediaType, clip(ct.MediaType, 64), MediaType11, MediaType12)
	}
	switch ct.Charset {
	case "", "utf-8", "utf8", "us-ascii":
	default:
		return ct, fmt.Errorf("%w: charset %q (only UTF-8 is read)", ErrUnsupportedMediaType, clip(ct.Charset, 32))
	}
	return ct, nil
}

// parseParams reads `; name=value` pairs. Values are tokens or quoted-strings (RFC 9110
// §5.6.6); an unquoted value runs to the next ';'. Malformed pairs are skipped.
func parseParams(s string) map[string]string {
	out := map[string]string{}
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t;")
		if s == "" {
			break
		}
		eq := strings.IndexAny(s, "=;")
		if eq < 0 || s[eq] == ';' {
			// a parameter without value: skip it
			if eq < 0 {
				break
			}
			s = s[eq+1:]
			continue
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			var n int
			val, n, _ = unquote(s)
			s = s[n:]
			if i := strings.IndexByte(s, ';'); i >= 0 {
				s = s[i+1:]
			} else {
				s = ""
			}
		} else {
			v, r, _ := strings.Cut(s, ";")
			val, s = strings.TrimSpace(v), r
		}
		if _, dup := out[name]; !dup && name != "" {
			out[name] = val
		}
	}
	return out
}

// unquote reads a quoted-string at the start of s and returns its value and the number of
// bytes consumed. An unterminated string runs to the end of s (ok = false).
func unquote(s string) (val string, n int, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), i + 1, true
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), len(s), false
}

// quote writes s as a quoted-string, escaping '"' and '\' (RFC 9110 §5.6.4). Control
// characters, which cannot appear in a header, are dropped.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 && c != '\t', c == 0x7f:
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
