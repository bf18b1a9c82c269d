package transport

import (
	"errors"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

func TestParseContentType(t *testing.T) {
	for _, tc := range []struct {
		in      string
		version soap.Version
		action  string
		charset string
		err     error
	}{
		{in: "application/soap+xml; charset=utf-8; action=\"urn:a\"", version: soap.V12, action: "urn:a", charset: "utf-8"},
		{in: "Application/SOAP+XML;Charset=UTF-8;ACTION=\"http://x/y?z=1;2\"", version: soap.V12, action: "http://x/y?z=1;2", charset: "utf-8"},
		{in: "application/soap+xml;action=http://docs.oasis-open.org/ws-rx/wsrm/200702/CreateSequence", version: soap.V12, action: "http://docs.oasis-open.org/ws-rx/wsrm/200702/CreateSequence"},
		{in: "application/soap+xml; action = \"urn:a\\\"b\" ; charset=utf-8;", version: soap.V12, action: `urn:a"b`, charset: "utf-8"},
		{in: "application/soap+xml; type=\"x;y\"; action=\"urn:after\"", version: soap.V12, action: "urn:after"},
		{in: "application/soap+xml; action=\"urn:first\"; action=\"urn:second\"", version: soap.V12, action: "urn:first"},
		{in: "application/soap+xml; action=\"unterminated", version: soap.V12, action: "unterminated"},
		{in: "application/soap+xml; novalue; action=\"urn:a\"", version: soap.V12, action: "urn:a"},
		{in: "text/xml; charset=\"utf-8\"", version: soap.V11, charset: "utf-8"},
		{in: "  TEXT/XML  ", version: soap.V11},
		{in: "text/xml; charset=us-ascii", version: soap.V11, charset: "us-ascii"},
		{in: "", err: ErrNoContentType},
		{in: "application/json", err: ErrUnsupportedMediaType},
		{in: "application/xml; charset=utf-8", err: ErrUnsupportedMediaType},
		{in: "multipart/related; type=\"application/xop+xml\"", err: ErrUnsupportedMediaType},
		{in: "text/xml; charset=iso-8859-1", err: ErrUnsupportedMediaType},
		{in: "application/soap+xml; charset=utf-16", err: ErrUnsupportedMediaType},
	} {
		ct, err := ParseContentType(tc.in)
		if !errors.Is(err, tc.err) {
			t.Errorf("%q: err = %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if ct.Version != tc.version || ct.Action != tc.action || ct.Charset != tc.charset {
			t.Errorf("%q: got version %v action %q charset %q, want %v %q %q", tc.in, ct.Version, ct.Action, ct.Charset, tc.version, tc.action, tc.charset)
		}
	}
}

func TestFormatContentType(t *testing.T) {
	if got, want := FormatContentType(soap.V12, "urn:a"), `application/soap+xml; charset=utf-8; action="urn:a"`; got != want {
		t.Errorf("1.2: %q, want %q", got, want)
	}
	if got, want := FormatContentType(soap.V12, ""), `application/soap+xml; charset=utf-8`; got != want {
		t.Errorf("1.2 without action: %q, want %q", got, want)
	}
	if got, want := FormatContentType(soap.V11, "urn:a"), `text/xml; charset=utf-8`; got != want {
		t.Errorf("1.1: %q, want %q (the action goes in SOAPAction)", got, want)
	}
	for _, a := range []string{"urn:a", `with "quotes" and \ backslash`, "x;y=z", " spaces "} {
		ct, err := ParseContentType(FormatContentType(soap.V12, a))
		if err != nil || ct.Action != a {
			t.Errorf("round trip of %q: %q, %v", a, ct.Action, err)
		}
		if got := ParseSOAPAction(FormatSOAPAction(a)); got != a {
			t.Errorf("SOAPAction round trip of %q: %q", a, got)
		}
	}
}

func TestParseSOAPAction(t *testing.T) {
	for in, want := range map[string]string{
		`"urn:a"`:       "urn:a",
		` "urn:a" `:     "urn:a",
		`""`:            "",
		`urn:unquoted`:  "urn:unquoted",
		`"esc\"aped"`:   `esc"aped`,
		``:              "",
		`"unterminated`: "unterminated",
	} {
		if got := ParseSOAPAction(in); got != want {
			t.Errorf("ParseSOAPAction(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRootName(t *testing.T) {
	for _, tc := range []struct {
		in, space, local string
		ok               bool
	}{
		{in: env12("<x/>"), space: soap.NS12, local: "Envelope", ok: true},
		{in: "\xef\xbb\xbf" + `<?xml version="1.0"?><!-- c --><s:Envelope xmlns:s="` + soap.NS11 + `"/>`, space: soap.NS11, local: "Envelope", ok: true},
		{in: `<?xml version="1.0" encoding="ISO-8859-1"?><Envelope/>`, local: "Envelope", ok: true},
		{in: `<a:Envelope xmlns:a="urn:other">`, space: "urn:other", local: "Envelope", ok: true},
		{in: `not xml`, ok: false},
		{in: ``, ok: false},
	} {
		space, local, ok := rootName([]byte(tc.in))
		if ok != tc.ok || space != tc.space || local != tc.local {
			t.Errorf("%q: %q %q %v", clip(tc.in, 40), space, local, ok)
		}
	}
}

// TestRootNameFastDecides: the envelopes peers send are read by the scan, not encoding/xml;
// what the scan cannot read plainly is left undecided.
func TestRootNameFastDecides(t *testing.T) {
	for _, in := range []string{env12("<x/>"), env11(""), `<a:Envelope xmlns:a="urn:other" a:b='c'>`} {
		if _, _, decided := rootNameFast([]byte(in)); !decided {
			t.Errorf("%q: not decided", clip(in, 40))
		}
	}
	for _, in := range []string{`<?xml version="1.0"?><E/>`, `<!-- c --><E/>`, `<s:E xmlns:s="u&amp;">`,
		`<s:E xmlns:t="u:t">`, `<s:E xmlns:s="u:1" xmlns:s="u:2">`, `<E a="1"b="2">`, `<é/>`, `<E`} {
		if _, _, decided := rootNameFast([]byte(in)); decided {
			t.Errorf("%q: decided", in)
		}
	}
}

func FuzzParseContentType(f *testing.F) {
	for _, s := range []string{
		`application/soap+xml; charset=utf-8; action="urn:a"`, `text/xml`, `text/xml;;;`, `a/b; x="\`,
		`application/soap+xml; action="a\"b"; charset=UTF-8`, `application/soap+xml;action=`, `;=;=";"`,
	} {
		f.Add(s, "urn:x")
	}
	f.Fuzz(func(t *testing.T, header, action string) {
		ct, err := ParseContentType(header)
		if err == nil {
			if ct.MediaType != MediaType11 && ct.MediaType != MediaType12 {
				t.Fatalf("accepted media type %q", ct.MediaType)
			}
			if (ct.MediaType == MediaType11) != (ct.Version == soap.V11) {
				t.Fatalf("media type %q with version %v", ct.MediaType, ct.Version)
			}
		}
		_ = ParseSOAPAction(header)
		// What we write, we read back: the action survives quoting (control characters,
		// which cannot be in a header, are dropped by quote).
		clean := strings.Map(func(r rune) rune {
			if (r < 0x20 && r != '\t') || r == 0x7f {
				return -1
			}
			return r
		}, action)
		if clean != action {
			return
		}
		got, err := ParseContentType(FormatContentType(soap.V12, action))
		if err != nil {
			t.Fatalf("own content type refused: %v", err)
		}
		if got.Action != action {
			t.Fatalf("action %q came back as %q", action, got.Action)
		}
		if back := ParseSOAPAction(FormatSOAPAction(action)); back != action {
			t.Fatalf("SOAPAction %q came back as %q", action, back)
		}
	})
}

// FuzzRootName holds the start-tag scan to encoding/xml's answer wherever it decides.
func FuzzRootName(f *testing.F) {
	for _, s := range []string{
		env12("<x/>"), env11(""), `<a:Envelope xmlns:a="urn:other">`, `<Envelope xmlns="urn:d" a='1'/>`,
		` <s:E xmlns:s="u:1" xmlns:s="u:2">`, `<s:E s:a="1" xmlns:s="u:x"`, `<E xmlns="">`, `<E a="&amp;">`,
		`<a:b:c xmlns:a="u:a">`, `<E xmlns:x="u" x:y="2"/>`, `<E  xmlns = "u:u" >`, `<E/>`, `<1/>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		space, local, decided := rootNameFast(body)
		if !decided {
			return
		}
		s2, l2, ok := rootNameXML(body)
		if !ok || s2 != space || l2 != local {
			t.Fatalf("%q: scan %q %q; encoding/xml %q %q %v", body, space, local, s2, l2, ok)
		}
	})
}
